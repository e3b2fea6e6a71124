import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exit, isAlive, lookupProcess, type ExitReason, type Pid, type Proc } from '../../src/runtime';
import {
  behaviourOf,
  GenServer,
  ignore,
  ok,
  reply,
  stop,
  Supervisor,
  sys,
  type From,
} from '../../src/behaviours';
import { exitOf, inProcess } from '../helpers/process';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture';

/** What the workers of these tests did, in order. */
let events: string[] = [];
let logs: CapturedLogs;
const tops: Pid[] = [];

beforeEach(() => {
  events = [];
  logs = captureLogs();
});
afterEach(() => {
  for (const pid of tops.splice(0)) exit(pid, 'kill');
  logs.restore();
});

interface WorkerOptions {
  /** Take this long in terminate. */
  slowTerminate?: number;
  /** How init behaves. */
  init?: 'ok' | 'fail' | 'ignore';
}

/**
 * A worker module: a GenServer that records init/terminate; `crash` makes it throw. It traps
 * exits, so a supervisor's shutdown runs its terminate (without trapping, OTP's too just dies).
 */
const Worker = {
  startLink(parent: Proc, id: string, options: WorkerOptions = {}) {
    return GenServer.startLink(parent, Worker, { id, options });
  },
  init({ id, options }: { id: string; options: WorkerOptions }, self: Proc) {
    if (options.init === 'fail') {
      events.push(`init-fail ${id}`);
      return stop({ cannotStart: id });
    }
    if (options.init === 'ignore') return ignore();
    self.trapExit(true);
    events.push(`start ${id}`);
    return ok({ id, options });
  },
  handleCall(
    req: 'crash' | 'id' | 'quit',
    _from: From<string>,
    state: { id: string; options: WorkerOptions },
  ) {
    if (req === 'crash') throw new Error(`${state.id} crashed`);
    if (req === 'quit') return stop('normal', state, { reply: 'bye' });
    return reply(state.id, state);
  },
  async terminate(reason: ExitReason, state: { id: string; options: WorkerOptions }, self: Proc) {
    if (state.options.slowTerminate !== undefined) await self.sleep(state.options.slowTerminate);
    events.push(`stop ${state.id} ${typeof reason === 'string' ? reason : 'error'}`);
  },
};

function worker(
  id: string,
  extra: Partial<Supervisor.ChildSpec> = {},
  options: WorkerOptions = {},
): Supervisor.ChildSpec {
  return { id, start: { module: Worker, function: 'startLink', args: [id, options] }, ...extra };
}

function supModule(init: () => Supervisor.SupervisorInit) {
  return { init };
}

async function startSup(init: () => Supervisor.SupervisorInit, name?: string): Promise<Pid> {
  const pid = GenServer.pidOf(
    await Supervisor.start(supModule(init), undefined, name ? { name } : undefined),
  );
  tops.push(pid);
  return pid;
}

async function pidOfChild(sup: Pid, id: string): Promise<Pid> {
  const child = (await Supervisor.whichChildren(sup)).find((c) => c.id === id);
  if (child === undefined || typeof child.pid !== 'object') throw new Error(`child ${id} is not running`);
  return child.pid;
}

/** Crashes a child and waits until its supervisor has handled the exit. */
async function crash(sup: Pid, pid: Pid): Promise<void> {
  const exited = exitOf(pid);
  await GenServer.call(pid, 'crash').catch(() => undefined);
  await exited;
  await Supervisor.countChildren(sup); // a call queued after the EXIT: the restart is done
}

