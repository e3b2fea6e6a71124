/**
 * Placement of node restarts (systools_rc:sort_emulator_restart, semantics.md §4.1 step 10).
 * A `restart_new_emulator` (new Node.js or hotrel) goes first on the way up, before anything is
 * read, and becomes a trailing `restart_emulator` on the way down, where the old code is loaded
 * into the running node and the node then restarts into the old release. Any `restart_emulator`
 * becomes one, at the very end.
 */
import type { Instr } from './expanded';
import type { Mode } from './translate';

export function sortEmulatorRestart(
  mode: Mode,
  before: readonly Instr[],
  after: readonly Instr[],
): { before: Instr[]; after: Instr[] } {
  let newBefore = [...before];
  let newAfter = [...after];
  if (newAfter.some((i) => i.op === 'restart_new_emulator')) {
    newAfter = newAfter.filter((i) => i.op !== 'restart_new_emulator');
    if (mode === 'up') newBefore = [{ op: 'restart_new_emulator' }, ...newBefore];
    else newAfter.push({ op: 'restart_emulator' });
  }
  if (newAfter.some((i) => i.op === 'restart_emulator')) {
    newAfter = [...newAfter.filter((i) => i.op !== 'restart_emulator'), { op: 'restart_emulator' }];
  }
  return { before: newBefore, after: newAfter };
}
