/**
 * Starting a behaviour process: spawn, run `init`, and resolve once it has settled, as
 * `proc_lib:start_link` does. The starter never waits on a message: the new process
 * acknowledges through a callback, and its death during `init` (a kill, a link) is learnt from
 * the behaviours' exit hook, so nothing (monitor, watcher) is left behind per process.
 */
import {
  exit,
  KILL,
  logger,
  lookupProcess,
  NameTakenError,
  ProcessExit,
  reasonOf,
  spawn,
  type ExitReason,
  type Pid,
  type Proc,
  type SpawnOptions,
} from '../../runtime';
import { BadReturnError } from '../errors';
import { isThenable } from './awaitable';
import { checkTimeout } from './deadlines';
import { describeModule } from './module-name';
import { BehaviourRecord } from './record';
import { reportInitFailure } from './report';
import { shapeMismatch } from './state-shape';
import type { StartOptions, StartResult } from './types';

/** A behaviour record that can be started: it runs its process and acknowledges `init`. */
export abstract class StartableRecord extends BehaviourRecord {
  /** @internal The start acknowledgement, until `init` settles. */
  ack: ((result: StartResult) => void) | null = null;
  /** A failed start's result, reported when the process has exited. */
  private failedStart: StartResult | null = null;
  /** @internal The start argument, until the process runs. */
  startArgs: unknown = undefined;

  /** The process body: `init` (acknowledged through {@link acknowledge}), then the loop. */
  abstract run(self: Proc, args: unknown): Promise<void>;
  /** What `proc.inspectState` returns (the code server walks it for old code). */
  abstract inspect(): unknown;

  override processExited(reason: ExitReason): void {
    super.processExited(reason);
    const failed = this.failedStart;
    this.failedStart = null;
    this.settleStart(failed ?? { kind: 'error', reason });
  }

  /**
   * Reports the outcome of `init`. A failed start (`ignore`, `stop`, an exception) is reported
   * only once the process has exited, as OTP 26's `proc_lib:init_fail`: when `start` returns,
   * the process is gone and its name is free.
   */
  protected acknowledge(result: StartResult): void {
    if (result.kind === 'ok') this.settleStart(result);
    else this.failedStart = result;
  }

  /**
   * Runs the module's `init` (awaiting it when it returns a promise) and returns what it
   * returned. A throw is reported (unless it is an exit), becomes the start's error, and ends the
   * process with it.
   */
  protected async callInit(self: Proc, init: () => unknown): Promise<unknown> {
    try {
      const result = init();
      return isThenable(result) ? await result : result;
    } catch (err) {
      const reason = reasonOf(err);
      if (!(err instanceof ProcessExit))
        reportInitFailure(this.behaviour, self.pid, this.name, this.module, reason);
      this.acknowledge({ kind: 'error', reason });
      throw new ProcessExit(reason);
    }
  }

  /** `init` returned `ignore()`: the start answers `ignore` and the process exits normally. */
  protected initIgnored(): never {
    this.acknowledge({ kind: 'ignore' });
    throw new ProcessExit('normal');
  }

  /** `init` returned `stop(reason)`: the start fails with `reason`, the process exits with it. */
  protected initStopped(reason: unknown): never {
    this.acknowledge({ kind: 'error', reason });
    throw new ProcessExit(reason);
  }

  /** `init` returned something else than `expected`: reported, and the start fails with it. */
  protected initBadReturn(self: Proc, result: unknown, expected: string): never {
    const reason = new BadReturnError(describeModule(this.module), 'init', result, expected);
    reportInitFailure(this.behaviour, self.pid, this.name, this.module, reason);
    this.acknowledge({ kind: 'error', reason });
    throw new ProcessExit(reason);
  }

  /**
   * Warns when the initial state or data does not fit the shape `callbacks` declares
   * (core/state-shape.ts): a field the shape forgets would be dropped at the next code change.
   */
  protected warnShapeMismatch(
    self: Proc,
    callbacks: object,
    shapeExport: 'stateShape' | 'dataShape',
    value: unknown,
  ): void {
    const problem = shapeMismatch(callbacks, shapeExport, value);
    if (problem !== undefined) {
      logger().warn(
        { pid: String(self.pid), module: describeModule(this.module) },
        `${this.behaviour} ${this.name ?? String(self.pid)}: ${problem}`,
      );
    }
  }

  private settleStart(result: StartResult): void {
    const ack = this.ack;
    this.ack = null;
    ack?.(result);
  }
}

/**
 * The body of every behaviour process: one function shared by all of them, rather than a closure
 * per process, because the code server judges a process it cannot probe by its spawn function,
 * and would have to locate (through the inspector) one new function per process otherwise.
 */
function runAttached(self: Proc): Promise<void> {
  const record = self.behaviour as StartableRecord;
  const args = record.startArgs;
  record.startArgs = undefined;
  return record.run(self, args);
}

/** Puts the record on the process (its own scope: the closure holds only the record). */
function attach(proc: Proc, record: StartableRecord): void {
  proc.behaviour = record;
  proc.inspectState = () => record.inspect();
}

/** Spawns `record`'s process (linked to `parent` when given); resolves with the outcome of `init`. */
export function startBehaviour(
  parent: Proc | null,
  record: StartableRecord,
  args: unknown,
  options: StartOptions | undefined,
  initialCall: string,
): Promise<StartResult> {
  const name = options?.name;
  const timeout = options?.timeout === undefined ? Infinity : checkTimeout(options.timeout, 'start');
  return new Promise<StartResult>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    record.ack = (result: StartResult): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      resolve(result);
    };
    // Behaviours report their own crashes, and their loop is hotrel's code: nothing for the code
    // server's stack probe to find (its state is walked through inspectState instead).
    const spawnOptions: SpawnOptions = { crashReport: false, probeable: false, initialCall };
    if (name !== undefined) spawnOptions.name = name;
    record.startArgs = args;
    let pid: Pid;
    const body = runAttached;
    try {
      pid = parent !== null ? parent.spawnLink(body, spawnOptions) : spawn(body, spawnOptions);
    } catch (err) {
      if (err instanceof NameTakenError)
        return record.ack({ kind: 'error', reason: { alreadyStarted: err.owner } });
      throw err;
    }
    // Set before the process runs, so calls made to it at once already find its record.
    attach(lookupProcess(pid)!, record);
    if (timeout !== Infinity) {
      timer = setTimeout(() => {
        if (settled) return;
        record.ack?.({ kind: 'error', reason: 'timeout' });
        // As proc_lib: unlink first, so a parent that does not trap exits survives the kill.
        parent?.unlink(pid);
        exit(pid, KILL);
      }, timeout);
    }
  });
}

/** Throws a clear error for a name that cannot be registered. */
export function checkName(options: StartOptions | undefined, what: string): void {
  const name = options?.name;
  if (name !== undefined && (typeof name !== 'string' || name === ''))
    throw new TypeError(`${what}: name must be a non-empty string, got ${String(name)}`);
}
