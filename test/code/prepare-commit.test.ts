/**
 * What the release handler needs: load object code without making it current (OTP's
 * load_object_code), commit it in order (OTP's load), roll back in process, and releases of
 * compiled `.js` + `.js.map` directories.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CodeError,
  addApplication,
  checkOldCode,
  commit,
  discard,
  exit,
  getModule,
  isAlive,
  isLoaded,
  load,
  loadSource,
  moduleInfo,
  prepare,
  prepareAll,
  replaceApplicationDir,
  revert,
  spawn,
  type Pid,
} from '../../src';
import { exitOf } from '../helpers/process';
import { compiledLib, removeTempDirs, tempApp } from '../helpers/apps';

afterAll(removeTempDirs);

type Named = { name(): string };

/** A process keeping `value` in its state. */
function holder(value: unknown): Pid {
  return spawn(
    async (self) => {
      const state = { value };
      self.inspectState = () => state;
      await self.receive(() => false);
    },
    { crashReport: false },
  );
}

describe('prepare and commit', () => {
  it('evaluates a version without making it current, then commits it', async () => {
    const app = tempApp('pc', {
      'm.ts': "export const vsn = '1';\nexport function name() { return 'one'; }\n",
    });
    await load('pc:m');
    const m = getModule<Named>('pc:m');
    app.write('m.ts', "export const vsn = '2';\nexport function name() { return 'two'; }\n");
    const prepared = prepare('pc:m');
    expect(prepared.vsn).toBe('2');
    expect((prepared.exports as Named).name()).toBe('two');
    expect(m.name()).toBe('one');
    expect(moduleInfo('pc:m').vsn).toBe('1');
    expect(checkOldCode('pc:m')).toBe(false);
    const [result] = await commit(prepared);
    expect(result).toMatchObject({ module: 'pc:m', vsn: '2' });
    expect(m.name()).toBe('two');
    expect(checkOldCode('pc:m')).toBe(true);
    await expect(commit(prepared)).rejects.toThrow(/already committed or discarded/);
  });

  it('commits a batch in order, a new module before the one that imports it', async () => {
    const app = tempApp('batch', { 'caller.ts': "export function call() { return 'no callee yet'; }\n" });
    await load('batch:caller');
    app.write('callee.ts', "export function hello() { return 'hello from callee'; }\n");
    app.write('caller.ts', "import { hello } from './callee';\nexport function call() { return hello(); }\n");
    // The caller is prepared first: it gets the callee's facade, and the callee is not loaded
    // behind the batch's back.
    const [caller, callee] = prepareAll(['batch:caller', 'batch:callee']);
    expect(isLoaded('batch:callee')).toBe(false);
    expect(getModule<{ call(): string }>('batch:caller').call()).toBe('no callee yet');
    await commit([callee!, caller!]);
    expect(getModule<{ call(): string }>('batch:caller').call()).toBe('hello from callee');
  });

  it('prepares a batch all or nothing', async () => {
    const app = tempApp('batch2', { 'a.ts': "export const a = 'a1';\n", 'b.ts': "export const b = 'b1';\n" });
    await load('batch2:a');
    await load('batch2:b');
    app.write('a.ts', "export const a = 'a2';\n");
    app.write('b.ts', "throw new Error('b2 is broken');\n");
    expect(() => prepareAll(['batch2:a', 'batch2:b'])).toThrow(/b2 is broken/);
    expect(moduleInfo('batch2:a').old).toBeUndefined();
    app.write('b.ts', "export const b = 'b2';\n");
    const prepared = prepareAll(['batch2:a', 'batch2:b']);
    await commit(prepared);
    expect([getModule<{ a: string }>('batch2:a').a, getModule<{ b: string }>('batch2:b').b]).toEqual([
      'a2',
      'b2',
    ]);
  });

  it('with soft purge, commits nothing while old code is in use; discard drops what was prepared', async () => {
    const app = tempApp('softc', {
      'a.ts': "export const vsn = 'a1';\nexport const f = () => 'a1';\n",
      'b.ts': "export const vsn = 'b1';\n",
    });
    await load('softc:a');
    await load('softc:b');
    const heldByProcess = holder(getModule<{ f: () => string }>('softc:a').f); // a1's closure
    app.write('a.ts', "export const vsn = 'a2';\nexport const f = () => 'a2';\n");
    await load('softc:a'); // a1 is old now, still held
    app.write('a.ts', "export const vsn = 'a3';\nexport const f = () => 'a3';\n");
    app.write('b.ts', "export const vsn = 'b2';\n");
    const pb = prepare('softc:b');
    const pa = prepare('softc:a');
    const err = (await commit([pb, pa], { purge: 'soft' }).catch((e: unknown) => e)) as CodeError;
    expect(err).toBeInstanceOf(CodeError);
    expect(err.reason).toBe('not_purged');
    expect(err.holders.map((h) => [String(h.pid), h.vsn, h.where])).toEqual([
      [String(heldByProcess), 'a1', 'state.value'],
    ]);
    expect(err.message).toMatch(/holds a function of softc:a vsn a1 at state\.value/);
    expect([moduleInfo('softc:a').vsn, moduleInfo('softc:b').vsn]).toEqual(['a2', 'b1']);
    expect(isAlive(heldByProcess)).toBe(true);
    discard(pa);
    discard(pb);
    await expect(commit(pa)).rejects.toThrow(/already committed or discarded/);

    // purge: 'none' refuses whenever old code exists (erlang:load_module/2).
    const again = prepare('softc:a');
    await expect(commit(again, { purge: 'none' })).rejects.toMatchObject({ reason: 'not_purged' });
    expect(moduleInfo('softc:a').vsn).toBe('a2');
    discard(again);
    exit(heldByProcess, 'kill');
  });

  it('reverts a commit: the old version is current again and the abandoned one is purged', async () => {
    const app = tempApp('rev', {
      'm.ts': "export const vsn = '1';\nexport const make = () => () => 'made by 1';\n",
    });
    await load('rev:m');
    const m = getModule<{ vsn: string; make(): () => string }>('rev:m');
    app.write('m.ts', "export const vsn = '2';\nexport const make = () => () => 'made by 2';\n");
    await load('rev:m');
    const convertedState = holder(m.make()); // state converted by the failed upgrade: holds v2 code
    const bystander = holder(m.make.name);
    const down = exitOf(convertedState);
    const result = await revert('rev:m');
    expect(m.vsn).toBe('1');
    expect(m.make()()).toBe('made by 1');
    expect(checkOldCode('rev:m')).toBe(false);
    expect(result).toMatchObject({ killed: true, purged: ['rev:m@2'] });
    expect(await down).toBe('killed');
    expect(isAlive(bystander)).toBe(true);
    exit(bystander, 'kill');

    // A module that did not exist before is deleted and purged.
    app.write('added.ts', "export const x = 'new';\n");
    await load('rev:added');
    await revert('rev:added');
    expect(isLoaded('rev:added')).toBe(false);
    expect(checkOldCode('rev:added')).toBe(false);
  });
});

