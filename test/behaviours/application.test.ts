import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exit, isAlive, type Pid, type Proc } from '../../src/runtime';
import { Application, GenServer, ok, reply, Supervisor, sys, type From } from '../../src/behaviours';
import type { ApplicationExitEvent, ApplicationSpec, NodeStopEvent } from '../../src/behaviours/application';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture';

let events: string[] = [];
let nodeStops: NodeStopEvent[] = [];
let stopListening: () => void;
let logs: CapturedLogs;

beforeEach(() => {
  events = [];
  nodeStops = [];
  stopListening = Application.onNodeStop((e) => nodeStops.push(e));
  logs = captureLogs();
});

afterEach(async () => {
  await Application.stopAll();
  for (const { name } of Application.loadedApplications()) Application.unload(name);
  stopListening();
  logs.restore();
});

/** A worker that can be told to crash or to stop normally. */
const Worker = {
  startLink: (parent: Proc, name: string) => GenServer.startLink(parent, Worker, name, { name }),
  init(name: string, self: Proc) {
    self.trapExit(true);
    return ok(name);
  },
  handleCall(req: 'crash' | 'ping', _from: From<string>, state: string) {
    if (req === 'crash') throw new Error(`${state} crashed`);
    return reply('pong', state);
  },
  terminate(_reason: unknown, state: string) {
    events.push(`worker ${state} stopped`);
  },
};

/** An application whose top supervisor gives up at the first crash (intensity 0). */
function appSpec(name: string, extra: Partial<ApplicationSpec> = {}): ApplicationSpec {
  const TopSup = {
    init: () => ({
      strategy: 'one_for_one' as const,
      intensity: 0,
      children: [
        { id: 'worker', start: { module: Worker, function: 'startLink', args: [`${name}_worker`] } },
      ],
    }),
  };
  return {
    name,
    vsn: '1.0.0',
    description: `the ${name} application`,
    modules: [`${name}:index`],
    registered: [`${name}_worker`],
    applications: [],
    mod: {
      module: {
        start(_type: 'normal', args: unknown, master: Proc) {
          events.push(`${name} start ${String(args)}`);
          return Supervisor.startLink(master, TopSup, undefined);
        },
        prepStop(state: unknown) {
          events.push(`${name} prepStop`);
          return state;
        },
        stop() {
          events.push(`${name} stop`);
        },
      },
      args: 'args',
    },
    env: { k: 1 },
    ...extra,
  };
}

function crashWorker(app: string): Promise<unknown> {
  return GenServer.call(`${app}_worker`, 'crash').catch(() => undefined);
}

/** Resolves once `name` has exited on its own and the controller has applied its start type. */
function exitOfApp(name: string): Promise<ApplicationExitEvent> {
  return new Promise((resolve) => {
    const remove = Application.onApplicationExit((event) => {
      if (event.application !== name) return;
      remove();
      resolve(event);
    });
  });
}

describe('loading', () => {
  it('rejects invalid metadata with every problem named, and loads nothing', () => {
    expect(() =>
      Application.load({
        name: 'bad',
        vsn: '',
        description: 'x',
        modules: 'nope',
        registered: [],
        applications: [],
      } as never),
    ).toThrow(/invalid application spec for bad: vsn: must not be empty; modules: /);
    expect(() =>
      Application.load({ ...appSpec('bad2'), mod: { module: { notStart: true } } } as never),
    ).toThrow(/mod.module: must be the callback module object/);
    expect(Application.loadedApplications()).toEqual([]);
  });

  it('loads env from the spec, overridden by config; getEnv/setEnv/unsetEnv', () => {
    Application.load(appSpec('cfg', { env: { a: 1, b: 2 } }), { b: 3 });
    expect(Application.getAllEnv('cfg')).toEqual({ a: 1, b: 3 });
    expect(Application.getEnv('cfg', 'b')).toBe(3);
    expect(Application.getEnv('cfg', 'missing', 'fallback')).toBe('fallback');
    Application.setEnv('cfg', 'c', { nested: true });
    Application.unsetEnv('cfg', 'a');
    expect(Application.getAllEnv('cfg')).toEqual({ b: 3, c: { nested: true } });
    expect(() => Application.setEnv('unloaded', 'x', 1)).toThrow(/not loaded; call Application.load/);
    expect(Application.load(appSpec('cfg'))).toEqual({ kind: 'error', reason: { alreadyLoaded: 'cfg' } });
  });
});

