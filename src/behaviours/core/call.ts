/**
 * Sending a request and waiting for its reply: the call path of every behaviour and of `sys`.
 *
 * Per call: one request object (message, `from` token and reply channel at once), one promise,
 * an O(1) link into the server's list of waiters (so the server's exit fails the call with its
 * reason, without a monitor per call), and an O(1) link into a shared deadline list (no timer
 * per call). Works from inside a process and from plain code (sockets, tests, the CLI).
 */
// From the defining modules rather than the runtime's index: this is the path of every call.
import { send, type Proc } from '../../runtime/process';
import type { Pid } from '../../runtime/pid';
import { NOPROC } from '../../runtime/reason';
import { watch } from '../../runtime/signals';
import { lookupProcess } from '../../runtime/table';
import { CallExitError, CallingSelfError } from '../errors';
import { armDeadline, checkTimeout } from './deadlines';
import { BehaviourRecord } from './record';
import { addWaiter, failRequest, Request, CALL } from './request';

/** The default call timeout, as OTP's. */
export const DEFAULT_TIMEOUT = 5000;

/** Options of a call. */
export interface CallOptions {
  /** Milliseconds to wait for the reply (default 5000); `Infinity` waits forever. */
  timeout?: number;
  /**
   * The calling process, when calling from inside one. Optional, but recommended there: a reply
   * that arrives after the caller died is then dropped, so a dead process never resumes, and a
   * call to itself fails at once instead of timing out.
   */
  caller?: Proc;
}

/** `timeout` or options, as the public call functions accept them. */
export type TimeoutOrOptions = number | CallOptions | undefined;

/** Sends a request of `kind` to `server` and returns the promise of its reply. */
export function request(
  server: Pid | string,
  kind: number,
  payload: unknown,
  options: TimeoutOrOptions,
  what: string,
): Promise<unknown> {
  let timeout = DEFAULT_TIMEOUT;
  let caller: Proc | null = null;
  if (typeof options === 'number') timeout = options;
  else if (options !== undefined) {
    if (options.timeout !== undefined) timeout = options.timeout;
    if (options.caller !== undefined) caller = options.caller;
  }
  if (timeout !== DEFAULT_TIMEOUT) checkTimeout(timeout, what);
  const proc = lookupProcess(server);
  if (proc === undefined) return Promise.reject(new CallExitError(server, payload, NOPROC));
  if (caller === proc) return Promise.reject(new CallingSelfError(server));
  const req = new Request(kind, payload, server, caller);
  const promise = new Promise<unknown>((resolve, reject) => {
    req.resolve = resolve;
    req.reject = reject;
  });
  const record = proc.behaviour;
  if (record instanceof BehaviourRecord) addWaiter(record, req);
  else
    req.unwatch = watch(proc.pid, (reason) => failRequest(req, new CallExitError(server, payload, reason)));
  if (timeout !== Infinity) {
    req.timeout = timeout;
    armDeadline(req, timeout);
  }
  send(proc.pid, req);
  return promise;
}

/** A call: `request` of kind {@link CALL}. */
export function call(server: Pid | string, payload: unknown, options: TimeoutOrOptions): Promise<unknown> {
  return request(server, CALL, payload, options, 'call');
}
