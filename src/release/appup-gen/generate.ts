/**
 * Appup generation (`hotrel appup generate`): for the target release, an appup for every
 * application whose version differs from its version in an older release, with one entry per
 * older version (every older release present, like knit; or the one `--previous-version` names),
 * from the diff of the two versions (plan.ts). Computes everything first; `writeAppups` writes.
 *
 * - An application new in the target needs no appup: the relup adds it (add_application). One
 *   that is gone needs none either: the relup removes it.
 * - An appup already in the application's lib directory without `"generated": true` was written
 *   by hand (`<app>.appup.ts|json` in the package): it wins, and is checked against the diff
 *   (every older version covered, every changed module named).
 */
import { appupEntries, type AppupInput } from '../../model/appup';
import type { AppupInstruction } from '../../model/instructions';
import { qualifyModule } from '../../model/names';
import type { Release } from '../../model/release';
import { compareVersions } from '../../model/version-order';
import { findVersionEntry } from '../../model/version-key';
import { diffModules } from './diff';
import { GenerateError } from './errors';
import { planUpgrade } from './plan';
import { appVersion } from './read';
import type { AppPlan, FromVersionPlan, GenerateOptions, GenerateResult, ReleaseSet } from './types';

export interface GenerateInput {
  /** The release root holding the target release; appups are written there. */
  current: ReleaseSet;
  /** Where the older releases are (the same set as `current` unless `--previous` names another root). */
  previous: ReleaseSet;
  /** The release to generate appups for (default: the newest in `current`). */
  target?: string | undefined;
  /** Only this older release (default: every release of `previous` older than the target). */
  previousVersion?: string | undefined;
  options?: GenerateOptions;
}

