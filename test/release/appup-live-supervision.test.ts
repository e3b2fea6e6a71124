/**
 * Generated appups on a live node: relapp is built at four versions, each upgrade's appup is
 * generated (`hotrel appup generate`), compiled into a relup (`hotrel relup`) and run in this
 * process by a stand-in for the release handler. The supervisor's children follow: an added
 * worker is started (relapp1 1.0.20), a removed one stopped (1.0.21), an added child supervisor
 * starts with its own worker (1.0.26), and every downgrade undoes it, while the other children
 * keep running (the same pids: nothing was restarted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Application, isLoaded, Supervisor, whereis, type Pid } from '../../src';
import { appupGenerate } from '../../src/cli/commands/appup';
import { runRelup as relupCommand } from '../../src/cli/commands/relup';
import { buildRelapp, removeRelappDirs } from '../helpers/relapp';
import { captureLogs } from '../helpers/log-capture';
import { bootRelease, runRelup } from '../helpers/run-relup';

let root: string;
const silent = { out: () => {}, err: (t: string) => process.stderr.write(`${t}\n`) };

/** Generates the appup of `target` from `from` and compiles its relup. */
function prepareUpgrade(target: string, from: string): void {
  appupGenerate({ current: root, target, previousVersion: from }, process.cwd());
  expect(relupCommand({ root, target, upfrom: [from] }, process.cwd(), silent)).toBe(0);
}

async function children(sup: string): Promise<Record<string, Pid>> {
  const list = await Supervisor.whichChildren(sup);
  return Object.fromEntries(
    list.filter((c) => typeof c.pid === 'object').map((c) => [String(c.id), c.pid as Pid]),
  );
}

beforeAll(async () => {
  root = await buildRelapp(['1.0.18', '1.0.20', '1.0.21', '1.0.26']);
  prepareUpgrade('1.0.20', '1.0.18');
  prepareUpgrade('1.0.21', '1.0.20');
  prepareUpgrade('1.0.26', '1.0.21');
  await bootRelease(root, '1.0.18');
}, 120_000);

afterAll(async () => {
  await Application.stopAll();
  removeRelappDirs();
});

describe('supervisor children follow generated upgrades and downgrades', () => {
  it('starts an added worker, stops a removed one, starts a child supervisor with its worker, and back', async () => {
    const first = await children('relapp_sup');
    expect(Object.keys(first).sort()).toEqual(['relapp_srv', 'relapp_srv2']);

    await runRelup(root, '1.0.20', 'up', '1.0.18');
    const after20 = await children('relapp_sup');
    expect(Object.keys(after20).sort()).toEqual(['relapp_srv', 'relapp_srv2', 'relapp_srv3']);
    expect(whereis('relapp_srv3')).toEqual(after20.relapp_srv3);
    expect(after20.relapp_srv).toEqual(first.relapp_srv); // not restarted
    expect(after20.relapp_srv2).toEqual(first.relapp_srv2);

    // The supervisor stops relapp_srv3 (running its terminate) before its module is deleted.
    let logs = captureLogs('info');
    await runRelup(root, '1.0.21', 'up', '1.0.20').finally(() => logs.restore());
    expect(logs.matching('relapp_srv3 terminating')).toHaveLength(1);
    expect(Object.keys(await children('relapp_sup')).sort()).toEqual(['relapp_srv', 'relapp_srv2']);
    expect(whereis('relapp_srv3')).toBeUndefined();
    expect(isLoaded('relapp:relapp_srv3')).toBe(false);

    await runRelup(root, '1.0.26', 'up', '1.0.21');
    const after26 = await children('relapp_sup');
    expect(Object.keys(after26).sort()).toEqual(['relapp_app_sup', 'relapp_srv', 'relapp_srv2']);
    expect(Object.keys(await children('relapp_app_sup'))).toEqual(['relapp_worker']);
    expect(whereis('relapp_worker')).toBeDefined();
    expect(after26.relapp_srv).toEqual(first.relapp_srv);

    await runRelup(root, '1.0.26', 'down', '1.0.21');
    expect(Object.keys(await children('relapp_sup')).sort()).toEqual(['relapp_srv', 'relapp_srv2']);
    expect(whereis('relapp_app_sup')).toBeUndefined();
    expect(whereis('relapp_worker')).toBeUndefined();

    await runRelup(root, '1.0.21', 'down', '1.0.20');
    expect(Object.keys(await children('relapp_sup')).sort()).toEqual([
      'relapp_srv',
      'relapp_srv2',
      'relapp_srv3',
    ]);
    expect(whereis('relapp_srv3')).toBeDefined();

    logs = captureLogs('info');
    await runRelup(root, '1.0.20', 'down', '1.0.18').finally(() => logs.restore());
    expect(logs.matching('relapp_srv3 terminating')).toHaveLength(1);
    expect(Object.keys(await children('relapp_sup')).sort()).toEqual(['relapp_srv', 'relapp_srv2']);
    expect(whereis('relapp_srv3')).toBeUndefined();
    const last = await children('relapp_sup');
    expect(last.relapp_srv).toEqual(first.relapp_srv);
    expect(last.relapp_srv2).toEqual(first.relapp_srv2);
  });
});
