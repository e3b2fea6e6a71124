/**
 * systools:make_relup for hotrel (systools_relup, semantics.md §5): from the target release, the
 * releases to upgrade from and downgrade to, their applications' app.json and the target's
 * appups, to one relup with an up section per from-release and a down section per to-release.
 *
 * Pure: no file or process access. The CLI reads the files and writes the result.
 */
import type { App } from '../../model/app';
import { appupEntries, type Appup, type AppupInput } from '../../model/appup';
import type { AppupInstruction } from '../../model/instructions';
import { jsonEqual, type JsonValue } from '../../model/json';
import type { Release } from '../../model/release';
import type { Relup, RelupSection } from '../../model/relup';
import { sortApplications, StartOrderError } from '../../model/start-order';
import { ModelError, parseModel } from '../../model/validate';
import { findVersionEntry } from '../../model/version-key';
import { RelupError, type DependencyChange, type RelupWarning } from './errors';
import { qualifyScript } from './qualify';
import { translateScripts, type AppRecord, type Mode } from './translate';

export interface BaseRelease {
  release: Release;
  /** Returned by the install of this section (OTP's `Descr`); default "". */
  description?: JsonValue;
}

/**
 * The appup of one application of the target release, or why it could not be read, or where it
 * was looked for in vain (leaving the application out of `appups` means the same, unnamed).
 */
export type AppupSource =
  | { appup: Appup | AppupInput; file?: string }
  | { problem: string; file?: string }
  | { missing: true; file: string };

export interface RelupOptions {
  /** End every script with a node restart (OTP's `restart_emulator` option). */
  restartEmulator?: boolean;
  /** Fail with `warnings_treated_as_errors` if there is any warning. */
  warningsAsErrors?: boolean;
  /**
   * Leave out, with an `uncovered_release` warning, a base release that some changed
   * application's appup has no entry for (knit's rule), instead of failing with `no_relup`.
   */
  skipUncovered?: boolean;
}

export interface RelupInput {
  /** The release the relup belongs to: the newer one, whose directory holds relup.json. */
  target: Release;
  /** Releases to upgrade from (OTP's UpFrom list). */
  upFrom: readonly BaseRelease[];
  /** Releases to downgrade to (OTP's DownTo list). */
  downTo: readonly BaseRelease[];
  /** app.json of every application version of every release involved. */
  apps: readonly App[];
  /** The appups of the target release's applications, by application name. */
  appups: Readonly<Record<string, AppupSource>>;
  options?: RelupOptions;
}

export interface RelupResult {
  relup: Relup;
  warnings: RelupWarning[];
}

/** Computes the relup. Throws RelupError (its `kind` mirrors systools' error atom). */
export function makeRelup(input: RelupInput): RelupResult {
  const options = input.options ?? {};
  checkReleaseList(input);
  const catalog = new Map(input.apps.map((a) => [`${a.name}@${a.vsn}`, a]));
  const warnings = new Warnings();
  const appups = new AppupCache(input.appups);
  const topApps = appRecords(input.target, catalog);

  const sections = (direction: 'up' | 'down', bases: readonly BaseRelease[]): RelupSection[] => {
    const out: RelupSection[] = [];
    for (const base of bases) {
      const sectionWarnings = new Warnings();
      try {
        const baseApps = appRecords(base.release, catalog);
        const mode: Mode = direction === 'up' ? 'up' : 'dn';
        const instructions = section(
          mode,
          input.target,
          base.release,
          topApps,
          baseApps,
          appups,
          options,
          sectionWarnings,
        );
        // systools accumulates sections by prepending: they come out in reverse order of the list.
        out.unshift({ vsn: base.release.vsn, description: base.description ?? '', instructions });
        warnings.addAll(sectionWarnings.list);
      } catch (error) {
        if (!(error instanceof RelupError)) throw error;
        const reason = error.message;
        error.within({ direction, base: base.release.vsn });
        if (options.skipUncovered === true && error.kind === 'no_relup') {
          warnings.add({
            kind: 'uncovered_release',
            direction,
            base: base.release.vsn,
            app: String(error.detail.application),
            message: `left out the ${direction === 'up' ? 'upgrade from' : 'downgrade to'} ${base.release.vsn}: ${reason}`,
          });
          continue;
        }
        throw error;
      }
    }
    return out;
  };

  const relup: Relup = {
    vsn: input.target.vsn,
    up: sections('up', input.upFrom),
    down: sections('down', input.downTo),
  };
  if (options.warningsAsErrors === true && warnings.list.length > 0) {
    throw new RelupError(
      'warnings_treated_as_errors',
      `warnings treated as errors:\n${warnings.list.map((w) => `  - ${w.message}`).join('\n')}`,
      { warnings: warnings.list },
    );
  }
  // Sections built from the same appup entry share its values: hand out independent data.
  return { relup: structuredClone(relup), warnings: warnings.list };
}

