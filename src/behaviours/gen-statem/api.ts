/** The GenStatem client API. */
import type { ExitReason, Proc } from '../../runtime';
import { call as sendCall, type TimeoutOrOptions } from '../core/call';
import { checkName, startBehaviour } from '../core/start';
import type { From, Server, ServerRef, StartOptions, StartResult } from '../core/types';
import { checkParent, cast as castTo, reply as replyTo, stop as stopServer } from '../gen-server/api';
import { GenStatemProcess } from './statem';
import type { AnyGenStatemModule, GenStatemModule } from './types';

function checkModule(module: unknown, what: string): asserts module is AnyGenStatemModule {
  const m = module as { init?: unknown; callbackMode?: unknown } | null;
  if (
    m === null ||
    typeof m !== 'object' ||
    typeof m.init !== 'function' ||
    typeof m.callbackMode !== 'function'
  )
    throw new TypeError(`${what}: the callback module must export init and callbackMode functions`);
}

function startStatem(
  parent: Proc | null,
  module: AnyGenStatemModule,
  args: unknown,
  options: StartOptions | undefined,
): Promise<StartResult> {
  checkName(options, 'GenStatem.start');
  return startBehaviour(
    parent,
    new GenStatemProcess(module, options?.name, parent?.pid),
    args,
    options,
    'GenStatem',
  );
}

/** Starts a state machine without a link; resolves once `init` has run. */
export function start<A, S, D, C, R, K>(
  module: GenStatemModule<A, S, D, C, R, K>,
  args: A,
  options?: StartOptions,
): Promise<StartResult<ServerRef<C, R, K>>> {
  checkModule(module, 'GenStatem.start');
  return startStatem(null, module, args, options) as Promise<StartResult<ServerRef<C, R, K>>>;
}

/** Starts a state machine linked to `parent` (see `GenServer.startLink`). */
export function startLink<A, S, D, C, R, K>(
  parent: Proc,
  module: GenStatemModule<A, S, D, C, R, K>,
  args: A,
  options?: StartOptions,
): Promise<StartResult<ServerRef<C, R, K>>> {
  checkParent(parent, 'GenStatem.startLink');
  checkModule(module, 'GenStatem.startLink');
  return startStatem(parent, module, args, options) as Promise<StartResult<ServerRef<C, R, K>>>;
}

/** Calls the state machine (a `call` event); same timeouts and errors as `GenServer.call`. */
export function call<C, R>(
  server: Server<C, R, unknown>,
  request: C,
  timeout?: TimeoutOrOptions,
): Promise<R> {
  return sendCall(server, request, timeout) as Promise<R>;
}

/** Sends a `cast` event. */
export function cast<K>(server: Server<unknown, unknown, K>, message: K): void {
  castTo(server, message);
}

/** Replies to a call event outside a transition (OTP's `gen_statem:reply`). */
export function reply<R>(from: From<R>, value: R): void {
  replyTo(from, value);
}

/** Stops the state machine: `terminate(reason)` runs and it exits with `reason`. */
export function stop(server: Server, reason: ExitReason = 'normal', timeout = Infinity): Promise<void> {
  return stopServer(server, reason, timeout);
}