describe('metadata from the data model', () => {
  it('specFromApp resolves the callback module id; optional applications that are not loaded are skipped', async () => {
    const started: string[] = [];
    const module = {
      start: (_t: 'normal', args: unknown, master: Proc) => {
        started.push(String(args));
        return Supervisor.startLink(master, { init: () => ({ children: [] }) }, undefined);
      },
    };
    const app = {
      name: 'modelled',
      vsn: '1.0.0',
      description: 'from an .app.json',
      modules: ['modelled:index'],
      registered: [],
      applications: ['maybe'],
      includedApplications: [],
      optionalApplications: ['maybe'],
      mod: { module: 'modelled:index', args: 'from-model' },
      env: { k: 1 },
    };
    const spec = Application.specFromApp(app, (id) => {
      expect(id).toBe('modelled:index');
      return module;
    });
    Application.load(spec);
    expect(await Application.ensureAllStarted('modelled')).toEqual({ kind: 'ok', started: ['modelled'] });
    expect(started).toEqual(['from-model']);
    expect(Application.getEnv('modelled', 'k')).toBe(1);
  });
});

describe('starting and stopping', () => {
  it('starts an application tree; its top supervisor is reachable; stop runs prepStop, the tree, stop', async () => {
    Application.load(appSpec('alpha'));
    expect(await Application.start('alpha')).toEqual({ kind: 'ok' });
    const top = Application.topSupervisor('alpha')!;
    expect((await Supervisor.whichChildren(top)).map((c) => c.id)).toEqual(['worker']);
    expect(Application.whichApplications()).toEqual([
      { name: 'alpha', description: 'the alpha application', vsn: '1.0.0' },
    ]);
    expect(await Application.start('alpha')).toEqual({ kind: 'error', reason: { alreadyStarted: 'alpha' } });
    expect(await Application.stop('alpha')).toEqual({ kind: 'ok' });
    expect(events).toEqual([
      'alpha start args',
      'alpha prepStop',
      'worker alpha_worker stopped',
      'alpha stop',
    ]);
    expect(isAlive(top)).toBe(false);
    expect(Application.whichApplications()).toEqual([]);
    expect(nodeStops).toEqual([]);
  });

  it('requires its applications to be started; ensureAllStarted starts them in dependency order', async () => {
    Application.load(appSpec('base'));
    Application.load(appSpec('lib', { mod: undefined, applications: ['base'] }));
    Application.load(appSpec('top', { applications: ['lib', 'base'] }));
    expect(await Application.start('top')).toEqual({ kind: 'error', reason: { notStarted: 'lib' } });
    expect(await Application.ensureAllStarted('top')).toEqual({
      kind: 'ok',
      started: ['base', 'lib', 'top'],
    });
    expect(Application.whichApplications().map((a) => a.name)).toEqual(['top', 'lib', 'base']);
    expect(Application.topSupervisor('lib')).toBeUndefined();
  });

  it('ensureAllStarted stops what it started when one fails, and names a missing or circular dependency', async () => {
    Application.load(appSpec('dep'));
    Application.load(
      appSpec('broken', {
        applications: ['dep'],
        mod: { module: { start: () => ({ kind: 'error', reason: 'no database' }) } },
      }),
    );
    const result = await Application.ensureAllStarted('broken');
    expect(result).toEqual({ kind: 'error', reason: { startFailed: 'broken', reason: 'no database' } });
    expect(Application.whichApplications()).toEqual([]);
    Application.load(appSpec('needs', { applications: ['ghost'] }));
    expect(
      String(((await Application.ensureAllStarted('needs')) as { reason: Error }).reason.message),
    ).toMatch(/ghost is needed by needs but not loaded/);
    Application.load(appSpec('c1', { applications: ['c2'] }));
    Application.load(appSpec('c2', { applications: ['c1'] }));
    expect(() => Application.startOrder('c1')).toThrow(/circular application dependency: c1 -> c2 -> c1/);
  });
});

