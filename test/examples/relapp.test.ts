/**
 * examples/relapp (after relapp1, the appup plugin's regression app): 1.0.0 built and run as a
 * real node (in a live root, under heart) and checked through rpc and eval; 1.0.1 and 1.0.2 built
 * beside it, each with the modules its hop adds; then the node upgraded hop by hop with `hotrel
 * upgrade-pack` and `bin/relapp upgrade` (a supervised worker added and started, a state change,
 * a module added, a library and its caller) and downgraded back to 1.0.0, while a client keeps
 * calling the server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyVersion,
  build,
  callLoad,
  copyExample,
  evaluate,
  expectBuilt,
  moveTo,
  nodePid,
  rpc,
  startDaemon,
  statuses,
  stopDaemon,
  upgradePack,
  type Example,
  type Load,
} from '../helpers/examples';
import { bin } from '../helpers/project';

let ex: Example;

const children = () =>
  evaluate(ex, '(await Supervisor.whichChildren("relapp_sup")).map((c) => c.id).sort()') as string[];
const modulesOf = (vsn: string) =>
  (
    JSON.parse(fs.readFileSync(path.join(ex.root, 'lib', `relapp-${vsn}`, 'relapp.app.json'), 'utf8')) as {
      modules: string[];
    }
  ).modules.sort();

beforeAll(() => {
  ex = copyExample('relapp');
  build(ex);
  startDaemon(ex, '1.0.0');
}, 120_000);

afterAll(() => stopDaemon(ex));

describe('examples/relapp', () => {
  it('1.0.0 runs: a supervised server with state, and a library module', () => {
    expect(children()).toEqual(['srv']);
    expect(rpc(ex, 'relapp:srv', 'setId', 42)).toBe('ok');
    expect(rpc(ex, 'relapp:srv', 'getState')).toEqual({ id: 42 });
    expect(rpc(ex, 'relapp:m1', 'test')).toBe('ok');
    expect(evaluate(ex, '[isLoaded("relapp:srv2"), isLoaded("relapp:m2")]')).toEqual([false, false]);
    expect(modulesOf('1.0.0')).toEqual(['relapp:app', 'relapp:m1', 'relapp:srv', 'relapp:sup']);
  });

  it('builds 1.0.1 (a supervised worker added, a state change) and 1.0.2 (a module added, a library and its caller changed) beside it, each with its upgrade package', () => {
    applyVersion(ex, '1.0.1');
    const p101 = upgradePack(ex); // hotrel release, appup generate, relup, tar
    expect(p101.output).toMatch(
      /update sup modType="static" change=\{"advanced":\{"reconcileChildren":true\}\}/,
    );
    expect(p101.output).toContain('children added: srv2 (started)');
    expectBuilt(ex, '1.0.1', { relapp: '1.0.1' });
    expect(modulesOf('1.0.1')).toEqual([
      'relapp:app',
      'relapp:m1',
      'relapp:srv',
      'relapp:srv2',
      'relapp:sup',
    ]);

    applyVersion(ex, '1.0.2');
    const p102 = upgradePack(ex);
    expect(p102.output).toContain('relup of 1.0.2: up from and down to 1.0.1, 1.0.0');
    expect(p102.output).toMatch(/update srv change=\{"advanced":\[\]\} deps=\["m1"\]/);
    expect(p102.output).toMatch(/add_module m2/);
    expectBuilt(ex, '1.0.2', { relapp: '1.0.2' });
    expect(modulesOf('1.0.2')).toEqual([
      'relapp:app',
      'relapp:m1',
      'relapp:m2',
      'relapp:srv',
      'relapp:srv2',
      'relapp:sup',
    ]);
    expectBuilt(ex, '1.0.0', { relapp: '1.0.0' });
    // The node still runs 1.0.0, untouched.
    expect(rpc(ex, 'relapp:srv', 'getState')).toEqual({ id: 42 });
  }, 120_000);

  describe('upgrade live 1.0.0 -> 1.0.1 -> 1.0.2 and back', () => {
    let pid: number;
    let srv: string;
    let srv2: string;
    let load: Load;
    const pidOf = (name: string) => evaluate(ex, `String(whereis(${JSON.stringify(name)}))`) as string;
    const loaded = (id: string) => evaluate(ex, `isLoaded(${JSON.stringify(id)})`) as boolean;
    /** What `rpc relapp:srv test` says when the running srv has no `test` (1.0.0 and 1.0.1). */
    const noTest = () => {
      const r = bin(ex.live, ex.rel, ['rpc', 'relapp:srv', 'test', '"x"']);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('relapp:srv does not export a function test');
    };

    it('1.0.0 -> 1.0.1 under a calling client: srv2 added and started, srv state converted in the same process', async () => {
      // A client that keeps setting srv's id and reading it back, whatever the state's shape.
      load = await callLoad(ex, (i) =>
        i % 2 === 0
          ? {
              args: ['relapp:srv', 'setId', 1000 + i],
              check: (a) => (a === 'ok' ? undefined : `setId: ${String(a)}`),
            }
          : {
              args: ['relapp:srv', 'getState'],
              check: (a) =>
                (a as { id?: number }).id === 1000 + i - 1
                  ? undefined
                  : `getState: ${JSON.stringify(a)} after setId ${1000 + i - 1}`,
            },
      );
      pid = nodePid(ex);
      srv = pidOf('relapp_srv');
      await load.more(10);
      const up = await moveTo(ex, 'upgrade', '1.0.1');
      expect(up.stdout).toMatch(/^relapp upgraded 1\.0\.0 -> 1\.0\.1 .*; 1\.0\.1 is permanent/);
      await load.more(10);
      const { failures } = await load.stop();
      expect(failures).toEqual([]);

      expect(children()).toEqual(['srv', 'srv2']);
      srv2 = pidOf('relapp_srv2');
      expect(srv2).toMatch(/^<0\.\d+\.0>$/);
      expect(rpc(ex, 'relapp:srv2', 'bump')).toBe(1);
      expect(rpc(ex, 'relapp:srv', 'setId', 42)).toBe('ok');
      expect(rpc(ex, 'relapp:srv', 'getState')).toEqual({ id: 42, name: '', description: '' });
      expect(rpc(ex, 'relapp:srv', 'setName', 'ada')).toBe('ok');
      expect(pidOf('relapp_srv')).toBe(srv);
      noTest();
      expect(statuses(ex)).toEqual({ '1.0.1': 'permanent', '1.0.0': 'old' }); // 1.0.2's package waits in releases/
    }, 60_000);

    it('1.0.1 -> 1.0.2: m2 added, m1 and its caller srv changed together', async () => {
      const up = await moveTo(ex, 'upgrade', '1.0.2');
      expect(up.stdout).toMatch(/^relapp upgraded 1\.0\.1 -> 1\.0\.2 .*; 1\.0\.2 is permanent/);
      expect(rpc(ex, 'relapp:m2', 'test')).toBe('ok from m2');
      expect(rpc(ex, 'relapp:m1', 'test', 'arg')).toEqual({ ok: 'arg' });
      expect(rpc(ex, 'relapp:srv', 'test', 'arg')).toEqual({ ok: 'arg' });
      expect(rpc(ex, 'relapp:srv', 'getState')).toEqual({ id: 42, name: 'ada', description: '' });
      expect(rpc(ex, 'relapp:srv2', 'bump')).toBe(2);
      expect([pidOf('relapp_srv'), pidOf('relapp_srv2')]).toEqual([srv, srv2]);
      expect(statuses(ex)).toEqual({ '1.0.2': 'permanent', '1.0.1': 'old', '1.0.0': 'old' });
    }, 60_000);

    it('1.0.2 -> 1.0.1: m2 removed, m1 and srv back', async () => {
      const down = await moveTo(ex, 'downgrade', '1.0.1');
      expect(down.stdout).toMatch(/^relapp downgraded 1\.0\.2 -> 1\.0\.1 .*; 1\.0\.1 is permanent/);
      expect(loaded('relapp:m2')).toBe(false);
      expect(rpc(ex, 'relapp:m1', 'test')).toBe('ok');
      noTest();
      expect(rpc(ex, 'relapp:srv', 'getState')).toEqual({ id: 42, name: 'ada', description: '' });
      expect(rpc(ex, 'relapp:srv2', 'bump')).toBe(3);
      expect([pidOf('relapp_srv'), pidOf('relapp_srv2')]).toEqual([srv, srv2]);
    }, 60_000);

    it('1.0.1 -> 1.0.0 under a calling client: srv2 stopped and removed, srv state back to { id }', async () => {
      load = await callLoad(ex, () => ({
        args: ['relapp:srv', 'getState'],
        check: (a) => ((a as { id?: number }).id === 42 ? undefined : `getState: ${JSON.stringify(a)}`),
      }));
      await load.more(10);
      const down = await moveTo(ex, 'downgrade', '1.0.0');
      expect(down.stdout).toMatch(/^relapp downgraded 1\.0\.1 -> 1\.0\.0 .*; 1\.0\.0 is permanent/);
      await load.more(10);
      const { failures } = await load.stop();
      expect(failures).toEqual([]);

      expect(children()).toEqual(['srv']);
      expect(pidOf('relapp_srv2')).toBe('undefined');
      expect(loaded('relapp:srv2')).toBe(false);
      expect(rpc(ex, 'relapp:srv', 'getState')).toEqual({ id: 42 });
      expect(rpc(ex, 'relapp:m1', 'test')).toBe('ok');
      expect(pidOf('relapp_srv')).toBe(srv);
      expect(statuses(ex)).toEqual({ '1.0.2': 'old', '1.0.1': 'old', '1.0.0': 'permanent' });
      // intensity 0: had any child crashed on the way, the node would have restarted (heart)
      expect(nodePid(ex)).toBe(pid);
    }, 60_000);
  });
});