describe('Supervisor start', () => {
  it('starts children in order and reports them last started first (OTP order)', async () => {
    const sup = await startSup(() => ({
      strategy: 'one_for_one',
      children: [worker('a'), worker('b'), worker('c')],
    }));
    expect(events).toEqual(['start a', 'start b', 'start c']);
    const children = await Supervisor.whichChildren(sup);
    expect(children.map((c) => c.id)).toEqual(['c', 'b', 'a']);
    expect(children.every((c) => typeof c.pid === 'object' && c.type === 'worker')).toBe(true);
    expect(await Supervisor.countChildren(sup)).toEqual({ specs: 3, active: 3, supervisors: 0, workers: 3 });
  });

  it('a child failing to start stops those already started and fails the supervisor start', async () => {
    const result = await Supervisor.start(
      supModule(() => ({ children: [worker('a'), worker('b', {}, { init: 'fail' }), worker('c')] })),
      undefined,
    );
    expect(result).toEqual({
      kind: 'error',
      reason: { shutdown: { failedToStartChild: 'b', reason: { cannotStart: 'b' } } },
    });
    expect(events).toEqual(['start a', 'init-fail b', 'stop a shutdown']);
    expect(logs.matching('start_error of child b')).toHaveLength(1);
  });

  it('rejects invalid flags and specs with a clear reason, starting nothing', async () => {
    const badShutdown = await Supervisor.start(
      supModule(() => ({ children: [worker('a', { shutdown: 'brutal_kil' as never })] })),
      undefined,
    );
    expect(badShutdown.kind).toBe('error');
    expect(String((badShutdown as { reason: { startSpec: Error } }).reason.startSpec.message)).toMatch(
      /invalid shutdown brutal_kil: child a: expected brutal_kill, infinity/,
    );
    const badStrategy = await Supervisor.start(
      supModule(() => ({ strategy: 'one_for_none' as never, children: [] })),
      undefined,
    );
    expect(
      String((badStrategy as { reason: { supervisorData: Error } }).reason.supervisorData.message),
    ).toMatch(/invalid strategy/);
    const duplicate = Supervisor.checkChildSpecs([worker('a'), worker('a')]);
    expect(duplicate.kind).toBe('error');
    expect(events).toEqual([]);
  });

  it('an ignored child is kept without a process (a temporary one is dropped)', async () => {
    const sup = await startSup(() => ({
      children: [
        worker('kept', {}, { init: 'ignore' }),
        worker('gone', { restart: 'temporary' }, { init: 'ignore' }),
      ],
    }));
    expect(await Supervisor.whichChildren(sup)).toEqual([
      { id: 'kept', pid: undefined, type: 'worker', modules: [Worker] },
    ]);
  });
});

