/**
 * A reproducible `.tar.gz`: the same files with the same contents give the same bytes, whoever
 * builds them, wherever and whenever (with the same Node.js zlib).
 *
 * node-tar writes the entries in the order given (MANIFEST.json first, then the files sorted),
 * with a fixed modification time, modes reduced to 0644 or 0755 (executable if the owner may
 * execute it), no owner, group, user or group name, device, inode or access times (`portable`),
 * file contents behind symbolic links rather than links, and never a hard link entry (which would
 * depend on how the files happen to be stored). The gzip header carries no time and an "unknown"
 * operating system.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';

/** The modification time of every entry: fixed, so it never makes two packages differ. */
export const ENTRY_MTIME = new Date('2000-01-01T00:00:00Z');

/** A link cache that never finds anything: files are always stored as files. */
class NoHardLinks extends Map<`${number}:${number}`, string> {
  override get(): undefined {
    return undefined;
  }
  override set(): this {
    return this;
  }
}

interface EntryView {
  path: string;
  stat?: { mode: number };
}

/**
 * Writes `out` atomically: `MANIFEST.json` (holding `manifest`), then `files` (paths relative to
 * `root`, in the order given).
 */
export async function writeTarGz(
  root: string,
  manifest: string,
  files: readonly string[],
  out: string,
): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hotrel-manifest-'));
  const tmp = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.tmp`);
  try {
    const manifestFile = path.join(scratch, 'MANIFEST.json');
    fs.writeFileSync(manifestFile, manifest);
    // node-tar packs paths relative to one directory; the manifest lives elsewhere and is renamed.
    const manifestRel = path.relative(root, manifestFile).split(path.sep).join('/');
    await tar.create(
      {
        cwd: root,
        file: tmp,
        gzip: { level: 9 },
        portable: true,
        mtime: ENTRY_MTIME,
        noDirRecurse: true,
        follow: true,
        linkCache: new NoHardLinks(),
        onWriteEntry: (entry: unknown) => {
          const e = entry as EntryView;
          if (e.path === manifestRel) e.path = 'MANIFEST.json';
          if (e.stat !== undefined) e.stat.mode = e.stat.mode & 0o100 ? 0o100755 : 0o100644;
        },
      },
      [manifestRel, ...files],
    );
    fs.renameSync(tmp, out);
  } finally {
    fs.rmSync(tmp, { force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
