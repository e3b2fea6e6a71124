/** The supervisor's public request and result types. */
import type { Pid } from '../../runtime';
import type { ChildId, ChildSpec, ChildType } from './spec';
import type { SupervisorModule } from './state';

/** What `Supervisor.startLink` passes to the supervisor's `init`. */
export interface SupervisorArgs {
  readonly module: SupervisorModule<unknown>;
  readonly args: unknown;
  readonly name: string | undefined;
}

/** One entry of `whichChildren` (OTP's `{Id, Child, Type, Modules}`). */
export interface ChildInfo {
  /** `undefined` for `simple_one_for_one` children. */
  readonly id: ChildId | undefined;
  /** The process, `'restarting'` while a failed restart is retried, `undefined` if not running. */
  readonly pid: Pid | 'restarting' | undefined;
  readonly type: ChildType;
  readonly modules: readonly unknown[] | 'dynamic';
}

/** `countChildren`'s result. */
export interface ChildCounts {
  readonly specs: number;
  readonly active: number;
  readonly supervisors: number;
  readonly workers: number;
}

/** A simple result: `ok`, or an error with OTP's reason (`'not_found'`, `'running'`, ...). */
export type SupervisorResult = { readonly kind: 'ok' } | { readonly kind: 'error'; readonly reason: unknown };

/** The requests the supervisor answers. */
export type SupervisorRequest =
  | { readonly op: 'whichChildren' }
  | { readonly op: 'countChildren' }
  | { readonly op: 'startChild'; readonly spec?: ChildSpec; readonly args?: readonly unknown[] }
  | { readonly op: 'terminateChild'; readonly id: ChildId | Pid }
  | { readonly op: 'restartChild'; readonly id: ChildId }
  | { readonly op: 'deleteChild'; readonly id: ChildId }
  | { readonly op: 'getChildspec'; readonly id: ChildId | Pid };

/** The `extra` of a supervisor code change that also starts added children and stops removed ones. */
export interface ReconcileChildren {
  readonly reconcileChildren: true;
}
