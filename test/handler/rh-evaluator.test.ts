/**
 * The evaluator, instruction by instruction, with hand-written relups (otp/semantics.md §6,
 * §10.1 `instructions`, §10.3): stop/start of supervisor children, remove and purge (and their
 * rollback), behaviour processes outside any supervision tree (found, suspended and converted,
 * which OTP misses), code_change down (`{down: vsn}`), sync_nodes on a single node, errors of
 * load_object_code, and relups the model refuses.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GenServer, sys } from '../../src/behaviours';
import * as Application from '../../src/behaviours/application';
import * as Supervisor from '../../src/behaviours/supervisor/api';
import { getModule, isLoaded, moduleInfo } from '../../src/code';
import type { Relup, RelupInstructionInput } from '../../src/model';
import { whereis } from '../../src/runtime';
import { checkInstallRelease, installRelease, unpackRelease } from '../../src/handler/release-handler/server';
import { bootInProcess, type InProcessNode } from '../helpers/in-process-node';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture';
import {
  writePackage,
  writeRelease,
  writeRelup,
  writeRelupJson,
  type ReleaseDef,
} from '../helpers/release-builder';
import { tmpDir } from '../helpers/tmp';
import { workerAppDef } from '../helpers/worker-app';

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

/** 1.0.0 running, 1.0.1 unpacked, with the relup `script(app)` up from 1.0.0 (and down too). */
async function setup(
  up: (app: string) => RelupInstructionInput[],
  down: (app: string) => RelupInstructionInput[] = () => [],
  options: { unpack?: boolean } = {},
): Promise<{ app: string; live: string }> {
  await node?.stop();
  node = undefined;
  const app = `ev${++counter}`;
  const build = path.join(tmpDir(), 'rel');
  const live = path.join(tmpDir(), 'rel');
  const v100: ReleaseDef = { name: 'evrel', vsn: '1.0.0', apps: [{ app: workerAppDef(app, '1.0.0', 2) }] };
  const v101: ReleaseDef = { name: 'evrel', vsn: '1.0.1', apps: [{ app: workerAppDef(app, '1.0.1', 2) }] };
  writeRelease(build, v100);
  writeRelease(build, v101);
  writeRelupJson(build, {
    vsn: '1.0.1',
    up: [{ vsn: '1.0.0', description: 'hand-written', instructions: up(app) }],
    down: [{ vsn: '1.0.0', description: '', instructions: down(app) }],
  } as unknown as Relup);
  writeRelease(live, v100);
  writePackage(build, '1.0.1', live);
  node = await bootInProcess(live);
  if (options.unpack !== false) await unpackRelease('1.0.1');
  return { app, live };
}

const loc = (app: string, vsn: string, modules: string[]): RelupInstructionInput => ({
  op: 'load_object_code',
  app,
  vsn,
  modules: modules.map((m) => `${app}:${m}`),
});
const PONR: RelupInstructionInput = { op: 'point_of_no_return' };

