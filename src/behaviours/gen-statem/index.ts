/** GenStatem: OTP's gen_statem. */
export { start, startLink, call, cast, reply, stop } from './api';
export {
  nextState,
  keepState,
  keepStateAndData,
  repeatState,
  repeatStateAndData,
  stopAndReply,
  postpone,
  replyAction,
  nextEvent,
  stateTimeout,
  eventTimeout,
  genericTimeout,
} from './results';
export type { Action, Transition, StatemInitResult, NextState, KeepState, StopAndReply } from './results';
export type {
  CallbackMode,
  GenStatemModule,
  StatemEvent,
  StateFunction,
  StatemStatusInfo,
  StatemConverted,
} from './types';
export { stateShape as dataShape, type StateShape, type StateOf } from '../core/state-shape';