describe('start types when an application exits', () => {
  it('permanent: the other applications are stopped and the node must stop', async () => {
    Application.load(appSpec('other'));
    Application.load(appSpec('vital'));
    await Application.start('other', 'temporary');
    await Application.start('vital', 'permanent');
    const exited = exitOfApp('vital');
    await crashWorker('vital');
    expect(await exited).toMatchObject({ nodeStopped: true, reason: 'shutdown' });
    expect(nodeStops).toHaveLength(1);
    expect(nodeStops[0]).toMatchObject({ application: 'vital', type: 'permanent', reason: 'shutdown' });
    expect(Application.whichApplications()).toEqual([]);
    expect(events).toContain('other stop');
  });

  it('transient: an abnormal exit stops the node, a normal one is only reported', async () => {
    Application.load(appSpec('bystander'));
    Application.load(appSpec('flaky'));
    await Application.start('bystander');
    await Application.start('flaky', 'transient');
    const flakyExit = exitOfApp('flaky');
    await crashWorker('flaky');
    expect((await flakyExit).nodeStopped).toBe(true);
    expect(nodeStops.map((e) => [e.application, e.type])).toEqual([['flaky', 'transient']]);

    nodeStops = [];
    const NormalSup = { init: () => ({ children: [] }) };
    Application.load(appSpec('quiet'));
    Application.load(
      appSpec('fleeting', {
        mod: {
          module: {
            start: (_t: 'normal', _a: unknown, m: Proc) => Supervisor.startLink(m, NormalSup, undefined),
          },
        },
      }),
    );
    await Application.start('quiet');
    await Application.start('fleeting', 'transient');
    const fleetingExit = exitOfApp('fleeting');
    await GenServer.stop(Application.topSupervisor('fleeting')!, 'normal');
    expect(await fleetingExit).toMatchObject({ reason: 'normal', nodeStopped: false });
    expect(nodeStops).toEqual([]);
    expect(Application.whichApplications().map((a) => a.name)).toEqual(['quiet']);
  });

  it('temporary: the exit is only reported', async () => {
    Application.load(appSpec('keeps'));
    Application.load(appSpec('passing'));
    await Application.start('keeps');
    await Application.start('passing', 'temporary');
    const passingExit = exitOfApp('passing');
    await crashWorker('passing');
    expect((await passingExit).nodeStopped).toBe(false);
    expect(nodeStops).toEqual([]);
    expect(Application.whichApplications().map((a) => a.name)).toEqual(['keeps']);
    expect(logs.matching('application passing exited with reason shutdown (type temporary)')).toHaveLength(1);
  });
});

describe('config change (otp/semantics.md §7.6)', () => {
  function withConfigChange(
    name: string,
    calls: unknown[][],
    extra: Partial<ApplicationSpec> = {},
  ): ApplicationSpec {
    const spec = appSpec(name, extra);
    return {
      ...spec,
      mod: {
        ...spec.mod!,
        module: { ...spec.mod!.module, configChange: (...args: unknown[]) => void calls.push(args) },
      },
    };
  }

  it('up: [{k,1}] -> [{k,2},{newk,x}] gives configChange({k:2}, {newk:x}, []); down reverses it', async () => {
    const calls: unknown[][] = [];
    Application.load(withConfigChange('srv', calls));
    await Application.start('srv');
    const before = Application.prepConfigChange();
    Application.setEnv('srv', 'k', 2);
    Application.setEnv('srv', 'newk', 'x');
    expect(await Application.configChange(before)).toEqual([]);
    expect(calls).toEqual([[{ k: 2 }, { newk: 'x' }, []]]);
    const up = Application.prepConfigChange();
    Application.setEnv('srv', 'k', 1);
    Application.unsetEnv('srv', 'newk');
    await Application.configChange(up);
    expect(calls[1]).toEqual([{ k: 1 }, {}, ['newk']]);
  });

  it('no diff, no call; an app not running at the snapshot gets all its env as added; missing callbacks are ok', async () => {
    const calls: unknown[][] = [];
    Application.load(withConfigChange('steady', calls));
    Application.load(withConfigChange('late', calls, { env: { a: 1, b: [1, 2] } }));
    Application.load(appSpec('plain'));
    await Application.start('steady');
    await Application.start('plain');
    const before = Application.prepConfigChange();
    await Application.start('late');
    Application.setEnv('plain', 'k', 99);
    expect(await Application.configChange(before)).toEqual([]);
    expect(calls).toEqual([[{}, { a: 1, b: [1, 2] }, []]]);
  });

  it('collects a failing callback instead of throwing', async () => {
    const spec = appSpec('grumpy');
    Application.load({
      ...spec,
      mod: {
        ...spec.mod!,
        module: {
          ...spec.mod!.module,
          configChange: () => {
            throw new Error('cannot reload');
          },
        },
      },
    });
    await Application.start('grumpy');
    const before = Application.prepConfigChange();
    Application.setEnv('grumpy', 'k', 2);
    const failures = await Application.configChange(before);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.application).toBe('grumpy');
  });

  it('changeApplicationData replaces specs and env of loaded applications (setEnv values are lost)', () => {
    Application.load(appSpec('data', { env: { a: 1 } }));
    Application.setEnv('data', 'manual', true);
    Application.changeApplicationData(
      [appSpec('data', { vsn: '2.0.0', env: { a: 2, b: 1 } }), appSpec('notloaded')],
      {
        data: { b: 5 },
      },
    );
    expect(Application.getSpec('data')!.vsn).toBe('2.0.0');
    expect(Application.getAllEnv('data')).toEqual({ a: 2, b: 5 });
    expect(Application.getSpec('notloaded')).toBeUndefined();
  });
});