describe('restart strategies', () => {
  it('one_for_one restarts only the crashed child', async () => {
    const sup = await startSup(() => ({
      strategy: 'one_for_one',
      intensity: 5,
      children: [worker('a'), worker('b')],
    }));
    const [a, b] = [await pidOfChild(sup, 'a'), await pidOfChild(sup, 'b')];
    events = [];
    await crash(sup, a);
    expect(events).toEqual(['stop a error', 'start a']);
    expect(await pidOfChild(sup, 'a')).not.toEqual(a);
    expect(await pidOfChild(sup, 'b')).toEqual(b);
    expect(logs.matching('child_terminated of child a')).toHaveLength(1);
  });

  it('one_for_all stops the others last-started-first, then starts all in order', async () => {
    const sup = await startSup(() => ({
      strategy: 'one_for_all',
      intensity: 5,
      children: [worker('a'), worker('b'), worker('c')],
    }));
    const b = await pidOfChild(sup, 'b');
    events = [];
    await crash(sup, b);
    expect(events).toEqual([
      'stop b error',
      'stop c shutdown',
      'stop a shutdown',
      'start a',
      'start b',
      'start c',
    ]);
  });

  it('rest_for_one restarts the crashed child and those started after it', async () => {
    const sup = await startSup(() => ({
      strategy: 'rest_for_one',
      intensity: 5,
      children: [worker('a'), worker('b'), worker('c')],
    }));
    const a = await pidOfChild(sup, 'a');
    const b = await pidOfChild(sup, 'b');
    events = [];
    await crash(sup, b);
    expect(events).toEqual(['stop b error', 'stop c shutdown', 'start b', 'start c']);
    expect(await pidOfChild(sup, 'a')).toEqual(a);
  });

  it('restart types: permanent always, transient only after an abnormal exit, temporary never', async () => {
    const sup = await startSup(() => ({
      intensity: 10,
      children: [worker('p'), worker('t', { restart: 'transient' }), worker('tmp', { restart: 'temporary' })],
    }));
    // A normal exit: permanent restarts, transient and temporary do not.
    for (const id of ['p', 't', 'tmp']) {
      const pid = await pidOfChild(sup, id);
      const exited = exitOf(pid);
      await GenServer.call(pid, 'quit');
      await exited;
    }
    await Supervisor.countChildren(sup);
    const after = await Supervisor.whichChildren(sup);
    expect(after.map((c) => [c.id, typeof c.pid])).toEqual([
      ['t', 'undefined'],
      ['p', 'object'],
    ]);
    // An abnormal exit restarts the transient child.
    await Supervisor.restartChild(sup, 't');
    events = [];
    await crash(sup, await pidOfChild(sup, 't'));
    expect(events).toEqual(['stop t error', 'start t']);
  });

  it('a crash loop beyond the intensity makes the supervisor stop its children and exit with shutdown', async () => {
    const sup = await startSup(() => ({ intensity: 2, period: 60, children: [worker('a'), worker('b')] }));
    const supExit = exitOf(sup);
    for (let i = 0; i < 2; i++) await crash(sup, await pidOfChild(sup, 'a'));
    expect(isAlive(sup)).toBe(true);
    const b = await pidOfChild(sup, 'b');
    const a = await pidOfChild(sup, 'a');
    await GenServer.call(a, 'crash').catch(() => undefined);
    expect(await supExit).toBe('shutdown');
    expect(isAlive(b)).toBe(false);
    expect(events.slice(-1)).toEqual(['stop b shutdown']);
    expect(logs.matching('reached_max_restart_intensity')).toHaveLength(1);
  });

  it('a child that cannot be restarted is retried and marked restarting until the intensity is reached', async () => {
    let failStarts = false;
    const Flaky = {
      startLink(parent: Proc, id: string) {
        return Worker.startLink(parent, id, failStarts ? { init: 'fail' } : {});
      },
    };
    const sup = await startSup(() => ({
      intensity: 3,
      period: 60,
      children: [{ id: 'f', start: { module: Flaky, function: 'startLink', args: ['f'] } }],
    }));
    const supExit = exitOf(sup);
    failStarts = true;
    await GenServer.call(await pidOfChild(sup, 'f'), 'crash').catch(() => undefined);
    expect(await supExit).toBe('shutdown');
    expect(events.filter((e) => e === 'init-fail f')).toHaveLength(3);
    expect(logs.matching('start_error of child f')).toHaveLength(3);
  });

  it('restarts resolve the MFA through the module object, so a restart after an upgrade runs new code', async () => {
    const Mod = {
      startLink(parent: Proc, id: string) {
        return Worker.startLink(parent, `${id}-v1`);
      },
    };
    const sup = await startSup(() => ({
      intensity: 5,
      children: [{ id: 'w', start: { module: Mod, function: 'startLink', args: ['w'] } }],
    }));
    Mod.startLink = (parent: Proc, id: string) => Worker.startLink(parent, `${id}-v2`);
    await crash(sup, await pidOfChild(sup, 'w'));
    expect(await GenServer.call(await pidOfChild(sup, 'w'), 'id')).toBe('w-v2');
  });
});

