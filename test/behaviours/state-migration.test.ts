/**
 * Automatic state migration on live processes: a GenServer (GenStatem: its data) that declares
 * its state shape has its state converted at code change, up and down, before its own
 * `codeChange` sees it. The seed's example (relapp1 1.0.11 -> 1.0.12) runs through the real code
 * server: `{id: 42}` becomes `{id: 42, name: '', description: ''}` and `{id: 42}` again.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exit, GenServer, GenStatem, getModule, load, ok, reply, sys, whereis, type Pid } from '../../src';
import { wrapExtra, type StateShapeSpec } from '../../src/model';
import { freshState, migrateState } from '../../src/behaviours/core/state-shape';
import { removeTempDirs, tempApp } from '../helpers/apps';
import { commit, createFacade } from '../helpers/facade';
import { captureLogs } from '../helpers/log-capture';

afterAll(removeTempDirs);
afterEach(() => {
  for (const name of ['relapp_srv2', 'shaped', 'statem']) {
    const pid = whereis(name);
    if (pid) exit(pid, 'kill');
  }
});

interface Srv2 {
  start(): Promise<{ kind: string; pid: Pid }>;
  setState(id: number): void;
  stateShape: StateShapeSpec;
  seen?: unknown[];
}

/** The JSON form of a runtime shape (what the generator carries in the extra). */
const json = (shape: StateShapeSpec): StateShapeSpec => JSON.parse(JSON.stringify(shape)) as StateShapeSpec;

describe('seed 001: relapp_srv2 1.0.11 <-> 1.0.12 through the code server', () => {
  it('adds name and description going up and removes them going down, before codeChange runs', async () => {
    const app = tempApp('relapp');
    app.copy('srv2/v1/relapp_srv2.ts', 'relapp_srv2.ts');
    await load('relapp:relapp_srv2');
    const srv2 = getModule<Srv2>('relapp:relapp_srv2');
    const olderShape = json(srv2.stateShape);
    expect(olderShape).toEqual({ fields: { id: { default: 0 } }, renamed: {} });

    const { pid } = await srv2.start();
    srv2.setState(42);
    expect(await GenServer.call(pid, 'get')).toEqual({ id: 42 });
    const extra = wrapExtra([], { stateShape: olderShape });

    // Upgrade: suspend, load the new code, code change, resume.
    await sys.suspend(pid);
    app.copy('srv2/v2/relapp_srv2.ts', 'relapp_srv2.ts');
    await load('relapp:relapp_srv2');
    expect(await sys.changeCode(pid, srv2, '1.0.11', extra)).toEqual({ kind: 'ok' });
    await sys.resume(pid);
    expect(await GenServer.call(pid, 'get')).toEqual({ id: 42, name: '', description: '' });
    // Its codeChange saw the converted state, only the user's part of the extra, and the original.
    expect(srv2.seen).toEqual([
      { oldVsn: '1.0.11', state: { id: 42, name: '', description: '' }, extra: [], original: { id: 42 } },
    ]);

    // Downgrade: the newer code converts the state down (OTP's order), then the older code loads.
    const seen = srv2.seen!;
    await sys.suspend(pid);
    expect(await sys.changeCode(pid, srv2, { down: '1.0.11' }, extra)).toEqual({ kind: 'ok' });
    app.copy('srv2/v1/relapp_srv2.ts', 'relapp_srv2.ts');
    await load('relapp:relapp_srv2');
    await sys.resume(pid);
    expect(await GenServer.call(pid, 'get')).toEqual({ id: 42 });
    expect(seen[1]).toEqual({
      oldVsn: { down: '1.0.11' },
      state: { id: 42 },
      extra: [],
      original: { id: 42, name: '', description: '' },
    });
    expect(whereis('relapp_srv2')).toEqual(pid);
  });

  it('treats a codeChange or terminate that a new version removed as absent (not as the undef stub)', async () => {
    const app = tempApp('relapp3');
    app.copy('srv2/v2/relapp_srv2.ts', 'relapp_srv2.ts');
    await load('relapp3:relapp_srv2');
    const srv2 = getModule<Srv2>('relapp3:relapp_srv2');
    const seen = srv2.seen!;
    const { pid } = await srv2.start();
    srv2.setState(7);

    await sys.suspend(pid);
    app.copy('srv2/v3/relapp_srv2.ts', 'relapp_srv2.ts');
    await load('relapp3:relapp_srv2');
    // The facade now has undef stubs for codeChange and terminate (functions that throw).
    expect(typeof (srv2 as unknown as { codeChange: unknown }).codeChange).toBe('function');
    expect(await sys.changeCode(pid, srv2, '1.0.12', [])).toEqual({ kind: 'ok' });
    await sys.resume(pid);
    expect(await GenServer.call(pid, 'get')).toEqual({ id: 7, name: '', description: '' });

    // Stopping runs no terminate: the stub is not called, so the reason stays 'normal'.
    await GenServer.stop(pid);
    expect(seen).toEqual([]);
  });
});

