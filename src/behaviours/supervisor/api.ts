/** The Supervisor client API (OTP's `supervisor` module functions). */
import type { Pid, Proc } from '../../runtime';
import { call, type TimeoutOrOptions } from '../core/call';
import type { StartOptions, StartResult } from '../core/types';
import { checkParent } from '../gen-server/api';
import { startGenServerProcess } from '../gen-server/start';
import { SupervisorServer } from './server';
import type { ChildCounts, ChildInfo, ReconcileChildren, SupervisorRequest, SupervisorResult } from './types';
import { checkChildSpecs as check, type ChildId, type ChildSpec } from './spec';
import type { SupervisorModule } from './state';

/** Supervisor requests wait forever by default, as OTP's (`infinity`). */
const SUPERVISOR_TIMEOUT = Infinity;

function ask(sup: Pid | string, req: SupervisorRequest, timeout: TimeoutOrOptions): Promise<unknown> {
  return call(sup, req, timeout ?? SUPERVISOR_TIMEOUT);
}

function checkModule(module: unknown, what: string): asserts module is SupervisorModule<unknown> {
  if (
    module === null ||
    typeof module !== 'object' ||
    typeof (module as { init?: unknown }).init !== 'function'
  )
    throw new TypeError(
      `${what}: the supervisor module must export an init function returning { strategy, children }`,
    );
}

/**
 * Starts a supervisor linked to `parent` (a supervisor above it, or an application master).
 * Its children are started, in order, before this resolves; if one fails, those started are
 * stopped and the result is `{kind: 'error', reason: {shutdown: {failedToStartChild, reason}}}`.
 */
export function startLink<A>(
  parent: Proc,
  module: SupervisorModule<A>,
  args: A,
  options?: Pick<StartOptions, 'name'>,
): Promise<StartResult> {
  checkParent(parent, 'Supervisor.startLink');
  checkModule(module, 'Supervisor.startLink');
  return startSupervisor(parent, module, args, options);
}

/** Starts a supervisor without a link (a top-level tree in a test or a script). */
export function start<A>(
  module: SupervisorModule<A>,
  args: A,
  options?: Pick<StartOptions, 'name'>,
): Promise<StartResult> {
  checkModule(module, 'Supervisor.start');
  return startSupervisor(null, module, args, options);
}

function startSupervisor<A>(
  parent: Proc | null,
  module: SupervisorModule<A>,
  args: A,
  options: Pick<StartOptions, 'name'> | undefined,
): Promise<StartResult> {
  return startGenServerProcess({
    parent,
    behaviour: 'supervisor',
    callbacks: SupervisorServer as never,
    module,
    args: { module, args, name: options?.name },
    options: options?.name === undefined ? undefined : { name: options.name },
    initialCall: 'Supervisor',
  });
}

/** The children, last started first (OTP's order); `simple_one_for_one` children have no id. */
export function whichChildren(sup: Pid | string, timeout?: TimeoutOrOptions): Promise<ChildInfo[]> {
  return ask(sup, { op: 'whichChildren' }, timeout) as Promise<ChildInfo[]>;
}

export function countChildren(sup: Pid | string, timeout?: TimeoutOrOptions): Promise<ChildCounts> {
  return ask(sup, { op: 'countChildren' }, timeout) as Promise<ChildCounts>;
}

/**
 * Adds and starts a child: a child spec, or, for a `simple_one_for_one` supervisor, the extra
 * arguments appended to its template's. Errors: `'already_present'` (the id exists, not running),
 * `{alreadyStarted: pid}`, a `SpecError`, or the start's own reason.
 */
export function startChild(
  sup: Pid | string,
  specOrArgs: ChildSpec | readonly unknown[],
  timeout?: TimeoutOrOptions,
): Promise<StartResult> {
  const req: SupervisorRequest = Array.isArray(specOrArgs)
    ? { op: 'startChild', args: specOrArgs }
    : { op: 'startChild', spec: specOrArgs as ChildSpec };
  return ask(sup, req, timeout) as Promise<StartResult>;
}

/**
 * Stops a child (by id; by pid under `simple_one_for_one`) and keeps its spec (a temporary
 * child's spec is deleted). Errors: `'not_found'`, `'simple_one_for_one'` (an id was given).
 */
export function terminateChild(
  sup: Pid | string,
  id: ChildId | Pid,
  timeout?: TimeoutOrOptions,
): Promise<SupervisorResult> {
  return ask(sup, { op: 'terminateChild', id }, timeout) as Promise<SupervisorResult>;
}

/** Starts a stopped child again. Errors: `'running'`, `'restarting'`, `'not_found'`. */
export function restartChild(
  sup: Pid | string,
  id: ChildId,
  timeout?: TimeoutOrOptions,
): Promise<StartResult> {
  return ask(sup, { op: 'restartChild', id }, timeout) as Promise<StartResult>;
}

/** Deletes a stopped child's spec. Errors: `'running'`, `'restarting'`, `'not_found'`. */
export function deleteChild(
  sup: Pid | string,
  id: ChildId,
  timeout?: TimeoutOrOptions,
): Promise<SupervisorResult> {
  return ask(sup, { op: 'deleteChild', id }, timeout) as Promise<SupervisorResult>;
}

/** A child's spec with every key filled in. */
export function getChildspec(
  sup: Pid | string,
  id: ChildId | Pid,
  timeout?: TimeoutOrOptions,
): Promise<{ kind: 'ok'; spec: Required<ChildSpec> } | { kind: 'error'; reason: 'not_found' }> {
  return ask(sup, { op: 'getChildspec', id }, timeout) as Promise<
    { kind: 'ok'; spec: Required<ChildSpec> } | { kind: 'error'; reason: 'not_found' }
  >;
}

/** Checks child specs without starting anything (OTP's `check_childspecs`). */
export function checkChildSpecs(specs: readonly ChildSpec[]): SupervisorResult {
  try {
    check(specs);
    return { kind: 'ok' };
  } catch (err) {
    return { kind: 'error', reason: err };
  }
}

/**
 * Pass as `extra` to `sys.changeCode` on a supervisor to also start the children its new `init`
 * adds and stop (and delete) those it no longer lists. OTP only swaps the specs; the release
 * handler uses this.
 */
export const RECONCILE_CHILDREN: ReconcileChildren = Object.freeze({ reconcileChildren: true });
