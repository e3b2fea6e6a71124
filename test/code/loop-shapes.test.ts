/**
 * Which loop shapes a process can be upgraded in, and which keep it bound to its version (the
 * rules docs/hot-code-loading.md states). V8 shows an async caller on the stack only through
 * `await`, never through `return promise`: `return mod.loop(p)` is Erlang's tail call
 * `?MODULE:loop()`, while `await mod.loop(p)` keeps the caller's frame (and version) on the stack.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { c, findOldCode, getModule, isAlive, spawn, exit, type Pid, type Proc } from '../../src';
import { inProcess } from '../helpers/process';
import { removeTempDirs, tempApp } from '../helpers/apps';

afterAll(removeTempDirs);

const shapes = (v: number): string => `
import { send, whereis, type Proc } from 'hotrel';
import * as self from './shapes';

export const vsn = '${v}';
const CODE = '${v}'; // which version's code is running

function report(p: Proc, shape: string): void {
  if (whereis('shapes_out') !== undefined) send('shapes_out', { from: p.pid, shape, code: CODE });
}
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 2));

/** Upgradable: tail call through the module. */
export async function tail(p: Proc): Promise<void> {
  report(p, 'tail');
  await p.sleep(2);
  return self.tail(p);
}

/** Bound: awaiting the call keeps this frame on the stack. */
export async function awaiting(p: Proc): Promise<void> {
  report(p, 'awaiting');
  await p.sleep(2);
  await self.awaiting(p);
}

/** Bound: the loop is this version's, even though each message is handled by the current one. */
export async function forever(p: Proc): Promise<void> {
  for (;;) {
    await p.sleep(2);
    self.handle(p);
  }
}
export function handle(p: Proc): void {
  report(p, 'forever');
}

/** Cannot be probed (waits on a timer, not receive), but upgradable: judged by its spawn function. */
export async function timerTail(p: Proc): Promise<void> {
  report(p, 'timerTail');
  await tick();
  return self.timerTail(p);
}

/** Cannot be probed, and bound: the function it runs is this version's. */
export async function timerLocal(p: Proc): Promise<void> {
  report(p, 'timerLocal');
  await tick();
  return timerLocal(p);
}
`;

type Shapes = Record<
  'tail' | 'awaiting' | 'forever' | 'timerTail' | 'timerLocal',
  (p: Proc) => Promise<void>
>;

describe('loop shapes', () => {
  it('follows upgrades in tail-call loops and binds await, for(;;) and local loops to their version', async () => {
    const app = tempApp('shapes', { 'shapes.ts': shapes(1) });
    await c('shapes:shapes');
    const m = getModule<Shapes>('shapes:shapes');
    await inProcess(async (self) => {
      self.register('shapes_out');
      const pids: Record<string, Pid> = {};
      for (const shape of ['tail', 'awaiting', 'forever', 'timerTail', 'timerLocal'] as const) {
        pids[shape] = spawn(m[shape], { crashReport: false });
      }
      /** Waits for the next report of `shape` and returns the code version that made it. */
      const nextCode = async (shape: string): Promise<string> =>
        (await self.receive<{ code: string }>({ from: pids[shape], shape })).code;
      const settle = async (shape: string, code: string): Promise<void> => {
        while ((await nextCode(shape)) !== code);
      };

      app.write('shapes.ts', shapes(2));
      await c('shapes:shapes');
      await settle('tail', '2');
      await settle('awaiting', '2'); // it calls v2 through the module, but awaits from v1
      await settle('forever', '2'); // handle() is current; the loop is v1's
      await settle('timerTail', '2');
      for (let i = 0; i < 3; i++) expect(await nextCode('timerLocal')).toBe('1');

      const old = await findOldCode();
      const how = new Map(old.map((o) => [String(o.pid), o.holders.map((h) => h.how)]));
      expect(how.get(String(pids.awaiting))).toEqual(['running']);
      expect(how.get(String(pids.forever))).toEqual(['running']);
      expect(how.get(String(pids.timerLocal))).toEqual(['spawned']);
      expect(how.has(String(pids.tail))).toBe(false);

      app.write('shapes.ts', shapes(3));
      const result = await c('shapes:shapes'); // purges v1
      const killed = result.purge!.victims.map((v) => String(v.pid)).sort();
      expect(killed).toEqual([pids.awaiting, pids.forever, pids.timerLocal].map(String).sort());
      expect(isAlive(pids.tail!) && isAlive(pids.timerTail!)).toBe(true);
      await settle('tail', '3');
      await settle('timerTail', '3');
      exit(pids.tail!, 'kill');
      exit(pids.timerTail!, 'kill');
    });
  });

  it('cannot see old code held only by a local variable or a promise callback: purge reports it retained', async () => {
    const app = tempApp('invisible', {
      'm.ts': "export const vsn = '1';\nexport const make = () => () => 'made by 1';\n",
    });
    await c('invisible:m');
    const m = getModule<{ make(): () => string }>('invisible:m');
    const inLocal = spawn(
      async (self) => {
        const f = m.make(); // a local of this (non-application) function: not walkable
        await self.receive(() => false);
        f();
      },
      { crashReport: false },
    );
    app.write('m.ts', "export const vsn = '2';\nexport const make = () => () => 'made by 2';\n");
    await c('invisible:m');
    app.write('m.ts', "export const vsn = '3';\nexport const make = () => () => 'made by 3';\n");
    const result = await c('invisible:m');
    expect(result.purge).toMatchObject({ killed: false, retained: ['invisible:m@1'] });
    expect(isAlive(inLocal)).toBe(true);
    exit(inLocal, 'kill');
  });
});