describe('state shapes: conversion rules', () => {
  const v1 = GenServer.stateShape({ id: 0, title: 'untitled', tags: [] as string[] });
  const v2 = GenServer.stateShape(
    { id: 0, name: '', meta: GenServer.stateShape({ created: 0, by: 'nobody' }), tags: [] as string[] },
    { renamed: { title: 'name' } },
  );

  it('copies kept fields (the same values), defaults new ones, drops removed ones, follows renames', () => {
    const tags = ['x'];
    const up = migrateState({ id: 5, title: 'hello', tags, gone: true }, v2, v1, 'up');
    expect(up).toEqual({ id: 5, name: 'hello', meta: { created: 0, by: 'nobody' }, tags: ['x'] });
    expect(up.tags).toBe(tags);
    const down = migrateState({ ...up, meta: { created: 9, by: 'me' } }, v1, v2, 'down');
    expect(down).toEqual({ id: 5, title: 'hello', tags: ['x'] });
  });

  it('converts nested shapes field by field, and gives fresh defaults every time', () => {
    const v3 = GenServer.stateShape({ meta: GenServer.stateShape({ created: 0, owner: '' }) });
    expect(migrateState({ meta: { created: 3, by: 'me' } }, v3, v2, 'up')).toEqual({
      meta: { created: 3, owner: '' },
    });
    expect(migrateState({ meta: 'not an object' }, v3, v2, 'up')).toEqual({
      meta: { created: 0, owner: '' },
    });
    const a = freshState(v1);
    const b = freshState(v1);
    expect(a.tags).not.toBe(b.tags);
  });

  it('refuses a state that is not a plain object, and bad declarations', () => {
    expect(() => migrateState(new Map(), v2, v1, 'up')).toThrow(
      /plain object, but the state is an instance of Map/,
    );
    expect(() => GenServer.stateShape({ when: new Date() as never })).toThrow(/must be a JSON value/);
    expect(() => GenServer.stateShape({ a: 1 }, { renamed: { b: 'c' as 'a' } })).toThrow(/not a field/);
  });
});

