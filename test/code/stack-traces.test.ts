/** Stack traces of hot-loaded code: the TypeScript file and line, and the module version. */
import { afterAll, describe, expect, it } from 'vitest';
import { c, getModule, installStackTraces, load, versionOfFile } from '../../src';
import { removeTempDirs, tempApp } from '../helpers/apps';

afterAll(removeTempDirs);

const V1 = [
  "export const vsn = '1.0.0';",
  'export function fail(): never {',
  "  throw new Error('failed in v1');",
  '}',
  'export function later(): Error {',
  "  return new Error('made by v1');",
  '}',
].join('\n');
const V2 = [
  "export const vsn = '2.0.0';",
  '',
  '// v2 moved things down',
  'export function fail(): never {',
  '  helper();',
  '  throw new Error("unreachable");',
  '}',
  'function helper(): void {',
  "  throw new Error('failed in v2');",
  '}',
].join('\n');

describe('stack traces', () => {
  it('name the .ts file, line and column, and the module version, beside the other frames', async () => {
    const app = tempApp('tr', {
      'lib.ts': V1,
      'caller.ts': "import { fail } from './lib';\nexport function call() { fail(); }\n",
    });
    await load('tr:caller');
    const caller = getModule<{ call(): void }>('tr:caller');
    const stack = (() => {
      try {
        caller.call();
      } catch (err) {
        return (err as Error).stack!;
      }
      return '';
    })();
    const lines = stack.split('\n');
    expect(lines[0]).toBe('Error: failed in v1');
    expect(lines[1]).toBe(`    at fail [tr:lib@1.0.0] (${app.dir}/lib.ts:3:9)`);
    expect(lines[2]).toMatch(
      new RegExp(`^    at Object\\.call \\[tr:caller@[0-9a-f]{8}\\] \\(${app.dir}/caller\\.ts:2:30\\)$`),
    );
    // The test's own frame is still there, formatted by the formatter installed before.
    expect(lines[3]).toMatch(/stack-traces\.test\.ts:\d+:\d+\)?$/);
  });

  it('map each version through its own source map while two versions coexist', async () => {
    const app = tempApp('tr2', { 'lib.ts': V1 });
    await load('tr2:lib');
    const lib = getModule<{ fail(): never }>('tr2:lib');
    const failOfV1 = lib.fail;
    app.write('lib.ts', V2);
    await c('tr2:lib');
    const traces = [failOfV1, lib.fail].map((f) => {
      try {
        f();
      } catch (err) {
        return (err as Error).stack!.split('\n').slice(0, 3);
      }
      return [];
    });
    expect(traces[0]).toEqual([
      'Error: failed in v1',
      `    at fail [tr2:lib@1.0.0] (${app.dir}/lib.ts:3:9)`,
      expect.stringMatching(/test\.ts/),
    ]);
    expect(traces[1]).toEqual([
      'Error: failed in v2',
      `    at helper [tr2:lib@2.0.0] (${app.dir}/lib.ts:9:9)`,
      `    at fail [tr2:lib@2.0.0] (${app.dir}/lib.ts:5:3)`,
    ]);
  });

  it('drop a version’s source map at purge (its frames keep their tag, at compiled positions)', async () => {
    const app = tempApp('tr3', { 'lib.ts': V1 });
    await load('tr3:lib');
    // An error whose stack is not formatted yet (it keeps v1's functions alive until it is:
    // the purge below reports v1 as retained).
    const error = getModule<{ later(): Error }>('tr3:lib').later();
    expect(versionOfFile(`${app.dir}/lib.ts#v1`)).toMatchObject({
      module: 'tr3:lib',
      vsn: '1.0.0',
      status: 'current',
    });
    app.write('lib.ts', V2);
    await c('tr3:lib');
    app.write('lib.ts', V1);
    await c('tr3:lib'); // purges v1
    expect(versionOfFile(`${app.dir}/lib.ts#v1`)).toBeUndefined();
    const frame = error.stack!.split('\n')[1]!;
    expect(frame).toMatch(
      new RegExp(`^    at Object\\.later \\[tr3:lib@1\\.0\\.0\\] \\(${app.dir}/lib\\.ts#v1:\\d+:\\d+\\)$`),
    );
  });

  it('format every frame themselves when no formatter was installed before', async () => {
    const app = tempApp('tr4', { 'lib.ts': V1 });
    await load('tr4:lib');
    const lib = getModule<{ fail(): never }>('tr4:lib');
    const saved = Error.prepareStackTrace;
    try {
      delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
      installStackTraces();
      let stack = '';
      try {
        lib.fail();
      } catch (err) {
        stack = (err as Error).stack!;
      }
      const lines = stack.split('\n');
      expect(lines[0]).toBe('Error: failed in v1');
      expect(lines[1]).toBe(`    at Object.fail [tr4:lib@1.0.0] (${app.dir}/lib.ts:3:9)`);
      expect(lines[2]).toMatch(/^ {4}at .*stack-traces\.test\.ts:\d+:\d+\)?$/);
    } finally {
      Error.prepareStackTrace = saved;
      installStackTraces();
    }
  });

  it('hand mapped call sites to a formatter that wants call site objects', async () => {
    const app = tempApp('tr5', { 'lib.ts': V1 });
    await load('tr5:lib');
    const lib = getModule<{ later(): Error }>('tr5:lib');
    const saved = Error.prepareStackTrace;
    try {
      Error.prepareStackTrace = (_err, sites) => sites;
      installStackTraces();
      const sites = lib.later().stack as unknown as NodeJS.CallSite[];
      expect([sites[0]!.getFileName(), sites[0]!.getLineNumber(), sites[0]!.getColumnNumber()]).toEqual([
        `${app.dir}/lib.ts`,
        6,
        10,
      ]);
      expect(sites[0]!.getFunctionName()).toBe('later');
    } finally {
      Error.prepareStackTrace = saved;
      installStackTraces();
    }
  });
});
