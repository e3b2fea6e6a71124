/** Facades: what application modules import, and how they follow new versions. */
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import * as hotrel from '../../src';
import {
  CodeError,
  UNDEF_STUB,
  UndefError,
  c,
  checkOldCode,
  deleteModule,
  getModule,
  isExported,
  isLoaded,
  load,
  moduleIdOf,
  moduleInfo,
  spawn,
} from '../../src';
import * as runtime from '../../src/runtime';
import { removeTempDirs, tempApp } from '../helpers/apps';

afterAll(removeTempDirs);

type Fns = Record<string, (...args: unknown[]) => unknown>;

/** V8's own answer to "is this object in fast (not dictionary) mode?". */
function hasFastProperties(object: object): boolean {
  v8.setFlagsFromString('--allow-natives-syntax');
  const check = vm.runInThisContext('(function (o) { return %HasFastProperties(o); })') as (
    o: object,
  ) => boolean;
  v8.setFlagsFromString('--no-allow-natives-syntax');
  return check(object);
}

describe('a facade', () => {
  it('is one stable object per module, marked as an ES module and with its module id', async () => {
    const app = tempApp('fa', { 'lib.ts': 'export function a() { return 1; }\nexport const b = 2;\n' });
    await load('fa:lib');
    const facade = getModule('fa:lib');
    expect(getModule('fa:lib')).toBe(facade);
    expect(new Set(Object.keys(facade))).toEqual(new Set(['a', 'b']));
    expect(facade.__esModule).toBe(true);
    expect((facade as Record<symbol, unknown>)[Symbol.for('hotrel.module')]).toBe('fa:lib');
    expect(moduleIdOf(facade)).toBe('fa:lib');
    app.write('lib.ts', 'export function a() { return 10; }\nexport const b = 20;\n');
    await c('fa:lib');
    expect(getModule('fa:lib')).toBe(facade);
    expect((facade as unknown as Fns).a!()).toBe(10);
  });

  it('sends calls through it to the current version, while local calls stay in theirs', async () => {
    const version = (v: number) =>
      [
        "import * as self from './lib';",
        `export function api(): string { return 'api${v}:' + helper(); }`,
        `function helper(): string { return 'helper${v}'; }`,
        'export function makeClosure() {',
        "  return () => api() + ' | ' + self.api();",
        '}',
      ].join('\n');
    const app = tempApp('calls', { 'lib.ts': version(1) });
    await load('calls:lib');
    const lib = getModule<{ api(): string; makeClosure(): () => string }>('calls:lib');
    const closureOfV1 = lib.makeClosure();
    app.write('lib.ts', version(2));
    await c('calls:lib');
    // The v1 closure calls its own api locally (v1) and through the module (v2).
    expect(closureOfV1()).toBe('api1:helper1 | api2:helper2');
    expect(lib.makeClosure()()).toBe('api2:helper2 | api2:helper2');
  });

  it('replaces a removed function with a stub that throws undef naming module and function', async () => {
    const app = tempApp('undef', {
      'lib.ts':
        "export function kept() { return 'k1'; }\nexport function gone() { return 'g1'; }\nexport const value = 1;\n",
      'caller.ts': "import { gone } from './lib';\nexport function callGone() { return gone(); }\n",
    });
    await load('undef:caller');
    const caller = getModule<{ callGone(): unknown }>('undef:caller');
    const lib = getModule<Fns>('undef:lib');
    expect(caller.callGone()).toBe('g1');

    app.write('lib.ts', "export const vsn = '2.0.0';\nexport function kept() { return 'k2'; }\n");
    await c('undef:lib');
    let thrown: unknown;
    try {
      caller.callGone();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UndefError);
    expect(thrown).toMatchObject({ code: 'undef', module: 'undef:lib', fn: 'gone' });
    expect((thrown as Error).message).toBe(
      'undef: undef:lib.gone is not defined: the current version of undef:lib (vsn 2.0.0) does not export it',
    );
    expect(() => lib.gone!()).toThrow(UndefError);
    // The property stays (no `delete`: the facade stays a fast object); a removed value reads undefined.
    expect(Object.getOwnPropertyDescriptor(lib, 'gone')).toMatchObject({ writable: true, enumerable: true });
    expect((lib.gone as unknown as Record<symbol, unknown>)[UNDEF_STUB]).toBe(true);
    expect((lib as Record<string, unknown>).value).toBeUndefined();
    expect(isExported(lib, 'gone')).toBe(false);
    expect(hasFastProperties(lib)).toBe(true); // nothing was deleted: calls through it stay fast
    expect(isExported('undef:lib', 'kept')).toBe(true);
    expect(lib.kept!()).toBe('k2');

    app.write('lib.ts', "export function kept() { return 'k3'; }\nexport function gone() { return 'g3'; }\n");
    await c('undef:lib');
    expect(caller.callGone()).toBe('g3');
  });

  it('shows an exported let as the current version reassigns it', async () => {
    const app = tempApp('letx', {
      'counter.ts': 'export let count = 0;\nexport function bump(): number { count += 1; return count; }\n',
      'reader.ts':
        "import { count, bump } from './counter';\nexport function bumpAndRead() { bump(); return count; }\n",
    });
    await load('letx:reader');
    const reader = getModule<{ bumpAndRead(): number }>('letx:reader');
    const counter = getModule<{ count: number; bump(): number }>('letx:counter');
    const bumpOfV1 = counter.bump;
    expect(reader.bumpAndRead()).toBe(1);
    expect(reader.bumpAndRead()).toBe(2);
    expect(counter.count).toBe(2);
    app.write(
      'counter.ts',
      'export let count = 100;\nexport function bump(): number { count += 10; return count; }\n',
    );
    await c('letx:counter');
    expect(counter.count).toBe(100);
    expect(reader.bumpAndRead()).toBe(110);
    // Old code writing its own exported variable does not change the current version's.
    expect(bumpOfV1()).toBe(3);
    expect(counter.count).toBe(110);
  });

  it('keeps re-exports current when the re-exported module changes, transitively', async () => {
    const app = tempApp('reex', {
      'a.ts': "export function f() { return 'a1'; }\nexport function g() { return 'g1'; }\n",
      'b.ts': "export { f } from './a';\nexport * from './a';\nexport function own() { return 'b'; }\n",
      'c.ts': "export { f as h } from './b';\n",
    });
    await load('reex:c');
    const b = getModule<Fns>('reex:b');
    const cc = getModule<Fns>('reex:c');
    expect([b.f!(), b.g!(), cc.h!()]).toEqual(['a1', 'g1', 'a1']);
    app.write('a.ts', "export function f() { return 'a2'; }\nexport function g() { return 'g2'; }\n");
    await c('reex:a');
    expect([b.f!(), b.g!(), cc.h!(), b.own!()]).toEqual(['a2', 'g2', 'a2', 'b']);
  });

  it('makes every call undef after delete, until the module is loaded again', async () => {
    tempApp('del', { 'lib.ts': "export function f() { return 'f'; }\n" });
    await load('del:lib');
    const lib = getModule<Fns>('del:lib');
    expect(deleteModule('del:lib')).toBe(true);
    expect(isLoaded('del:lib')).toBe(false);
    expect(checkOldCode('del:lib')).toBe(true);
    expect(() => lib.f!()).toThrow(
      'undef: del:lib.f is not defined: module del:lib has no current code (it was deleted)',
    );
    expect(deleteModule('del:lib')).toBe(false); // old code exists
    expect(deleteModule('del:nothing')).toBe(false); // not loaded
    await load('del:lib');
    expect(lib.f!()).toBe('f');
  });
});

