/**
 * What the release builder records about each module for appup generation, read from source
 * without running it: behaviour, supervisor child ids, upgrade attributes, state shapes, state
 * types (across modules), and the code identity that ignores comments and layout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileModule } from '../../src/code/compile';
import { analyzeModule } from '../../src/release/build/analyze';
import { codeHash } from '../../src/release/build/compile-app';
import { buildRelease } from '../../src/release/build/release';
import { generateAppups, readReleaseSet, writeAppups } from '../../src/release/appup-gen';
import { materialise, removeRelappDirs, tempDir } from '../helpers/relapp';

afterAll(removeRelappDirs);

function analyze(source: string, relpath = 'm', appCallback?: string) {
  return analyzeModule(source, `src/${relpath}.ts`, {
    app: 'kvapp',
    relpath,
    modules: new Set([relpath, 'types', 'other']),
    apps: new Map([['kvapp', 'index']]),
    appCallback,
  });
}

describe('behaviour recognition', () => {
  it('follows the documented rules', () => {
    expect(analyze('export function init() {}\nexport function handleCall() {}').behaviour).toBe(
      'gen_server',
    );
    expect(analyze('export const init = () => 1;\nexport const handleInfo = () => 1;').behaviour).toBe(
      'gen_server',
    );
    expect(analyze('export function init() {}\nexport function callbackMode() {}').behaviour).toBe(
      'gen_statem',
    );
    expect(
      analyze('export function init() { const c = []; return { strategy: "one_for_one", children: c }; }')
        .behaviour,
    ).toBe('supervisor');
    expect(analyze('export const init = () => ({ children: [] });').behaviour).toBe('supervisor');
    expect(
      analyze(
        'import type { SupervisorInit } from "hotrel";\nexport function init(): SupervisorInit { return make(); }',
      ).behaviour,
    ).toBe('supervisor');
    // A supervisor that is also its application's callback module stays a supervisor (relapp_app_sup).
    expect(
      analyze('export function start() {}\nexport const init = () => ({ children: [] });', 'm', 'm')
        .behaviour,
    ).toBe('supervisor');
    expect(analyze('export function start() {}', 'm', 'm').behaviour).toBe('application');
    expect(analyze('export function start() {}\nexport function stop() {}').behaviour).toBe('none');
    expect(analyze('export function init() { return { ok: 1 }; }').behaviour).toBe('none');
    // A nested function's return is not init's.
    expect(
      analyze('export function init() { const f = () => ({ children: [] }); return f; }').behaviour,
    ).toBe('none');
    expect(analyze("export const behaviour = 'gen_server';\nexport function init() {}").behaviour).toBe(
      'gen_server',
    );
  });

  it('lists the children of a supervisor with literal ids, their modules and types, and none when computed', () => {
    const sup = analyze(
      "import * as Other from './other';\nimport Types from './types';\n" +
        "export const init = () => ({ children: [{ id: 'kv', start: x }, { id: 2, type: 'supervisor', start: { module: Other, function: 'startLink' } }, { id: 't', start: { module: Types } }] });",
    );
    expect(sup.children).toEqual([
      { id: 'kv' },
      { id: '2', module: 'kvapp:other', type: 'supervisor' },
      { id: 't', module: 'kvapp:types' },
    ]);
    expect(analyze('export const init = () => ({ children: specs() });').children).toBeUndefined();
    expect(
      analyze('export const init = () => ({ children: [{ id: name, start: x }] });').children,
    ).toBeUndefined();
  });
});

describe('declarations read at build time', () => {
  it('reads upgrade attributes and refuses what is not a literal, saying where', () => {
    const m = analyze(
      "export const upgrade = { priority: -2, extra: { a: [1, 'x', null] }, purge: { pre: 'soft' }, apply: { function: 'f' } } as const;",
    );
    expect(m.upgrade).toEqual({
      priority: -2,
      extra: { a: [1, 'x', null] },
      purge: { pre: 'soft' },
      apply: { function: 'f', args: [], phase: 'last', priority: 0, when: 'up' },
    });
    expect(() => analyze('export const upgrade = { priority: level };')).toThrow(
      /src\/m\.ts:1:36: export const upgrade must be a literal value read at build time: it is computed/,
    );
    expect(() => analyze("export const upgrade = { purge: 'sometimes' };")).toThrow(
      /export const upgrade\.purge: expected "soft", "brutal" or \{"pre"/,
    );
    expect(() => analyze('export const upgrade = { timeout: 0 };')).toThrow(/upgrade\.timeout/);
    expect(() => analyze("export const behaviour = 'gen_srv';")).toThrow(
      /export const behaviour must be one of/,
    );
  });

  it('reads a state shape, nested shapes and renames', () => {
    const m = analyze(
      "export const stateShape = GenServer.stateShape({ id: 0, name: '', tags: [] as string[], meta: GenServer.stateShape({ n: -1 }) }, { renamed: { title: 'name' } });",
    );
    expect(m.stateShape).toEqual({
      fields: {
        id: { default: 0 },
        name: { default: '' },
        tags: { default: [] },
        meta: { shape: { fields: { n: { default: -1 } }, renamed: {} } },
      },
      renamed: { title: 'name' },
    });
    expect(() => analyze('export const stateShape = GenServer.stateShape({ at: Date.now() });')).toThrow(
      /stateShape: field defaults must be literal JSON values/,
    );
    expect(() => analyze('export const stateShape = { id: 0 };')).toThrow(
      /must be built with GenServer\.stateShape/,
    );
    expect(() =>
      analyze("export const stateShape = GenServer.stateShape({ a: 1 }, { renamed: { b: 'c' } });"),
    ).toThrow(/"b" is renamed to "c", which is not a field/);
  });
});

describe('state types', () => {
  it('takes the State type with the project types it refers to, across modules, without comments', async () => {
    const project = tempDir('types');
    fs.mkdirSync(path.join(project, 'src'));
    fs.writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({
        name: 'kvapp',
        version: '1.0.0',
        hotrel: { app: {}, release: { output: '_build/rel' } },
      }),
    );
    const write = (file: string, text: string) => fs.writeFileSync(path.join(project, 'src', file), text);
    write('index.ts', 'export const x = 1;\n');
    write(
      'types.ts',
      'export interface Item { /* the key */ key: string; value: Value }\ntype Value = number;\n',
    );
    write(
      'kv.ts',
      "import type { Item } from './types';\nexport interface State { items: Item[]; at: Map<string, Date> }\nexport function init() {}\nexport function handleCall() {}\n",
    );
    write(
      'other.ts',
      'export function init() {}\nexport function handleCast(_m: unknown, state: { n: number }) { return state; }\n',
    );
    const { root } = await buildRelease({ project, typecheck: false });
    const modules = JSON.parse(
      fs.readFileSync(path.join(root, 'lib/kvapp-1.0.0/kvapp.modules.json'), 'utf8'),
    );
    expect(modules.modules['kvapp:kv'].stateType).toBe(
      [
        'State',
        'kvapp:kv#State = export interface State { items: Item[]; at: Map<string, Date>; }',
        'kvapp:types#Item = export interface Item { key: string; value: Value; }',
        'kvapp:types#Value = type Value = number;',
      ].join('\n'),
    );
    expect(modules.modules['kvapp:other'].stateType).toBe('{ n: number; }');
    expect(modules.modules['kvapp:index'].stateType).toBeUndefined();
  });
});

