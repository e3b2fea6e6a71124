/**
 * Starting and stopping one child, inside the supervisor process.
 *
 * Start: the MFA is resolved through the module object at every (re)start, so a restart after an
 * upgrade runs the module's current code. Stop: OTP's shutdown protocol (monitor, `exit(pid,
 * shutdown)` or `kill`, wait for `DOWN`, kill after the shutdown time; unlink and flush the
 * `EXIT`), which also copes with a child that unlinked itself.
 */
import {
  isExitMessage,
  isNormalExit,
  isShutdown,
  KILL,
  KILLED,
  lookupProcess,
  NORMAL,
  Pid,
  reasonOf,
  SHUTDOWN,
  TIMEOUT,
  type DownMessage,
  type ExitMessage,
  type ExitReason,
  type Proc,
  type Ref,
} from '../../runtime';
import { isThenable } from '../core/awaitable';
import { describeModule } from '../core/module-name';
import { BehaviourRecord } from '../core/record';
import type { StartResult } from '../core/types';
import type { NormalizedSpec, RestartType, Shutdown, StartMFA } from './spec';

/** Normalized outcome of a start function (OTP's `do_start_child_i`). */
export type ChildStart =
  { kind: 'ok'; pid: Pid } | { kind: 'ignore' } | { kind: 'error'; reason: ExitReason };

/**
 * The arguments a start function gets after the parent: the MFA's `args` followed by `extra`
 * (a `simple_one_for_one` child's `startChild` arguments); a closure gets only `extra`.
 */
export function startArgs(spec: NormalizedSpec, extra: readonly unknown[]): readonly unknown[] {
  if (typeof spec.start === 'function') return extra;
  const base = spec.start.args ?? [];
  return extra.length === 0 ? base : [...base, ...extra];
}

/**
 * Runs the child's start function as `start(parent, ...args)`, the supervisor being the parent;
 * an MFA's function is looked up on its module now. Never throws.
 */
export async function startChild(
  self: Proc,
  spec: NormalizedSpec,
  args: readonly unknown[],
): Promise<ChildStart> {
  let result: unknown;
  try {
    if (typeof spec.start === 'function') result = spec.start(self, ...args);
    else {
      const mfa: StartMFA = spec.start;
      const fn = (mfa.module as Record<string, unknown>)[mfa.function];
      if (typeof fn !== 'function')
        return { kind: 'error', reason: { undef: `${describeModule(mfa.module)}.${mfa.function}` } };
      result = fn.call(mfa.module, self, ...args);
    }
    if (isThenable(result)) result = await result;
  } catch (err) {
    return { kind: 'error', reason: reasonOf(err) };
  }
  const outcome = normalize(result);
  if (outcome.kind === 'ok' && Array.isArray(spec.modules)) {
    // The child's own record then lists what its spec declares (the release handler reads both).
    const record = lookupProcess(outcome.pid)?.behaviour;
    if (record instanceof BehaviourRecord) record.modules = spec.modules;
  }
  return outcome;
}

function normalize(result: unknown): ChildStart {
  if (result instanceof Pid) return { kind: 'ok', pid: result };
  const r = result as StartResult | null | undefined;
  switch (r?.kind) {
    case 'ok':
      if (r.pid instanceof Pid) return { kind: 'ok', pid: r.pid };
      break;
    case 'ignore':
      return { kind: 'ignore' };
    case 'error':
      return { kind: 'error', reason: r.reason };
  }
  return { kind: 'error', reason: { badStartReturn: result } };
}

/** Whether a child's exit reason is the expected end of a shutdown (OTP's `shutdown/1` rules). */
function expectedShutdownReason(reason: ExitReason, restart: RestartType, brutal: boolean): boolean {
  if (brutal ? reason === KILLED : reason === SHUTDOWN) return true;
  return restart !== 'permanent' && (isShutdown(reason) || reason === NORMAL);
}

/**
 * Stops a child by its spec's shutdown rule and waits until it is dead. Resolves to `undefined`
 * when it ended as expected, else to the unexpected reason (to be reported, not fatal).
 */