/**
 * One section: the scripts of (in this order) a node restart if Node.js or hotrel changed, each
 * added application, each changed application's appup in start order, each removed application,
 * and a final node restart if asked for or if third-party dependencies changed; then translated.
 */
function section(
  mode: Mode,
  top: Release,
  base: Release,
  topApps: readonly AppRecord[],
  baseApps: readonly AppRecord[],
  appups: AppupCache,
  options: RelupOptions,
  warnings: Warnings,
): ReturnType<typeof translateScripts>['script'] {
  const scripts: AppupInstruction[][] = [];
  for (const app of topApps) {
    const inBase = base.apps.find((a) => a.name === app.name);
    if (inBase === undefined || inBase.vsn === app.vsn) continue;
    scripts.push(appScript(mode, app, inBase.vsn, appups, warnings));
  }
  // Up: the target's new applications are added and the base's old ones removed; down: reversed.
  const [from, to] = mode === 'up' ? [base, top] : [top, base];
  const added = to.apps.filter((a) => !from.apps.some((f) => f.name === a.name));
  const removed = from.apps.filter((a) => !to.apps.some((t) => t.name === a.name));
  scripts.unshift(
    ...added.map((a): AppupInstruction[] => [{ op: 'add_application', application: a.name, type: a.type }]),
  );
  // Appended (OTP >= 23.3, ERL-1410): applications are stopped after their dependents upgraded.
  scripts.push(
    ...removed.map((a): AppupInstruction[] => [{ op: 'remove_application', application: a.name }]),
  );

  const ref = (r: Release) => ({ name: r.name, vsn: r.vsn });
  let newNode = false;
  if (top.node !== base.node) {
    newNode = true;
    warnings.add({
      kind: 'node_vsn_changed',
      from: { ...ref(base), node: base.node },
      to: { ...ref(top), node: top.node },
      message:
        `Node.js changes from ${base.node} (${base.name} ${base.vsn}) to ${top.node} (${top.name} ${top.vsn}): ` +
        'the upgrade first restarts the node on the new Node.js (restart_new_emulator); the downgrade restarts it at the end',
    });
  }
  if (top.hotrel !== base.hotrel) {
    newNode = true;
    warnings.add({
      kind: 'hotrel_vsn_changed',
      from: { ...ref(base), hotrel: base.hotrel },
      to: { ...ref(top), hotrel: top.hotrel },
      message:
        `hotrel changes from ${base.hotrel} (${base.name} ${base.vsn}) to ${top.hotrel} (${top.name} ${top.vsn}): ` +
        'the upgrade first restarts the node on the new hotrel (restart_new_emulator); the downgrade restarts it at the end',
    });
  }
  if (newNode) scripts.unshift([{ op: 'restart_new_emulator' }]);

  const changes = dependencyChanges(base.dependencies, top.dependencies);
  if (changes.length > 0) {
    warnings.add({
      kind: 'dependencies_changed',
      from: ref(base),
      to: ref(top),
      changes,
      message: `third-party dependencies differ between ${base.name} ${base.vsn} and ${top.vsn} (${changes
        .map(describeChange)
        .join(', ')}): they cannot be hot-loaded, so the node restarts at the end (restart_emulator)`,
    });
  }
  if (options.restartEmulator === true || changes.length > 0) scripts.push([{ op: 'restart_emulator' }]);

  const [appls, preAppls] = mode === 'up' ? [topApps, baseApps] : [baseApps, topApps];
  const translation = translateScripts(mode, scripts, appls, preAppls, { validated: true });
  warnings.addAll(translation.warnings);
  return translation.script;
}

/** The up (or down) script of the appup entry matching the base release's version of `app`. */
function appScript(
  mode: Mode,
  app: AppRecord,
  baseVsn: string,
  appups: AppupCache,
  warnings: Warnings,
): AppupInstruction[] {
  const { appup, file } = appups.get(app, baseVsn, mode);
  if (appup.vsn !== app.vsn) {
    warnings.add({
      kind: 'bad_vsn',
      app: app.name,
      appupVsn: appup.vsn,
      appVsn: app.vsn,
      message: `${file} is for version ${appup.vsn} but ${app.name} is at ${app.vsn}; it is used anyway (check its "vsn")`,
    });
  }
  const direction = mode === 'up' ? 'up' : 'down';
  const entries = appupEntries(appup[direction]);
  const entry = findVersionEntry(entries, baseVsn);
  if (entry === undefined) {
    const keys =
      entries.length > 0
        ? `its "${direction}" keys: ${entries.map((e) => JSON.stringify(e.key.text)).join(', ')}`
        : `its "${direction}" section is empty`;
    throw new RelupError(
      'no_relup',
      `${file} has no "${direction}" entry for ${app.name} ${baseVsn} (${keys}); add an entry matching ${baseVsn}, ` +
        `or do not ${mode === 'up' ? 'upgrade from' : 'downgrade to'} a release with ${app.name} ${baseVsn}`,
      { application: app.name, file, vsn: baseVsn },
    );
  }
  return qualifyScript(entry.value, app.name);
}

