/**
 * The supervisor itself, as a GenServer callback module (as OTP's `supervisor` is a gen_server
 * callback module). The user's supervisor module is only asked for `init`: at start, and again
 * at a code change to re-read the child specs.
 */
import { isAlive, isExitMessage, logger, type ExitReason, type Pid, type Proc } from '../../runtime';
import { isThenable } from '../core/awaitable';
import { describeModule } from '../core/module-name';
import { behaviourOf, defaultModules } from '../core/record';
import { formatTerm } from '../errors';
import {
  ignore,
  noreply,
  ok,
  reply,
  stop,
  type HandleResult,
  type InitResult,
  type Reply,
} from '../gen-server/results';
import type { GenServerModule, StatusInfo } from '../gen-server/types';
import { shutdownChild, shutdownChildren, startArgs, startChild } from './child';
import { offender, reportProgress, reportSupervisor } from './report';
import { childExited, retryRestart, terminateGroup, type TryAgain } from './restart';
import {
  checkChildSpec,
  checkChildSpecs,
  checkFlags,
  SpecError,
  type ChildId,
  type ChildSpec,
  type ChildType,
  type NormalizedSpec,
  type SupervisorInit,
} from './spec';
import { DynamicChild, StaticChild, SupervisorState, type SupervisorModule } from './state';
import type { StartResult } from '../core/types';

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

const OK: SupervisorResult = Object.freeze({ kind: 'ok' });
const NO_ARGS: readonly unknown[] = Object.freeze([]);

function error(reason: unknown): SupervisorResult {
  return { kind: 'error', reason };
}

async function init(a: SupervisorArgs, self: Proc): Promise<InitResult<SupervisorState>> {
  self.trapExit(true);
  let result = a.module.init(a.args) as unknown;
  if (isThenable(result)) result = await result;
  const r = result as (SupervisorInit & { kind?: unknown }) | null;
  if (r?.kind === 'ignore') return ignore();
  if (r === null || typeof r !== 'object' || !Array.isArray(r.children))
    return stop({ badReturn: { module: describeModule(a.module), init: formatTerm(result) } });
  let state: SupervisorState;
  let specs: NormalizedSpec[];
  try {
    const flags = checkFlags(r);
    state = new SupervisorState(
      self,
      a.module,
      a.args,
      a.name ?? `${String(self.pid)} (${describeModule(a.module)})`,
      flags,
    );
  } catch (err) {
    return stop({ supervisorData: err });
  }
  try {
    specs = checkChildSpecs(r.children);
  } catch (err) {
    return stop({ startSpec: err });
  }
  if (state.simple) {
    if (specs.length !== 1)
      return stop({ badStartSpec: 'a simple_one_for_one supervisor has exactly one child spec' });
    state.template = specs[0];
    return ok(state);
  }
  for (const spec of specs) {
    const started = await startChild(self, spec, startArgs(spec, NO_ARGS));
    if (started.kind === 'error') {
      reportSupervisor(state.label, 'start_error', started.reason, offender(spec, undefined));
      await terminateGroup(state, state.children);
      return stop({ shutdown: { failedToStartChild: spec.id, reason: started.reason } });
    }
    if (started.kind === 'ignore' && spec.restart === 'temporary') continue;
    const child = new StaticChild(spec);
    if (started.kind === 'ok') {
      child.pid = started.pid;
      reportProgress(state.label, spec, started.pid);
    }
    state.children.push(child);
  }
  return ok(state);
}

async function handleCall(
  req: SupervisorRequest,
  _from: unknown,
  state: SupervisorState,
): Promise<Reply<unknown, SupervisorState>> {
  switch (req.op) {
    case 'whichChildren':
      return reply(whichChildren(state), state);
    case 'countChildren':
      return reply(countChildren(state), state);
    case 'getChildspec':
      return reply(getChildspec(state, req.id), state);
    case 'startChild':
      return reply(await addChild(state, req), state);
    case 'terminateChild':
      return reply(await terminateChild(state, req.id), state);
    case 'restartChild':
      return reply(await restartChild(state, req.id), state);
    case 'deleteChild':
      return reply(deleteChild(state, req.id), state);
    default:
      return reply(error({ unknownRequest: formatTerm(req) }), state);
  }
}