export async function shutdownChild(
  self: Proc,
  pid: Pid,
  shutdown: Shutdown,
  restart: RestartType,
): Promise<ExitReason | undefined> {
  const ref = self.monitor(pid);
  const brutal = shutdown === 'brutal_kill';
  self.exit(pid, brutal ? KILL : SHUTDOWN);
  let down = await waitDown(self, ref, shutdown === 'infinity' || brutal ? Infinity : shutdown);
  if (down === TIMEOUT) {
    // Out of time: kill it (its `killed` is then reported, as OTP does).
    self.exit(pid, KILL);
    down = await waitDown(self, ref, Infinity);
  }
  const reason = await unlinkFlush(self, pid, (down as DownMessage).reason);
  return expectedShutdownReason(reason, restart, brutal) ? undefined : reason;
}

function waitDown(self: Proc, ref: Ref, timeout: number): Promise<DownMessage | typeof TIMEOUT> {
  const pattern = (msg: unknown): boolean =>
    (msg as DownMessage)?.type === 'DOWN' && ref.equals((msg as DownMessage).ref);
  return timeout === Infinity
    ? self.receive<DownMessage>(pattern)
    : self.receive<DownMessage>(pattern, { after: timeout });
}

/**
 * Unlinks and takes the child's `EXIT` from the mailbox if it is there: its reason is the real
 * one (a DOWN of a process that was already gone says only `noproc`).
 */
async function unlinkFlush(self: Proc, pid: Pid, fallback: ExitReason): Promise<ExitReason> {
  self.unlink(pid);
  const exit = await self.receive<ExitMessage>(
    (msg: unknown) => isExitMessage(msg) && msg.from.id === pid.id,
    {
      after: 0,
    },
  );
  return exit === TIMEOUT ? fallback : exit.reason;
}

/**
 * Stops many children of one spec at once (a `simple_one_for_one` supervisor's shutdown): all
 * are told at the same time, and the shutdown time bounds the whole group. Resolves to the
 * unexpected reasons, by pid.
 */
export async function shutdownChildren(
  self: Proc,
  pids: readonly Pid[],
  shutdown: Shutdown,
  restart: RestartType,
): Promise<Map<Pid, ExitReason>> {
  const brutal = shutdown === 'brutal_kill';
  const waiting = new Map<number, Pid>();
  const refs = new Map<number, number>(); // ref id -> pid id
  for (const pid of pids) {
    const ref = self.monitor(pid);
    refs.set(ref.id, pid.id);
    waiting.set(pid.id, pid);
    self.exit(pid, brutal ? KILL : SHUTDOWN);
  }
  const errors = new Map<Pid, ExitReason>();
  let deadline = shutdown === 'infinity' || brutal ? Infinity : performance.now() + shutdown;
  const isOurDown = (msg: unknown): boolean =>
    (msg as DownMessage)?.type === 'DOWN' && refs.has((msg as DownMessage).ref?.id);
  while (waiting.size > 0) {
    const left = deadline === Infinity ? Infinity : Math.max(0, deadline - performance.now());
    const msg =
      left === Infinity
        ? await self.receive<DownMessage>(isOurDown)
        : await self.receive<DownMessage>(isOurDown, { after: left });
    if (msg === TIMEOUT) {
      for (const pid of waiting.values()) self.exit(pid, KILL);
      deadline = Infinity;
      continue;
    }
    const pidId = refs.get(msg.ref.id)!;
    refs.delete(msg.ref.id);
    const pid = waiting.get(pidId)!;
    waiting.delete(pidId);
    const reason = await unlinkFlush(self, pid, msg.reason);
    if (!expectedShutdownReason(reason, restart, brutal)) errors.set(pid, reason);
  }
  return errors;
}

/** Whether a restart type restarts a child that exited with `reason` (OTP's `do_restart`). */
export function shouldRestart(restart: RestartType, reason: ExitReason): boolean {
  if (restart === 'permanent') return true;
  if (restart === 'temporary') return false;
  return !isNormalExit(reason);
}
