/**
 * The application master: one process per running application with a callback module. It
 * calls the module's `start` (so the top supervisor is linked to it), then watches the top
 * supervisor. If the tree dies, the master exits with its reason (the controller applies the
 * start type's consequences); when asked to stop, it runs `prepStop`, shuts the tree down and
 * calls `stop`.
 */
import { isExitMessage, logger, Pid, reasonOf, type ExitReason, type Proc } from '../../runtime';
import { isThenable } from '../core/awaitable';
import { formatTerm } from '../errors';
import { noreply, ok, stop, type HandleResult, type InitResult, type Stop } from '../gen-server/results';
import type { GenServerModule } from '../gen-server/types';
import { shutdownChild } from '../supervisor/child';
import type { ApplicationModule } from './spec';

export interface MasterArgs {
  readonly application: string;
  readonly module: ApplicationModule;
  readonly args: unknown;
}

export interface MasterState {
  readonly application: string;
  readonly module: ApplicationModule;
  /** The top supervisor. */
  top: Pid;
  /** The state `start` returned, passed to `prepStop` and `stop`. */
  appState: unknown;
}

async function init(a: MasterArgs, self: Proc): Promise<InitResult<MasterState>> {
  self.trapExit(true);
  let result: unknown = a.module.start('normal', a.args, self);
  if (isThenable(result)) result = await result;
  if (result instanceof Pid)
    return ok({ application: a.application, module: a.module, top: result, appState: undefined });
  const r = result as { kind?: unknown; pid?: unknown; state?: unknown; reason?: unknown } | null;
  if (r?.kind === 'ok' && r.pid instanceof Pid)
    return ok({ application: a.application, module: a.module, top: r.pid, appState: r.state });
  if (r?.kind === 'error') return stop(r.reason);
  return stop({ badReturn: { application: a.application, start: formatTerm(result) } });
}

/** The master's one request: stop the application (the controller waits for it). */
export type MasterRequest = 'stop';

async function handleCall(
  _req: MasterRequest,
  _from: unknown,
  state: MasterState,
  self: Proc,
): Promise<Stop<MasterState, 'ok'>> {
  const module = state.module;
  if (typeof module.prepStop === 'function') {
    let prepared = module.prepStop(state.appState);
    if (isThenable(prepared)) prepared = await prepared;
    state.appState = prepared;
  }
  const failure = await shutdownChild(self, state.top, 'infinity', 'permanent');
  if (failure !== undefined)
    logger().error(
      { application: state.application, reason: formatTerm(failure) },
      `application ${state.application}: its top supervisor ended with ${formatTerm(failure)} while stopping`,
    );
  await callStop(state);
  return stop('normal', state, { reply: 'ok' as const });
}

async function callStop(state: MasterState): Promise<void> {
  if (typeof state.module.stop !== 'function') return;
  try {
    const out = state.module.stop(state.appState);
    if (isThenable(out)) await out;
  } catch (err) {
    logger().error(
      { application: state.application, err: reasonOf(err) },
      `application ${state.application}: stop threw`,
    );
  }
}

/** The top supervisor died: the application ends with its reason. */
async function handleInfo(msg: unknown, state: MasterState): Promise<HandleResult<MasterState>> {
  if (isExitMessage(msg) && msg.from.id === state.top.id) {
    await callStop(state);
    return stop(msg.reason as ExitReason, state);
  }
  return noreply(state);
}

export const ApplicationMaster: GenServerModule<
  MasterArgs,
  MasterState,
  MasterRequest,
  unknown,
  never,
  unknown
> = {
  init,
  handleCall,
  handleInfo,
  formatStatus: (status) => ({
    ...status,
    state: { application: status.state.application, top: String(status.state.top) },
  }),
};