describe('shutdown', () => {
  it('brutal_kill kills at once (no terminate); a timeout waits for terminate; infinity waits as long as it takes', async () => {
    const sup = await startSup(() => ({
      children: [
        worker('inf', { shutdown: 'infinity' }, { slowTerminate: 50 }),
        worker('timed', { shutdown: 500 }, { slowTerminate: 10 }),
        worker('brutal', { shutdown: 'brutal_kill' }, { slowTerminate: 10 }),
      ],
    }));
    events = [];
    await GenServer.stop(sup, 'shutdown');
    expect(events).toEqual(['stop timed shutdown', 'stop inf shutdown']);
  });

  it('a child slower than its shutdown time is killed, and that is reported', async () => {
    const sup = await startSup(() => ({
      children: [worker('slow', { shutdown: 20 }, { slowTerminate: 5000 })],
    }));
    const child = await pidOfChild(sup, 'slow');
    expect(await Supervisor.terminateChild(sup, 'slow')).toEqual({ kind: 'ok' });
    expect(isAlive(child)).toBe(false);
    expect(events).not.toContain('stop slow shutdown');
    expect(logs.matching('shutdown_error of child slow: killed')).toHaveLength(1);
  });

  it('nested supervisors shut down depth first, each in reverse start order', async () => {
    const Inner = supModule(() => ({ children: [worker('i1'), worker('i2')] }));
    const sup = await startSup(() => ({
      children: [
        worker('o1'),
        {
          id: 'inner',
          type: 'supervisor',
          start: {
            module: { startLink: (p: Proc) => Supervisor.startLink(p, Inner, undefined) },
            function: 'startLink',
          },
        },
        worker('o2'),
      ],
    }));
    expect(events).toEqual(['start o1', 'start i1', 'start i2', 'start o2']);
    events = [];
    await GenServer.stop(sup, 'shutdown');
    expect(events).toEqual(['stop o2 shutdown', 'stop i2 shutdown', 'stop i1 shutdown', 'stop o1 shutdown']);
  });
});

describe('child management', () => {
  it('startChild, terminateChild, restartChild, deleteChild and their errors', async () => {
    const sup = await startSup(() => ({ children: [worker('a')] }));
    const started = await Supervisor.startChild(sup, worker('b'));
    expect(started.kind).toBe('ok');
    expect(await Supervisor.startChild(sup, worker('b'))).toEqual({
      kind: 'error',
      reason: { alreadyStarted: (started as { pid: Pid }).pid },
    });
    expect(await Supervisor.deleteChild(sup, 'b')).toEqual({ kind: 'error', reason: 'running' });
    expect(await Supervisor.terminateChild(sup, 'b')).toEqual({ kind: 'ok' });
    expect(await Supervisor.startChild(sup, worker('b'))).toEqual({
      kind: 'error',
      reason: 'already_present',
    });
    expect((await Supervisor.restartChild(sup, 'b')).kind).toBe('ok');
    expect(await Supervisor.restartChild(sup, 'b')).toEqual({ kind: 'error', reason: 'running' });
    await Supervisor.terminateChild(sup, 'b');
    expect(await Supervisor.deleteChild(sup, 'b')).toEqual({ kind: 'ok' });
    expect(await Supervisor.terminateChild(sup, 'b')).toEqual({ kind: 'error', reason: 'not_found' });
    expect(await Supervisor.restartChild(sup, 'zzz')).toEqual({ kind: 'error', reason: 'not_found' });
    const spec = await Supervisor.getChildspec(sup, 'a');
    expect(spec).toMatchObject({
      kind: 'ok',
      spec: { id: 'a', restart: 'permanent', shutdown: 5000, type: 'worker' },
    });
    const bad = await Supervisor.startChild(sup, { id: 'x', start: 42 } as never);
    expect(bad.kind).toBe('error');
  });

  it('modules default to the child callback module, and an explicit list is recorded on the child', async () => {
    const helper = { helper: true };
    const sup = await startSup(() => ({
      children: [
        worker('plain'),
        worker('listed', { modules: [Worker, helper] }),
        {
          id: 'closure',
          start: (parent: Proc) => Worker.startLink(parent, 'closure'),
        },
      ],
    }));
    const byId = new Map((await Supervisor.whichChildren(sup)).map((c) => [c.id, c.modules]));
    expect(byId.get('plain')).toEqual([Worker]);
    expect(byId.get('listed')).toEqual([Worker, helper]);
    expect(byId.get('closure')).toEqual([Worker]);
    expect(behaviourOf(await pidOfChild(sup, 'listed'))!.modules).toEqual([Worker, helper]);
  });
});