/** Validates each appup once, when first needed (a missing appup only matters if it is needed). */
class AppupCache {
  private readonly parsed = new Map<string, { appup: Appup; file: string }>();

  constructor(private readonly sources: Readonly<Record<string, AppupSource>>) {}

  get(app: AppRecord, baseVsn: string, mode: Mode): { appup: Appup; file: string } {
    const cached = this.parsed.get(app.name);
    if (cached !== undefined) return cached;
    const source = Object.prototype.hasOwnProperty.call(this.sources, app.name)
      ? this.sources[app.name]
      : undefined;
    const file = source?.file ?? `${app.name}.appup.json`;
    if (source === undefined || 'missing' in source) {
      throw new RelupError(
        'file_problem',
        `${app.name} changes between ${baseVsn} and ${app.vsn} but has no appup (${file}); write one with an ` +
          `"${mode === 'up' ? 'up' : 'down'}" entry for ${baseVsn} (see docs/appup-relup-format.md)`,
        { application: app.name, file },
      );
    }
    if ('problem' in source) {
      throw new RelupError(
        'file_problem',
        `${app.name} needs its appup, which cannot be used: ${source.problem}`,
        {
          application: app.name,
          file,
        },
      );
    }
    let appup: Appup;
    try {
      appup = parseModel('appup', source.appup, file);
    } catch (error) {
      if (!(error instanceof ModelError)) throw error;
      const kind = error.issues.find((i) => i.kind !== undefined)?.kind ?? 'file_problem';
      throw new RelupError(kind, error.message, { application: app.name, file, issues: error.issues });
    }
    const entry = { appup, file };
    this.parsed.set(app.name, entry);
    return entry;
  }
}

/** The applications of a release with their metadata, in start order. */
function appRecords(release: Release, catalog: ReadonlyMap<string, App>): (AppRecord & { app: App })[] {
  const records = release.apps.map((entry) => {
    const app = catalog.get(`${entry.name}@${entry.vsn}`);
    if (app === undefined) {
      throw new RelupError(
        'app_not_found',
        `release ${release.name} ${release.vsn} contains ${entry.name} ${entry.vsn}, but its app.json ` +
          `(lib/${entry.name}-${entry.vsn}/${entry.name}.app.json) was not given; build the release again`,
        { application: entry.name, vsn: entry.vsn },
      );
    }
    return {
      name: entry.name,
      vsn: entry.vsn,
      modules: app.modules,
      type: entry.type,
      app,
      applications: app.applications,
      includedApplications: entry.includedApplications ?? app.includedApplications,
      optionalApplications: app.optionalApplications,
    };
  });
  try {
    return sortApplications(records);
  } catch (error) {
    if (!(error instanceof StartOrderError)) throw error;
    throw new RelupError(error.kind, `release ${release.name} ${release.vsn}: ${error.message}`, {
      applications: error.applications,
    });
  }
}

function checkReleaseList(input: RelupInput): void {
  for (const [label, list] of [
    ['upFrom', input.upFrom],
    ['downTo', input.downTo],
  ] as const) {
    const seen = new Set<string>();
    for (const base of list) {
      const vsn = base.release.vsn;
      if (vsn === input.target.vsn) {
        throw new RelupError(
          'duplicate_release',
          `release ${vsn} is the target itself and cannot also be in ${label}; name other releases`,
          { vsn },
        );
      }
      if (seen.has(vsn)) {
        throw new RelupError(
          'duplicate_release',
          `release ${vsn} is listed twice in ${label}; list it once`,
          { vsn },
        );
      }
      seen.add(vsn);
    }
  }
}

function dependencyChanges(from: Record<string, string>, to: Record<string, string>): DependencyChange[] {
  const names = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  return names
    .map((name) => ({ package: name, from: from[name] ?? null, to: to[name] ?? null }))
    .filter((c) => c.from !== c.to);
}

function describeChange(c: DependencyChange): string {
  if (c.from === null) return `added ${c.package} ${c.to}`;
  if (c.to === null) return `removed ${c.package} ${c.from}`;
  return `${c.package} ${c.from} -> ${c.to}`;
}

/** Warnings in the order found, each once (systools would repeat a warning per section). */
class Warnings {
  readonly list: RelupWarning[] = [];

  add(warning: RelupWarning): void {
    if (!this.list.some((w) => jsonEqual(w as never, warning as never))) this.list.push(warning);
  }

  addAll(warnings: readonly RelupWarning[]): void {
    for (const w of warnings) this.add(w);
  }
}
