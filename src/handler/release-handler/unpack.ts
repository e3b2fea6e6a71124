/**
 * `unpack` (OTP's `unpack_release`, otp/semantics.md §7.2): checks an upgrade package, puts its
 * files into the release root and registers the release as `unpacked`.
 *
 * Beyond OTP:
 * - the package is verified before anything is written: its manifest, every file's sha256, its
 *   paths and links (package/read.ts), the release it holds and, for a slim package, the
 *   directories it needs from the release it was made against;
 * - a failed earlier attempt never blocks a retry (OTP's `existing_release` trap): unpacking a
 *   release that is registered as `unpacked` again verifies and completes it; files left by an
 *   attempt that did not register are replaced;
 * - the package file stays in `releases/` (OTP deletes it, which breaks a later retry).
 */
import fs from 'node:fs';
import path from 'node:path';
import { layout, ModelError, packageFileName, parseModelText, type Release } from '../../model';
import { readModelFile } from '../../model/files';
import { describeError, ReleaseHandlerError } from './errors';
import { planPlacement, place } from './package/place';
import { readPackage, type StagedPackage } from './package/read';
import type { KnownRelease, ReleaseTable } from './releases';

export interface UnpackResult {
  vsn: string;
  /** Files written, and files already there with the same content. */
  written: number;
  kept: number;
  /** Files of an earlier failed attempt that were replaced. */
  replaced: string[];
  /** Whether the release was registered already (a retry of an earlier attempt). */
  alreadyRegistered: boolean;
}

/** The package file for `what`: a version (`releases/<rel>-<vsn>.tar.gz`) or a path to a `.tar.gz`. */
export function packageFile(root: string, name: string, what: string): string {
  if (what.endsWith('.tar.gz')) return path.resolve(what);
  return path.join(layout.releasesDir(root), packageFileName(name, what));
}

