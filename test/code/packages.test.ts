/** Node built-ins and third-party packages in application code: loaded once, by Node. */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { CodeError, addApplication, getModule, load, loadCompiled, preloadPackages } from '../../src';
import { FIXTURES, removeTempDirs, tempApp } from '../helpers/apps';

afterAll(removeTempDirs);

const nodeRequire = createRequire(path.join(FIXTURES, 'noop.js'));

describe('third-party packages', () => {
  it('loads an ES-module-only dependency (require(esm)), with default and named imports', async () => {
    tempApp('esm', {
      'm.ts':
        "import greet, { named, loadedBy } from 'esm-only';\nexport const out = [greet('app'), named, loadedBy];\n",
    });
    await load('esm:m');
    const { out } = getModule<{ out: string[] }>('esm:m');
    expect(out[0]).toBe('hello app from esm-only');
    expect(out[1]).toBe('named export of esm-only');
    expect(out[2]).toBe(`file://${path.join(FIXTURES, 'node_modules/esm-only/index.js')}`);
  });

  it('loads a CommonJS package and Node built-ins once, shared with Node’s own require', async () => {
    const app = tempApp('cjs', {
      'm.ts':
        "import { double, loads } from 'cjs-pkg';\nimport path from 'node:path';\nimport * as fs from 'fs';\nexport const got = { d: double(21), loads: loads(), join: path.join, fs };\n",
    });
    await load('cjs:m');
    app.write('m.ts', "import { loads } from 'cjs-pkg';\nexport const got = { loads: loads() };\n");
    await load('cjs:m');
    const { got } = getModule<{ got: { loads: number } }>('cjs:m');
    expect(got.loads).toBe(1); // a new version of the app module did not reload the package
    expect((nodeRequire('cjs-pkg') as { loads(): number }).loads()).toBe(1);
  });

  it('gives built-ins as Node has them', async () => {
    tempApp('builtin', {
      'm.ts': "import path from 'node:path';\nimport * as fs from 'fs';\nexport const got = { path, fs };\n",
    });
    await load('builtin:m');
    const { got } = getModule<{ got: { path: unknown; fs: { readFileSync: unknown } } }>('builtin:m');
    expect(got.path).toBe(path);
    expect(got.fs.readFileSync).toBe(fs.readFileSync);
  });

  it('refuses a package with top-level await until it is preloaded, then serves it', async () => {
    tempApp('tla', { 'm.ts': "import { ready } from 'esm-tla';\nexport const isReady = ready;\n" });
    const err = (await load('tla:m').catch((e: unknown) => e)) as CodeError;
    expect(err).toBeInstanceOf(CodeError);
    expect(err.reason).toBe('on_load_failure');
    expect(err.message).toMatch(/'esm-tla' .* top-level await.*preloadPackages\('tla', \['esm-tla'\]\)/);
    await preloadPackages('tla', ['esm-tla']);
    await load('tla:m');
    expect(getModule<{ isReady: boolean }>('tla:m').isReady).toBe(true);
  });

  it('serves an import-only package once preloaded, and says so before', async () => {
    tempApp('imponly', { 'm.ts': "import { kind } from 'esm-import-only';\nexport const k = kind;\n" });
    await expect(load('imponly:m')).rejects.toThrow(
      /exported for import only.*preloadPackages\('imponly', \['esm-import-only'\]\)/,
    );
    await preloadPackages('imponly', ['esm-import-only']);
    await load('imponly:m');
    expect(getModule<{ k: string }>('imponly:m').k).toBe('import-only');
  });
});

describe('dynamic import() in application code', () => {
  it('works through tsc’s emit (import() becomes a require of the facade)', async () => {
    const app = tempApp('dyn', {
      'm.ts':
        "export async function lazy() { const l = await import('./lazy'); const e = await import('esm-only'); return [l.value(), e.named]; }\n",
      'lazy.ts': "export function value() { return 'lazy 1'; }\n",
    });
    await load('dyn:m');
    const m = getModule<{ lazy(): Promise<string[]> }>('dyn:m');
    expect(await m.lazy()).toEqual(['lazy 1', 'named export of esm-only']);
    app.write('lazy.ts', "export function value() { return 'lazy 2'; }\n");
    await load('dyn:lazy');
    expect(await m.lazy()).toEqual(['lazy 2', 'named export of esm-only']);
  });

  it('works for a raw import() in hand-written JavaScript, and an app module stays live', async () => {
    const app = tempApp('rawimport', { 'lazy.ts': "export function value() { return 'raw 1'; }\n" }, {});
    // Hand-written JavaScript keeps import() as is (tsc would have turned it into require).
    const code = [
      "'use strict';",
      '// not a call: import("nothing") in a comment, and "import(" in a string',
      "Object.defineProperty(exports, '__esModule', { value: true });",
      "exports.viaImport = async () => { const [l, e, p] = await Promise.all([import('./lazy'), import('esm-only'), import('node:path')]); return { l, e, p }; };",
    ].join('\n');
    await loadCompiled('rawimport:raw', { code, file: path.join(app.dir, 'raw.js') });
    const raw = getModule<{
      viaImport(): Promise<{ l: { value(): string }; e: { named: string }; p: unknown }>;
    }>('rawimport:raw');
    const { l, e, p } = await raw.viaImport();
    expect(l).toBe(getModule('rawimport:lazy'));
    expect(l.value()).toBe('raw 1');
    expect(e.named).toBe('named export of esm-only');
    expect((p as { join: unknown }).join).toBe(path.join);
    app.write('lazy.ts', "export function value() { return 'raw 2'; }\n");
    await load('rawimport:lazy');
    expect(l.value()).toBe('raw 2'); // it follows the module's current version
  });
});

describe('application registration', () => {
  it('refuses bad registrations with a message that says what to do', () => {
    expect(() => addApplication({ name: 'a:b', dir: FIXTURES })).toThrow(/without ':'/);
    expect(() => addApplication({ name: 'nodir', dir: path.join(FIXTURES, 'does-not-exist') })).toThrow(
      /is not a directory/,
    );
    addApplication({ name: 'twice', dir: FIXTURES, form: 'ts' });
    expect(() => addApplication({ name: 'twice', dir: FIXTURES })).toThrow(
      /already registered.*replaceApplicationDir/,
    );
  });
});
