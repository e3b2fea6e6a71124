/**
 * Which modules of an application changed between two versions, by code identity: the hash of
 * the compiled code without comments, layout or source maps (build/compile-app.ts `codeHash`).
 * A module whose identity is unknown on either side counts as changed, never as unchanged.
 */
import type { AppVersion } from './types';

export interface ModuleDiff {
  added: string[];
  removed: string[];
  /** Changed modules, with why they count as changed. */
  changed: Map<string, string>;
}

export function diffModules(older: AppVersion, newer: AppVersion): ModuleDiff {
  const before = new Set(older.app.modules);
  const after = new Set(newer.app.modules);
  const added = newer.app.modules.filter((m) => !before.has(m)).sort();
  const removed = older.app.modules.filter((m) => !after.has(m)).sort();
  const changed = new Map<string, string>();
  for (const id of [...after].filter((m) => before.has(m)).sort()) {
    const a = older.identity[id];
    const b = newer.identity[id];
    if (a?.hash === undefined || b?.hash === undefined) {
      const which = a?.hash === undefined ? older : newer;
      const why = which.modulesProblem ?? which.identity[id]?.note ?? 'no code identity recorded';
      changed.set(id, `its code identity is unknown in ${which.vsn} (${why}), so it counts as changed`);
    } else if (a.hash !== b.hash) {
      changed.set(id, b.note ?? a.note ?? 'its code changed');
    }
  }
  return { added, removed, changed };
}
