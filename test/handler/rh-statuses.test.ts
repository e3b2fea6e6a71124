/**
 * The status sequences of otp/semantics.md §7.10, verified on an OTP 25 node, replayed on the
 * release handler: results, statuses in memory (whichReleases) and on disk (RELEASES.json), and
 * start.json, step by step.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sys } from '../../src/behaviours';
import { layout } from '../../src/model';
import {
  checkInstallRelease,
  installRelease,
  makePermanent,
  rebootOldRelease,
  removeRelease,
  unpackRelease,
  whichReleases,
} from '../../src/handler/release-handler/server';
import { bootInProcess, type InProcessNode } from '../helpers/in-process-node';
import { kvAppDef } from '../helpers/kv-app';
import { writePackage, writeRelease, writeRelup, type ReleaseDef } from '../helpers/release-builder';
import { tmpDir } from '../helpers/tmp';

let node: InProcessNode | undefined;
afterAll(async () => node?.stop());

const memory = async () => Object.fromEntries((await whichReleases()).map((r) => [r.vsn, r.status]));
const disk = (root: string) =>
  Object.fromEntries(
    (
      JSON.parse(fs.readFileSync(layout.releasesFile(root), 'utf8')) as {
        releases: Array<{ vsn: string; status: string }>;
      }
    ).releases.map((r) => [r.vsn, r.status]),
  );
const startVsn = (root: string) =>
  (JSON.parse(fs.readFileSync(layout.startFile(root), 'utf8')) as { vsn: string }).vsn;

describe('OTP status sequences (semantics.md §7.10)', () => {
  it('replays the verified sequence with releases "1" and "2"', async () => {
    const build = path.join(tmpDir(), 'rel');
    const live = path.join(tmpDir(), 'rel');
    const v1: ReleaseDef = { name: 'demo_rel', vsn: '1', apps: [{ app: kvAppDef('demo', '1.0.0') }] };
    const v2: ReleaseDef = {
      name: 'demo_rel',
      vsn: '2',
      apps: [{ app: kvAppDef('demo', '1.0.1', { from: '1.0.0' }) }],
    };
    writeRelease(build, v1);
    writeRelease(build, v2);
    writeRelup(build, v2, [v1]);
    writeRelease(live, v1);
    writePackage(build, '2', live);
    node = await bootInProcess(live);

    // set_unpacked 2 (here: unpack its package)
    expect(await unpackRelease('2')).toMatchObject({ vsn: '2' });
    expect(await memory()).toEqual({ '2': 'unpacked', '1': 'permanent' });
    expect(disk(live)).toEqual({ '2': 'unpacked', '1': 'permanent' });

    // check_install_release 2 -> {ok,"1",[]}, nothing changes
    expect(await checkInstallRelease('2')).toMatchObject({ otherVsn: '1', description: '' });
    expect(await memory()).toEqual({ '2': 'unpacked', '1': 'permanent' });
    // check_install_release 1 (the permanent one) -> {ok,"1",[]} and a warning: no relup
    const self = await checkInstallRelease('1');
    expect(self).toMatchObject({ otherVsn: '1', description: '' });
    expect(self.warnings.join()).toMatch(/no relup\.json/);
    // check_install_release "nope"
    await expect(checkInstallRelease('nope')).rejects.toMatchObject({ code: 'no_such_release' });

    // install_release 2 -> {ok,"1",[]}: code_change("1.0.0"), config_change; 2 current in memory only
    expect(await installRelease('2')).toMatchObject({ otherVsn: '1', description: '' });
    expect((await sys.getState<{ from: unknown }>('kv')).from).toBe('1.0.0');
    expect(await memory()).toEqual({ '2': 'current', '1': 'permanent' });
    expect(disk(live)).toEqual({ '2': 'unpacked', '1': 'permanent' });

    // install_release 2 again
    await expect(installRelease('2')).rejects.toMatchObject({ code: 'already_installed' });
    // make_permanent 1 (already permanent): ok, no change
    expect(await makePermanent('1')).toEqual({ alreadyPermanent: true, purged: [], killed: [] });
    expect(await memory()).toEqual({ '2': 'current', '1': 'permanent' });
    // remove_release 1
    await expect(removeRelease('1')).rejects.toMatchObject({ code: 'permanent' });

    // install_release 1 (downgrade) -> {ok,"1",[]} (OtherVsn = the target); 2 old in memory
    expect(await installRelease('1')).toMatchObject({ otherVsn: '1' });
    expect(await memory()).toEqual({ '2': 'old', '1': 'permanent' });
    expect(disk(live)).toEqual({ '2': 'unpacked', '1': 'permanent' });

    // install_release 2, make_permanent 2
    await installRelease('2');
    expect(await makePermanent('2')).toMatchObject({ alreadyPermanent: false });
    expect(await memory()).toEqual({ '2': 'permanent', '1': 'old' });
    expect(disk(live)).toEqual({ '2': 'permanent', '1': 'old' });
    expect(startVsn(live)).toBe('2');

    // reboot_old_release 2
    await expect(rebootOldRelease('2')).rejects.toMatchObject({
      code: 'bad_status',
      details: { status: 'permanent' },
    });

    // install_release 1 (old) -> 1 current, 2 permanent; disk unchanged
    expect(await installRelease('1')).toMatchObject({ otherVsn: '1' });
    expect(await memory()).toEqual({ '2': 'permanent', '1': 'current' });
    expect(disk(live)).toEqual({ '2': 'permanent', '1': 'old' });

    // install_release 2 (permanent, while 1 is current) -> 1 old
    expect(await installRelease('2')).toMatchObject({ otherVsn: '1' });
    expect(await memory()).toEqual({ '2': 'permanent', '1': 'old' });
    expect(disk(live)).toEqual({ '2': 'permanent', '1': 'old' });
    expect(startVsn(live)).toBe('2');
    expect(node.restarts).toEqual([]);
  });
});