export function generateAppups(input: GenerateInput): GenerateResult {
  const { current, previous } = input;
  const options = input.options ?? {};
  const target = pickTarget(current, input.target);
  const bases = pickBases(previous, target, input.previousVersion, previous === current);
  const warnings: string[] = [];
  const warn = (message: string): void => {
    if (!warnings.includes(message)) warnings.push(message);
  };
  for (const name of options.restart ?? []) {
    if (!target.apps.some((a) => a.name === name)) {
      throw new GenerateError(
        'no_such_application',
        `--restart ${name}: release ${target.vsn} has no application ${name} (it has ${target.apps.map((a) => a.name).join(', ')})`,
      );
    }
  }

  checkPurgeNames(options, target, (name, vsn) => appVersion(current, name, vsn, target.vsn).app.modules);

  const hasOwnAppup = (name: string, vsn: string): boolean => {
    const appup = appVersion(current, name, vsn, target.vsn).appup;
    return appup !== undefined && appup.generated !== true;
  };
  // For each base: the modules other applications' generated upgrades change (deps may name them).
  const changedByBase = new Map<string, Set<string>>();
  for (const base of bases) {
    const set = new Set<string>();
    for (const entry of target.apps) {
      const before = base.apps.find((a) => a.name === entry.name);
      if (before === undefined || before.vsn === entry.vsn) continue;
      if (options.restart?.includes(entry.name) || hasOwnAppup(entry.name, entry.vsn)) continue;
      const diff = diffModules(
        appVersion(previous, entry.name, before.vsn, base.vsn),
        appVersion(current, entry.name, entry.vsn, target.vsn),
      );
      for (const m of [...diff.added, ...diff.changed.keys()]) set.add(m);
    }
    changedByBase.set(base.vsn, set);
  }

  const apps: AppPlan[] = [];
  for (const entry of target.apps) {
    const newer = appVersion(current, entry.name, entry.vsn, target.vsn);
    const plan: AppPlan = { app: entry.name, vsn: entry.vsn, action: 'unchanged', from: [], notes: [] };
    apps.push(plan);
    // Older versions of the application -> the base releases that have them.
    const olderVersions = new Map<string, string[]>();
    for (const base of bases) {
      const before = base.apps.find((a) => a.name === entry.name);
      if (before === undefined || before.vsn === entry.vsn) continue;
      olderVersions.set(before.vsn, [...(olderVersions.get(before.vsn) ?? []), base.vsn]);
    }
    if (bases.every((b) => !b.apps.some((a) => a.name === entry.name))) {
      plan.action = 'added';
      plan.notes.push(
        `new in ${target.vsn}: the relup loads and starts it (add_application); no appup needed`,
      );
      continue;
    }
    if (olderVersions.size === 0) continue;
    const froms = [...olderVersions.keys()].sort((a, b) => compareVersions(b, a));

    if (newer.appup !== undefined && newer.appup.generated !== true) {
      plan.action = 'hand-written';
      plan.appup = newer.appup;
      plan.file = `${newer.dir}/${entry.name}.appup.json`;
      checkHandWritten(plan, newer.appup, froms, olderVersions, (vsn) =>
        diffModules(appVersion(previous, entry.name, vsn, olderVersions.get(vsn)![0]!), newer),
      ).forEach(warn);
      continue;
    }

    plan.action = 'generated';
    plan.file = `${newer.dir}/${entry.name}.appup.json`;
    const appup: AppupInput = { vsn: entry.vsn, up: {}, down: {}, generated: true };
    for (const fromVsn of froms) {
      const releases = olderVersions.get(fromVsn)!;
      const older = appVersion(previous, entry.name, fromVsn, releases[0]!);
      // deps may name another application's module only if every such base changes it.
      const foreign = intersect(releases.map((r) => changedByBase.get(r)!));
      for (const m of [...foreign]) if (m.startsWith(`${entry.name}:`)) foreign.delete(m);
      const upgrade = planUpgrade({
        older,
        newer,
        foreign,
        options,
        warn,
        note: (n) => {
          if (!plan.notes.includes(n)) plan.notes.push(n);
        },
      });
      const from: FromVersionPlan = { vsn: fromVsn, releases, up: upgrade.up, down: upgrade.down };
      plan.from.push(from);
      appup.up[fromVsn] = upgrade.up.map((e) => e.instruction);
      appup.down[fromVsn] = upgrade.down.map((e) => e.instruction);
    }
    plan.appup = appup;
  }

  for (const base of bases) {
    for (const a of base.apps) {
      if (target.apps.some((t) => t.name === a.name)) continue;
      let plan = apps.find((p) => p.app === a.name && p.action === 'removed');
      if (plan === undefined) {
        plan = { app: a.name, vsn: a.vsn, action: 'removed', from: [], notes: [] };
        apps.push(plan);
      }
      const note = `not in ${target.vsn}: the relup stops and removes it when upgrading from ${base.vsn} (remove_application), and adds it back going down`;
      plan.notes.push(note);
    }
  }
  const depsChanged = bases.filter(
    (b) => JSON.stringify(b.dependencies) !== JSON.stringify(target.dependencies),
  );
  if (depsChanged.length > 0) {
    warn(
      `third-party dependencies differ from release${depsChanged.length > 1 ? 's' : ''} ${depsChanged.map((b) => b.vsn).join(', ')}: ` +
        'the relup ends with a node restart (restart_emulator), as loaded packages cannot be replaced live',
    );
  }
  return { target, bases: bases.map((b) => b.vsn), apps, warnings };
}

function pickTarget(current: ReleaseSet, vsn: string | undefined): Release {
  const versions = [...current.releases.keys()].sort(compareVersions);
  if (versions.length === 0) {
    throw new GenerateError(
      'no_release',
      `no release under ${current.root}/releases: build one with \`hotrel release\``,
    );
  }
  const chosen = vsn ?? versions.at(-1)!;
  const release = current.releases.get(chosen);
  if (release === undefined) {
    throw new GenerateError(
      'no_such_release',
      `no release ${chosen} under ${current.root}/releases (there are: ${versions.join(', ')}); name one of those`,
    );
  }
  return release;
}