describe('loading that fails changes nothing', () => {
  it('keeps the current version when the new one throws while evaluating', async () => {
    const app = tempApp('fail', {
      'lib.ts': "export const vsn = '1';\nexport function f() { return 'one'; }\n",
    });
    await load('fail:lib');
    const lib = getModule<Fns>('fail:lib');
    app.write(
      'lib.ts',
      "export const vsn = '2';\nexport function f() { return 'two'; }\nthrow new Error('broken init');\n",
    );
    const err = await c('fail:lib').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodeError);
    expect(err).toMatchObject({ reason: 'on_load_failure', module: 'fail:lib' });
    expect((err as Error).message).toMatch(
      /evaluating .*lib\.ts threw: broken init; the module's previous code is unchanged/,
    );
    // The cause's stack points at the TypeScript line.
    expect(((err as Error).cause as Error).stack).toMatch(/\[fail:lib#v2\] \(.*lib\.ts:3:7\)/);
    expect(lib.f!()).toBe('one');
    expect(moduleInfo('fail:lib').vsn).toBe('1');
    expect(checkOldCode('fail:lib')).toBe(false);
  });

  it('refuses a file that does not compile or uses top-level await, with file and line', async () => {
    const app = tempApp('badfile', { 'lib.ts': 'export const ok = 1;\n' });
    await load('badfile:lib');
    app.write('lib.ts', 'export const ok = 2;\nconst x = await Promise.resolve(1);\n');
    const err = (await c('badfile:lib').catch((e: unknown) => e)) as CodeError;
    expect(err.reason).toBe('badfile');
    expect(err.message).toMatch(
      /lib\.ts:2:11: error: top-level await is not allowed in a hot-loadable module/,
    );
    expect(err.diagnostics[0]).toMatchObject({ line: 2, column: 11, code: 'hotrel-top-level-await' });
    app.write('lib.ts', 'export const ok = ;\n');
    expect(await c('badfile:lib').catch((e: unknown) => (e as CodeError).reason)).toBe('badfile');
    expect(getModule<{ ok: number }>('badfile:lib').ok).toBe(1);
  });

  it('refuses `export =` of a function (a facade cannot be called)', async () => {
    tempApp('exporteq', { 'fn.ts': 'function f() { return 1; }\nexport = f;\n' });
    const err = (await load('exporteq:fn').catch((e: unknown) => e)) as CodeError;
    expect(err.reason).toBe('badfile');
    expect(err.message).toMatch(/export default/);
    expect(isLoaded('exporteq:fn')).toBe(false);
  });

  it('says what is missing when a module or an import does not exist', async () => {
    tempApp('missing', { 'lib.ts': "import { x } from './nowhere';\nexport const y = x;\n" });
    const nofile = (await load('missing:absent').catch((e: unknown) => e)) as CodeError;
    expect(nofile.reason).toBe('nofile');
    expect(nofile.message).toMatch(/missing:absent: there is no .*absent\.ts/);
    const err = (await load('missing:lib').catch((e: unknown) => e)) as CodeError;
    expect(err.reason).toBe('on_load_failure');
    expect(err.message).toMatch(
      /cannot find module '.\/nowhere': no missing:nowhere or missing:nowhere\/index/,
    );
    await expect(load('not-a-module-id')).rejects.toThrow(/module ids have the form <app>:<relpath>/);
    await expect(load('nosuchapp:m')).rejects.toThrow(/no application 'nosuchapp' is registered/);
  });
});

describe('what application code can import', () => {
  it('resolves relative paths, directories, other applications by name, and JSON', async () => {
    tempApp('other', {
      'index.ts': "export const name = 'other main';\n",
      'sub/deep.ts': "export const name = 'deep';\n",
    });
    tempApp('main', {
      'index.ts': [
        "import { name as otherMain } from 'other';",
        "import { name as deep } from 'other/sub/deep';",
        "import { w } from './workers';",
        "import { u } from './util.js';",
        "import data from './data.json';",
        'export const all = [otherMain, deep, w, u, data.answer];',
      ].join('\n'),
      'workers/index.ts': "export const w = 'workers index';\n",
      'util.ts': "export const u = 'util';\n",
      'data.json': '{ "answer": 42 }',
    });
    expect(isLoaded('main:util')).toBe(false);
    await load('main:index');
    expect(getModule<{ all: unknown[] }>('main:index').all).toEqual([
      'other main',
      'deep',
      'workers index',
      'util',
      42,
    ]);
    // Required modules were loaded on demand, as Erlang's interactive mode does.
    expect(isLoaded('main:util')).toMatchObject({ file: expect.stringMatching(/util\.ts$/) });
    expect(isLoaded('other:sub/deep')).not.toBe(false);
  });

  it('refuses a relative import that leaves the application', async () => {
    tempApp('escape', { 'lib.ts': "export * from '../../etc/passwd';\n" });
    await expect(load('escape:lib')).rejects.toThrow(/points outside application 'escape'/);
  });

  it('handles circular imports (each gets the other’s facade)', async () => {
    tempApp('cycle', {
      'a.ts':
        "import { b } from './b';\nexport function a(n: number): string { return n === 0 ? 'a' : b(n - 1); }\n",
      'b.ts':
        "import { a } from './a';\nexport function b(n: number): string { return n === 0 ? 'b' : a(n - 1); }\n",
    });
    await load('cycle:a');
    expect(getModule<{ a(n: number): string }>('cycle:a').a(3)).toBe('b');
  });

  it("gives 'hotrel' and 'hotrel/...' as the hotrel that is running (one runtime per process)", async () => {
    tempApp('self', {
      'm.ts': [
        "import * as root from 'hotrel';",
        "import * as rt from 'hotrel/runtime';",
        "import * as code from 'hotrel/code';",
        'export const mods = { root, rt, code };',
      ].join('\n'),
    });
    await load('self:m');
    const { mods } = getModule<{
      mods: { root: typeof hotrel; rt: typeof runtime; code: { load: unknown } };
    }>('self:m');
    expect(mods.root.spawn).toBe(spawn);
    expect(mods.rt.spawn).toBe(runtime.spawn);
    expect(mods.code.load).toBe(load);
  });
});