describe('processes using a module', () => {
  it('walks every running tree (nested and dynamic children), reports suspended supervisors, and finds outsiders', async () => {
    const Helper = { helper: true };
    const Dyn = {
      startLink: (parent: Proc, id: string) => GenServer.startLink(parent, Worker, id),
    };
    const PoolSup = {
      init: () => ({
        strategy: 'simple_one_for_one' as const,
        children: [
          { id: 'w', start: { module: Dyn, function: 'startLink', args: [] }, modules: 'dynamic' as const },
        ],
      }),
    };
    const TopSup = {
      init: () => ({
        children: [
          {
            id: 'main',
            start: { module: Worker, function: 'startLink', args: ['main_worker'] },
            modules: [Worker, Helper],
          },
          {
            id: 'pool',
            type: 'supervisor' as const,
            start: {
              module: {
                startLink: (p: Proc) => Supervisor.startLink(p, PoolSup, undefined, { name: 'pool' }),
              },
              function: 'startLink',
            },
          },
        ],
      }),
    };
    Application.load({
      ...appSpec('tree'),
      mod: {
        module: { start: (_t: 'normal', _a: unknown, m: Proc) => Supervisor.startLink(m, TopSup, undefined) },
      },
    });
    await Application.start('tree');
    const pooled = GenServer.pidOf(await Supervisor.startChild('pool', ['pooled']));
    const outsider = GenServer.pidOf(await GenServer.start(Worker, 'outsider'));

    const usingWorker = await Application.processesUsing(Worker);
    const byPid = (pid: Pid) => usingWorker.processes.find((p) => p.pid.equals(pid));
    expect(usingWorker.processes.map((p) => p.pid)).toHaveLength(3);
    expect(byPid(outsider)).toMatchObject({
      supervised: false,
      behaviour: 'gen_server',
      application: undefined,
    });
    expect(byPid(pooled)).toMatchObject({ supervised: true, application: 'tree', modules: [Worker] });
    const main = usingWorker.processes.find((p) => p.id === 'main')!;
    expect(main).toMatchObject({ supervisor: Application.topSupervisor('tree'), modules: [Worker, Helper] });

    expect((await Application.processesUsing(Helper)).processes.map((p) => p.id)).toEqual(['main']);
    expect((await Application.processesUsing(PoolSup)).processes.map((p) => p.id)).toEqual(['pool']);

    await sys.suspend('pool');
    const scan = await Application.processesUsing(Worker);
    expect(scan.suspendedSupervisors).toHaveLength(1);
    expect(scan.processes.some((p) => p.pid.equals(pooled) && p.supervised)).toBe(false);
    await sys.resume('pool');
    exit(outsider, 'kill');
  });
});
