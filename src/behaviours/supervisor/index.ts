/** Supervisor: OTP's supervisor behaviour. */
export {
  startLink,
  start,
  whichChildren,
  countChildren,
  startChild,
  terminateChild,
  restartChild,
  deleteChild,
  getChildspec,
  checkChildSpecs,
  RECONCILE_CHILDREN,
} from './api';
export type { ChildInfo, ChildCounts, SupervisorResult, ReconcileChildren } from './types';
export type {
  ChildSpec,
  ChildId,
  ChildType,
  RestartType,
  Shutdown,
  Strategy,
  StartMFA,
  StartFunction,
  StartReturn,
  SupervisorFlags,
  SupervisorInit,
} from './spec';
export { SpecError } from './spec';
export type { SupervisorModule } from './state';
