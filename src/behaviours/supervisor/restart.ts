/**
 * What a supervisor does when a child exits: decide by its restart type, count the restart
 * against the intensity, and restart by the strategy (OTP's `restart_child`, `do_restart`,
 * `restart/2,3`, `restart_multiple_children`). A start that fails during a restart is retried
 * through a cast to itself (OTP's `try_again_restart`), so other requests (a shutdown, say) can
 * get in between; each retry counts against the intensity, so a child that cannot start ends in
 * the supervisor giving up.
 */
import { isNormalExit, type ExitReason, type Pid, type Proc } from '../../runtime';
import * as GenServer from '../gen-server/api';
import { shutdownChild, startArgs, startChild } from './child';
import { offender, reportProgress, reportSupervisor } from './report';
import { DynamicChild, type StaticChild, type SupervisorState } from './state';
import type { ChildId, NormalizedSpec } from './spec';

/** Whether the supervisor goes on or must shut down (intensity reached). */
export type Outcome = 'ok' | 'shutdown';

/** The cast a supervisor sends itself to retry a failed restart. */
export interface TryAgain {
  readonly tryAgainRestart: { readonly id: ChildId } | { readonly pid: number };
}

/**
 * OTP's `do_restart`: a permanent child is restarted (and reported); a `normal`/`shutdown`
 * exit of a transient or temporary child just ends it; otherwise a transient child is
 * restarted and a temporary one ends, both reported.
 */
function decide(spec: NormalizedSpec, reason: ExitReason): 'restart' | 'end' | 'end quietly' {
  if (spec.restart === 'permanent') return 'restart';
  if (isNormalExit(reason)) return 'end quietly';
  return spec.restart === 'transient' ? 'restart' : 'end';
}

/** A child exited (its `EXIT` reached the supervisor). Unknown pids are ignored. */
export async function childExited(state: SupervisorState, pid: Pid, reason: ExitReason): Promise<Outcome> {
  if (state.simple) {
    const child = state.dynamic.get(pid.id);
    if (child === undefined) return 'ok';
    const decision = decide(state.template!, reason);
    if (decision !== 'end quietly')
      reportSupervisor(state.label, 'child_terminated', reason, offender(state.template!, pid));
    if (decision !== 'restart') {
      state.dynamic.delete(pid.id);
      return 'ok';
    }
    return restartDynamic(state, child);
  }
  const child = state.findByPid(pid);
  if (child === undefined) return 'ok';
  const decision = decide(child.spec, reason);
  if (decision !== 'end quietly')
    reportSupervisor(state.label, 'child_terminated', reason, offender(child.spec, pid));
  if (decision !== 'restart') {
    state.childEnded(child);
    return 'ok';
  }
  return restartStatic(state, child);
}

/** Records a restart; `false` when it makes more than `intensity` within `period`. */
function addRestart(state: SupervisorState): boolean {
  const now = performance.now();
  const threshold = now - state.flags.period * 1000;
  const kept = state.restarts.filter((t) => t >= threshold);
  kept.push(now);
  state.restarts = kept;
  return kept.length <= state.flags.intensity;
}

function giveUp(state: SupervisorState, spec: NormalizedSpec, pid: Pid | undefined): Outcome {
  reportSupervisor(state.label, 'shutdown', 'reached_max_restart_intensity', offender(spec, pid));
  return 'shutdown';
}

/** Restarts a static child by the strategy. */
export async function restartStatic(state: SupervisorState, child: StaticChild): Promise<Outcome> {
  if (!addRestart(state)) {
    const pid = child.pid;
    state.childEnded(child);
    return giveUp(state, child.spec, pid);
  }
  switch (state.flags.strategy) {
    case 'one_for_one':
      child.pid = undefined;
      return startGroup(state, [child]);
    case 'rest_for_one': {
      child.pid = undefined;
      const group = state.children.slice(state.children.indexOf(child));
      await terminateGroup(state, group);
      return startGroup(state, group);
    }
    case 'one_for_all': {
      child.pid = undefined;
      const group = state.children.slice();
      await terminateGroup(state, group);
      return startGroup(state, group);
    }
    default:
      throw new Error(`restartStatic: unexpected strategy ${state.flags.strategy}`);
  }
}

/**
 * Starts `group` in start order (children dropped meanwhile are skipped). The first start that
 * fails is marked `restarting` and retried later; the rest of the group then waits for it.
 */
async function startGroup(state: SupervisorState, group: readonly StaticChild[]): Promise<Outcome> {
  for (const child of group) {
    if (!state.children.includes(child)) continue;
    const result = await startChild(state.self, child.spec, startArgs(child.spec, []));
    if (result.kind === 'ok') {
      child.pid = result.pid;
      child.restarting = false;
      reportProgress(state.label, child.spec, result.pid);
    } else if (result.kind === 'ignore') {
      state.childEnded(child);
    } else {
      reportSupervisor(state.label, 'start_error', result.reason, offender(child.spec, undefined));
      child.restarting = true;
      tryAgain(state.self, { id: child.id });
      return 'ok';
    }
  }
  return 'ok';
}

/**
 * Stops the running children of `group`, last started first. Temporary children are dropped
 * (they are never restarted); the others keep their spec, without a process.
 */
export async function terminateGroup(state: SupervisorState, group: readonly StaticChild[]): Promise<void> {
  for (let i = group.length - 1; i >= 0; i--) {
    const child = group[i]!;
    const pid = child.pid;
    if (pid !== undefined) {
      const error = await shutdownChild(state.self, pid, child.spec.shutdown, child.spec.restart);
      if (error !== undefined)
        reportSupervisor(state.label, 'shutdown_error', error, offender(child.spec, pid));
    }
    if (child.spec.restart === 'temporary') state.remove(child);
    else child.pid = undefined;
  }
}

async function restartDynamic(state: SupervisorState, child: DynamicChild): Promise<Outcome> {
  const spec = state.template!;
  const oldId = child.pid.id;
  if (child.restarting) state.dynamicRestarts--;
  state.dynamic.delete(oldId);
  if (!addRestart(state)) return giveUp(state, spec, child.pid);
  const result = await startChild(state.self, spec, child.args);
  if (result.kind === 'ok') {
    state.dynamic.set(result.pid.id, new DynamicChild(result.pid, child.args));
  } else if (result.kind === 'error') {
    child.restarting = true;
    state.dynamicRestarts++;
    state.dynamic.set(oldId, child);
    reportSupervisor(state.label, 'start_error', result.reason, offender(spec, undefined));
    tryAgain(state.self, { pid: oldId });
  }
  return 'ok';
}

/** Retries a failed restart (the cast a supervisor sent itself). */
export async function retryRestart(
  state: SupervisorState,
  target: TryAgain['tryAgainRestart'],
): Promise<Outcome> {
  if ('pid' in target) {
    const child = state.dynamic.get(target.pid);
    return child?.restarting === true ? restartDynamic(state, child) : 'ok';
  }
  const child = state.findById(target.id);
  return child?.restarting === true ? restartStatic(state, child) : 'ok';
}

function tryAgain(self: Proc, target: TryAgain['tryAgainRestart']): void {
  const msg: TryAgain = { tryAgainRestart: target };
  GenServer.cast(self.pid, msg);
}