describe('code changes run one at a time, in call order', () => {
  it('applies concurrent loads in order (current = the last, old = the one before)', async () => {
    const app = tempApp('order', { 'm.ts': "export const vsn = '0';\n" });
    await load('order:m');
    const file = path.join(app.dir, 'm.ts');
    const results = await Promise.all(
      ['1', '2', '3'].map((v) => loadSource('order:m', `export const vsn = '${v}';\n`, file)),
    );
    expect(results.map((r) => r.vsn)).toEqual(['1', '2', '3']);
    expect(moduleInfo('order:m')).toMatchObject({ vsn: '3', old: { vsn: '2' } });
  });
});

describe('a release of compiled modules', () => {
  it('loads .js + .js.map from lib/<app>-<vsn>/ and moves to the next release’s directory', async () => {
    const v1 = compiledLib('relx', '1.0.0', {
      'index.ts':
        "export const vsn = '1.0.0';\nexport function boom(): never {\n  throw new Error('boom 1');\n}\n",
    });
    const v2 = compiledLib('relx', '1.0.1', {
      'index.ts':
        "export const vsn = '1.0.1';\n\nexport function boom(): never {\n  throw new Error('boom 2');\n}\n",
    });
    addApplication({ name: 'relx', dir: v1 });
    await load('relx:index');
    expect(moduleInfo('relx:index')).toMatchObject({ vsn: '1.0.0', file: path.join(v1, 'index.js') });
    const relx = getModule<{ boom(): never }>('relx:index');
    const tsOf = (lib: string) => path.resolve(lib, '../../apps/relx/src/index.ts');
    expect(() => relx.boom()).toThrow(
      expect.objectContaining({ stack: expect.stringContaining(`[relx:index@1.0.0] (${tsOf(v1)}:3:9)`) }),
    );
    replaceApplicationDir('relx', v2);
    await load('relx:index');
    expect(moduleInfo('relx:index')).toMatchObject({ vsn: '1.0.1', file: path.join(v2, 'index.js') });
    expect(() => relx.boom()).toThrow(
      expect.objectContaining({ stack: expect.stringContaining(`[relx:index@1.0.1] (${tsOf(v2)}:4:9)`) }),
    );
    expect(fs.existsSync(path.join(v2, 'index.js.map'))).toBe(true);
  });
});
