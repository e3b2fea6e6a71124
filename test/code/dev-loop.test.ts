/** The console helpers of the dev loop: c/1, l/1, r/1, mm/0, lm/0. */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addApplication, c, getModule, l, lm, mm, moduleInfo, r } from '../../src';
import { compiledLib, removeTempDirs, tempApp } from '../helpers/apps';

afterAll(removeTempDirs);

type Greeter = { greet(): string };

describe('dev loop', () => {
  it('c(file) compiles one source file and loads it into the running node', async () => {
    const app = tempApp('dev', { 'greeter.ts': "export function greet() { return 'hello'; }\n" });
    const file = path.join(app.dir, 'greeter.ts');
    expect(await c(file)).toMatchObject({ module: 'dev:greeter' });
    const greeter = getModule<Greeter>('dev:greeter');
    expect(greeter.greet()).toBe('hello');
    app.write('greeter.ts', "export function greet() { return 'hej'; }\n");
    await c(file);
    expect(greeter.greet()).toBe('hej');
  });

  it('r(module) recompiles a module from its source; l(module) reloads it from its directory', async () => {
    const app = tempApp('dev2', { 'greeter.ts': "export function greet() { return 'one'; }\n" });
    await c('dev2:greeter');
    const greeter = getModule<Greeter>('dev2:greeter');
    app.write('greeter.ts', "export function greet() { return 'two'; }\n");
    await r('dev2:greeter');
    expect(greeter.greet()).toBe('two');
    app.write('greeter.ts', "export function greet() { return 'three'; }\n");
    await l('dev2:greeter');
    expect(greeter.greet()).toBe('three');
    expect(moduleInfo('dev2:greeter').old).toBeDefined();
  });

  it('mm() lists the modules changed on disk and lm() loads them', async () => {
    const app = tempApp('dev3', {
      'a.ts': "export const a = 'a1';\n",
      'b.ts': "export const b = 'b1';\n",
    });
    await c('dev3:a');
    await c('dev3:b');
    expect(mm().filter((m) => m.startsWith('dev3:'))).toEqual([]);
    app.write('b.ts', "export const b = 'b2';\n");
    expect(mm().filter((m) => m.startsWith('dev3:'))).toEqual(['dev3:b']);
    const loaded = await lm();
    expect(loaded.map((x) => x.module)).toContain('dev3:b');
    expect(getModule<{ b: string }>('dev3:b').b).toBe('b2');
    expect(mm().filter((m) => m.startsWith('dev3:'))).toEqual([]);
  });

  it('accepts a bare module name when it is unambiguous, and says when it is not', async () => {
    tempApp('dev4', { 'unique_name.ts': "export const u = 'u';\n", 'shared.ts': 'export const s = 4;\n' });
    tempApp('dev5', { 'shared.ts': 'export const s = 5;\n' });
    expect(await c('unique_name')).toMatchObject({ module: 'dev4:unique_name' });
    await expect(c('shared')).rejects.toThrow(/'shared' is ambiguous: write one of dev4:shared, dev5:shared/);
    await expect(c('nowhere_at_all')).rejects.toThrow(
      /no module 'nowhere_at_all' in any registered application/,
    );
  });

  it('refuses what it cannot compile, with a message that says what to do', async () => {
    const lib = compiledLib('devjs', '1.0.0', { 'm.ts': 'export const m = 1;\n' });
    addApplication({ name: 'devjs', dir: lib });
    await expect(c('devjs:m')).rejects.toThrow(/holds compiled modules: use l\('devjs:m'\)/);
    expect(await l('devjs:m')).toMatchObject({ module: 'devjs:m' });
    await expect(c('/definitely/not/registered.ts')).rejects.toThrow(
      /not under the directory of any registered application/,
    );
  });
});
