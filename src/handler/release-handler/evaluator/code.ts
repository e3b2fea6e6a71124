/**
 * The instructions that change code after the point of no return: `load` (make the code read by
 * load_object_code current), `remove` (purge, then delete), `purge`, and the pre-purge that
 * `load` and `remove` imply.
 *
 * Two things differ from OTP in *when*, not in what:
 *
 * - **Pre-purge** (old code of a module about to be loaded or removed, and the processes still
 *   running it) is done for the whole script right after the point of no return, before any
 *   process is suspended, instead of inside each `load`. A purge needs a survey of every process
 *   and a full GC; inside the suspended window that would stall every client of the group.
 * - **Post-purge** (is the code that `load` made old still used?) is not checked inside the
 *   script either, for the same reason: the modules are listed as unpurged and checked after the
 *   install, by makePermanent (brutal_purge entries) and the soft-purge timer, as OTP does with
 *   the modules its check found in use.
 */
import {
  checkOldCode,
  commit,
  deleteModule,
  describeHolders,
  isLoaded,
  purge,
  revert,
  softPurge,
} from '../../../code';
import type { Op, RelupInstruction } from '../../../model';
import { ReleaseHandlerError } from '../errors';
import type { EvalContext } from './context';
import type { Journal } from './journal';
import type { EvalState } from './state';

type CodeInstr = Op<RelupInstruction, 'load'> | Op<RelupInstruction, 'remove'>;

/**
 * Purges the old code of every module the script loads or removes, before anything else
 * happens to them: soft ones first (refused if still used: the install fails here, with nothing
 * to undo but the directories), then brutal ones (their lingering processes are killed, as the
 * load would have killed them).
 */
export async function prePurge(after: readonly RelupInstruction[], ctx: EvalContext): Promise<void> {
  const soft = new Set<string>();
  const brutal = new Set<string>();
  for (const i of after) {
    if ((i.op === 'load' || i.op === 'remove') && checkOldCode(i.module)) {
      (i.prePurge === 'soft_purge' ? soft : brutal).add(i.module);
    }
  }
  if (soft.size > 0) {
    const result = await softPurge([...soft]);
    if (!result.purged) {
      throw new ReleaseHandlerError(
        'old_processes',
        `old code of ${[...soft].join(', ')} is still in use, and the relup asks for soft_purge:\n${describeHolders(result.holders)}` +
          `${result.unattributed.length > 0 ? `\nstill referenced outside any process: ${result.unattributed.join(', ')}` : ''}\n` +
          'Let those processes move to the current code (or restart them), or use brutal_purge to kill them',
        { modules: [...soft], holders: result.holders.map(holderJson) },
      );
    }
  }
  if (brutal.size > 0) {
    const result = await purge([...brutal], { verify: false });
    if (result.killed)
      ctx.progress(`pre-purge killed ${result.victims.length} process(es) still in old code`);
  }
}

export async function load(
  instr: Op<RelupInstruction, 'load'>,
  ctx: EvalContext,
  state: EvalState,
  journal: Journal,
): Promise<void> {
  const read = state.read.get(instr.module);
  if (read === undefined) {
    throw new ReleaseHandlerError(
      'install_failed',
      `load of ${instr.module}: its code was not read (no load_object_code names it, or it was loaded twice); the relup is wrong, build it again`,
      { module: instr.module },
    );
  }
  state.read.delete(instr.module);
  await commit(read.prepared, { purge: 'brutal', verify: false });
  journal.record(`load of ${instr.module}`, async () => {
    await revert(instr.module, { purge: 'brutal', verify: false });
  });
  state.loaded.push(instr.module);
  noteUnpurged(instr, state);
  ctx.progress(`loaded ${instr.module} ${read.prepared.vsn}`);
}

export async function remove(
  instr: Op<RelupInstruction, 'remove'>,
  ctx: EvalContext,
  state: EvalState,
  journal: Journal,
): Promise<void> {
  await purge(instr.module, { verify: false });
  if (isLoaded(instr.module) !== false && deleteModule(instr.module)) {
    journal.record(`remove of ${instr.module}`, async () => {
      await revert(instr.module);
    });
    noteUnpurged(instr, state);
    ctx.progress(`removed ${instr.module}`);
  }
}

export async function purgeModules(instr: Op<RelupInstruction, 'purge'>, ctx: EvalContext): Promise<void> {
  const result = await purge(instr.modules, { verify: false });
  if (result.killed)
    ctx.progress(`purge of ${instr.modules.join(', ')} killed ${result.victims.length} process(es)`);
}

function noteUnpurged(instr: CodeInstr, state: EvalState): void {
  if (checkOldCode(instr.module)) state.unpurged.set(instr.module, instr.postPurge);
  else state.unpurged.delete(instr.module);
}

/** A holder as plain JSON (for `details`). */
export function holderJson(h: {
  pid: unknown;
  name: string | undefined;
  module: string;
  vsn: string;
  how: string;
  where: string;
}): Record<string, unknown> {
  return { pid: String(h.pid), name: h.name, module: h.module, vsn: h.vsn, how: h.how, where: h.where };
}