describe('simple_one_for_one', () => {
  it('starts children with extra arguments, restarts transient ones, and stops them all at shutdown', async () => {
    const sup = await startSup(() => ({
      strategy: 'simple_one_for_one',
      intensity: 5,
      children: [
        { id: 'w', start: { module: Worker, function: 'startLink', args: [] }, restart: 'transient' },
      ],
    }));
    const one = GenServer.pidOf(await Supervisor.startChild(sup, ['one']));
    const two = GenServer.pidOf(await Supervisor.startChild(sup, ['two']));
    expect(await GenServer.call(one, 'id')).toBe('one');
    expect(await Supervisor.countChildren(sup)).toEqual({ specs: 1, active: 2, supervisors: 0, workers: 2 });
    expect((await Supervisor.whichChildren(sup)).map((c) => c.id)).toEqual([undefined, undefined]);
    await crash(sup, one);
    const restarted = (await Supervisor.whichChildren(sup)).map((c) => c.pid as Pid);
    expect(restarted).toHaveLength(2);
    expect(restarted.some((p) => p.equals(one))).toBe(false);
    expect(await Supervisor.terminateChild(sup, 'w')).toEqual({
      kind: 'error',
      reason: 'simple_one_for_one',
    });
    expect(await Supervisor.terminateChild(sup, two)).toEqual({ kind: 'ok' });
    expect(await Supervisor.restartChild(sup, 'w')).toEqual({ kind: 'error', reason: 'simple_one_for_one' });
    events = [];
    await GenServer.stop(sup, 'shutdown');
    expect(events.sort()).toEqual(['stop one shutdown']);
  });
});

