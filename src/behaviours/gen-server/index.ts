/**
 * GenServer: a generic server process (OTP's gen_server). See `types.ts` for the callback module
 * and `results.ts` for what callbacks return.
 */
export { start, startLink, call, cast, reply, stop, named, pidOf } from './api';
export type { GenServerModule, StatusInfo } from './types';
export type { InitResult, CallResult, HandleResult, Next, Ok, Ignore, Reply, NoReply, Stop } from './results';
