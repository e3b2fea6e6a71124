/** The GenServer client API: start, call, cast, reply, stop. */
import { lookupProcess, NOPROC, send, watch, type ExitReason, type Proc } from '../../runtime';
import { isDeepStrictEqual } from 'node:util';
import { call as sendCall, type TimeoutOrOptions } from '../core/call';
import { checkTimeout } from '../core/deadlines';
import { replyTo, Request, SYSTEM } from '../core/request';
import type { SystemRequest } from '../core/system';
import type { From, Server, ServerName, ServerRef, StartOptions, StartResult } from '../core/types';
import { StartError, StopError, CallTimeoutError } from '../errors';
import { CastMessage } from './server';
import { checkCallbackModule, startGenServerProcess } from './start';
import type { AnyGenServerModule, GenServerModule } from './types';

/**
 * Starts a GenServer without a link (OTP's `gen_server:start`); resolves once `init` has run.
 *
 * ```ts
 * const r = await GenServer.start(Kv, { size: 10 }, { name: 'kv' });
 * if (r.kind === 'ok') await GenServer.call(r.pid, { op: 'get', key: 'a' });
 * ```
 */
export function start<A, S, C, R, K, I>(
  module: GenServerModule<A, S, C, R, K, I>,
  args: A,
  options?: StartOptions,
): Promise<StartResult<ServerRef<C, R, K>>> {
  checkCallbackModule(module, 'GenServer.start');
  return startServer(null, module, args, options) as Promise<StartResult<ServerRef<C, R, K>>>;
}

/**
 * Starts a GenServer linked to `parent` (OTP's `gen_server:start_link`). There is no implicit
 * current process, so the linking process is explicit: a supervisor passes itself, and a start
 * function named in a child spec receives the supervisor as its first argument:
 *
 * ```ts
 * export function startLink(parent: Proc, id: number) {
 *   return GenServer.startLink(parent, KvWorker, id);
 * }
 * ```
 *
 * If `init` fails, the process exits with the reason and, as in OTP, the linked parent gets
 * the exit signal (and dies of it unless it traps exits).
 */
export function startLink<A, S, C, R, K, I>(
  parent: Proc,
  module: GenServerModule<A, S, C, R, K, I>,
  args: A,
  options?: StartOptions,
): Promise<StartResult<ServerRef<C, R, K>>> {
  checkParent(parent, 'GenServer.startLink');
  checkCallbackModule(module, 'GenServer.startLink');
  return startServer(parent, module, args, options) as Promise<StartResult<ServerRef<C, R, K>>>;
}

/** A GenServer process of `module`, linked to `parent` when given. */
function startServer(
  parent: Proc | null,
  module: AnyGenServerModule,
  args: unknown,
  options: StartOptions | undefined,
): Promise<StartResult> {
  return startGenServerProcess({
    parent,
    behaviour: 'gen_server',
    callbacks: module,
    module,
    args,
    options,
    initialCall: 'GenServer',
  });
}

/** @internal */
export function checkParent(parent: unknown, what: string): asserts parent is Proc {
  if (parent === null || typeof parent !== 'object' || typeof (parent as Proc).spawnLink !== 'function')
    throw new TypeError(
      `${what}: the first argument is the process to link to (a Proc, e.g. the supervisor or self); ` +
        'use start() for an unlinked server',
    );
}

/** The pid of an `ok` start result; throws a {@link StartError} for `ignore` or `error`. */
export function pidOf<P>(result: StartResult<P>, what = 'the server'): P {
  if (result.kind === 'ok') return result.pid;
  throw new StartError(what, result.kind === 'ignore' ? 'ignore' : result.reason);
}

/**
 * Calls a server and waits for its reply (default timeout 5000 ms).
 *
 * Rejects with `CallTimeoutError` when no reply came in time (a reply arriving later is
 * dropped), with `CallExitError` carrying the server's exit reason when it exited first
 * (`'noproc'` when it was not alive). Works from inside processes and from plain code; inside a
 * process, pass `{ caller: self }` so that a reply to a dead caller is never delivered.
 */
export function call<C, R>(
  server: Server<C, R, unknown>,
  request: C,
  timeout?: TimeoutOrOptions,
): Promise<R> {
  return sendCall(server, request, timeout) as Promise<R>;
}

/** Sends a cast (fire and forget; never fails, even if the server is not alive). */
export function cast<K>(server: Server<unknown, unknown, K>, message: K): void {
  if (lookupProcess(server) !== undefined) send(server, new CastMessage(message));
}

/** Replies to a call answered with `noreply` (from any process). A second or late reply is dropped. */
export function reply<R>(from: From<R>, value: R): void {
  if (!(from instanceof Request))
    throw new TypeError('GenServer.reply: from must be the from token handleCall received');
  replyTo(from, value);
}

/** Gives a registered name the protocol of `module`, so calls through the name are type-checked. */
export function named<A, S, C, R, K, I>(
  _module: GenServerModule<A, S, C, R, K, I>,
  name: string,
): ServerName<C, R, K> {
  return name;
}

/**
 * Stops a server (OTP's `gen_server:stop`): it runs `terminate(reason)` and exits with `reason`.
 * Handled as a system message, so it works while the server is suspended. Rejects with
 * {@link StopError} if it exits with another reason or is not alive, and with a
 * `CallTimeoutError` if it has not exited within `timeout` (default `Infinity`).
 */
export function stop(server: Server, reason: ExitReason = 'normal', timeout = Infinity): Promise<void> {
  checkTimeout(timeout, 'GenServer.stop');
  const proc = lookupProcess(server);
  if (proc === undefined) return Promise.reject(new StopError(server, NOPROC));
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const unwatch = watch(proc.pid, (exitReason) => {
      if (timer !== undefined) clearTimeout(timer);
      if (exitReason === reason || isDeepStrictEqual(exitReason, reason)) resolve();
      else reject(new StopError(server, exitReason));
    });
    if (timeout !== Infinity) {
      timer = setTimeout(() => {
        unwatch();
        reject(new CallTimeoutError(server, { stop: reason }, timeout));
      }, timeout);
    }
    const msg: SystemRequest = { op: 'terminate', reason };
    const req = new Request(SYSTEM, msg, server, null);
    req.resolve = noop;
    req.reject = noop;
    send(proc.pid, req);
  });
}

function noop(): void {}
