/**
 * Starting a GenServer process (and, through it, a supervisor): spawn, run `init`, and resolve
 * once `init` has settled, as `proc_lib:start_link` does. The starter never waits on a message:
 * the new process acknowledges through a callback, and its death during `init` (a kill, a link)
 * is learnt from the behaviours' exit hook, so no monitor or watcher is left behind per process.
 */
import {
  exit,
  KILL,
  lookupProcess,
  NameTakenError,
  spawn,
  type Pid,
  type Proc,
  type SpawnOptions,
} from '../../runtime';
import { checkTimeout } from '../core/deadlines';
import { describeModule } from '../core/module-name';
import type { BehaviourKind } from '../core/record';
import type { StartOptions, StartResult } from '../core/types';
import { GenServerProcess } from './server';
import type { AnyGenServerModule } from './types';

/** Everything a GenServer-based process needs to start. */
export interface StartSpec {
  readonly parent: Proc | null;
  readonly behaviour: BehaviourKind;
  /** The module whose callbacks the process calls. */
  readonly callbacks: AnyGenServerModule;
  /** The module it reports (`sys.getStatus`, `proc.behaviour`); the callbacks' unless a wrapper. */
  readonly module: object;
  readonly args: unknown;
  readonly options: StartOptions | undefined;
  /** The function name shown by `processInfo().initialCall`. */
  readonly initialCall: string;
}

/** Checks that `module` can be a callback module (has `init`); throws a clear error otherwise. */
export function checkCallbackModule(module: unknown, what: string): asserts module is AnyGenServerModule {
  if (
    module === null ||
    typeof module !== 'object' ||
    typeof (module as { init?: unknown }).init !== 'function'
  )
    throw new TypeError(
      `${what}: the callback module must be an object exporting an init function, got ${describeModule(module)}`,
    );
}

/**
 * Puts the record on the process. In its own function so that the `inspectState` closure holds
 * only the record, not the start's scope (the promise, the timer, the args) for the process's life.
 */
function attach(proc: Proc, record: GenServerProcess): void {
  proc.behaviour = record;
  proc.inspectState = () => record.state;
}

/** Spawns the process (linked to `parent` when given) and resolves with the outcome of `init`. */
export function startGenServerProcess(spec: StartSpec): Promise<StartResult> {
  const { parent, options } = spec;
  const name = options?.name;
  if (name !== undefined && (typeof name !== 'string' || name === ''))
    throw new TypeError(`start: name must be a non-empty string, got ${String(name)}`);
  const timeout = options?.timeout === undefined ? Infinity : checkTimeout(options.timeout, 'start');
  return new Promise<StartResult>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (result: StartResult): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      resolve(result);
    };
    const record = new GenServerProcess(
      spec.behaviour,
      spec.callbacks,
      spec.module,
      name,
      parent?.pid,
      finish,
    );
    const spawnOptions: SpawnOptions = { crashReport: false, initialCall: spec.initialCall };
    if (name !== undefined) spawnOptions.name = name;
    const body = (self: Proc): Promise<void> => record.run(self, spec.args);
    let pid: Pid;
    try {
      pid = parent !== null ? parent.spawnLink(body, spawnOptions) : spawn(body, spawnOptions);
    } catch (err) {
      if (err instanceof NameTakenError)
        return finish({ kind: 'error', reason: { alreadyStarted: err.owner } });
      throw err;
    }
    // Set before the process runs, so calls made to it at once already find its record.
    attach(lookupProcess(pid)!, record);
    if (timeout !== Infinity) {
      timer = setTimeout(() => {
        if (settled) return;
        finish({ kind: 'error', reason: 'timeout' });
        // As proc_lib: unlink first, so a parent that does not trap exits survives the kill.
        parent?.unlink(pid);
        exit(pid, KILL);
      }, timeout);
    }
  });
}
