/**
 * The supervisor itself, as a GenServer callback module (as OTP's `supervisor` is a gen_server
 * callback module). The user's supervisor module is only asked for `init`: at start, and again
 * at a code change to re-read the child specs.
 */
import { isExitMessage, logger, type ExitReason, type Pid, type Proc } from '../../runtime';
import { isThenable } from '../core/awaitable';
import { describeModule } from '../core/module-name';
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
import { shutdownChildren, startArgs, startChild } from './child';
import { codeChange } from './code-change';
import { countChildren, getChildspec, whichChildren } from './queries';
import { offender, reportProgress, reportSupervisor } from './report';
import { addChild, deleteChild, restartChild, terminateChild } from './requests';
import { childExited, retryRestart, terminateGroup, type TryAgain } from './restart';
import { checkChildSpecs, checkFlags, type NormalizedSpec, type SupervisorInit } from './spec';
import { StaticChild, SupervisorState } from './state';
import type { SupervisorArgs, SupervisorRequest } from './types';

export type {
  ChildCounts,
  ChildInfo,
  ReconcileChildren,
  SupervisorArgs,
  SupervisorRequest,
  SupervisorResult,
} from './types';

const NO_ARGS: readonly unknown[] = Object.freeze([]);

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
      return reply({ kind: 'error', reason: { unknownRequest: formatTerm(req) } }, state);
  }
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
