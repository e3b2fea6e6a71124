/**
 * Reading an upgrade package (`releases/<rel>-<vsn>.tar.gz`, src/model/package-manifest.ts) into
 * a staging directory, and checking it: nothing of the release root is touched here.
 *
 * - `MANIFEST.json` must be the first entry and valid;
 * - every entry's path must be relative and stay inside the root (no absolute path, no `..`, no
 *   backslash); only regular files, directories and links are accepted;
 * - a symbolic link must point inside the root; a hard link must point to a file of the package;
 * - every file must be listed in the manifest with the sha256 of its content, and every file the
 *   manifest lists must be in the package, once;
 * - a truncated or corrupted archive (gzip or tar) is refused with what the reader said.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { parseModelText, ModelError, type PackageManifest } from '../../../model';
import { describeError, ReleaseHandlerError } from '../errors';

/** One entry of the package, as staged. */
export type StagedEntry =
  | {
      readonly kind: 'file';
      readonly path: string;
      readonly staged: string;
      readonly sha256: string;
      /** Permission bits to give it (read/write/execute only; never setuid or setgid). */
      readonly mode: number;
    }
  | { readonly kind: 'dir'; readonly path: string }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string }
  | { readonly kind: 'hardlink'; readonly path: string; readonly target: string };

export interface StagedPackage {
  readonly manifest: PackageManifest;
  readonly entries: readonly StagedEntry[];
  /** The staging directory (remove it when done). */
  readonly dir: string;
}

const MANIFEST = 'MANIFEST.json';

function bad(file: string, what: string, details: Record<string, unknown> = {}): ReleaseHandlerError {
  return new ReleaseHandlerError(
    'bad_package',
    `${path.basename(file)} is refused: ${what}. Nothing was changed; make the package again (hotrel tar) and copy it again`,
    { file, ...details },
  );
}

/** A package path made safe: relative, `/`-separated, inside the root; else an error. */
function safePath(file: string, raw: string): string {
  const p = raw.replace(/\/+$/, '');
  const parts = p.split('/');
  if (
    p.length === 0 ||
    p.startsWith('/') ||
    /^[A-Za-z]:/.test(p) ||
    p.includes('\\') ||
    p.includes('\0') ||
    parts.some((s) => s === '..' || s === '')
  ) {
    throw bad(file, `the entry ${JSON.stringify(raw)} would be written outside the release root`, {
      entry: raw,
    });
  }
  return parts.filter((s) => s !== '.').join('/');
}

/** Reads and checks `file`, staging its files under `stagingDir` (created, must not exist). */
export async function readPackage(file: string, stagingDir: string): Promise<StagedPackage> {
  fs.mkdirSync(stagingDir, { recursive: false });
  const entries: StagedEntry[] = [];
  let manifestText: string | undefined;
  let first = true;
  let failure: ReleaseHandlerError | undefined;
  let count = 0;
  const open = new Set<number>();
  const onEntry = (entry: tar.ReadEntry): void => {
    const isFirst = first;
    first = false;
    if (failure !== undefined) return void entry.resume();
    try {
      if (isFirst) {
        if (entry.path !== MANIFEST || entry.type !== 'File') {
          throw bad(
            file,
            `its first entry is ${JSON.stringify(entry.path)}, not ${MANIFEST} (not a hotrel upgrade package)`,
          );
        }
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => (manifestText = Buffer.concat(chunks).toString('utf8')));
        return;
      }
      const p = safePath(file, entry.path);
      if (p === MANIFEST) throw bad(file, `it holds ${MANIFEST} twice`);
      switch (entry.type) {
        case 'Directory':
          entries.push({ kind: 'dir', path: p });
          return void entry.resume();
        case 'File':
        case 'OldFile':
        case 'ContiguousFile': {
          const staged = path.join(stagingDir, `f${count++}`);
          const fd = fs.openSync(staged, 'wx', 0o600);
          open.add(fd);
          const hash = crypto.createHash('sha256');
          entry.on('data', (c: Buffer) => {
            hash.update(c);
            fs.writeSync(fd, c);
          });
          entry.on('end', () => {
            open.delete(fd);
            fs.closeSync(fd);
            const mode = ((entry.mode ?? 0o644) & 0o755) | 0o600;
            entries.push({ kind: 'file', path: p, staged, sha256: hash.digest('hex'), mode });
          });
          return;
        }
        case 'SymbolicLink': {
          const target = entry.linkpath ?? '';
          const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(p), target));
          if (
            target.startsWith('/') ||
            target.includes('\\') ||
            resolved === '..' ||
            resolved.startsWith('../')
          ) {
            throw bad(file, `the link ${p} points outside the release root (to ${JSON.stringify(target)})`, {
              entry: p,
              target,
            });
          }
          entries.push({ kind: 'symlink', path: p, target });
          return void entry.resume();
        }
        case 'Link': {
          const target = safePath(file, entry.linkpath ?? '');
          entries.push({ kind: 'hardlink', path: p, target });
          return void entry.resume();
        }
        default:
          throw bad(file, `the entry ${p} is a ${entry.type}, which a package may not hold`, { entry: p });
      }
    } catch (err) {
      failure = err instanceof ReleaseHandlerError ? err : bad(file, describeError(err));
      entry.resume();
    }
  };
  try {
    await tar.t({ file, strict: true, onReadEntry: onEntry });
  } catch (err) {
    throw (
      failure ??
      bad(file, `it is truncated or corrupted (${describeError(err)})`, { reason: describeError(err) })
    );
  } finally {
    for (const fd of open) fs.closeSync(fd);
  }
  if (failure !== undefined) throw failure;
  if (manifestText === undefined) throw bad(file, `it is empty or has no ${MANIFEST}`);
  let manifest: PackageManifest;
  try {
    manifest = parseModelText('manifest', manifestText, MANIFEST);
  } catch (err) {
    throw bad(
      file,
      `its manifest is invalid: ${err instanceof ModelError ? err.message : describeError(err)}`,
    );
  }
  checkAgainstManifest(file, manifest, entries);
  return { manifest, entries, dir: stagingDir };
}

function checkAgainstManifest(
  file: string,
  manifest: PackageManifest,
  entries: readonly StagedEntry[],
): void {
  const seen = new Map<string, StagedEntry>();
  for (const e of entries) {
    if (seen.has(e.path)) throw bad(file, `it holds ${e.path} twice`, { entry: e.path });
    seen.set(e.path, e);
  }
  for (const e of entries) {
    if (e.kind === 'file') {
      const expected = manifest.files[e.path];
      if (expected === undefined)
        throw bad(file, `${e.path} is not listed in its manifest (tampered?)`, { entry: e.path });
      if (expected !== e.sha256) {
        throw bad(file, `${e.path} does not match its checksum in the manifest (corrupted or tampered)`, {
          entry: e.path,
          expected,
          actual: e.sha256,
        });
      }
    } else if (e.kind === 'hardlink' && seen.get(e.target)?.kind !== 'file') {
      throw bad(file, `the hard link ${e.path} points to ${e.target}, which is not a file of the package`, {
        entry: e.path,
      });
    }
  }
  for (const listed of Object.keys(manifest.files)) {
    if (seen.get(listed)?.kind !== 'file') {
      throw bad(file, `${listed} is listed in its manifest but missing from the package (truncated?)`, {
        entry: listed,
      });
    }
  }
}
