/**
 * What every behaviour process records about itself in `proc.behaviour`.
 *
 * The record says which behaviour the process runs, its callback module and the modules it uses
 * (the release handler finds the processes to suspend and convert through it, including
 * behaviour processes outside supervision trees), whether it is suspended, and holds the calls
 * waiting on it. Each behaviour extends it with its own state and the system-message hooks that
 * `sys` relies on.
 */
import {
  lookupProcess,
  onAnyExit,
  rearmReceive,
  type ExitReason,
  type Pattern,
  type Pid,
  type Proc,
} from '../../runtime';
import type { Awaitable } from './awaitable';
import { failWaiters, type Request, type Waiters } from './request';

/** The behaviours a process can run. */
export type BehaviourKind = 'gen_server' | 'supervisor' | 'gen_statem';

/** The public, read-only view of a behaviour process's record (`proc.behaviour`). */
export interface BehaviourInfo {
  readonly behaviour: BehaviourKind;
  /** The callback module (in a release, a code-server facade). */
  readonly module: object;
  /**
   * The modules this process uses, for upgrades: the child spec's `modules` when a supervisor
   * started it with an explicit list, else `[module]`.
   */
  readonly modules: readonly unknown[];
  /** Its registered name, if started with one. */
  readonly name: string | undefined;
  /** The process that started it with `startLink`. */
  readonly parent: Pid | undefined;
  /** Whether it is suspended by `sys.suspend`. */
  readonly suspended: boolean;
}

const defaultModuleLists = new WeakMap<object, readonly unknown[]>();

/** `[module]`, shared by every process of that module (saves an array per process). */
export function defaultModules(module: object): readonly unknown[] {
  let list = defaultModuleLists.get(module);
  if (list === undefined) {
    list = Object.freeze([module]);
    defaultModuleLists.set(module, list);
  }
  return list;
}

export abstract class BehaviourRecord implements BehaviourInfo, Waiters {
  abstract readonly behaviour: BehaviourKind;
  /** @internal */ waitersHead: Request | null = null;
  suspended = false;
  modules: readonly unknown[];

  constructor(
    readonly module: object,
    readonly name: string | undefined,
    readonly parent: Pid | undefined,
  ) {
    this.modules = defaultModules(module);
    installExitHook();
  }

  /** The state `sys.getState` returns. */
  abstract systemGetState(): unknown;
  /** Applies `fn` to the state and keeps the result (throws, changing nothing, when `fn` throws). */
  abstract systemReplaceState(fn: (state: unknown) => unknown): unknown;
  /** Converts the state for new code (throws, changing nothing, when the conversion fails). */
  abstract systemCodeChange(module: unknown, oldVsn: unknown, extra: unknown): Awaitable<void>;
  /** The state as shown by `sys.getStatus` (through the module's `formatStatus`, if any). */
  abstract systemFormatState(): unknown;
  /** Runs the behaviour's termination (its `terminate` callback) and exits with `reason`. */
  abstract systemTerminate(reason: ExitReason): Promise<never>;

  // --- group suspension (the release handler's): no message per process when it can be avoided ---

  /** @internal The process running this record, once it runs. */
  proc: Proc | null = null;
  /** @internal True while the process waits in its own loop's receive, between two messages. */
  parked = false;
  /** @internal What the loop waits for while suspended (system messages, the parent's exit). */
  abstract pausedPattern(): Pattern;
  /**
   * @internal What the loop would wait for now if it were running, or `undefined` when a parked
   * suspended process cannot be resumed without a wake-up (an idle timeout to arm, events of its
   * own queued before the mailbox).
   */
  abstract runningPattern(): Pattern | undefined;
  /** @internal Everything a code change may alter (state, and whatever the behaviour derives from its module). */
  systemSnapshot(): unknown {
    return this.systemGetState();
  }
  /** @internal Puts a {@link systemSnapshot} back (a rolled-back upgrade). */
  systemRestore(snapshot: unknown): void {
    this.systemReplaceState(() => snapshot);
  }

  /**
   * @internal Suspends the process now if it is idle in its loop's receive: from this moment it
   * takes only system messages (others stay queued, none is lost). False when it is busy (or
   * waits with a timeout armed): suspend it with a system message then.
   */
  suspendIfIdle(): boolean {
    if (this.suspended) return this.parked;
    const proc = this.proc;
    if (!this.parked || proc === null || !rearmReceive(proc, this.pausedPattern())) return false;
    this.suspended = true;
    return true;
  }

  /**
   * @internal Resumes a suspended process parked in its loop's receive: it takes its queued
   * messages, in order, as if `sys.resume` had been handled. False when that needs a message.
   */
  resumeIfParked(): boolean {
    if (!this.suspended) return true;
    const proc = this.proc;
    const pattern = this.runningPattern();
    if (!this.parked || proc === null || pattern === undefined) return false;
    this.suspended = false;
    if (rearmReceive(proc, pattern)) return true;
    this.suspended = true;
    return false;
  }

  /**
   * @internal The process exited (any way, `kill` included): calls still waiting on it fail with
   * its reason. Behaviours extend this (a start still waiting for `init` learns of the death).
   */
  processExited(reason: ExitReason): void {
    if (this.waitersHead !== null) failWaiters(this, reason);
  }
}

/** What a behaviour process recorded about itself, or `undefined` (not alive, or not a behaviour). */
export function behaviourOf(process: Pid | string): BehaviourInfo | undefined {
  const record = lookupProcess(process)?.behaviour;
  return record instanceof BehaviourRecord ? record : undefined;
}

let hookInstalled = false;

/** One hook for the whole node: a behaviour process's exit fails the calls still waiting on it. */
function installExitHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  onAnyExit((proc, reason) => {
    const record = proc.behaviour;
    if (record instanceof BehaviourRecord) record.processExited(reason);
  });
}
