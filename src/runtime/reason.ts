/**
 * Exit reasons and the exit-related messages a process can receive.
 *
 * Reasons follow OTP: the strings `'normal'`, `'kill'`, `'killed'`, `'noproc'`, `'shutdown'`
 * stand for Erlang's atoms; `{ shutdown: term }` is `{shutdown, Term}`; any other value (usually
 * the `Error` a process threw) is an abnormal reason.
 */
import type { Pid, Ref } from './pid';

export type ExitReason = unknown;

/** The reasons the runtime itself gives a meaning to. */
export const NORMAL = 'normal';
export const KILL = 'kill';
export const KILLED = 'killed';
export const NOPROC = 'noproc';
export const SHUTDOWN = 'shutdown';

/** A trapped exit signal, delivered as a message when the receiver traps exits. */
export interface ExitMessage {
  readonly type: 'EXIT';
  readonly from: Pid;
  readonly reason: ExitReason;
}

/** A monitor's notification that the monitored process is gone (or never existed: `noproc`). */
export interface DownMessage {
  readonly type: 'DOWN';
  readonly ref: Ref;
  /** What was monitored: the pid, or the registered name when monitoring by name. */
  readonly target: Pid | string;
  /** The pid that went down, when known (not for a name that was never registered). */
  readonly pid: Pid | undefined;
  readonly reason: ExitReason;
}

export function isExitMessage(msg: unknown): msg is ExitMessage {
  return typeof msg === 'object' && msg !== null && (msg as ExitMessage).type === 'EXIT' && 'from' in msg;
}

export function isDownMessage(msg: unknown): msg is DownMessage {
  return typeof msg === 'object' && msg !== null && (msg as DownMessage).type === 'DOWN' && 'ref' in msg;
}

/** `shutdown` or `{shutdown: _}`: a supervisor-ordered stop, normal for transient restarts. */
export function isShutdown(reason: ExitReason): boolean {
  return (
    reason === SHUTDOWN ||
    (typeof reason === 'object' &&
      reason !== null &&
      'shutdown' in reason &&
      Object.keys(reason).length === 1)
  );
}

/** Whether a reason counts as a normal termination for restart and logging decisions. */
export function isNormalExit(reason: ExitReason): boolean {
  return reason === NORMAL || isShutdown(reason);
}

/**
 * Thrown by `self.exit(reason)` to end the current process with exactly `reason`
 * (Erlang's `exit/1`). Catching it stops the exit, as `catch exit(...)` does in Erlang.
 */
export class ProcessExit extends Error {
  constructor(readonly reason: ExitReason) {
    super(`process exit: ${formatReason(reason)}`);
    this.name = 'ProcessExit';
  }
}

/** The exit reason carried by a thrown value. */
export function reasonOf(thrown: unknown): ExitReason {
  return thrown instanceof ProcessExit ? thrown.reason : thrown;
}

/** A one-line rendering of a reason for logs and error messages. */
export function formatReason(reason: ExitReason): string {
  if (typeof reason === 'string') return reason;
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
  try {
    return JSON.stringify(reason) ?? String(reason);
  } catch {
    return String(reason);
  }
}
