/**
 * Node restarts asked for by a relup (otp/semantics.md §7.8) and what the release handler makes
 * of the files at its next start: `restart_emulator` runs the script, marks the release
 * `tmp_current` and writes new_start.json for one boot; `restart_new_emulator` does so without
 * running the script; after the restart the release is `current` (in memory) and must still be
 * made permanent. A crash in the middle of makePermanent is completed at the next start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { moduleInfo } from '../../src/code';
import { layout, type Relup } from '../../src/model';
import { writeJsonAtomic } from '../../src/model/files';
import { ReleaseHandler } from '../../src/handler/release-handler/handler';
import { ReleaseTable } from '../../src/handler/release-handler/releases';
import {
  installRelease,
  makePermanent,
  rebootOldRelease,
  unpackRelease,
} from '../../src/handler/release-handler/server';
import { bootInProcess, type InProcessNode } from '../helpers/in-process-node';
import { kvAppDef } from '../helpers/kv-app';
import {
  releaseJson,
  writePackage,
  writeRelease,
  writeRelup,
  writeRelupJson,
  type ReleaseDef,
} from '../helpers/release-builder';
import { tmpDir } from '../helpers/tmp';

let node: InProcessNode | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

const disk = (root: string) =>
  Object.fromEntries(
    (
      JSON.parse(fs.readFileSync(layout.releasesFile(root), 'utf8')) as {
        releases: Array<{ vsn: string; status: string }>;
      }
    ).releases.map((r) => [r.vsn, r.status]),
  );
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;

let counter = 0;
async function setup(edit: (relup: Relup) => Relup) {
  const app = `rs${++counter}`;
  const build = path.join(tmpDir(), 'rel');
  const live = path.join(tmpDir(), 'rel');
  const v100: ReleaseDef = { name: 'kvrel', vsn: '1.0.0', apps: [{ app: kvAppDef(app, '1.0.0') }] };
  const v101: ReleaseDef = {
    name: 'kvrel',
    vsn: '1.0.1',
    apps: [{ app: kvAppDef(app, '1.0.1', { from: '1.0.0' }) }],
  };
  writeRelease(build, v100);
  writeRelease(build, v101);
  writeRelupJson(build, edit(writeRelup(build, v101, [v100])));
  writeRelease(live, v100);
  writePackage(build, '1.0.1', live);
  node = await bootInProcess(live);
  await unpackRelease('1.0.1');
  return { app, live, v101 };
}

describe('node restarts', () => {
  it('restart_emulator: the script runs, then one boot of the new release; it is current after it', async () => {
    const { app, live, v101 } = await setup((relup) => {
      relup.up[0]!.instructions.push({ op: 'restart_emulator' });
      return relup;
    });
    const restart = node!.nextRestart();
    const result = await installRelease('1.0.1');
    expect(result.restart).toBe('restart_emulator');
    expect(moduleInfo(`${app}:kv_server`).vsn).toBe('1.0.1'); // the script ran
    expect(disk(live)).toEqual({ '1.0.1': 'tmp_current', '1.0.0': 'permanent' });
    expect(readJson(layout.newStartFile(live))).toEqual({ node: process.versions.node, vsn: '1.0.1' });
    expect(readJson(layout.startFile(live))).toMatchObject({ vsn: '1.0.0' }); // a crash boots 1.0.0
    expect(await restart).toMatch(/restart_emulator: booting 1\.0\.1/);

    // The node comes back on 1.0.1 (boot consumed new_start.json): the handler starts again.
    fs.rmSync(layout.newStartFile(live));
    await node!.stop();
    node = undefined;
    const after = new ReleaseHandler({ root: live, release: releaseJson(v101), restartNode: () => {} });
    expect(after.whichReleases().map((r) => [r.vsn, r.status])).toEqual([
      ['1.0.1', 'current'],
      ['1.0.0', 'permanent'],
    ]);
    expect(disk(live)).toEqual({ '1.0.1': 'unpacked', '1.0.0': 'permanent' });
    expect(await after.makePermanent('1.0.1')).toMatchObject({ alreadyPermanent: false });
    expect(disk(live)).toEqual({ '1.0.1': 'permanent', '1.0.0': 'old' });
    expect(readJson(layout.startFile(live))).toMatchObject({ vsn: '1.0.1' });
    after.stop();
  });

  it('restart_new_emulator: nothing is evaluated in this node; it boots the new release once', async () => {
    const { app, live } = await setup((relup) => {
      relup.up[0]!.instructions.unshift({ op: 'restart_new_emulator' });
      return relup;
    });
    const restart = node!.nextRestart();
    const result = await installRelease('1.0.1');
    expect(result.restart).toBe('restart_new_emulator');
    expect(moduleInfo(`${app}:kv_server`).vsn).toBe('1.0.0');
    expect(disk(live)).toEqual({ '1.0.1': 'tmp_current', '1.0.0': 'permanent' });
    expect(readJson(layout.newStartFile(live))).toMatchObject({ vsn: '1.0.1' });
    expect(await restart).toMatch(/restart_new_emulator/);
  });

  it('reboot_old_release: the old release becomes permanent and the node restarts into it', async () => {
    const { live } = await setup((r) => r);
    await installRelease('1.0.1');
    const h = node!;
    await makePermanent('1.0.1');
    const restart = h.nextRestart();
    expect(await rebootOldRelease('1.0.0')).toEqual({ restarting: true });
    expect(disk(live)).toEqual({ '1.0.1': 'old', '1.0.0': 'permanent' });
    expect(readJson(layout.startFile(live))).toMatchObject({ vsn: '1.0.0' });
    expect(await restart).toMatch(/reboot into old release 1\.0\.0/);
  });
});

describe('the release table at start', () => {
  const base = (root: string, releases: Array<{ vsn: string; status: string }>, start: string) => {
    fs.mkdirSync(layout.releasesDir(root), { recursive: true });
    writeJsonAtomic(layout.releasesFile(root), {
      releases: releases.map((r) => ({
        name: 'kvrel',
        vsn: r.vsn,
        node: '20.0.0',
        libs: [],
        status: r.status,
      })),
    });
    writeJsonAtomic(layout.startFile(root), { node: '20.0.0', vsn: start });
  };
  const rel = (vsn: string) => ({ ...releaseJson({ name: 'kvrel', vsn, apps: [] }), node: '20.0.0' });

  it('completes a makePermanent that crashed between RELEASES.json and start.json', () => {
    const root = tmpDir();
    // RELEASES.json already says 2 is permanent, start.json still boots 1: 1 is what runs.
    base(
      root,
      [
        { vsn: '2', status: 'permanent' },
        { vsn: '1', status: 'old' },
      ],
      '1',
    );
    const t = ReleaseTable.open(root, rel('1'));
    expect(t.info().map((r) => [r.vsn, r.status])).toEqual([
      ['2', 'old'],
      ['1', 'permanent'],
    ]);
    expect(disk(root)).toEqual({ '2': 'old', '1': 'permanent' });
  });

  it('turns tmp_current into unpacked on disk, and into current for the release that booted', () => {
    const root = tmpDir();
    base(
      root,
      [
        { vsn: '2', status: 'tmp_current' },
        { vsn: '1', status: 'permanent' },
      ],
      '1',
    );
    // the node crashed before booting 2: it runs 1
    expect(
      ReleaseTable.open(root, rel('1'))
        .info()
        .map((r) => r.status),
    ).toEqual(['unpacked', 'permanent']);
    base(
      root,
      [
        { vsn: '2', status: 'tmp_current' },
        { vsn: '1', status: 'permanent' },
      ],
      '1',
    );
    expect(
      ReleaseTable.open(root, rel('2'))
        .info()
        .map((r) => r.status),
    ).toEqual(['current', 'permanent']);
    expect(disk(root)).toEqual({ '2': 'unpacked', '1': 'permanent' });
  });

  it('fakes a permanent entry for the booted release when RELEASES.json is missing, as OTP does', () => {
    const root = tmpDir();
    const t = ReleaseTable.open(root, { ...rel('1'), apps: [{ name: 'a', vsn: '1.2', type: 'permanent' }] });
    expect(t.info()).toEqual([{ name: 'kvrel', vsn: '1', libs: ['a-1.2'], status: 'permanent' }]);
    expect(fs.existsSync(layout.releasesFile(root))).toBe(true);
  });
});