describe('supervisor code change', () => {
  /** A supervisor module whose init is replaced, as a facade update does. */
  function upgradable(children: () => Supervisor.ChildSpec[], flags: Supervisor.SupervisorFlags = {}) {
    const module = { init: (): Supervisor.SupervisorInit => ({ ...flags, children: children() }) };
    return module;
  }

  it('OTP semantics: existing ids take the new spec and keep their pid, new ids are not started, removed ids stay', async () => {
    const module = upgradable(() => [worker('a'), worker('b')]);
    const sup = GenServer.pidOf(await Supervisor.start(module, undefined));
    tops.push(sup);
    const [a, b] = [await pidOfChild(sup, 'a'), await pidOfChild(sup, 'b')];
    module.init = () => ({
      strategy: 'one_for_all',
      children: [worker('b', { shutdown: 'brutal_kill' }), worker('c')],
    });
    await sys.suspend(sup);
    expect(await sys.changeCode(sup, module, '1', [])).toEqual({ kind: 'ok' });
    await sys.resume(sup);
    const children = await Supervisor.whichChildren(sup);
    expect(children.map((c) => [c.id, c.pid])).toEqual([
      ['a', a],
      ['c', undefined],
      ['b', b],
    ]);
    expect(await Supervisor.countChildren(sup)).toMatchObject({ specs: 3, active: 2 });
    expect(
      (await Supervisor.getChildspec(sup, 'b')).kind === 'ok' && (await Supervisor.getChildspec(sup, 'b')),
    ).toMatchObject({
      spec: { shutdown: 'brutal_kill' },
    });
    expect((await sys.getStatus(sup)).state).toMatchObject({ strategy: 'one_for_all' });
    expect((await Supervisor.restartChild(sup, 'c')).kind).toBe('ok');
  });

  it('with RECONCILE_CHILDREN it also starts added children and stops removed ones', async () => {
    const module = upgradable(() => [worker('a'), worker('b')]);
    const sup = GenServer.pidOf(await Supervisor.start(module, undefined));
    tops.push(sup);
    const b = await pidOfChild(sup, 'b');
    module.init = () => ({ children: [worker('b'), worker('c')] });
    events = [];
    await sys.suspend(sup);
    expect(await sys.changeCode(sup, module, '1', Supervisor.RECONCILE_CHILDREN)).toEqual({ kind: 'ok' });
    await sys.resume(sup);
    expect(events).toEqual(['start c', 'stop a shutdown']);
    const children = await Supervisor.whichChildren(sup);
    expect(children.map((c) => c.id)).toEqual(['c', 'b']);
    expect(children.find((c) => c.id === 'b')!.pid).toEqual(b);
  });

  it('never adds back (or starts) a temporary child it does not have, as OTP since PR #287', async () => {
    const module = upgradable(() => [worker('a'), worker('job', { restart: 'temporary' })]);
    const sup = GenServer.pidOf(await Supervisor.start(module, undefined));
    tops.push(sup);
    const job = await pidOfChild(sup, 'job');
    const ended = exitOf(job);
    GenServer.stop(job, 'normal').catch(() => {});
    await ended;
    expect((await Supervisor.whichChildren(sup)).map((c) => c.id)).toEqual(['a']);
    module.init = () => ({
      children: [
        worker('a'),
        worker('job', { restart: 'temporary' }),
        worker('once', { restart: 'temporary' }),
      ],
    });
    events = [];
    await sys.suspend(sup);
    expect(await sys.changeCode(sup, module, '1', Supervisor.RECONCILE_CHILDREN)).toEqual({ kind: 'ok' });
    await sys.resume(sup);
    expect(events).toEqual([]);
    expect((await Supervisor.whichChildren(sup)).map((c) => c.id)).toEqual(['a']);
  });

  it('a bad new spec fails the change and leaves the supervisor as it was', async () => {
    const module = upgradable(() => [worker('a')]);
    const sup = GenServer.pidOf(await Supervisor.start(module, undefined));
    tops.push(sup);
    const before = await Supervisor.whichChildren(sup);
    module.init = () => ({ children: [worker('a', { shutdown: 'brutal_kil' as never })] });
    await sys.suspend(sup);
    const result = await sys.changeCode(sup, module, '1', []);
    expect(result.kind).toBe('error');
    expect(String((result as { reason: Error }).reason.message)).toMatch(/invalid shutdown brutal_kil/);
    await sys.resume(sup);
    expect(await Supervisor.whichChildren(sup)).toEqual(before);
    expect((await Supervisor.getChildspec(sup, 'a')) as unknown).toMatchObject({ spec: { shutdown: 5000 } });
  });

  it('a reconcile whose added child fails to start stops what it started and changes nothing', async () => {
    const module = upgradable(() => [worker('a')]);
    const sup = GenServer.pidOf(await Supervisor.start(module, undefined));
    tops.push(sup);
    module.init = () => ({ children: [worker('a'), worker('b'), worker('c', {}, { init: 'fail' })] });
    events = [];
    await sys.suspend(sup);
    const result = await sys.changeCode(sup, module, '1', Supervisor.RECONCILE_CHILDREN);
    expect(result.kind).toBe('error');
    await sys.resume(sup);
    expect(events).toEqual(['start b', 'init-fail c', 'stop b shutdown']);
    expect((await Supervisor.whichChildren(sup)).map((c) => c.id)).toEqual(['a']);
  });

  it('sys.getStatus names the user supervisor module, which the record also carries', async () => {
    const module = supModule(() => ({ children: [] }));
    await inProcess(async (self) => {
      const sup = GenServer.pidOf(await Supervisor.startLink(self, module, undefined));
      tops.push(sup);
      const status = await sys.getStatus(sup);
      expect(status.behaviour).toBe('supervisor');
      expect(status.callbackModule).toBe(module);
      expect(lookupProcess(sup)!.behaviour).toBe(behaviourOf(sup));
      expect(behaviourOf(sup)!.modules).toEqual([module]);
    });
  });
});
