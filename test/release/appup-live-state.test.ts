/**
 * Generated appups on a live node, for state and code: relapp 1.0.11 -> 1.0.12 -> 1.0.13 ->
 * 1.0.14 and back, each hop's appup generated, compiled into a relup and packed, and installed by
 * the real release handler on a live root booted in this process. relapp_srv2's declared state shape migrates its live state
 * (seed 001: `{id: 42}` -> `{id: 42, name: '', description: ''}` -> `{id: 42}`); an added library
 * module is loaded and removed again; a server that starts calling a changed module's new
 * function works as soon as the upgrade is done (callee loaded before caller), and after the
 * downgrade the old function is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenServer, getModule, isLoaded, whereis } from '../../src';
import { removeRelappDirs } from '../helpers/relapp';
import { deployRelapp, type LiveRelapp } from '../helpers/relapp-live';

let node: LiveRelapp | undefined;

beforeAll(async () => {
  node = await deployRelapp(['1.0.11', '1.0.12', '1.0.13', '1.0.14']);
}, 120_000);

afterAll(async () => {
  await node?.node.stop();
  removeRelappDirs();
});

const state = (name: string): Promise<unknown> => GenServer.call(name, 'get');

describe('state and code follow generated upgrades and downgrades', () => {
  it('migrates a declared state shape both ways, adds a module, and orders callee before caller', async () => {
    const { upgrade, downgrade, statuses } = node!;
    const srv2 = whereis('relapp_srv2')!;
    GenServer.cast('relapp_srv2', { op: 'set', id: 42 });
    expect(await state('relapp_srv2')).toEqual({ id: 42 });

    await upgrade('1.0.12');
    expect(await state('relapp_srv2')).toEqual({ id: 42, name: '', description: '' });

    await upgrade('1.0.13');
    expect(getModule<{ test(): unknown }>('relapp:relapp_m1').test()).toBe('ok');

    await upgrade('1.0.14');
    const srv = getModule<{ test(arg: unknown): Promise<unknown> }>('relapp:relapp_srv');
    expect(await srv.test('arg')).toEqual({ ok: 'arg' });

    await downgrade('1.0.13');
    expect(getModule<{ test(): unknown }>('relapp:relapp_m1').test()).toBe('ok');

    await downgrade('1.0.12');
    expect(isLoaded('relapp:relapp_m1')).toBe(false);

    await downgrade('1.0.11');
    expect(await state('relapp_srv2')).toEqual({ id: 42 });
    expect(whereis('relapp_srv2')).toEqual(srv2);
    expect(await statuses()).toEqual({
      '1.0.11': 'permanent',
      '1.0.12': 'old',
      '1.0.13': 'old',
      '1.0.14': 'old',
    });
  });
});
