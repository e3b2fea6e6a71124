/**
 * Generated appups on a live node: relapp is built at four versions, each upgrade's appup is
 * generated (`hotrel appup generate`), compiled into a relup (`hotrel relup`), packed, and
 * installed by the real release handler on a live root booted in this process. The supervisor's children follow: an added
 * worker is started (relapp1 1.0.20), a removed one stopped (1.0.21), an added child supervisor
 * starts with its own worker (1.0.26), and every downgrade undoes it, while the other children
 * keep running (the same pids: nothing was restarted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoaded, Supervisor, whereis, type Pid } from '../../src';
import { removeRelappDirs } from '../helpers/relapp';
import { captureLogs } from '../helpers/log-capture';
import { deployRelapp, type LiveRelapp } from '../helpers/relapp-live';

let node: LiveRelapp | undefined;

async function children(sup: string): Promise<Record<string, Pid>> {
  const list = await Supervisor.whichChildren(sup);
  return Object.fromEntries(
    list.filter((c) => typeof c.pid === 'object').map((c) => [String(c.id), c.pid as Pid]),
  );
}

beforeAll(async () => {
  node = await deployRelapp(['1.0.18', '1.0.20', '1.0.21', '1.0.26']);
}, 120_000);

afterAll(async () => {
  await node?.node.stop();
  removeRelappDirs();
});

describe('supervisor children follow generated upgrades and downgrades', () => {
  it('starts an added worker, stops a removed one, starts a child supervisor with its worker, and back', async () => {
    const { upgrade, downgrade, statuses } = node!;
    const first = await children('relapp_sup');
    expect(Object.keys(first).sort()).toEqual(['relapp_srv', 'relapp_srv2']);

    await upgrade('1.0.20');
    const after20 = await children('relapp_sup');
    expect(Object.keys(after20).sort()).toEqual(['relapp_srv', 'relapp_srv2', 'relapp_srv3']);
    expect(whereis('relapp_srv3')).toEqual(after20.relapp_srv3);
    expect(after20.relapp_srv).toEqual(first.relapp_srv); // not restarted
    expect(after20.relapp_srv2).toEqual(first.relapp_srv2);

    // The supervisor stops relapp_srv3 (running its terminate) before its module is deleted.
    let logs = captureLogs('info');
    await upgrade('1.0.21').finally(() => logs.restore());
    expect(logs.matching('relapp_srv3 terminating')).toHaveLength(1);
    expect(Object.keys(await children('relapp_sup')).sort()).toEqual(['relapp_srv', 'relapp_srv2']);
    expect(whereis('relapp_srv3')).toBeUndefined();
    expect(isLoaded('relapp:relapp_srv3')).toBe(false);

    await upgrade('1.0.26');
    const after26 = await children('relapp_sup');
    expect(Object.keys(after26).sort()).toEqual(['relapp_app_sup', 'relapp_srv', 'relapp_srv2']);
    expect(Object.keys(await children('relapp_app_sup'))).toEqual(['relapp_worker']);
    expect(whereis('relapp_worker')).toBeDefined();
    expect(after26.relapp_srv).toEqual(first.relapp_srv);

    await downgrade('1.0.21');
    expect(Object.keys(await children('relapp_sup')).sort()).toEqual(['relapp_srv', 'relapp_srv2']);
    expect(whereis('relapp_app_sup')).toBeUndefined();
    expect(whereis('relapp_worker')).toBeUndefined();

    await downgrade('1.0.20');
    expect(Object.keys(await children('relapp_sup')).sort()).toEqual([
      'relapp_srv',
      'relapp_srv2',
      'relapp_srv3',
    ]);
    expect(whereis('relapp_srv3')).toBeDefined();

    logs = captureLogs('info');
    await downgrade('1.0.18').finally(() => logs.restore());
    expect(logs.matching('relapp_srv3 terminating')).toHaveLength(1);
    expect(Object.keys(await children('relapp_sup')).sort()).toEqual(['relapp_srv', 'relapp_srv2']);
    expect(whereis('relapp_srv3')).toBeUndefined();
    const last = await children('relapp_sup');
    expect(last.relapp_srv).toEqual(first.relapp_srv);
    expect(last.relapp_srv2).toEqual(first.relapp_srv2);
    expect((await statuses())['1.0.18']).toBe('permanent');
  });
});
