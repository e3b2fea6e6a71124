/**
 * `stop` and `start`: supervisor children using a module are terminated (their supervisor keeps
 * their spec) and later restarted in the same place of the tree, with the spec the supervisor has
 * then (OTP's `supervisor:terminate_child` / `restart_child`). Top supervisors are never stopped;
 * failures to stop are ignored, as in OTP.
 */
import * as Supervisor from '../../../behaviours/supervisor/api';
import type { Op, RelupInstruction } from '../../../model';
import type { EvalContext } from './context';
import type { Journal } from './journal';
import { findUsers } from './processes';
import type { EvalState } from './state';

export async function stopChildren(
  instr: Op<RelupInstruction, 'stop'>,
  ctx: EvalContext,
  state: EvalState,
  journal: Journal,
): Promise<void> {
  const scan = await findUsers(instr.modules);
  for (const module of instr.modules) {
    const stopped = state.stopped.get(module) ?? [];
    for (const user of scan.byModule.get(module) ?? []) {
      if (user.supervisor === undefined || user.id === undefined) continue;
      const result = await Supervisor.terminateChild(user.supervisor, user.id);
      if (result.kind !== 'ok') continue;
      const child = { supervisor: user.supervisor, id: user.id };
      stopped.push(child);
      journal.record(`stop of ${String(child.id)}`, async () => {
        // Restarted here unless `start` already did (then its own undo stopped it again).
        await Supervisor.restartChild(child.supervisor, child.id);
      });
    }
    state.stopped.set(module, stopped);
    ctx.progress(`stopped ${stopped.length} child(ren) using ${module}`);
  }
}

export async function startChildren(
  instr: Op<RelupInstruction, 'start'>,
  ctx: EvalContext,
  state: EvalState,
  journal: Journal,
): Promise<void> {
  for (const module of instr.modules) {
    const stopped = state.stopped.get(module) ?? [];
    state.stopped.delete(module);
    let started = 0;
    for (const child of stopped) {
      const result = await Supervisor.restartChild(child.supervisor, child.id).catch(() => undefined);
      if (result?.kind !== 'ok') continue;
      started++;
      journal.record(`start of ${String(child.id)}`, async () => {
        await Supervisor.terminateChild(child.supervisor, child.id);
      });
    }
    ctx.progress(`restarted ${started} child(ren) using ${module}`);
  }
}
