/** Child management requests: `startChild`, `terminateChild`, `restartChild`, `deleteChild`. */
import { isAlive, type Pid } from '../../runtime';
import type { StartResult } from '../core/types';
import { shutdownChild, startArgs, startChild } from './child';
import { offender, reportProgress, reportSupervisor } from './report';
import { checkChildSpec, type ChildId, type ChildSpec, type NormalizedSpec } from './spec';
import { DynamicChild, StaticChild, type SupervisorState } from './state';
import type { SupervisorRequest, SupervisorResult } from './types';

const OK: SupervisorResult = Object.freeze({ kind: 'ok' });
const NO_ARGS: readonly unknown[] = Object.freeze([]);

function error(reason: unknown): SupervisorResult {
  return { kind: 'error', reason };
}

export async function addChild(
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

export async function terminateChild(state: SupervisorState, id: ChildId | Pid): Promise<SupervisorResult> {
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

export async function restartChild(state: SupervisorState, id: ChildId): Promise<StartResult> {
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

export function deleteChild(state: SupervisorState, id: ChildId): SupervisorResult {
  if (state.simple) return error('simple_one_for_one');
  const child = state.findById(id);
  if (child === undefined) return error('not_found');
  if (child.restarting) return error('restarting');
  if (child.pid !== undefined) return error('running');
  state.remove(child);
  return OK;
}
