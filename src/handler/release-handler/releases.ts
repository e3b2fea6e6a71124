/**
 * The releases a node knows and their statuses (OTP's `RELEASES` and the release handler's
 * in-memory list, otp/semantics.md §7.1):
 *
 * | status      | meaning                                                            |
 * |-------------|--------------------------------------------------------------------|
 * | unpacked    | files present, not running                                         |
 * | current     | installed into the running node, not permanent: in memory only   |
 * | permanent   | boots on restart (start.json); exactly one                         |
 * | old         | was permanent or current before                                    |
 * | tmp_current | on disk only, around a node restart into a release being installed |
 *
 * `current` is never written: the writer turns it into `unpacked`, so a node that restarts
 * before `makePermanent` comes back on the permanent release, which is OTP's rollback model.
 * Writes are atomic (temporary file, fsync, rename).
 */
import fs from 'node:fs';
import path from 'node:path';
import { layout, type Release, type ReleaseEntry, type ReleaseStatus } from '../../model';
import { readModelFile, writeJsonAtomic } from '../../model/files';
import { ReleaseHandlerError } from './errors';

/** A status as held in memory: the disk's, plus `current`. */
export type Status = ReleaseStatus | 'current';

export interface KnownRelease {
  name: string;
  vsn: string;
  /** The Node.js version the release runs on. */
  node: string;
  libs: Array<{ app: string; vsn: string; dir: string }>;
  status: Status;
}

/** What `whichReleases` returns for each release (OTP's `{Name, Vsn, ["App-Vsn"], Status}`). */
export interface ReleaseInfo {
  name: string;
  vsn: string;
  libs: string[];
  status: Status;
}

export class ReleaseTable {
  private constructor(
    readonly root: string,
    private list: KnownRelease[],
  ) {}

  /**
   * Reads RELEASES.json and reconciles it with what booted (OTP's `init` and
   * `transform_release`): `tmp_current` entries become `unpacked` on disk and, for the release
   * that booted, `current` in memory; the release named by start.json is the permanent one (a
   * crash between makePermanent's two writes is completed here). A missing RELEASES.json is
   * faked from the booted release, as OTP does.
   */
  static open(root: string, booted: Release): ReleaseTable {
    const file = layout.releasesFile(root);
    const fromDisk: KnownRelease[] = fs.existsSync(file)
      ? readModelFile('releases', file, 'releases/RELEASES.json').releases.map((r) => ({ ...r }))
      : [
          {
            name: booted.name,
            vsn: booted.vsn,
            node: booted.node,
            libs: booted.apps.map((a) => ({ app: a.name, vsn: a.vsn, dir: `lib/${a.name}-${a.vsn}` })),
            status: 'permanent',
          },
        ];
    const table = new ReleaseTable(root, fromDisk);
    let dirty = !fs.existsSync(file);
    for (const r of table.list) {
      if (r.status === 'tmp_current') {
        r.status = r.vsn === booted.vsn ? 'current' : 'unpacked';
        dirty = true;
      }
    }
    const startFile = layout.startFile(root);
    const start = fs.existsSync(startFile) ? readModelFile('start', startFile) : undefined;
    const permanentVsn = start?.vsn;
    if (permanentVsn !== undefined) {
      const entry = table.find(permanentVsn);
      if (entry !== undefined && entry.status !== 'permanent') {
        for (const r of table.list) if (r.status === 'permanent') r.status = 'old';
        entry.status = 'permanent';
        dirty = true;
      }
    }
    const self = table.find(booted.vsn);
    if (self !== undefined && self.status !== 'permanent') self.status = 'current';
    if (dirty) table.persist();
    return table;
  }

  find(vsn: string): KnownRelease | undefined {
    return this.list.find((r) => r.vsn === vsn);
  }

  /** The release `vsn`, or `no_such_release` naming the known ones. */
  get(vsn: string): KnownRelease {
    const r = this.find(vsn);
    if (r === undefined) {
      throw new ReleaseHandlerError(
        'no_such_release',
        `release ${vsn} is not known to this node (known: ${this.list.map((x) => `${x.vsn} (${x.status})`).join(', ') || 'none'}); ` +
          `copy its package to releases/${this.name()}-${vsn}.tar.gz and unpack it`,
        { vsn },
      );
    }
    return r;
  }

  /** The release name (of the permanent release, else any). */
  name(): string {
    return (this.list.find((r) => r.status === 'permanent') ?? this.list[0])?.name ?? '';
  }

  all(): readonly KnownRelease[] {
    return this.list;
  }

  /** The release the node moves from: the current one, else the permanent one (OTP's "latest"). */
  latest(): KnownRelease {
    const r =
      this.list.find((x) => x.status === 'current') ?? this.list.find((x) => x.status === 'permanent');
    if (r === undefined) throw new ReleaseHandlerError('bad_release', 'no release is current or permanent');
    return r;
  }

  permanent(): KnownRelease | undefined {
    return this.list.find((r) => r.status === 'permanent');
  }

  /** Adds a release (newest first, as unpack prepends). */
  add(entry: KnownRelease): void {
    this.list = [entry, ...this.list.filter((r) => r.vsn !== entry.vsn)];
  }

  remove(vsn: string): void {
    this.list = this.list.filter((r) => r.vsn !== vsn);
  }

  /**
   * OTP's `set_status`: the target gets `status` unless it is permanent (it stays permanent);
   * any other release that had `status` becomes `old`.
   */
  setStatus(vsn: string, status: Status): void {
    const target = this.get(vsn);
    for (const r of this.list) if (r !== target && r.status === status) r.status = 'old';
    if (target.status !== 'permanent') target.status = status;
  }

  /** Makes `vsn` permanent: the previous permanent release becomes old. */
  setPermanent(vsn: string): void {
    const target = this.get(vsn);
    for (const r of this.list) if (r !== target && r.status === 'permanent') r.status = 'old';
    target.status = 'permanent';
  }

  /** Writes RELEASES.json (`current` as `unpacked`), atomically. */
  persist(): void {
    const releases: ReleaseEntry[] = this.list.map((r) => ({
      name: r.name,
      vsn: r.vsn,
      node: r.node,
      libs: r.libs,
      status: r.status === 'current' ? 'unpacked' : r.status,
    }));
    fs.mkdirSync(path.dirname(layout.releasesFile(this.root)), { recursive: true });
    writeJsonAtomic(layout.releasesFile(this.root), { releases });
  }

  /** `whichReleases()`: every release, newest first, optionally only those with `status`. */
  info(status?: Status): ReleaseInfo[] {
    return this.list
      .filter((r) => status === undefined || r.status === status)
      .map((r) => ({
        name: r.name,
        vsn: r.vsn,
        libs: r.libs.map((l) => `${l.app}-${l.vsn}`),
        status: r.status,
      }));
  }

  /** The absolute directory of one lib of a release. */
  libDir(lib: { dir: string }): string {
    return path.resolve(this.root, lib.dir);
  }
}
