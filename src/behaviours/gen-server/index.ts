/**
 * GenServer: a generic server process (OTP's gen_server). See `types.ts` for the callback module
 * and `results.ts` for what callbacks return.
 */
export { start, startLink, call, cast, reply, stop, named, pidOf } from './api';
export type { GenServerModule, StatusInfo, CodeChangeInfo } from './types';
export { stateShape, type StateShape, type StateOf, type StateShapeOptions } from '../core/state-shape';
export type { InitResult, CallResult, HandleResult, Next, Ok, Ignore, Reply, NoReply, Stop } from './results';