function modulesOf(spec: NormalizedSpec, pid: Pid | undefined): readonly unknown[] | 'dynamic' {
  if (spec.modules !== undefined) return spec.modules;
  // Default: the child's callback module, as recorded by the behaviour it runs.
  const running = pid === undefined ? undefined : behaviourOf(pid);
  if (running !== undefined) return running.modules;
  return typeof spec.start === 'function' ? NO_ARGS : defaultModules(spec.start.module);
}

/** OTP's order: static children last started first; dynamic children in no particular order. */
function whichChildren(state: SupervisorState): ChildInfo[] {
  if (state.simple) {
    const spec = state.template!;
    return Array.from(state.dynamic.values(), (c) => ({
      id: undefined,
      pid: c.restarting ? 'restarting' : c.pid,
      type: spec.type,
      modules: modulesOf(spec, c.restarting ? undefined : c.pid),
    }));
  }
  const list: ChildInfo[] = [];
  for (let i = state.children.length - 1; i >= 0; i--) {
    const c = state.children[i]!;
    list.push({
      id: c.id,
      pid: c.restarting ? 'restarting' : c.pid,
      type: c.spec.type,
      modules: modulesOf(c.spec, c.pid),
    });
  }
  return list;
}

function countChildren(state: SupervisorState): ChildCounts {
  if (state.simple) {
    const size = state.dynamic.size;
    const supervisor = state.template!.type === 'supervisor';
    return {
      specs: 1,
      active: size - state.dynamicRestarts,
      supervisors: supervisor ? size : 0,
      workers: supervisor ? 0 : size,
    };
  }
  let active = 0;
  let supervisors = 0;
  for (const c of state.children) {
    if (c.pid !== undefined && isAlive(c.pid)) active++;
    if (c.spec.type === 'supervisor') supervisors++;
  }
  return { specs: state.children.length, active, supervisors, workers: state.children.length - supervisors };
}

/** A child spec as `getChildspec` returns it: every key present. */
function publicSpec(spec: NormalizedSpec): Required<ChildSpec> {
  return {
    id: spec.id,
    start: spec.start,
    restart: spec.restart,
    shutdown: spec.shutdown,
    type: spec.type,
    modules: spec.modules ?? (typeof spec.start === 'function' ? NO_ARGS : defaultModules(spec.start.module)),
  };
}

function getChildspec(
  state: SupervisorState,
  id: ChildId | Pid,
): { kind: 'ok'; spec: Required<ChildSpec> } | { kind: 'error'; reason: 'not_found' } {
  if (state.simple) {
    if (typeof id === 'object' && state.dynamic.has(id.id))
      return { kind: 'ok', spec: publicSpec(state.template!) };
    return { kind: 'error', reason: 'not_found' };
  }
  const child = typeof id === 'object' ? state.findByPid(id) : state.findById(id);
  return child === undefined
    ? { kind: 'error', reason: 'not_found' }
    : { kind: 'ok', spec: publicSpec(child.spec) };
}

async function addChild(
  state: SupervisorState,
  req: Extract<SupervisorRequest, { op: 'startChild' }>,
): Promise<StartResult> {
  if (state.simple) {
    const spec = state.template!;
    const args = startArgs(spec, req.args ?? NO_ARGS);
    const started = await startChild(state.self, spec, args);
    if (started.kind === 'ok')
      state.dynamic.set(
        started.pid.id,
        new DynamicChild(started.pid, spec.restart === 'temporary' ? NO_ARGS : args),
      );
    return started;
  }
  let spec: NormalizedSpec;
  try {
    spec = checkChildSpec(req.spec as ChildSpec);
  } catch (err) {
    return { kind: 'error', reason: err };
  }
  const existing = state.findById(spec.id);
  if (existing !== undefined)
    return existing.pid !== undefined
      ? { kind: 'error', reason: { alreadyStarted: existing.pid } }
      : { kind: 'error', reason: 'already_present' };
  const started = await startChild(state.self, spec, startArgs(spec, NO_ARGS));
  if (started.kind === 'error') return started;
  if (started.kind === 'ignore' && spec.restart === 'temporary') return started;
  const child = new StaticChild(spec);
  if (started.kind === 'ok') {
    child.pid = started.pid;
    reportProgress(state.label, spec, started.pid);
  }
  state.children.push(child);
  return started;
}

