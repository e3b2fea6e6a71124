/**
 * Putting a checked package's files into the release root.
 *
 * First a plan, which changes nothing and refuses the package if any of its files:
 * - lands outside `lib/`, `releases/<vsn>/`, `bin/` or `node/` (RELEASES.json, start.json and
 *   packages are the node's own);
 * - would be written through a directory or link of the root that leads outside it;
 * - differs from a file already there that a registered release uses (a version's files never
 *   change; OTP silently keeps the old file, which hides the mistake).
 * Then the writes: files already there with the same content are kept; leftovers of an earlier,
 * failed attempt (used by no registered release) are replaced; `bin/` and `node/` files already
 * there are kept (the running node's launcher). Each file is moved in from the staging directory
 * (same file system: a rename), so a crash leaves whole files only, and a retry finishes the job.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ReleaseHandlerError } from '../errors';
import type { StagedEntry, StagedPackage } from './read';

export interface Placement {
  /** Files to write (moved from staging), links to create, directories to make. */
  readonly writes: readonly StagedEntry[];
  /** Files already there with the same content. */
  readonly kept: number;
  /** Files there with other content, left over by no registered release: replaced. */
  readonly replaced: readonly string[];
}

/** Which registered release uses a root-relative path (a lib or release directory), if any. */
export type UsedBy = (relPath: string) => string | undefined;

function refuse(file: string, what: string, details: Record<string, unknown>): ReleaseHandlerError {
  return new ReleaseHandlerError(
    'bad_package',
    `${path.basename(file)} is refused: ${what}. Nothing was changed`,
    {
      file,
      ...details,
    },
  );
}

function sha256Of(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Whether `p` (absolute) stays inside `realRoot` once the links of its existing part are followed. */
function staysInside(realRoot: string, p: string): boolean {
  let existing = p;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  let real: string;
  try {
    real = fs.realpathSync(existing);
  } catch {
    return false; // a dangling link on the way
  }
  const rel = path.relative(realRoot, real);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function allowed(p: string, vsn: string): 'versioned' | 'shared' | undefined {
  const [top, second] = p.split('/');
  if (top === 'lib' && second !== undefined) return 'versioned';
  if (top === 'releases' && second === vsn) return 'versioned';
  if (top === 'bin' || top === 'node') return 'shared';
  return undefined;
}

export function planPlacement(root: string, file: string, pkg: StagedPackage, usedBy: UsedBy): Placement {
  const realRoot = fs.realpathSync(root);
  const writes: StagedEntry[] = [];
  const replaced: string[] = [];
  let kept = 0;
  for (const entry of pkg.entries) {
    const where = allowed(entry.path, pkg.manifest.vsn);
    if (where === undefined) {
      throw refuse(
        file,
        `it would write ${entry.path}, outside lib/, releases/${pkg.manifest.vsn}/, bin/ and node/`,
        { entry: entry.path },
      );
    }
    const dest = path.join(root, ...entry.path.split('/'));
    if (!staysInside(realRoot, path.dirname(dest))) {
      throw refuse(
        file,
        `${entry.path} would be written through a link that leads outside the release root`,
        {
          entry: entry.path,
        },
      );
    }
    const st = fs.lstatSync(dest, { throwIfNoEntry: false });
    if (entry.kind === 'dir') {
      if (st === undefined) writes.push(entry);
      else if (!st.isDirectory())
        throw refuse(file, `${entry.path} is a directory in the package but a file on the node`, {
          entry: entry.path,
        });
      continue;
    }
    if (st === undefined) {
      writes.push(entry);
      continue;
    }
    if (where === 'shared') {
      kept++;
      continue;
    }
    if (same(entry, dest, st)) {
      kept++;
      continue;
    }
    const user = usedBy(entry.path);
    if (user !== undefined) {
      throw refuse(
        file,
        `${entry.path} already exists with other content and belongs to release ${user}; a version's files never change: ` +
          'give the changed application a new version (or remove that release first)',
        { entry: entry.path, release: user },
      );
    }
    replaced.push(entry.path);
    writes.push(entry);
  }
  return { writes, kept, replaced };
}

function same(entry: StagedEntry, dest: string, st: fs.Stats): boolean {
  switch (entry.kind) {
    case 'file':
      return st.isFile() && sha256Of(dest) === entry.sha256;
    case 'symlink':
      return st.isSymbolicLink() && fs.readlinkSync(dest) === entry.target;
    case 'hardlink':
      return false;
    default:
      return st.isDirectory();
  }
}

/** Carries out a placement (files moved from staging; hard links copied). */
export function place(root: string, pkg: StagedPackage, placement: Placement): void {
  const staged = new Map<string, string>();
  for (const e of pkg.entries) if (e.kind === 'file') staged.set(e.path, e.staged);
  for (const entry of placement.writes) {
    const dest = path.join(root, ...entry.path.split('/'));
    if (entry.kind === 'dir') {
      fs.mkdirSync(dest, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const st = fs.lstatSync(dest, { throwIfNoEntry: false });
    if (st !== undefined && !st.isDirectory() && entry.kind !== 'file') fs.rmSync(dest);
    switch (entry.kind) {
      case 'file':
        fs.chmodSync(entry.staged, entry.mode);
        fs.renameSync(entry.staged, dest);
        break;
      case 'symlink':
        fs.symlinkSync(entry.target, dest);
        break;
      case 'hardlink': {
        const from = staged.get(entry.target);
        // The target was moved into the root already when it came first; copy from wherever it is.
        fs.copyFileSync(
          from !== undefined && fs.existsSync(from) ? from : path.join(root, ...entry.target.split('/')),
          dest,
        );
        break;
      }
    }
  }
}
