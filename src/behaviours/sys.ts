/**
 * sys: system messages to behaviour processes (OTP's `sys`), used for upgrades and inspection.
 *
 * They are handled between ordinary messages: a process busy with a message (an async handler
 * included) answers once it is done. A suspended process handles only system messages; other
 * messages wait in its mailbox, none is lost. Every function takes a timeout (default 5000 ms)
 * and rejects with `CallTimeoutError` or `CallExitError` (`'noproc'` if the process is not alive).
 *
 * Upgrade sequence (seed 003): `await sys.suspend(kv)`, load the new code, `await
 * sys.changeCode(kv, Kv, oldVsn, extra)`, `await sys.resume(kv)`.
 */
import type { Pid } from '../runtime';
import { request, type TimeoutOrOptions } from './core/call';
import { SYSTEM } from './core/request';
import type { ChangeCodeResult, ProcessStatus, SystemRequest } from './core/system';

export type { ChangeCodeResult, ProcessStatus } from './core/system';
export {
  suspendMany,
  changeCodeMany,
  restoreMany,
  resumeMany,
  ProcessGroup,
  type SuspendManyResult,
  type ChangedCode,
} from './sys-group';

function system(process: Pid | string, msg: SystemRequest, options: TimeoutOrOptions): Promise<unknown> {
  return request(process, SYSTEM, msg, options, `sys.${msg.op}`);
}

/**
 * Suspends a process once it has finished the message it is handling. Idempotent. A suspend that
 * times out stays queued and takes effect later (as in OTP); follow it with `resume`.
 */
export async function suspend(process: Pid | string, timeout?: TimeoutOrOptions): Promise<void> {
  await system(process, { op: 'suspend' }, timeout);
}

/** Resumes a suspended process (a no-op on a running one). */
export async function resume(process: Pid | string, timeout?: TimeoutOrOptions): Promise<void> {
  await system(process, { op: 'resume' }, timeout);
}

/**
 * Converts a suspended process's state for new code: calls its callback module's `codeChange`
 * (a GenServer's or GenStatem's own module, whatever `module` names, as OTP does; a supervisor
 * re-reads its child specs from its module's `init`). Resolves to `{kind: 'ok'}`, or to
 * `{kind: 'error', reason}` when the conversion failed (the process keeps its old state and
 * stays alive) or when the process is not suspended (`reason.unknownSystemMsg`, as OTP).
 */
export function changeCode(
  process: Pid | string,
  module: unknown,
  oldVsn: unknown,
  extra: unknown,
  timeout?: TimeoutOrOptions,
): Promise<ChangeCodeResult> {
  return system(process, { op: 'changeCode', module, oldVsn, extra }, timeout) as Promise<ChangeCodeResult>;
}

/** The process's state (a GenStatem's is `{ state, data }`). */
export function getState<S = unknown>(process: Pid | string, timeout?: TimeoutOrOptions): Promise<S> {
  return system(process, { op: 'getState' }, timeout) as Promise<S>;
}

/**
 * Replaces the state with `fn(state)`, run inside the process (synchronously); resolves to the
 * new state. If `fn` throws, rejects with `CallbackFailedError` and the state is unchanged.
 */
export function replaceState<S>(
  process: Pid | string,
  fn: (state: S) => S,
  timeout?: TimeoutOrOptions,
): Promise<S> {
  return system(
    process,
    { op: 'replaceState', fn: fn as (state: unknown) => unknown },
    timeout,
  ) as Promise<S>;
}

/** Status: running or suspended, callback module, parent, formatted state. */
export function getStatus(process: Pid | string, timeout?: TimeoutOrOptions): Promise<ProcessStatus> {
  return system(process, { op: 'getStatus' }, timeout) as Promise<ProcessStatus>;
}
