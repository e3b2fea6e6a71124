/**
 * Finding and reading a release root (DESIGN.md §6) for CLI commands: the releases under
 * `releases/<vsn>/release.json`, the app.json of their applications, the appups.
 *
 * Where the root is: `--root DIR` if given; otherwise `_build/rel/<name>` under the current
 * directory, with `<name>` from `--name`, or the only directory under `_build/rel`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App } from '../model/app';
import { readModelFile } from '../model/files';
import { readReleaseRoot, ReleaseRootError } from '../model/release-root';
import { layout } from '../model/layout';
import type { Release } from '../model/release';
import type { AppupSource } from '../release/relup';
import { CliError } from './errors';

export interface RootOptions {
  root?: string;
  name?: string;
}

/** Resolves the release root directory; errors say how to point at the right one. */
export function findReleaseRoot(options: RootOptions, cwd = process.cwd()): string {
  if (options.root !== undefined) {
    const root = path.resolve(cwd, options.root);
    if (!fs.existsSync(layout.releasesDir(root))) {
      throw new CliError(
        `${root} is not a release root (it has no releases/ directory); pass the directory that holds lib/ and releases/`,
        'no_release_root',
      );
    }
    return root;
  }
  const base = path.resolve(cwd, '_build', 'rel');
  if (options.name !== undefined) {
    const root = path.join(base, options.name);
    if (!fs.existsSync(layout.releasesDir(root))) {
      throw new CliError(
        `no release ${JSON.stringify(options.name)} under ${base}: build it with \`hotrel release\`, or pass --root DIR`,
        'no_release_root',
      );
    }
    return root;
  }
  const names = fs.existsSync(base)
    ? fs
        .readdirSync(base, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  if (names.length === 1) return path.join(base, names[0]!);
  if (names.length === 0) {
    throw new CliError(
      `no release under ${base}: build one with \`hotrel release\`, or pass --root DIR to use another release root`,
      'no_release_root',
    );
  }
  throw new CliError(
    `several releases under ${base} (${names.join(', ')}): pass --name NAME to pick one, or --root DIR`,
    'ambiguous_release_root',
  );
}

/** A release root's releases, read and validated, keyed by version. */
export function readReleases(root: string): Map<string, Release> {
  try {
    return readReleaseRoot(root);
  } catch (err) {
    if (err instanceof ReleaseRootError) throw new CliError(err.message, err.kind);
    throw err;
  }
}

/** The app.json of every application of `releases`, each checked against the release's entry. */
export function readApps(root: string, releases: readonly Release[]): App[] {
  const apps = new Map<string, App>();
  for (const release of releases) {
    for (const entry of release.apps) {
      const key = `${entry.name}@${entry.vsn}`;
      if (apps.has(key)) continue;
      const file = layout.appFile(root, entry.name, entry.vsn);
      const label = path.relative(root, file);
      if (!fs.existsSync(file)) {
        throw new CliError(
          `release ${release.vsn} contains ${entry.name} ${entry.vsn}, but ${label} is missing; ` +
            'rebuild that release (hotrel release) or restore its lib directory',
          'missing_app',
        );
      }
      const app = readModelFile('app', file, label);
      if (app.name !== entry.name || app.vsn !== entry.vsn) {
        // OTP: {error_reading, {App, {no_valid_version, ...}}}
        throw new CliError(
          `${label} describes ${app.name} ${app.vsn}, but release ${release.vsn} lists ${entry.name} ${entry.vsn} ` +
            '(no_valid_version); rebuild the release so that lib/ and release.json agree',
          'no_valid_version',
        );
      }
      apps.set(key, app);
    }
  }
  return [...apps.values()];
}

/**
 * The appups of `release`'s applications, as found in their lib directories. Unreadable ones are
 * passed on as problems: the compiler reports them only if it needs that appup, as OTP does.
 */
export function readAppups(root: string, release: Release): Record<string, AppupSource> {
  const appups: Record<string, AppupSource> = {};
  for (const entry of release.apps) {
    const file = layout.appupFile(root, entry.name, entry.vsn);
    const label = path.relative(root, file);
    if (!fs.existsSync(file)) {
      appups[entry.name] = { missing: true, file: label };
      continue;
    }
    try {
      appups[entry.name] = { appup: JSON.parse(fs.readFileSync(file, 'utf8')) as never, file: label };
    } catch (error) {
      appups[entry.name] = { problem: `${label}: invalid JSON: ${(error as Error).message}`, file: label };
    }
  }
  return appups;
}