describe('code identity', () => {
  const hash = (ts: string) => codeHash(compileModule(ts, 'src/m.ts').code);

  it('ignores comments, layout and trailing commas, and sees every change of code', () => {
    const base = hash("export function f(a: number) { return { x: a, y: 'b' }; }");
    expect(
      hash("// note\nexport function f(a: number) {\n  return {\n    x: a, // x\n    y: 'b',\n  };\n}"),
    ).toBe(base);
    expect(hash('export function f(a: number) { return { x: a, y: "b" }; }')).toBe(base);
    expect(hash("export function f(a: number) { return { x: a, y: 'c' }; }")).not.toBe(base);
    expect(hash("export function f(a: number) { return { y: 'b', x: a }; }")).not.toBe(base);
    // Text inside templates and regular expressions is code, even when it looks like a comment.
    expect(hash('export const r = /a\\/*b/; export const t = `${1}//x`;')).not.toBe(
      hash('export const r = /a\\/*c/; export const t = `${1}//x`;'),
    );
    expect(hash('export const t = (n: number) => `${n}//x`;')).not.toBe(
      hash('export const t = (n: number) => `${n}//y`;'),
    );
  });
});

describe('the public types', () => {
  it("relapp type-checks against hotrel's published types (stateShape, StateOf, upgrade, codeChange)", async () => {
    const project = path.join(tempDir('typed'), 'relapp');
    materialise('1.0.36', project, tempDir('typed-out'));
    const result = await buildRelease({ project, typecheck: true });
    expect(result.built).toEqual(['relapp-1.0.36']);
  }, 60_000);
});

describe('release builder and generated appups', () => {
  it('a rebuild after appup generation is still "unchanged" (the generated appup is not build output)', async () => {
    const output = tempDir('regen-out');
    const p0 = tempDir('p0');
    const p1 = tempDir('p1');
    fs.rmSync(p0, { recursive: true });
    fs.rmSync(p1, { recursive: true });
    materialise('1.0.0', p0, output);
    materialise('1.0.1', p1, output);
    await buildRelease({ project: p0, typecheck: false });
    await buildRelease({ project: p1, typecheck: false });
    const root = path.join(output, 'relapp');
    const set = readReleaseSet(root);
    writeAppups(root, generateAppups({ current: set, previous: set }));
    expect(fs.existsSync(path.join(root, 'lib/relapp-1.0.1/relapp.appup.json'))).toBe(true);
    const again = await buildRelease({ project: p1, typecheck: false });
    expect(again.unchanged).toEqual(['relapp-1.0.1']);
  });

  it('refuses an invalid pre/post file at build time, naming it', async () => {
    const output = tempDir('hooks-out');
    const project = tempDir('hooks');
    fs.rmSync(project, { recursive: true });
    materialise('1.0.0', project, output);
    fs.writeFileSync(
      path.join(project, 'relapp.appup.pre.json'),
      JSON.stringify({ up: { '1.0.0': [{ op: 'lod' }] } }),
    );
    await expect(buildRelease({ project, typecheck: false })).rejects.toThrow(
      /\/relapp\.appup\.pre\.json: up\["1\.0\.0"\]\[0\]\.op: expected "op" to be one of/,
    );
  });
});
