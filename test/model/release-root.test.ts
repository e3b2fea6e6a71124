/**
 * Reading a release root's releases (src/model/release-root.ts), on real directories: what the
 * relup, appup and package commands all read, and the three ways a root can be wrong.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { layout } from '../../src/model/layout';
import { readReleaseRoot, ReleaseRootError } from '../../src/model/release-root';
import { kvAppDef } from '../helpers/kv-app';
import { writeRelease } from '../helpers/release-builder';
import { tmpDir } from '../helpers/tmp';

function root(): string {
  const dir = path.join(tmpDir('hotrel-root-'), 'kvrel');
  writeRelease(dir, { name: 'kvrel', vsn: '1.0.0', apps: [{ app: kvAppDef('kvapp', '1.0.0') }] });
  writeRelease(dir, { name: 'kvrel', vsn: '1.0.1', apps: [{ app: kvAppDef('kvapp', '1.0.1') }] });
  return dir;
}

function failure(dir: string): ReleaseRootError {
  try {
    readReleaseRoot(dir);
  } catch (err) {
    if (err instanceof ReleaseRootError) return err;
    throw err;
  }
  throw new Error('expected a ReleaseRootError');
}

describe('readReleaseRoot', () => {
  it('reads every release by version, skipping directories without a release.json', () => {
    const dir = root();
    fs.mkdirSync(path.join(layout.releasesDir(dir), 'scratch'));
    const releases = readReleaseRoot(dir);
    expect([...releases.keys()].sort()).toEqual(['1.0.0', '1.0.1']);
    expect(releases.get('1.0.1')!.apps).toEqual([expect.objectContaining({ name: 'kvapp', vsn: '1.0.1' })]);
  });

  it('refuses a directory with no releases/', () => {
    const e = failure(tmpDir('hotrel-root-'));
    expect(e.kind).toBe('no_release_root');
    expect(e.message).toMatch(/is not a release root \(it has no releases\/ directory\)/);
  });

  it('refuses a release in another version directory', () => {
    const dir = root();
    fs.renameSync(path.join(layout.releasesDir(dir), '1.0.1'), path.join(layout.releasesDir(dir), '1.0.2'));
    const e = failure(dir);
    expect(e.kind).toBe('misplaced_release');
    expect(e.message).toContain('is release 1.0.1 but sits in releases/1.0.2');
  });

  it('refuses releases of two names in one root', () => {
    const dir = root();
    writeRelease(dir, { name: 'other', vsn: '2.0.0', apps: [{ app: kvAppDef('kvapp', '1.0.0') }] });
    const e = failure(dir);
    expect(e.kind).toBe('mixed_releases');
    expect(e.message).toMatch(/belong to different release names \(kvrel, other\)|\(other, kvrel\)/);
  });
});
