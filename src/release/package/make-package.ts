/**
 * `hotrel tar`: the upgrade package of a release, `releases/<rel>-<vsn>.tar.gz` (or `out`):
 * `MANIFEST.json` first (model/package-manifest.ts: full or slim, bases, required directories, a
 * sha256 per file), then the files (contents.ts). Nothing is written unless the package is
 * complete; the same release root gives the same bytes (tar-writer.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readModelFile } from '../../model/files';
import { layout } from '../../model/layout';
import { readReleaseRoot, ReleaseRootError } from '../../model/release-root';
import { packageManifestSchema, type PackageManifest } from '../../model/package-manifest';
import type { Release } from '../../model/release';
import { compareVersions } from '../../model/version-order';
import { hotrelPackage } from '../build/hotrel-package';
import { packageContents } from './contents';
import { PackageError } from './errors';
import { writeTarGz } from './tar-writer';

export interface PackageOptions {
  root: string;
  /** The release to pack (default: the newest under the root). */
  target?: string | undefined;
  /** A full package (every file of the release) instead of a slim one. */
  full?: boolean;
  /** Slim: only these base releases (each an up-from version of the relup; default: all of them). */
  bases?: readonly string[];
  /** Where to write it (default `releases/<rel>-<vsn>.tar.gz` in the root). */
  out?: string | undefined;
  /** Compute and return, write nothing. */
  dryRun?: boolean;
}

export interface PackageResult {
  file: string;
  manifest: PackageManifest;
  /** Bytes of the package (0 for a dry run), and of every file it holds (uncompressed). */
  size: number;
  contentSize: number;
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function readReleases(root: string): Map<string, Release> {
  try {
    return readReleaseRoot(root);
  } catch (err) {
    if (err instanceof ReleaseRootError) throw new PackageError(err.kind, err.message);
    throw err;
  }
}

/** Computes the package of a release and writes it. */
export async function makePackage(options: PackageOptions): Promise<PackageResult> {
  const { root } = options;
  const releases = readReleases(root);
  const versions = [...releases.keys()].sort(compareVersions);
  if (versions.length === 0) {
    throw new PackageError(
      'no_release',
      `no release under ${layout.releasesDir(root)}: build one with \`hotrel release\``,
    );
  }
  const vsn = options.target ?? versions.at(-1)!;
  const target = releases.get(vsn);
  if (target === undefined) {
    throw new PackageError(
      'no_such_release',
      `no release ${vsn} under ${layout.releasesDir(root)} (there are: ${versions.join(', ')}); name one of those`,
    );
  }
  const full = options.full === true;
  let bases: Release[] = [];
  if (!full) {
    const relupFile = layout.relupFile(root, vsn);
    if (!fs.existsSync(relupFile)) {
      throw new PackageError(
        'no_relup',
        `release ${vsn} has no relup (${path.relative(root, relupFile)}): a slim package needs one to name the releases it upgrades; ` +
          'run `hotrel appup generate` and `hotrel relup` first, or pass --full for a package of the whole release',
      );
    }
    const relup = readModelFile('relup', relupFile, path.relative(root, relupFile));
    const upFrom = relup.up.map((s) => s.vsn);
    const wanted =
      options.bases !== undefined && options.bases.length > 0 ? [...new Set(options.bases)] : upFrom;
    for (const b of wanted) {
      if (!upFrom.includes(b)) {
        throw new PackageError(
          'not_a_base',
          `--base ${b}: the relup of ${vsn} does not upgrade from ${b} (it upgrades from ${upFrom.join(', ') || 'no release'}); ` +
            'name one of those, or regenerate the relup',
        );
      }
      const release = releases.get(b);
      if (release === undefined) {
        throw new PackageError(
          'missing_base',
          `the relup of ${vsn} upgrades from ${b}, but releases/${b}/release.json is not under ${root}: a slim package is made beside its bases`,
        );
      }
      bases.push(release);
    }
    if (bases.length === 0) {
      throw new PackageError(
        'no_base',
        `the relup of ${vsn} upgrades from no release: pass --full for a package of the whole release`,
      );
    }
    bases = bases.sort((a, b) => compareVersions(a.vsn, b.vsn));
  }
  const contents = packageContents(root, target, bases, full);
  const files: Record<string, string> = {};
  let contentSize = 0;
  for (const f of contents.files) {
    const abs = path.join(root, f);
    files[f] = sha256(abs);
    contentSize += fs.statSync(abs).size;
  }
  const manifest = packageManifestSchema.parse({
    format: 1,
    name: target.name,
    vsn,
    full,
    bases: contents.bases,
    requires: contents.requires,
    files,
    hotrel: hotrelPackage().version,
  });
  const file = options.out ?? layout.packageFile(root, target.name, vsn);
  if (options.dryRun === true) return { file, manifest, size: 0, contentSize };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await writeTarGz(root, `${JSON.stringify(manifest, null, 2)}\n`, contents.files, file);
  return { file, manifest, size: fs.statSync(file).size, contentSize };
}
