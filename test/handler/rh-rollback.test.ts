/**
 * Failures of an install, in one process. Before the point of no return: an error, and nothing
 * changed. After it: the install is rolled back in process — old code current again, the exact
 * old states back, every process resumed, no message lost, the application env as before — and a
 * retry is possible. When the rollback is impossible (an application's own apply ran), the
 * handler falls back to OTP's answer: a node restart into the permanent release.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Application from '../../src/behaviours/application';
import { GenServer, Supervisor, sys } from '../../src/behaviours';
import { moduleInfo } from '../../src/code';
import type { Pid } from '../../src/runtime';
import { installRelease, unpackRelease, whichReleases } from '../../src/handler/release-handler/server';
import { ReleaseHandlerError } from '../../src/handler/release-handler/errors';
import { bootInProcess, type InProcessNode } from '../helpers/in-process-node';
import { workerAppDef, type WorkerOptions } from '../helpers/worker-app';
import { writePackage, writeRelease, writeRelup, type ReleaseDef } from '../helpers/release-builder';
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

async function setup(count: number, next: WorkerOptions, env101: Record<string, number> = {}) {
  const app = `wk${++counter}`;
  const build = path.join(tmpDir(), 'rel');
  const live = path.join(tmpDir(), 'rel');
  const v100: ReleaseDef = { name: 'wrel', vsn: '1.0.0', apps: [{ app: workerAppDef(app, '1.0.0', count) }] };
  const def101 = workerAppDef(app, '1.0.1', count, { from: '1.0.0', ...next });
  def101.env = { ...def101.env, ...env101 };
  const v101: ReleaseDef = { name: 'wrel', vsn: '1.0.1', apps: [{ app: def101 }] };
  writeRelease(build, v100);
  writeRelease(build, v101);
  writeRelup(build, v101, [v100]);
  writeRelease(live, v100);
  writePackage(build, '1.0.1', live);
  node = await bootInProcess(live);
  await unpackRelease('1.0.1');
  const workers = (await Supervisor.whichChildren('worker_sup')).map((c) => c.pid as Pid).reverse();
  return { app, workers, live };
}

async function states(pids: readonly Pid[]): Promise<unknown[]> {
  return Promise.all(pids.map((p) => sys.getState(p)));
}

describe('release handler: failures and rollback', () => {
  it('a throwing codeChange is rolled back: old code, exact old states, calls made meanwhile answered', async () => {
    const { app, workers } = await setup(20, { failIds: [13] }, { extra: 1 });
    for (const w of workers) await GenServer.call(w, 'bump');
    const before = await states(workers);
    const envBefore = Application.getAllEnv(app);
    const progress: string[] = [];
    // Calls made while the workers are suspended wait in their mailboxes: after the rollback they
    // must all be answered, by the old code, from the old state.
    const even = workers.filter((_, i) => i % 2 === 0);
    const odd = workers.filter((_, i) => i % 2 === 1);
    let pending: Array<Promise<unknown>> = [];
    const onProgress = (line: string): void => {
      progress.push(line);
      if (line.startsWith('suspended') && line.includes(':worker'))
        pending = even.map((w) => GenServer.call(w, 'bump'));
    };
    const err = await installRelease('1.0.1', {}, onProgress).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReleaseHandlerError);
    expect(err).toMatchObject({ code: 'rolled_back', details: { cause: 'code_change_failed' } });
    expect((err as Error).message).toMatch(/worker 13 cannot convert/);
    expect((err as Error).message).toMatch(/the node runs 1\.0\.0 as before/);
    expect(progress.some((l) => l.includes('rolling back'))).toBe(true);
    expect(logs.matching('failed after the point of no return')[0]).toMatchObject({ level: 50 });

    expect(moduleInfo(`${app}:worker`).vsn).toBe('1.0.0');
    expect(pending).toHaveLength(even.length);
    expect(await Promise.all(pending)).toEqual(even.map(() => 2));
    const after = await states(workers);
    workers.forEach((w, i) => {
      if (odd.includes(w))
        expect(after[i]).toBe(before[i]); // the very same state object
      else expect(after[i]).toEqual({ ...(before[i] as object), n: 2 }); // + the queued bump, by 1.0.0
    });
    for (const w of workers) expect((await sys.getStatus(w)).status).toBe('running');
    expect(Application.getAllEnv(app)).toEqual(envBefore);
    expect(Object.fromEntries((await whichReleases()).map((r) => [r.vsn, r.status]))).toEqual({
      '1.0.1': 'unpacked',
      '1.0.0': 'permanent',
    });
    expect(node!.restarts).toEqual([]);

    // A failed install never blocks a retry: the same error again, not a stale one.
    await expect(installRelease('1.0.1')).rejects.toMatchObject({ code: 'rolled_back' });
    expect(moduleInfo(`${app}:worker`).vsn).toBe('1.0.0');
  });

  it('a group already resumed is suspended again and converted back by the newer code', async () => {
    // ticker's group (suspend, load, code_change, resume) completes; then a worker fails.
    const { app, workers } = await setup(5, { failIds: [2] });
    await GenServer.call('ticker', 'tick');
    const tickerBefore = await sys.getState('ticker');
    await expect(installRelease('1.0.1')).rejects.toMatchObject({ code: 'rolled_back' });
    expect(moduleInfo(`${app}:ticker`).vsn).toBe('1.0.0');
    expect(await sys.getState('ticker')).toEqual(tickerBefore); // {ticks: 1}: `up` dropped by the down conversion
    expect(await GenServer.call('ticker', 'tick')).toBe(2);
    expect(((await GenServer.call(workers[0]!, 'get')) as { vsn: string }).vsn).toBe('1.0.0');
  });

  it('after an application apply ran, a failure restarts the node into the permanent release', async () => {
    const g = globalThis as { __migrations?: string[] };
    g.__migrations = [];
    await setup(3, { failIds: [1], withApply: true });
    const restart = node!.nextRestart();
    const err = await installRelease('1.0.1').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'restarting' });
    expect((err as Error).message).toMatch(/cannot undo .*hooks\.migrate/);
    expect((err as Error).message).toMatch(/restarts into the permanent release 1\.0\.0/);
    expect(g.__migrations).toEqual(['up']);
    expect(await restart).toMatch(/could not be rolled back/);
    expect(logs.matching('cannot be rolled back in process: restarting into 1.0.0')).toHaveLength(1);
  });

  it('a failure before the point of no return changes nothing', async () => {
    const { app, live } = await setup(2, {});
    // Break the new code: its module body throws when evaluated (load_object_code fails).
    const file = path.join(live, 'lib', `${app}-1.0.1`, 'worker.js');
    fs.writeFileSync(file, `${fs.readFileSync(file, 'utf8')}\nthrow new Error('broken build');\n`);
    const envBefore = Application.getAllEnv(app);
    const err = await installRelease('1.0.1').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bad_release' });
    expect((err as Error).message).toMatch(/broken build/);
    expect(moduleInfo(`${app}:worker`).vsn).toBe('1.0.0');
    expect(moduleInfo(`${app}:ticker`).vsn).toBe('1.0.0');
    expect(moduleInfo(`${app}:worker`).old).toBeUndefined();
    expect(Application.getAllEnv(app)).toEqual(envBefore);
    expect((await sys.getStatus('ticker')).status).toBe('running');
    expect(node!.restarts).toEqual([]);
  });

  it('a process that does not suspend in time fails the install, which is rolled back', async () => {
    const { app, workers } = await setup(3, {});
    const slow = GenServer.call(workers[1]!, { sleep: 400 } as never, 5000);
    await new Promise((r) => setImmediate(r));
    const err = await installRelease('1.0.1', { suspendTimeout: 30 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'rolled_back', details: { cause: 'suspend_failed' } });
    expect((err as Error).message).toMatch(/still busy after 30 ms/);
    expect((err as Error).message).toMatch(/--suspend-timeout/);
    expect(moduleInfo(`${app}:worker`).vsn).toBe('1.0.0');
    expect(await slow).toBe('slept');
    for (const w of workers) expect(await GenServer.call(w, 'bump')).toBe(1);
    // and with enough time it goes through
    const slowAgain = GenServer.call(workers[1]!, { sleep: 50 } as never, 5000);
    await new Promise((r) => setImmediate(r));
    await installRelease('1.0.1', { suspendTimeout: 5000 });
    expect(await slowAgain).toBe('slept');
    expect(((await GenServer.call(workers[1]!, 'get')) as { vsn: string }).vsn).toBe('1.0.1');
  });

  it('refuses unknown or invalid options, changing nothing', async () => {
    await setup(1, {});
    await expect(installRelease('1.0.1', { suspendTimeout: 0 })).rejects.toMatchObject({
      code: 'illegal_option',
    });
    await expect(installRelease('1.0.1', { purge: true } as never)).rejects.toMatchObject({
      code: 'illegal_option',
    });
    await expect(installRelease('1.0.1', { codeChangeTimeout: 'default' } as never)).rejects.toMatchObject({
      code: 'illegal_option',
    });
  });
});
