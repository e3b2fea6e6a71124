/** `upgrade.apply` attributes and pre/post files: the calls around a generated upgrade. */
import { parseModuleId } from '../../model/names';
import type { ApplyAttribute } from '../../model/upgrade-attributes';
import { hookInstructions } from './hooks';
import { short } from './plan-types';
import type { AppVersion, Explained } from './types';

export interface PlannedApply {
  owner: string;
  attr: ApplyAttribute;
}

export function collectApplies(newer: AppVersion): PlannedApply[] {
  const out: PlannedApply[] = [];
  for (const id of [...newer.app.modules].sort()) {
    const spec = newer.modules[id]?.upgrade?.apply;
    if (spec === undefined) continue;
    for (const attr of Array.isArray(spec) ? spec : [spec]) out.push({ owner: id, attr });
  }
  return out;
}

export function phase(
  applies: readonly PlannedApply[],
  which: 'first' | 'immediate' | 'last',
  direction: 'up' | 'down',
  owner?: string,
): Explained[] {
  return applies
    .filter(
      (a) =>
        a.attr.phase === which &&
        (a.attr.when === 'both' || a.attr.when === direction) &&
        (owner === undefined || a.owner === owner),
    )
    .sort((a, b) => a.attr.priority - b.attr.priority)
    .map((a) => {
      const app = parseModuleId(a.owner).app;
      const module = a.attr.module ?? short(a.owner, app);
      return {
        instruction: { op: 'apply', module, function: a.attr.function, args: [...a.attr.args] },
        why: `upgrade.apply of ${short(a.owner, app)} (phase ${which})`,
      };
    });
}

export function hooked(
  hooks: AppVersion['pre'],
  newVsn: string,
  direction: 'up' | 'down',
  otherVsn: string,
  part: 'pre' | 'post',
): Explained[] {
  return hookInstructions(hooks, newVsn, direction, otherVsn).map((instruction) => ({
    instruction,
    why: `from the ${part} file`,
  }));
}
