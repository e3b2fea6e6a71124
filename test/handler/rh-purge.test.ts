/**
 * Old code and the processes that keep it: a closure of old code held in a process's state is
 * named in the plan; with soft_purge it makes the next install refuse before anything changes
 * (OTP would not see the closure and the process would later crash with badfun); with
 * brutal_purge, makePermanent's deferred purge kills the process (its supervisor restarts it).
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GenServer, sys } from '../../src/behaviours';
import { checkOldCode, moduleInfo } from '../../src/code';
import { whereis } from '../../src/runtime';
import {
  checkInstallRelease,
  installRelease,
  makePermanent,
  pendingPurges,
  unpackRelease,
  whichReleases,
} from '../../src/handler/release-handler/server';
import { describePlan } from '../../src/handler/release-handler/plan';
import { bootInProcess, type InProcessNode } from '../helpers/in-process-node';
import { kvAppDef } from '../helpers/kv-app';
import { writePackage, writeRelease, writeRelup, type ReleaseDef } from '../helpers/release-builder';
import { exitOf } from '../helpers/process';
import { tmpDir } from '../helpers/tmp';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture';

let node: InProcessNode | undefined;
let logs: CapturedLogs;
beforeEach(() => {
  logs = captureLogs('warn');
});
afterEach(async () => {
  await node?.stop();
  node = undefined;
  logs.restore();
});

let counter = 0;

async function setup(purge: 'soft_purge' | 'brutal_purge') {
  const app = `cl${++counter}`;
  const build = path.join(tmpDir(), 'rel');
  const live = path.join(tmpDir(), 'rel');
  const v100: ReleaseDef = {
    name: 'kvrel',
    vsn: '1.0.0',
    apps: [{ app: kvAppDef(app, '1.0.0', { closure: true }) }],
  };
  const v101: ReleaseDef = {
    name: 'kvrel',
    vsn: '1.0.1',
    apps: [{ app: kvAppDef(app, '1.0.1', { closure: true, from: '1.0.0', purge }) }],
  };
  writeRelease(build, v100);
  writeRelease(build, v101);
  writeRelup(build, v101, [v100]);
  writeRelease(live, v100);
  writePackage(build, '1.0.1', live);
  node = await bootInProcess(live);
  await unpackRelease('1.0.1');
  return { app };
}

describe('old code held by closures', () => {
  it('soft_purge: named in the plan, kept loaded after the install, and the next install is refused naming it', async () => {
    const { app } = await setup('soft_purge');
    const kv = whereis('kv')!;
    const check = await checkInstallRelease('1.0.1', { plan: true });
    const plan = check.plan!;
    expect(plan.suspends).toEqual([
      expect.objectContaining({ modules: [`${app}:kv_server`], count: 1, outsideTrees: 0 }),
    ]);
    expect(plan.loads).toEqual([{ module: `${app}:kv_server`, from: '1.0.0', to: '1.0.1' }]);
    expect(plan.keepOldCode).toEqual([
      expect.objectContaining({
        pid: String(kv),
        name: 'kv',
        module: `${app}:kv_server`,
        vsn: '1.0.0',
        how: 'holds',
        where: 'state.fmt',
      }),
    ]);
    expect(describePlan(plan)).toMatch(
      /keep the code this install makes old loaded[\s\S]*kv\) holds a function of .*kv_server 1\.0\.0 at state\.fmt/,
    );

    const result = await installRelease('1.0.1');
    expect(result.unpurged).toEqual([{ module: `${app}:kv_server`, postPurge: 'soft_purge' }]);
    await makePermanent('1.0.1');
    expect(checkOldCode(`${app}:kv_server`)).toBe(true); // soft: kept while it is used
    expect(await pendingPurges()).toEqual([{ module: `${app}:kv_server`, postPurge: 'soft_purge' }]);

    // The downgrade loads kv_server again with soft_purge: its old code (1.0.0) is still held.
    const down = await checkInstallRelease('1.0.0', { plan: true }).catch((e: unknown) => e);
    expect(down).toMatchObject({ code: 'old_processes', details: { module: `${app}:kv_server` } });
    expect((down as Error).message).toMatch(
      /\(kv\) holds a function of .*kv_server vsn 1\.0\.0 at state\.fmt/,
    );
    expect((down as Error).message).toMatch(/Nothing was changed/);
    const err = await installRelease('1.0.0').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'old_processes' });
    expect(moduleInfo(`${app}:kv_server`).vsn).toBe('1.0.1');
    expect(Object.fromEntries((await whichReleases()).map((r) => [r.vsn, r.status]))).toEqual({
      '1.0.1': 'permanent',
      '1.0.0': 'old',
    });
    expect(whereis('kv')).toEqual(kv);
    expect(((await GenServer.call('kv', { op: 'info' })) as { vsn: string }).vsn).toBe('1.0.1');
  });

  it('brutal_purge: the plan says makePermanent kills it; it does, and its supervisor restarts it on new code', async () => {
    const { app } = await setup('brutal_purge');
    const kv = whereis('kv')!;
    const { plan } = await checkInstallRelease('1.0.1', { plan: true });
    expect(plan!.killedAtMakePermanent).toEqual([
      expect.objectContaining({ pid: String(kv), where: 'state.fmt' }),
    ]);
    await installRelease('1.0.1');
    const dead = exitOf(kv);
    expect(await makePermanent('1.0.1')).toEqual({
      alreadyPermanent: false,
      purged: [`${app}:kv_server`],
      killed: [`${String(kv)} (kv) holds a function of ${app}:kv_server vsn 1.0.0 at state.fmt`],
    });
    expect(await dead).toBe('killed');
    expect(logs.matching('killed 1 process(es) still using it')).toHaveLength(1);
    expect(checkOldCode(`${app}:kv_server`)).toBe(false);
    // restarted by kv_sup, on 1.0.1 (a fresh state)
    const again = await GenServer.call('kv', { op: 'info' });
    expect(again).toMatchObject({ vsn: '1.0.1', state: { data: {}, calls: 1 } });
    expect(whereis('kv')).not.toEqual(kv);
    expect(await sys.getState('kv')).toBeDefined();
  });
});
