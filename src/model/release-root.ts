/**
 * Reading the releases of a release root (DESIGN.md §6): every `releases/<vsn>/release.json`,
 * validated, each in the directory of its own version, all of one release name. Shared by the
 * commands that read a root (relup, appup generation, packages), which wrap its error in theirs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModelFile } from './files';
import { layout } from './layout';
import type { Release } from './release';

/** Why a directory's releases cannot be read as one release root. */
export class ReleaseRootError extends Error {
  constructor(
    /** A short machine-readable reason. */
    readonly kind: 'no_release_root' | 'misplaced_release' | 'mixed_releases',
    message: string,
  ) {
    super(message);
    this.name = 'ReleaseRootError';
  }
}

/** The releases under `root`, keyed by version. A directory without release.json is skipped. */
export function readReleaseRoot(root: string): Map<string, Release> {
  const dir = layout.releasesDir(root);
  if (!fs.existsSync(dir)) {
    throw new ReleaseRootError(
      'no_release_root',
      `${root} is not a release root (it has no releases/ directory); pass the directory that holds lib/ and releases/`,
    );
  }
  const releases = new Map<string, Release>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const file = layout.releaseFile(root, entry.name);
    if (!fs.existsSync(file)) continue;
    const release = readModelFile('release', file, path.relative(root, file));
    if (release.vsn !== entry.name) {
      throw new ReleaseRootError(
        'misplaced_release',
        `${path.relative(root, file)} is release ${release.vsn} but sits in releases/${entry.name}; ` +
          'move it to its own version directory or fix its "vsn"',
      );
    }
    releases.set(release.vsn, release);
  }
  const names = [...new Set([...releases.values()].map((r) => r.name))];
  if (names.length > 1) {
    throw new ReleaseRootError(
      'mixed_releases',
      `the releases under ${dir} belong to different release names (${names.join(', ')}); ` +
        'a release root holds versions of one release',
    );
  }
  return releases;
}
