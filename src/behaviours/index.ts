/**
 * Behaviours: GenServer, Supervisor, Application, GenStatem and sys, with OTP's semantics
 * (DESIGN.md §4). Callback modules are called through the module object on every message, so a
 * code-server facade that receives new exports takes effect at the next message.
 */
export * as GenServer from './gen-server';
export * as Supervisor from './supervisor';
export * as GenStatem from './gen-statem';
export * as Application from './application';
export * as sys from './sys';
export { ok, ignore, reply, noreply, stop } from './gen-server/results';
export type { From, ServerRef, ServerName, Server, StartResult, StartOptions, OldVsn } from './core/types';
export type { Awaitable } from './core/awaitable';
export { behaviourOf, type BehaviourInfo, type BehaviourKind } from './core/record';
export { moduleName, MODULE_ID } from './core/module-name';
export { DEFAULT_TIMEOUT, type CallOptions } from './core/call';
export {
  CallTimeoutError,
  CallExitError,
  CallingSelfError,
  UndefinedCallbackError,
  BadReturnError,
  CallbackFailedError,
  StopError,
  StartError,
} from './errors';
