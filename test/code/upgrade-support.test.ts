/**
 * What the release handler asks of the code server: undoing a delete (a rolled-back `remove`),
 * naming the processes that hold the current code an upgrade will make old, locating each
 * distinct function once when many processes share it, and not walking hotrel's own classes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  deleteModule,
  findCurrentCodeUsers,
  getModule,
  isLoaded,
  load,
  moduleInfo,
  revert,
  spawn,
  type Proc,
} from '../../src';
import { scriptIdsOf } from '../../src/code/function-locator';
import { collectFunctions, collectFunctionsPausing } from '../../src/code/walk';
import { Pid } from '../../src/runtime';
import { removeTempDirs, tempApp } from '../helpers/apps';

afterAll(removeTempDirs);

describe('code server support for upgrades', () => {
  it('revert undoes deleteModule: the deleted code is current again', async () => {
    const app = tempApp('undel', { 'm.ts': "export const vsn = 'a';\nexport function f() { return 1; }\n" });
    const id = `${app.name}:m`;
    await load(id);
    expect(deleteModule(id)).toBe(true);
    expect(isLoaded(id)).toBe(false);
    expect(() => getModule(id)).toThrow(/was deleted/);
    await revert(id);
    expect(isLoaded(id)).not.toBe(false);
    expect(moduleInfo(id).vsn).toBe('a');
    expect(getModule<{ f(): number }>(id).f()).toBe(1);
  });

  it('findCurrentCodeUsers names a process holding a closure of the current code', async () => {
    const app = tempApp('cur', {
      'm.ts': 'export function make() { const at = 1; return () => at; }\n',
    });
    const id = `${app.name}:m`;
    await load(id);
    const make = getModule<{ make(): () => number }>(id).make;
    const holder = spawn(
      async (self: Proc) => {
        const fn = make();
        self.inspectState = () => ({ fn });
        await self.receive(() => false);
      },
      { name: 'holder' },
    );
    await new Promise((r) => setImmediate(r));
    const users = await findCurrentCodeUsers([id]);
    expect(users).toEqual([
      expect.objectContaining({
        pid: holder,
        name: 'holder',
        modules: [id],
        holders: [expect.objectContaining({ how: 'holds', where: 'state.fn', module: id })],
      }),
    ]);
  });

  it('locates a function shared by many entries once, and answers for every entry', () => {
    const shared = function sharedFn(): void {};
    const other = (): void => {};
    const ids = scriptIdsOf([shared, other, shared, shared, other]);
    expect(ids[0]).not.toBeNull();
    expect(ids[2]).toBe(ids[0]);
    expect(ids[3]).toBe(ids[0]);
    expect(ids[4]).toBe(ids[1]);
  });

  it("does not walk into hotrel's own classes (their methods are never application code)", () => {
    const state = { owner: new Pid(7), fn: () => 1 };
    const { functions } = collectFunctions([['state', state]], () => false);
    expect([...functions.values()]).toEqual(['state.fn']);
  });

  it('lets the event loop turn within one large state, and finds the same functions', async () => {
    // A supervisor of 100,000 children has a state this size: walked in one go, it held the
    // node for 138 ms.
    const late = (): number => 2;
    const state = { rows: Array.from({ length: 5000 }, (_, i) => ({ i, tag: `r${i}` })), late };
    let pauses = 0;
    let turned = 0;
    const timer = setInterval(() => turned++, 0);
    const paused = await collectFunctionsPausing(
      [['state', state]],
      () => false,
      () => {
        pauses++;
        return new Promise((resolve) => setImmediate(resolve));
      },
    ).finally(() => clearInterval(timer));
    expect(pauses).toBeGreaterThan(10);
    expect(turned).toBeGreaterThan(0); // timers ran in the middle of the walk
    expect([...paused.functions.values()]).toEqual(['state.late']);
    expect(paused).toEqual(collectFunctions([['state', state]], () => false));
  });
});