describe('the evaluator', () => {
  it('stop and start: children using a module are terminated and restarted in place (OTP instructions case 1)', async () => {
    const { app } = await setup((a) => [
      PONR,
      { op: 'stop', modules: [`${a}:ticker`] },
      { op: 'apply', module: 'supervisor', function: 'restart_child', args: ['top_sup', 'nope'] },
      { op: 'start', modules: [`${a}:ticker`] },
    ]);
    void app;
    const before = whereis('ticker')!;
    const progress: string[] = [];
    await installRelease('1.0.1', {}, (l) => progress.push(l));
    expect(progress).toContain(`stopped 1 child(ren) using ${app}:ticker`);
    expect(progress).toContain(`restarted 1 child(ren) using ${app}:ticker`);
    const after = whereis('ticker');
    expect(after).toBeDefined();
    expect(after).not.toEqual(before);
    // an apply's result is ignored, as in OTP: a returned error is only logged
    expect(logs.matching('supervisor.restart_child(top_sup, nope) returned an error')).toHaveLength(1);
  });

  it('remove and purge: the module is unloaded; a later failure brings it back', async () => {
    const { app } = await setup((a) => [
      loc(a, '1.0.1', ['hooks']),
      PONR,
      { op: 'remove', module: `${a}:hooks` },
      { op: 'purge', modules: [`${a}:hooks`] },
    ]);
    await installRelease('1.0.1');
    expect(isLoaded(`${app}:hooks`)).toBe(false);

    // now a script that removes a module, loads another, then fails: both are undone
    const again = await setup((a) => [
      loc(a, '1.0.1', ['hooks']),
      PONR,
      { op: 'remove', module: `${a}:ticker`, prePurge: 'brutal_purge', postPurge: 'soft_purge' },
      { op: 'load', module: `${a}:hooks` },
      { op: 'apply', module: `${a}:hooks`, function: 'boom' },
    ]);
    const err = await installRelease('1.0.1').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'rolled_back', details: { cause: 'apply_failed' } });
    expect((err as Error).message).toMatch(/boom from hooks 1\.0\.1/);
    expect(moduleInfo(`${again.app}:ticker`).vsn).toBe('1.0.0');
    expect(getModule<{ vsnOf(): string }>(`${again.app}:hooks`).vsnOf()).toBe('1.0.0');
    expect(await GenServer.call('ticker', 'tick')).toBe(1);
  });

  it('suspends and converts a behaviour process outside any supervision tree (OTP would miss it)', async () => {
    const { app } = await setup((a) => [
      loc(a, '1.0.1', ['loner']),
      PONR,
      { op: 'suspend', modules: [`${a}:loner`] },
      { op: 'load', module: `${a}:loner` },
      { op: 'code_change', mode: 'up', modules: [{ module: `${a}:loner`, extra: [] }] },
      { op: 'resume', modules: [`${a}:loner`] },
    ]);
    const { plan } = await checkInstallRelease('1.0.1', { plan: true });
    expect(plan!.suspends).toEqual([
      expect.objectContaining({
        modules: [`${app}:loner`],
        count: 1,
        outsideTrees: 1,
        processes: [expect.objectContaining({ name: 'loner', supervised: false })],
      }),
    ]);
    await installRelease('1.0.1');
    expect(await GenServer.call('loner', 'get')).toEqual({ vsn: '1.0.1', state: { seen: ['1.0.0'] } });
  });

  it('a process suspended twice by one script is converted once and resumed', async () => {
    await setup((a) => [
      loc(a, '1.0.1', ['loner']),
      PONR,
      { op: 'suspend', modules: [`${a}:loner`] },
      { op: 'suspend', modules: [`${a}:loner`, { module: `${a}:loner`, timeout: 100 }] },
      { op: 'load', module: `${a}:loner` },
      { op: 'code_change', mode: 'up', modules: [{ module: `${a}:loner`, extra: [] }] },
      { op: 'resume', modules: [`${a}:loner`] },
    ]);
    const result = await installRelease('1.0.1');
    expect(result.suspendedProcesses).toBe(1);
    expect(await GenServer.call('loner', 'get')).toEqual({ vsn: '1.0.1', state: { seen: ['1.0.0'] } });
    expect((await sys.getStatus('loner')).status).toBe('running');
  });

  it('code_change down gives {down: vsn} (the code returned to), and resume is OTP-compatible', async () => {
    const { app } = await setup(
      (a) => [
        loc(a, '1.0.1', ['loner']),
        PONR,
        { op: 'suspend', modules: [`${a}:loner`] },
        { op: 'load', module: `${a}:loner` },
        { op: 'code_change', mode: 'up', modules: [{ module: `${a}:loner`, extra: [] }] },
        { op: 'resume', modules: [`${a}:loner`] },
      ],
      (a) => [
        loc(a, '1.0.0', ['loner']),
        PONR,
        { op: 'suspend', modules: [`${a}:loner`] },
        // dynamic: the newer code converts down first, then the older code is loaded
        { op: 'code_change', mode: 'down', modules: [{ module: `${a}:loner`, extra: 'x' }] },
        { op: 'load', module: `${a}:loner` },
        { op: 'resume', modules: [`${a}:loner`] },
        { op: 'sync_nodes', id: 'dn', nodes: ['other@host'] },
      ],
    );
    await installRelease('1.0.1');
    await installRelease('1.0.0');
    expect(moduleInfo(`${app}:loner`).vsn).toBe('1.0.0');
    expect(await GenServer.call('loner', 'get')).toEqual({
      vsn: '1.0.0',
      state: { seen: ['1.0.0', { down: '1.0.0' }] },
    });
    expect(logs.matching('this node runs alone and does not wait for other@host')).toHaveLength(1);
    expect((await sys.getStatus('loner')).status).toBe('running');
  });

  it('load_object_code errors come before the point of no return: nothing changes', async () => {
    const { app } = await setup((a) => [loc(a, '9.9.9', ['worker']), PONR]);
    const err = await installRelease('1.0.1').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bad_lib_vsn', details: { expected: '9.9.9', actual: '1.0.1' } });
    expect((err as Error).message).toMatch(/the relup does not match the release, build it again/);
    expect(moduleInfo(`${app}:worker`).vsn).toBe('1.0.0');

    await setup(() => [loc('nosuchapp', '1.0.1', ['x']), PONR]);
    await expect(installRelease('1.0.1')).rejects.toMatchObject({ code: 'no_such_lib' });
    await setup((a) => [loc(a, '1.0.1', ['missing_module']), PONR]);
    await expect(installRelease('1.0.1')).rejects.toMatchObject({ code: 'no_such_file' });
  });

  it('a package whose relup has an instruction where it may not be is refused at unpack, naming it', async () => {
    await setup((a) => [PONR, loc(a, '1.0.1', ['worker'])], undefined, { unpack: false });
    const err = await unpackRelease('1.0.1').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'bad_package' });
    expect((err as Error).message).toMatch(
      /releases\/1\.0\.1\/relup\.json: up\[0\]\.instructions\[1\]: expected load_object_code only before point_of_no_return/,
    );
  });

  it('a supervisor is suspended and converted through its own process (its specs re-read)', async () => {
    const { app } = await setup((a) => [
      PONR,
      { op: 'suspend', modules: [`${a}:top_sup`] },
      { op: 'code_change', mode: 'up', modules: [{ module: `${a}:top_sup`, extra: [] }] },
      { op: 'resume', modules: [`${a}:top_sup`] },
    ]);
    void app;
    const before = await Supervisor.whichChildren('top_sup');
    await installRelease('1.0.1');
    // same specs (the code did not change): children kept, pids kept
    expect(await Supervisor.whichChildren('top_sup')).toEqual(before);
    expect((await sys.getStatus('top_sup')).status).toBe('running');
  });

  it('adds an application (loaded and started) and removes it on the downgrade (stopped, unloaded)', async () => {
    await node?.stop();
    node = undefined;
    const app = `ev${++counter}`;
    const extra = `extra${counter}`;
    const extraDef = {
      name: extra,
      vsn: '1.0.0',
      mod: 'app',
      modules: {
        srv: `import { GenServer, ok, reply, type Proc } from 'hotrel';
import * as Self from './srv';
export function startLink(parent: Proc) { return GenServer.startLink(parent, Self, undefined, { name: 'extra_srv' }); }
export function init() { return ok(0); }
export function handleCall(_r: unknown, _f: unknown, n: number) { return reply(n + 1, n + 1); }`,
        sup: `import * as Srv from './srv';
export function init() { return { children: [{ id: 'srv', start: { module: Srv, function: 'startLink', args: [] } }] }; }`,
        app: `import { Supervisor, type Proc } from 'hotrel';
import * as Sup from './sup';
export function start(_t: 'normal', _a: unknown, master: Proc) { return Supervisor.startLink(master, Sup, undefined); }`,
      },
    };
    const build = path.join(tmpDir(), 'rel');
    const live = path.join(tmpDir(), 'rel');
    const w = workerAppDef(app, '1.0.0', 1);
    const v100: ReleaseDef = { name: 'evrel', vsn: '1.0.0', apps: [{ app: w }] };
    const v101: ReleaseDef = { name: 'evrel', vsn: '1.0.1', apps: [{ app: w }, { app: extraDef }] };
    writeRelease(build, v100);
    writeRelease(build, v101);
    writeRelup(build, v101, [v100]);
    writeRelease(live, v100);
    writePackage(build, '1.0.1', live);
    node = await bootInProcess(live);
    await unpackRelease('1.0.1');
    await installRelease('1.0.1');
    expect(await GenServer.call('extra_srv', 'x')).toBe(1);
    expect(Application.whichApplications().map((a) => a.name)).toContain(extra);
    await installRelease('1.0.0');
    expect(whereis('extra_srv')).toBeUndefined();
    expect(Application.loadedApplications().map((a) => a.name)).not.toContain(extra);
    expect(isLoaded(`${extra}:srv`)).toBe(false);
    // and once more: the application comes back
    await installRelease('1.0.1');
    expect(await GenServer.call('extra_srv', 'x')).toBe(1);
  });
});
