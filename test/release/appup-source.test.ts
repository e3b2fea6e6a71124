/**
 * Appup sources: `<app>.appup.ts` evaluated at build time (importing the project's own modules),
 * `<app>.appup.json`, and the typed builders.
 */
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as builders from '../../src/appup';
import { ModelError, parseModel } from '../../src/model';
import { AppupSourceError, loadAppup, TypeScriptSyntaxError } from '../../src/release/appup';
import { makeRelup } from '../../src/release/relup';
import { app, release } from '../helpers/releases';

const FIXTURES = path.resolve(__dirname, '../fixtures/appup/kvapp');
const extensions = (Module as unknown as { _extensions: Record<string, unknown> })._extensions;
const cache = (Module as unknown as { _cache: Record<string, unknown> })._cache;

const tmpDirs: string[] = [];
function tmp(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'appup-'));
  tmpDirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}
afterEach(() => {
  for (const dir of tmpDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('<app>.appup.ts', () => {
  it('is evaluated with the build context, importing project modules, and validated', async () => {
    const appup = await loadAppup(path.join(FIXTURES, 'kvapp.appup.ts'), { app: 'kvapp', vsn: '1.0.17' });
    expect(appup).toEqual({
      vsn: '1.0.17',
      up: {
        // From src/versions.ts (previousVersion) and src/policy.ts (imported as ./src/policy.js).
        '1.0.16': [
          { op: 'load_module', module: 'kv_store' },
          {
            op: 'update',
            module: 'kv_worker',
            change: { advanced: { migrate: 'v1-to-v2' } },
            deps: ['kv_store'],
          },
        ],
        '/1\\.0\\.[0-9]+/': [{ op: 'restart_application', application: 'kvapp' }],
      },
      down: {
        '1.0.16': [
          { op: 'update', module: 'kv_worker', change: { advanced: { migrate: 'v1-to-v2' } } },
          { op: 'load_module', module: 'kv_store' },
        ],
      },
    });
  });

  it('leaves the process as it found it: hooks removed, loaded modules dropped, fresh code next time', async () => {
    const hooksBefore = { ts: extensions['.ts'], cts: extensions['.cts'], tsx: extensions['.tsx'] };
    const versionsFile = path.join(FIXTURES, 'src/versions.ts');
    const counter = globalThis as { __kvappVersionsLoads?: number };
    const loadsBefore = counter.__kvappVersionsLoads ?? 0;
    await loadAppup(path.join(FIXTURES, 'kvapp.appup.ts'), { app: 'kvapp', vsn: '1.0.5' });
    await loadAppup(path.join(FIXTURES, 'kvapp.appup.ts'), { app: 'kvapp', vsn: '1.0.6' });
    expect({ ts: extensions['.ts'], cts: extensions['.cts'], tsx: extensions['.tsx'] }).toEqual(hooksBefore);
    expect(Object.keys(cache)).not.toContain(versionsFile);
    expect(counter.__kvappVersionsLoads).toBe(loadsBefore + 2);
  });

  it('accepts a plain exported object', async () => {
    const appup = await loadAppup(path.join(FIXTURES, 'plain.appup.ts'), { app: 'kvapp', vsn: '2.0.0' });
    expect(appup.up['1.0.0']).toEqual([{ op: 'update', module: 'kv_sup', supervisor: true }]);
  });

  it('reports an invalid result with the .appup.ts file, the path and what is allowed', async () => {
    const error = await failure(
      loadAppup(path.join(FIXTURES, 'invalid.appup.ts'), { app: 'kvapp', vsn: '2.0.0' }, 'kvapp.appup.ts'),
    );
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toBe(
      'kvapp.appup.ts: up["1.0.0"][0].prePurge: expected "soft_purge" or "brutal_purge", got "soft"',
    );
  });

  it('reports a failing appup function with the file and the cause, and removes the hooks', async () => {
    const before = extensions['.ts'];
    const error = await failure(
      loadAppup(path.join(FIXTURES, 'throws.appup.ts'), { app: 'kvapp', vsn: '2.0.0' }, 'throws.appup.ts'),
    );
    expect(error).toBeInstanceOf(AppupSourceError);
    expect(error.message).toBe(
      'throws.appup.ts: the appup function failed: 1.0.0 has no previous patch version',
    );
    expect((error.cause as Error).message).toBe('1.0.0 has no previous patch version');
    expect(extensions['.ts']).toBe(before);
  });

  it('reports a syntax error with the file, line and column', async () => {
    const dir = tmp({ 'x.appup.ts': "export default {\n  vsn: '1',\n  up: { : [] },\n};\n" });
    const error = await failure(
      loadAppup(path.join(dir, 'x.appup.ts'), { app: 'x', vsn: '1' }, 'x.appup.ts'),
    );
    expect(error).toBeInstanceOf(AppupSourceError);
    expect(error.cause).toBeInstanceOf(TypeScriptSyntaxError);
    expect(error.message).toContain(`${path.join(dir, 'x.appup.ts')}:3:9: Property assignment expected.`);
  });

  it('says what to export when nothing is exported', async () => {
    const dir = tmp({ 'x.appup.ts': 'export const notDefault = 1;\n' });
    const error = await failure(
      loadAppup(path.join(dir, 'x.appup.ts'), { app: 'x', vsn: '1' }, 'x.appup.ts'),
    );
    expect(error.message).toBe(
      'x.appup.ts: the appup must be the default export: `export default defineAppup({...})` or a function returning the appup',
    );
  });

  it('evaluations running at once do not disturb each other', async () => {
    const results = await Promise.all(
      ['1.0.1', '1.0.2', '1.0.3', '1.0.4'].map((vsn) =>
        loadAppup(path.join(FIXTURES, 'kvapp.appup.ts'), { app: 'kvapp', vsn }),
      ),
    );
    expect(results.map((r) => Object.keys(r.up)[0])).toEqual(['1.0.0', '1.0.1', '1.0.2', '1.0.3']);
  });
});

describe('<app>.appup.json', () => {
  it('is read and validated, naming the file in errors', async () => {
    const dir = tmp({
      'good.appup.json': JSON.stringify({
        vsn: '2',
        up: { '1': [{ op: 'load_module', module: 'm' }] },
        down: {},
      }),
      'bad.appup.json': '{"vsn": "2", "up": {"1": [{"op": "load_module"}]}, "down": {}}',
      'broken.appup.json': '{"vsn": ',
    });
    expect((await loadAppup(path.join(dir, 'good.appup.json'), { app: 'a', vsn: '2' })).up).toEqual({
      '1': [{ op: 'load_module', module: 'm' }],
    });
    expect(
      (await failure(loadAppup(path.join(dir, 'bad.appup.json'), { app: 'a', vsn: '2' }, 'a.appup.json')))
        .message,
    ).toBe(
      'a.appup.json: up["1"][0].module: expected a module name such as "kv_worker" or "kvapp:kv_worker", got nothing',
    );
    expect(
      (await failure(loadAppup(path.join(dir, 'broken.appup.json'), { app: 'a', vsn: '2' }, 'a.appup.json')))
        .message,
    ).toMatch(/^a\.appup\.json: invalid JSON: /);
  });
});

describe('builders', () => {
  it('write the JSON notation with only the fields given', () => {
    const b = builders;
    expect([
      b.loadModule('m'),
      b.loadModule('m', { prePurge: 'soft_purge', deps: ['n'] }),
      b.update('m'),
      b.update('m', { change: b.advanced({ x: 1 }), modType: 'static', timeout: 5000 }),
      b.update('m', { change: b.soft }),
      b.updateSupervisor('sup'),
      b.addModule('m'),
      b.deleteModule('m', { deps: ['n'] }),
      b.addApplication('b'),
      b.addApplication('b', 'load'),
      b.removeApplication('c'),
      b.restartApplication('a'),
      b.apply('m', 'f', [1, 'x']),
      b.restartChild('ch_sup', 'm1'),
      b.terminateChild('ch_sup', 'm1'),
      b.deleteChild('ch_sup', 'm1'),
      b.pointOfNoReturn(),
      b.restartEmulator(),
      b.restartNewEmulator(),
      b.loadObjectCode('a', '2', ['a:m']),
      b.load('m'),
      b.remove('m', { postPurge: 'soft_purge' }),
      b.purge(['m']),
      b.suspend(['m', { module: 'n', timeout: 100 }]),
      b.resume(['n', 'm']),
      b.codeChange([{ module: 'm', extra: 1 }], 'down'),
      b.stop(['m']),
      b.start(['m']),
      b.syncNodes('sync1', ['n1@host']),
      b.syncNodes('sync2', { module: 'cluster', function: 'nodes' }),
    ]).toEqual([
      { op: 'load_module', module: 'm' },
      { op: 'load_module', module: 'm', prePurge: 'soft_purge', deps: ['n'] },
      { op: 'update', module: 'm' },
      { op: 'update', module: 'm', change: { advanced: { x: 1 } }, modType: 'static', timeout: 5000 },
      { op: 'update', module: 'm', change: 'soft' },
      { op: 'update', module: 'sup', supervisor: true },
      { op: 'add_module', module: 'm' },
      { op: 'delete_module', module: 'm', deps: ['n'] },
      { op: 'add_application', application: 'b' },
      { op: 'add_application', application: 'b', type: 'load' },
      { op: 'remove_application', application: 'c' },
      { op: 'restart_application', application: 'a' },
      { op: 'apply', module: 'm', function: 'f', args: [1, 'x'] },
      { op: 'apply', module: 'supervisor', function: 'restart_child', args: ['ch_sup', 'm1'] },
      { op: 'apply', module: 'supervisor', function: 'terminate_child', args: ['ch_sup', 'm1'] },
      { op: 'apply', module: 'supervisor', function: 'delete_child', args: ['ch_sup', 'm1'] },
      { op: 'point_of_no_return' },
      { op: 'restart_emulator' },
      { op: 'restart_new_emulator' },
      { op: 'load_object_code', app: 'a', vsn: '2', modules: ['a:m'] },
      { op: 'load', module: 'm' },
      { op: 'remove', module: 'm', postPurge: 'soft_purge' },
      { op: 'purge', modules: ['m'] },
      { op: 'suspend', modules: ['m', { module: 'n', timeout: 100 }] },
      { op: 'resume', modules: ['n', 'm'] },
      { op: 'code_change', mode: 'down', modules: [{ module: 'm', extra: 1 }] },
      { op: 'stop', modules: ['m'] },
      { op: 'start', modules: ['m'] },
      { op: 'sync_nodes', id: 'sync1', nodes: ['n1@host'] },
      { op: 'sync_nodes', id: 'sync2', apply: { module: 'cluster', function: 'nodes', args: [] } },
    ]);
  });

  it('build version keys that select versions as documented', () => {
    expect(builders.pattern(/1\.0\.[0-9]+/)).toBe('/1\\.0\\.[0-9]+/');
    expect(builders.semverRange('^1.2.0')).toBe('semver:^1.2.0');
    expect(() => builders.pattern(/x/i)).toThrow('appup version patterns take no flags, got /x/i');
  });

  it('an appup built with them compiles into a relup', () => {
    const appup = builders.defineAppup({
      vsn: '2',
      up: {
        [builders.pattern(/1(\.[0-9]+)*/)]: [
          builders.updateSupervisor('sup'),
          builders.restartChild('sup', 'w'),
        ],
      },
      down: { [builders.semverRange('<2')]: [builders.updateSupervisor('sup')] },
    });
    parseModel('appup', appup, 'a.appup');
    const { relup } = makeRelup({
      target: release('2.0.0', [['a', '2']]),
      upFrom: [{ release: release('1.0.0', [['a', '1.1']]) }],
      downTo: [],
      apps: [app('a', '1.1', ['sup']), app('a', '2', ['sup', 'w'])],
      appups: { a: { appup } },
    });
    expect(relup.up[0]!.instructions.at(-1)).toEqual({
      op: 'apply',
      module: 'supervisor',
      function: 'restart_child',
      args: ['sup', 'w'],
    });
  });
});