function pickBases(
  previous: ReleaseSet,
  target: Release,
  only: string | undefined,
  sameRoot: boolean,
): Release[] {
  const versions = [...previous.releases.keys()].sort(compareVersions);
  const named = [...new Set([...previous.releases.values()].map((r) => r.name))];
  if (named.length > 0 && named[0] !== target.name) {
    throw new GenerateError(
      'release_name_mismatch',
      `the previous releases are of ${named[0]}, the target is ${target.name} ${target.vsn}: point --previous at a root of ${target.name}`,
    );
  }
  if (only !== undefined) {
    if (only === target.vsn) {
      throw new GenerateError(
        'same_version',
        `--previous-version ${only} is the target release itself: name an older release (there are: ${versions.filter((v) => v !== target.vsn).join(', ') || 'none'})`,
      );
    }
    const release = previous.releases.get(only);
    if (release === undefined) {
      throw new GenerateError(
        'no_such_release',
        `--previous-version ${only}: no such release under ${previous.root}/releases (there are: ${versions.join(', ') || 'none'})`,
      );
    }
    return [release];
  }
  const older = versions.filter((v) => (sameRoot ? compareVersions(v, target.vsn) < 0 : v !== target.vsn));
  if (older.length === 0) {
    throw new GenerateError(
      'no_previous_release',
      `release ${target.vsn} has nothing to upgrade from: ${sameRoot ? 'it is the oldest release under' : 'there is no other release under'} ${previous.root}/releases; ` +
        'build the next version beside it (hotrel release), or point --previous at the root of the release it replaces',
    );
  }
  return older.map((v) => previous.releases.get(v)!);
}

/** A `--purge` entry that names no module of the release is a typo: refuse it rather than ignore it. */
function checkPurgeNames(
  options: GenerateOptions,
  target: Release,
  modulesOf: (app: string, vsn: string) => readonly string[],
): void {
  const names = [...(options.purge?.modules.keys() ?? [])];
  if (names.length === 0) return;
  const ids = target.apps.flatMap((a) => modulesOf(a.name, a.vsn));
  const known = new Set([...ids, ...ids.map((id) => id.slice(id.indexOf(':') + 1))]);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new GenerateError(
      'bad_purge_spec',
      `--purge names ${unknown.join(', ')}, which ${unknown.length === 1 ? 'is' : 'are'} not a module of release ${target.vsn}; ` +
        'write a module as in an appup (relpath, or app:relpath)',
    );
  }
}

function intersect(sets: readonly Set<string>[]): Set<string> {
  const [first, ...rest] = sets;
  return new Set([...(first ?? [])].filter((m) => rest.every((s) => s.has(m))));
}

/** Warnings for a hand-written appup that does not cover what changed. */
function checkHandWritten(
  plan: AppPlan,
  appup: { vsn: string; up: Record<string, AppupInstruction[]>; down: Record<string, AppupInstruction[]> },
  froms: readonly string[],
  olderVersions: ReadonlyMap<string, string[]>,
  diffFrom: (vsn: string) => ReturnType<typeof diffModules>,
): string[] {
  const out: string[] = [];
  const file = plan.file!;
  plan.notes.push(`hand-written appup ${file} kept (it has no "generated": true): it wins over generation`);
  if (appup.vsn !== plan.vsn)
    out.push(`${file}: its vsn is ${appup.vsn}, but ${plan.app} is ${plan.vsn} (bad_vsn)`);
  for (const vsn of froms) {
    const releases = olderVersions.get(vsn)!.join(', ');
    for (const direction of ['up', 'down'] as const) {
      const entry = findVersionEntry(appupEntries(appup[direction]), vsn);
      if (entry === undefined) {
        out.push(
          `${file} has no "${direction}" entry for ${plan.app} ${vsn} (release${releases.includes(',') ? 's' : ''} ${releases}): hotrel relup leaves those releases out; add an entry, or remove the file to have one generated`,
        );
        continue;
      }
      if (direction === 'down') continue;
      const instrs = entry.value;
      if (instrs.some((i) => i.op === 'restart_application' && i.application === plan.app)) continue;
      const named = new Set(
        instrs.flatMap((i) =>
          'module' in i && typeof i.module === 'string' ? [qualifyModule(i.module, plan.app)] : [],
        ),
      );
      const diff = diffFrom(vsn);
      const missing = [...diff.added, ...diff.changed.keys(), ...diff.removed].filter((m) => !named.has(m));
      if (missing.length > 0) {
        out.push(
          `${file}: its "up" entry for ${vsn} names no instruction for ${missing.map((m) => m.slice(plan.app.length + 1)).join(', ')}, added, changed or removed since ${vsn}: the upgrade will not load or remove them`,
        );
      }
    }
  }
  return out;
}
