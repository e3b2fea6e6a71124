/**
 * What an upgrade package holds (`hotrel tar`), decided from the release root alone.
 *
 * A **full** package holds the whole release: its release files, every application's lib
 * directory, the third-party packages (`lib/deps-<hash>`), the launchers (`bin/`) and the Node.js
 * binary when the release bundles one. A **slim** package holds only what its base releases (the
 * relup's up-from versions) lack: the release files and relup, the lib directory of every
 * application version some base does not have, the packages directory only if some base uses
 * another one, the bundled Node.js only if some base runs another version. Everything else the
 * target must already have is listed in `requires`, so the release handler can refuse the
 * package, naming the base it needs, before writing anything (relx #86, appup-tools.md §11.9).
 */
import fs from 'node:fs';
import path from 'node:path';
import { layout } from '../../model/layout';
import type { Release } from '../../model/release';
import { PackageError } from './errors';

export interface PackageContents {
  full: boolean;
  bases: string[];
  /** Directories (relative, `/`-separated) the target must have. */
  requires: string[];
  /** Files to pack (relative, `/`-separated), sorted. */
  files: string[];
}

const posix = (p: string): string => p.split(path.sep).join('/');

/** Every regular file under `dir` (symbolic links followed), relative to `root`. */
export function filesUnder(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string): void => {
    for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
      const child = path.join(abs, entry.name);
      const stat = entry.isSymbolicLink() ? fs.statSync(child) : entry;
      if (stat.isDirectory()) walk(child);
      else if (stat.isFile()) out.push(posix(path.relative(root, child)));
    }
  };
  walk(path.join(root, dir));
  return out;
}

function releaseFiles(root: string, vsn: string, withRelup: boolean): string[] {
  const files = [layout.releaseFile(root, vsn), layout.configFile(root, vsn)];
  if (withRelup) files.push(layout.relupFile(root, vsn));
  return files.filter((f) => fs.existsSync(f)).map((f) => posix(path.relative(root, f)));
}

function existingDir(root: string, dir: string, what: string): string {
  if (!fs.existsSync(path.join(root, dir))) {
    throw new PackageError(
      'missing_directory',
      `${dir} (${what}) is missing from ${root}; rebuild the release with \`hotrel release\``,
    );
  }
  return dir;
}

/**
 * The contents of the package of `target`. `bases` are the releases a slim package applies to
 * (ignored for a full one); each must be a release of the same root.
 */
export function packageContents(
  root: string,
  target: Release,
  bases: readonly Release[],
  full: boolean,
): PackageContents {
  const dirs: string[] = [];
  const requires: string[] = [];
  const appDir = (a: { name: string; vsn: string }): string => `lib/${a.name}-${a.vsn}`;
  for (const app of target.apps) {
    const dir = existingDir(root, appDir(app), `${app.name} ${app.vsn}`);
    const everyBaseHasIt = bases.every((b) => b.apps.some((x) => x.name === app.name && x.vsn === app.vsn));
    if (full || !everyBaseHasIt) dirs.push(dir);
    else requires.push(dir);
  }
  if (target.depsDir !== undefined) {
    const dir = existingDir(root, `lib/${target.depsDir}`, 'its third-party packages');
    if (full || !bases.every((b) => b.depsDir === target.depsDir)) dirs.push(dir);
    else requires.push(dir);
  }
  const nodeDir = `node/${target.node}`;
  if (fs.existsSync(path.join(root, nodeDir)) && (full || !bases.every((b) => b.node === target.node))) {
    dirs.push(nodeDir);
  }
  if (full && fs.existsSync(path.join(root, 'bin'))) dirs.push('bin');
  const withRelup = fs.existsSync(layout.relupFile(root, target.vsn));
  const files = [...releaseFiles(root, target.vsn, withRelup), ...dirs.flatMap((d) => filesUnder(root, d))];
  return {
    full,
    bases: bases.map((b) => b.vsn),
    requires: requires.sort(),
    files: [...new Set(files)].sort(byteOrder),
  };
}

/** Plain code-unit order: the same on every machine and locale. */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