export async function unpack(
  root: string,
  table: ReleaseTable,
  what: string,
  progress: (line: string) => void = () => {},
): Promise<UnpackResult> {
  const name = table.name();
  const file = packageFile(root, name, what);
  if (!fs.existsSync(file)) {
    throw new ReleaseHandlerError(
      'no_such_file',
      `there is no package ${file}: copy the upgrade package there (hotrel tar makes it) and unpack again`,
      { file },
    );
  }
  const staging = path.join(layout.releasesDir(root), `.unpack-${process.pid}-${Date.now()}`);
  try {
    const pkg = await readPackage(file, staging);
    progress(`${path.basename(file)}: ${Object.keys(pkg.manifest.files).length} files verified`);
    const { manifest } = pkg;
    if (manifest.name !== name) {
      throw new ReleaseHandlerError(
        'bad_package',
        `${path.basename(file)} holds release ${manifest.name} ${manifest.vsn}, but this node runs release ${name}; nothing was changed`,
        { file, name: manifest.name },
      );
    }
    if (!what.endsWith('.tar.gz') && manifest.vsn !== what) {
      throw new ReleaseHandlerError(
        'bad_package',
        `${path.basename(file)} holds release ${manifest.vsn}, not ${what}; rename it to ${packageFileName(name, manifest.vsn)} or make it again`,
        { file, vsn: manifest.vsn },
      );
    }
    const existing = table.find(manifest.vsn);
    if (existing !== undefined && existing.status !== 'unpacked') {
      throw new ReleaseHandlerError(
        'existing_release',
        `release ${manifest.vsn} is already installed here (${existing.status}); there is nothing to unpack`,
        { vsn: manifest.vsn, status: existing.status },
      );
    }
    checkRequirements(root, table, pkg);
    const release = releaseOf(root, pkg, name);
    const placement = planPlacement(root, file, pkg, usedBy(root, table));
    place(root, pkg, placement);
    const written = placement.writes.filter((w) => w.kind !== 'dir').length;
    progress(`${written} file(s) written, ${placement.kept} already there`);
    if (existing === undefined) {
      const entry: KnownRelease = {
        name,
        vsn: release.vsn,
        node: release.node,
        libs: release.apps.map((a) => ({ app: a.name, vsn: a.vsn, dir: `lib/${a.name}-${a.vsn}` })),
        status: 'unpacked',
      };
      table.add(entry);
      try {
        table.persist();
      } catch (err) {
        table.remove(release.vsn);
        throw err;
      }
    }
    return {
      vsn: release.vsn,
      written,
      kept: placement.kept,
      replaced: [...placement.replaced],
      alreadyRegistered: existing !== undefined,
    };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** A slim package's required directories must be here; say which release it was made against. */
function checkRequirements(root: string, table: ReleaseTable, pkg: StagedPackage): void {
  const missing = pkg.manifest.requires.filter((dir) => !fs.existsSync(path.join(root, ...dir.split('/'))));
  if (missing.length === 0) return;
  const known = table.all().map((r) => r.vsn);
  const bases = pkg.manifest.bases;
  throw new ReleaseHandlerError(
    'needs_base',
    `${pkg.manifest.name}-${pkg.manifest.vsn} is a slim package made against release ${bases.join(' or ') || '(none named)'}, ` +
      `and this node lacks what it needs from it: ${missing.join(', ')} (this node has ${known.join(', ')}). ` +
      `Unpack ${bases.length > 0 ? `release ${bases[0]} first, ` : ''}or use the full package (hotrel tar --full); nothing was changed`,
    { missing, bases, known },
  );
}

/** The release the package holds, checked against its files and the root's. */
function releaseOf(root: string, pkg: StagedPackage, name: string): Release {
  const vsn = pkg.manifest.vsn;
  const staged = new Map<string, string>();
  for (const e of pkg.entries) if (e.kind === 'file') staged.set(e.path, e.staged);
  const present = (rel: string): boolean =>
    staged.has(rel) ||
    pkg.entries.some((e) => e.path === rel || e.path.startsWith(`${rel}/`)) ||
    fs.existsSync(path.join(root, ...rel.split('/')));
  const read = (rel: string): string | undefined => {
    const s = staged.get(rel);
    if (s !== undefined) return fs.readFileSync(s, 'utf8');
    const onDisk = path.join(root, ...rel.split('/'));
    return fs.existsSync(onDisk) ? fs.readFileSync(onDisk, 'utf8') : undefined;
  };
  const invalid = (what: string): ReleaseHandlerError =>
    new ReleaseHandlerError(
      'bad_package',
      `${pkg.manifest.name}-${vsn}.tar.gz is refused: ${what}; nothing was changed`,
      {
        vsn,
      },
    );
  const releaseText = read(`releases/${vsn}/release.json`);
  if (releaseText === undefined) throw invalid(`it has no releases/${vsn}/release.json`);
  let release: Release;
  try {
    release = parseModelText('release', releaseText, `releases/${vsn}/release.json`);
    for (const kind of ['relup', 'config'] as const) {
      const text = read(`releases/${vsn}/${kind}.json`);
      if (text !== undefined) parseModelText(kind, text, `releases/${vsn}/${kind}.json`);
    }
  } catch (err) {
    throw invalid(err instanceof ModelError ? err.message : describeError(err));
  }
  if (release.name !== name || release.vsn !== vsn) {
    throw invalid(`its release.json describes ${release.name} ${release.vsn}, not ${name} ${vsn}`);
  }
  for (const app of release.apps) {
    const appFile = `lib/${app.name}-${app.vsn}/${app.name}.app.json`;
    if (!present(appFile))
      throw invalid(
        `application ${app.name} ${app.vsn} is neither in the package nor on this node (${appFile})`,
      );
  }
  if (release.depsDir !== undefined && !present(`lib/${release.depsDir}`)) {
    throw invalid(`its packages (lib/${release.depsDir}) are neither in the package nor on this node`);
  }
  return release;
}

/** Which registered release uses a path of the root (its lib, deps or release directory). */
function usedBy(root: string, table: ReleaseTable): (rel: string) => string | undefined {
  const depsOf = new Map<string, string | undefined>();
  const deps = (r: KnownRelease): string | undefined => {
    if (!depsOf.has(r.vsn)) {
      try {
        depsOf.set(r.vsn, readModelFile('release', layout.releaseFile(root, r.vsn)).depsDir);
      } catch {
        depsOf.set(r.vsn, undefined);
      }
    }
    return depsOf.get(r.vsn);
  };
  return (rel) => {
    const [top, dir] = rel.split('/');
    if (top === 'releases') return table.find(dir ?? '')?.vsn;
    if (top !== 'lib' || dir === undefined) return undefined;
    for (const r of table.all()) {
      if (r.libs.some((l) => path.resolve(root, l.dir) === path.join(root, 'lib', dir))) return r.vsn;
      if (deps(r) === dir) return r.vsn;
    }
    return undefined;
  };
}