async function terminateChild(state: SupervisorState, id: ChildId | Pid): Promise<SupervisorResult> {
  if (state.simple) {
    if (typeof id !== 'object') return error('simple_one_for_one');
    const child = state.dynamic.get(id.id);
    if (child === undefined) return isAlive(id) ? error('not_found') : OK;
    if (child.restarting) state.dynamicRestarts--;
    else {
      const spec = state.template!;
      const failure = await shutdownChild(state.self, child.pid, spec.shutdown, spec.restart);
      if (failure !== undefined)
        reportSupervisor(state.label, 'shutdown_error', failure, offender(spec, child.pid));
    }
    state.dynamic.delete(id.id);
    return OK;
  }
  const child = typeof id === 'object' ? undefined : state.findById(id);
  if (child === undefined) return error('not_found');
  const pid = child.pid;
  if (pid !== undefined) {
    const failure = await shutdownChild(state.self, pid, child.spec.shutdown, child.spec.restart);
    if (failure !== undefined)
      reportSupervisor(state.label, 'shutdown_error', failure, offender(child.spec, pid));
  }
  state.childEnded(child);
  return OK;
}

async function restartChild(state: SupervisorState, id: ChildId): Promise<StartResult> {
  if (state.simple) return { kind: 'error', reason: 'simple_one_for_one' };
  const child = state.findById(id);
  if (child === undefined) return { kind: 'error', reason: 'not_found' };
  if (child.restarting) return { kind: 'error', reason: 'restarting' };
  if (child.pid !== undefined) return { kind: 'error', reason: 'running' };
  const started = await startChild(state.self, child.spec, startArgs(child.spec, NO_ARGS));
  if (started.kind === 'ok') {
    child.pid = started.pid;
    reportProgress(state.label, child.spec, started.pid);
  }
  return started;
}

function deleteChild(state: SupervisorState, id: ChildId): SupervisorResult {
  if (state.simple) return error('simple_one_for_one');
  const child = state.findById(id);
  if (child === undefined) return error('not_found');
  if (child.restarting) return error('restarting');
  if (child.pid !== undefined) return error('running');
  state.remove(child);
  return OK;
}

async function handleCast(msg: TryAgain, state: SupervisorState): Promise<HandleResult<SupervisorState>> {
  const outcome = await retryRestart(state, msg.tryAgainRestart);
  return outcome === 'ok' ? noreply(state) : stop('shutdown', state);
}

async function handleInfo(msg: unknown, state: SupervisorState): Promise<HandleResult<SupervisorState>> {
  if (isExitMessage(msg)) {
    const outcome = await childExited(state, msg.from, msg.reason);
    return outcome === 'ok' ? noreply(state) : stop('shutdown', state);
  }
  logger().error(
    { supervisor: state.label, message: formatTerm(msg) },
    `supervisor ${state.label} received an unexpected message`,
  );
  return noreply(state);
}

async function terminate(_reason: ExitReason, state: SupervisorState): Promise<void> {
  if (!state.simple) return terminateGroup(state, state.children);
  const spec = state.template!;
  const pids: Pid[] = [];
  for (const c of state.dynamic.values()) if (!c.restarting) pids.push(c.pid);
  const failures = await shutdownChildren(state.self, pids, spec.shutdown, spec.restart);
  for (const [pid, reason] of failures)
    reportSupervisor(state.label, 'shutdown_error', reason, offender(spec, pid));
  state.dynamic.clear();
}