describe('state shapes on live processes (stand-in facades)', () => {
  const v1 = {
    stateShape: GenServer.stateShape({ id: 0, title: '' }),
    init: () => ok({ id: 1, title: 'first' }),
    handleCall: (_r: unknown, _f: unknown, s: unknown) => reply(s, s),
  };
  const v2 = {
    stateShape: GenServer.stateShape({ id: 0, name: '', count: 0 }, { renamed: { title: 'name' } }),
    init: () => ok({ id: 0, name: '', count: 0 }),
    handleCall: (_r: unknown, _f: unknown, s: unknown) => reply(s, s),
    codeChange(oldVsn: unknown, state: { count: number }, extra: { bump?: number }) {
      if (extra.bump === -1) throw new Error('refused');
      if (typeof oldVsn === 'object') return state; // downgrade: the conversion did it all
      return { ...state, count: state.count + (extra.bump ?? 0) };
    },
  };

  it('renames up and back down, and the user codeChange gets the converted state and its own extra', async () => {
    const mod = createFacade<typeof v2>('app:shaped');
    commit(mod, v1 as never);
    const pid = GenServer.pidOf(await GenServer.start(mod, undefined, { name: 'shaped' }));
    const extra = wrapExtra({ bump: 2 }, { stateShape: json(v1.stateShape) });
    await sys.suspend(pid);
    commit(mod, v2);
    expect(await sys.changeCode(pid, mod, '1', extra)).toEqual({ kind: 'ok' });
    await sys.resume(pid);
    expect(await GenServer.call(pid, 'get')).toEqual({ id: 1, name: 'first', count: 2 });

    await sys.suspend(pid);
    expect(await sys.changeCode(pid, mod, { down: '1' }, extra)).toEqual({ kind: 'ok' });
    commit(mod, v1 as never);
    await sys.resume(pid);
    expect(await GenServer.call(pid, 'get')).toEqual({ id: 1, title: 'first' });
  });

  it('keeps the old state when the codeChange after the conversion throws', async () => {
    const mod = createFacade<typeof v2>('app:shaped');
    commit(mod, v1 as never);
    const pid = GenServer.pidOf(await GenServer.start(mod, undefined, { name: 'shaped' }));
    await sys.suspend(pid);
    commit(mod, v2);
    const result = await sys.changeCode(pid, mod, '1', wrapExtra({ bump: -1 }, { stateShape: null }));
    expect(result.kind).toBe('error');
    await sys.resume(pid);
    expect(await sys.getState(pid)).toEqual({ id: 1, title: 'first' });
  });

  it('leaves the state as it is on a downgrade whose extra does not carry the older shape, and says so', async () => {
    const mod = createFacade<typeof v2>('app:shaped');
    commit(mod, v2);
    const pid = GenServer.pidOf(await GenServer.start(mod, undefined, { name: 'shaped' }));
    const logs = captureLogs('warn');
    try {
      await sys.suspend(pid);
      expect(await sys.changeCode(pid, mod, { down: '1' }, { bump: 1 })).toEqual({ kind: 'ok' });
      await sys.resume(pid);
    } finally {
      logs.restore();
    }
    expect(await sys.getState(pid)).toEqual({ id: 0, name: '', count: 0 });
    expect(logs.matching('was not converted to the older version')).toHaveLength(1);
  });

  it('warns at start when the initial state does not fit the declared shape', async () => {
    const logs = captureLogs('warn');
    try {
      const sloppy = { ...v1, init: () => ok({ id: 1, title: 't', secret: 's' }) };
      const pid = GenServer.pidOf(await GenServer.start(sloppy, undefined, { name: 'shaped' }));
      exit(pid, 'kill');
      const fine = GenServer.pidOf(await GenServer.start(v1, undefined, { name: 'shaped' }));
      exit(fine, 'kill');
    } finally {
      logs.restore();
    }
    expect(logs.lines.map((l) => l.msg)).toEqual([
      expect.stringMatching(
        /shaped: its initial state has fields its stateShape does not declare \(secret\): they would be dropped at the next code change/,
      ),
    ]);
  });

  it('converts a GenStatem data shape', async () => {
    const s1 = {
      dataShape: GenStatem.dataShape({ n: 0 }),
      callbackMode: () => 'handle_event_function' as const,
      init: () => GenStatem.nextState('idle', { n: 4 }),
      handleEvent: () => GenStatem.keepStateAndData(),
    };
    const s2 = { ...s1, dataShape: GenStatem.dataShape({ n: 0, m: 'new' }) };
    const mod = createFacade<typeof s1>('app:statem');
    commit(mod, s1);
    const pid = GenServer.pidOf(await GenStatem.start(mod, undefined, { name: 'statem' }));
    await sys.suspend(pid);
    commit(mod, s2);
    expect(await sys.changeCode(pid, mod, '1', [])).toEqual({ kind: 'ok' });
    await sys.resume(pid);
    expect(await sys.getState(pid)).toEqual({ state: 'idle', data: { n: 4, m: 'new' } });
  });
});
