/**
 * The release handler in one process: a KV service is upgraded, downgraded and upgraded again
 * under a client that keeps calling, with the state converted each way and no call failing;
 * statuses in memory and on disk follow OTP's rules; config changes are reported.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GenServer, sys } from '../../src/behaviours';
import { moduleInfo } from '../../src/code';
import { layout } from '../../src/model';
import { spawn, watch } from '../../src/runtime';
import {
  checkInstallRelease,
  installRelease,
  makePermanent,
  unpackRelease,
  whichReleases,
} from '../../src/handler/release-handler/server';
import { bootInProcess, type InProcessNode } from '../helpers/in-process-node';
import { kvAppDef } from '../helpers/kv-app';
import { writePackage, writeRelease, writeRelup, type ReleaseDef } from '../helpers/release-builder';
import { tmpDir } from '../helpers/tmp';

let node: InProcessNode | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

let counter = 0;

/** A build root with kvrel 1.0.0 and 1.0.1 (relup both ways), and a live root with 1.0.0. */
function setup(opts: { env100?: Record<string, number>; env101?: Record<string, number> } = {}) {
  const app = `kv${++counter}`;
  const build = path.join(tmpDir(), 'rel');
  const live = path.join(tmpDir(), 'rel');
  const v100: ReleaseDef = {
    name: 'kvrel',
    vsn: '1.0.0',
    apps: [{ app: kvAppDef(app, '1.0.0', { env: opts.env100 ?? { k: 1 } }) }],
  };
  const v101: ReleaseDef = {
    name: 'kvrel',
    vsn: '1.0.1',
    apps: [{ app: kvAppDef(app, '1.0.1', { from: '1.0.0', env: opts.env101 ?? { k: 2, newk: 3 } }) }],
  };
  writeRelease(build, v100);
  writeRelease(build, v101);
  writeRelup(build, v101, [v100]);
  writeRelease(live, v100);
  writePackage(build, '1.0.1', live);
  return { app, build, live, v100, v101 };
}

/** A client process calling the KV server non-stop; resolves with what it saw once stopped. */
function client(): { stop: () => Promise<{ calls: number; failures: unknown[] }> } {
  let running = true;
  let calls = 0;
  const failures: unknown[] = [];
  const pid = spawn(async () => {
    while (running) {
      try {
        await GenServer.call('kv', { op: 'put', key: `k${calls % 7}`, value: calls });
        calls++;
      } catch (err) {
        failures.push(err);
      }
      await new Promise((r) => setImmediate(r));
    }
  });
  const done = new Promise<void>((resolve) => watch(pid, () => resolve()));
  return {
    stop: async () => {
      running = false;
      await done;
      return { calls, failures };
    },
  };
}

const statuses = (list: Array<{ vsn: string; status: string }>) =>
  Object.fromEntries(list.map((r) => [r.vsn, r.status]));
const onDisk = (root: string) =>
  statuses((JSON.parse(fs.readFileSync(layout.releasesFile(root), 'utf8')) as { releases: [] }).releases);

describe('release handler: install in process', () => {
  it('upgrades, downgrades and upgrades again a KV service under load: state converted, no call fails', async () => {
    const { app, live } = setup();
    node = await bootInProcess(live);
    await GenServer.call('kv', { op: 'put', key: 'a', value: 1 });
    const c = client();

    expect(await unpackRelease('1.0.1')).toMatchObject({ vsn: '1.0.1', alreadyRegistered: false });
    expect(statuses(await whichReleases())).toEqual({ '1.0.1': 'unpacked', '1.0.0': 'permanent' });
    expect(await checkInstallRelease('1.0.1')).toMatchObject({ otherVsn: '1.0.0' });

    const up = await installRelease('1.0.1');
    expect(up).toMatchObject({ otherVsn: '1.0.0', restart: undefined, suspendedProcesses: 1 });
    expect(moduleInfo(`${app}:kv_server`).vsn).toBe('1.0.1');
    const after = (await GenServer.call('kv', { op: 'info' })) as { vsn: string; state: { calls: number } };
    expect(after.vsn).toBe('1.0.1');
    expect(typeof after.state.calls).toBe('number');
    expect((await sys.getState<{ from: unknown }>('kv')).from).toBe('1.0.0'); // OldVsn: the old code's vsn
    expect(await GenServer.call('kv', { op: 'get', key: 'a' })).toBe(1);
    expect(statuses(await whichReleases())).toEqual({ '1.0.1': 'current', '1.0.0': 'permanent' });
    expect(onDisk(live)).toEqual({ '1.0.1': 'unpacked', '1.0.0': 'permanent' });

    const down = await installRelease('1.0.0');
    expect(down.otherVsn).toBe('1.0.0');
    expect(moduleInfo(`${app}:kv_server`).vsn).toBe('1.0.0');
    const state = (await sys.getState('kv')) as Record<string, unknown>;
    expect(Object.keys(state).sort()).toEqual(['data', 'from']);
    expect(state.from).toEqual({ down: '1.0.0' }); // OTP: {down, Vsn}, Vsn of the code returned to
    expect(statuses(await whichReleases())).toEqual({ '1.0.1': 'old', '1.0.0': 'permanent' });

    await installRelease('1.0.1');
    expect(await makePermanent('1.0.1')).toMatchObject({ alreadyPermanent: false });
    expect(statuses(await whichReleases())).toEqual({ '1.0.1': 'permanent', '1.0.0': 'old' });
    expect(onDisk(live)).toEqual({ '1.0.1': 'permanent', '1.0.0': 'old' });
    expect(JSON.parse(fs.readFileSync(layout.startFile(live), 'utf8'))).toEqual({
      node: process.versions.node,
      vsn: '1.0.1',
    });

    const seen = await c.stop();
    expect(seen.failures).toEqual([]);
    expect(seen.calls).toBeGreaterThan(0);
    expect(await GenServer.call('kv', { op: 'get', key: 'a' })).toBe(1);
  });

  it('updates the env and calls configChange as OTP (changed, added, removed), both ways', async () => {
    const { app, live } = setup({ env100: { k: 1 }, env101: { k: 2, newk: 3 } });
    node = await bootInProcess(live);
    const g = globalThis as { __configChanges?: Array<{ app: string }> };
    g.__configChanges = [];
    await unpackRelease('1.0.1');
    await installRelease('1.0.1');
    await installRelease('1.0.0');
    expect(g.__configChanges.filter((c) => c.app === app)).toEqual([
      { app, changed: { k: 2 }, added: { newk: 3 }, removed: [] },
      { app, changed: { k: 1 }, added: {}, removed: ['newk'] },
    ]);
  });
});
