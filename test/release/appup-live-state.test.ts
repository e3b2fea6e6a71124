/**
 * Generated appups on a live node, for state and code: relapp 1.0.11 -> 1.0.12 -> 1.0.13 ->
 * 1.0.14 and back, each hop's appup generated and compiled into a relup, run in this process by a
 * stand-in for the release handler. relapp_srv2's declared state shape migrates its live state
 * (seed 001: `{id: 42}` -> `{id: 42, name: '', description: ''}` -> `{id: 42}`); an added library
 * module is loaded and removed again; a server that starts calling a changed module's new
 * function works as soon as the upgrade is done (callee loaded before caller), and after the
 * downgrade the old function is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Application, GenServer, getModule, isLoaded, whereis } from '../../src';
import { appupGenerate } from '../../src/cli/commands/appup';
import { runRelup as relupCommand } from '../../src/cli/commands/relup';
import { buildRelapp, removeRelappDirs } from '../helpers/relapp';
import { bootRelease, runRelup } from '../helpers/run-relup';

let root: string;
const silent = { out: () => {}, err: (t: string) => process.stderr.write(`${t}\n`) };

function prepareUpgrade(target: string, from: string): void {
  appupGenerate({ current: root, target, previousVersion: from }, process.cwd());
  expect(relupCommand({ root, target, upfrom: [from] }, process.cwd(), silent)).toBe(0);
}

beforeAll(async () => {
  root = await buildRelapp(['1.0.11', '1.0.12', '1.0.13', '1.0.14']);
  prepareUpgrade('1.0.12', '1.0.11');
  prepareUpgrade('1.0.13', '1.0.12');
  prepareUpgrade('1.0.14', '1.0.13');
  await bootRelease(root, '1.0.11');
}, 120_000);

afterAll(async () => {
  await Application.stopAll();
  removeRelappDirs();
});

const state = (name: string): Promise<unknown> => GenServer.call(name, 'get');

describe('state and code follow generated upgrades and downgrades', () => {
  it('migrates a declared state shape both ways, adds a module, and orders callee before caller', async () => {
    const srv2 = whereis('relapp_srv2')!;
    GenServer.cast('relapp_srv2', { op: 'set', id: 42 });
    expect(await state('relapp_srv2')).toEqual({ id: 42 });

    await runRelup(root, '1.0.12', 'up', '1.0.11');
    expect(await state('relapp_srv2')).toEqual({ id: 42, name: '', description: '' });

    await runRelup(root, '1.0.13', 'up', '1.0.12');
    expect(getModule<{ test(): unknown }>('relapp:relapp_m1').test()).toBe('ok');

    await runRelup(root, '1.0.14', 'up', '1.0.13');
    const srv = getModule<{ test(arg: unknown): Promise<unknown> }>('relapp:relapp_srv');
    expect(await srv.test('arg')).toEqual({ ok: 'arg' });

    await runRelup(root, '1.0.14', 'down', '1.0.13');
    expect(getModule<{ test(): unknown }>('relapp:relapp_m1').test()).toBe('ok');

    await runRelup(root, '1.0.13', 'down', '1.0.12');
    expect(isLoaded('relapp:relapp_m1')).toBe(false);

    await runRelup(root, '1.0.12', 'down', '1.0.11');
    expect(await state('relapp_srv2')).toEqual({ id: 42 });
    expect(whereis('relapp_srv2')).toEqual(srv2);
  });
});