/**
 * OTP's supervisor `code_change`: call the (new) module's `init` again and take its flags and
 * specs. Existing ids take their new spec and keep their process; new ids are added but not
 * started; ids no longer listed stay, with their old spec and process. With `extra =
 * {reconcileChildren: true}` (beyond OTP), added children are also started and removed ones
 * stopped and deleted; if an added child fails to start, those started are stopped again and the
 * change fails with the state untouched.
 */
async function codeChange(
  _oldVsn: unknown,
  state: SupervisorState,
  extra: unknown,
): Promise<SupervisorState> {
  let result = state.module.init(state.args) as unknown;
  if (isThenable(result)) result = await result;
  const r = result as (SupervisorInit & { kind?: unknown }) | null;
  if (r?.kind === 'ignore') return state;
  if (r === null || typeof r !== 'object' || !Array.isArray(r.children))
    throw new SpecError(
      'init result',
      result,
      'expected { strategy?, intensity?, period?, children } or ignore()',
    );
  const flags = checkFlags(r);
  if ((flags.strategy === 'simple_one_for_one') !== state.simple)
    throw new SpecError(
      'strategy',
      flags.strategy,
      `cannot change to or from simple_one_for_one (was ${state.flags.strategy})`,
    );
  const specs = checkChildSpecs(r.children);
  if (state.simple) {
    if (specs.length !== 1)
      throw new SpecError(
        'children',
        r.children,
        'a simple_one_for_one supervisor has exactly one child spec',
      );
    return state.withSpecs(flags, state.children, specs[0]);
  }
  const updated = specs.map((spec) => {
    const child = new StaticChild(spec);
    const old = state.findById(spec.id);
    if (old !== undefined) {
      child.pid = old.pid;
      child.restarting = old.restarting;
    }
    return child;
  });
  const removed = state.children.filter((c) => !specs.some((s) => s.id === c.id));
  const next = state.withSpecs(flags, [...updated, ...removed], undefined);
  if (isReconcile(extra)) {
    const added = updated.filter((c) => state.findById(c.id) === undefined);
    await reconcile(next, added, removed);
  }
  return next;
}

function isReconcile(extra: unknown): extra is ReconcileChildren {
  return (
    typeof extra === 'object' && extra !== null && (extra as ReconcileChildren).reconcileChildren === true
  );
}

async function reconcile(next: SupervisorState, added: StaticChild[], removed: StaticChild[]): Promise<void> {
  const started: StaticChild[] = [];
  for (const child of added) {
    const result = await startChild(next.self, child.spec, startArgs(child.spec, NO_ARGS));
    if (result.kind === 'error') {
      await terminateGroup(next, started);
      throw Object.assign(
        new Error(
          `code change: added child ${String(child.id)} failed to start: ${formatTerm(result.reason)}`,
        ),
        {
          failedToStartChild: child.id,
          reason: result.reason,
        },
      );
    }
    if (result.kind === 'ok') {
      child.pid = result.pid;
      started.push(child);
      reportProgress(next.label, child.spec, result.pid);
    }
  }
  await terminateGroup(next, removed);
  for (const child of removed) next.remove(child);
}

function formatStatus(status: StatusInfo<SupervisorState>): StatusInfo<unknown> {
  const state = status.state;
  return {
    ...status,
    state: {
      module: describeModule(state.module),
      strategy: state.flags.strategy,
      intensity: state.flags.intensity,
      period: state.flags.period,
      children: whichChildren(state).map((c) => ({
        id: c.id,
        pid: c.pid === undefined ? undefined : String(c.pid),
        type: c.type,
      })),
    },
  };
}

/** The supervisor's GenServer callbacks. */
export const SupervisorServer: GenServerModule<
  SupervisorArgs,
  SupervisorState,
  SupervisorRequest,
  unknown,
  TryAgain,
  unknown
> = { init, handleCall, handleCast, handleInfo, terminate, codeChange, formatStatus };
