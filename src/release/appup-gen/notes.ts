/** Explanations for the report: what happens to a GenServer's state, and to a supervisor's children. */
import type { ModuleEntry } from '../../model/modules';
import { shapeChanges } from '../../model/state-shape';
import { short, type PlanContext } from './plan-types';

/** Notes on a GenServer's state across the upgrade; warnings where hotrel cannot be sure. */
export function stateNotes(
  id: string,
  oldEntry: ModuleEntry | undefined,
  entry: ModuleEntry,
  ctx: PlanContext,
): string {
  const m = short(id, ctx.newer.name);
  const hasCodeChange = entry.exports.includes('codeChange');
  const what = entry.behaviour === 'gen_statem' ? 'data' : 'state';
  if (entry.stateShape !== undefined) {
    const older = oldEntry?.stateShape;
    if (older === undefined) {
      if (!hasCodeChange) {
        ctx.warn(
          `${m}: ${ctx.older.vsn} declared no ${what} shape, and ${ctx.newer.vsn} has no codeChange: going up the ${what} is converted to the new shape by field name, ` +
            `but a downgrade to ${ctx.older.vsn} leaves it in the new shape; add a codeChange handling {down: '${ctx.older.vsn}'}`,
        );
      }
      return `; its declared ${what} shape is new: the ${what} is converted to it by field name going up (going down: its codeChange)`;
    }
    const c = shapeChanges(older, entry.stateShape);
    const parts = [
      c.added.length > 0 ? `added ${c.added.join(', ')}` : '',
      c.removed.length > 0
        ? `removed ${c.removed.join(', ')} (their values are gone: a downgrade gives them their defaults)`
        : '',
      c.renamed.length > 0 ? `renamed ${c.renamed.map(([a, b]) => `${a} -> ${b}`).join(', ')}` : '',
    ].filter((s) => s !== '');
    return parts.length === 0
      ? `; declared ${what} shape unchanged`
      : `; declared ${what} shape: ${parts.join('; ')} (converted automatically both ways)`;
  }
  const before = oldEntry?.stateType;
  const after = entry.stateType;
  if (before !== undefined && after !== undefined) {
    if (before === after) return `; ${what} type unchanged`;
    if (hasCodeChange) return `; its ${what} type changed: its codeChange converts it`;
    ctx.warn(
      `${m}: its ${what} type changed between ${ctx.older.vsn} and ${ctx.newer.vsn}, but it has no codeChange and declares no ${what} shape: ` +
        `running processes keep their ${what} in the old shape; add codeChange, or declare the shape with ${entry.behaviour === 'gen_statem' ? 'GenStatem.dataShape' : 'GenServer.stateShape'}`,
    );
    return `; its ${what} type changed without a conversion (see the warning)`;
  }
  if (hasCodeChange) return '; its codeChange converts the state';
  ctx.warn(
    `${m}: cannot tell whether its ${what} changed shape (no ${entry.behaviour === 'gen_statem' ? 'Data' : 'State'} type found in ${before === undefined ? ctx.older.vsn : ctx.newer.vsn}) and it has no codeChange; ` +
      `declare a type ${entry.behaviour === 'gen_statem' ? 'Data' : 'State'}, a ${what} shape, or a codeChange`,
  );
  return '';
}

export function childrenNote(oldEntry: ModuleEntry | undefined, entry: ModuleEntry | undefined): string {
  const before = oldEntry?.children?.map((c) => c.id);
  const after = entry?.children?.map((c) => c.id);
  if (before === undefined || after === undefined) return '';
  const added = after.filter((c) => !before.includes(c));
  const removed = before.filter((c) => !after.includes(c));
  if (added.length === 0 && removed.length === 0) return '; same children';
  return `; children ${[
    added.length > 0 ? `added: ${added.join(', ')} (started)` : '',
    removed.length > 0 ? `removed: ${removed.join(', ')} (stopped)` : '',
  ]
    .filter((s) => s !== '')
    .join('; ')}`;
}
