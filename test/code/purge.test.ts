/**
 * Old code held as closures, instances and bound functions: the relapp 1.0.15 -> 1.0.16 scenario
 * (appup-tools.md §2) and every place a process can hold old code.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  c,
  checkOldCode,
  checkProcessCode,
  commit,
  findOldCode,
  getModule,
  isAlive,
  lingeringVersions,
  prepare,
  purge,
  softPurge,
  spawn,
  exit,
  type Pid,
  type Proc,
} from '../../src';
import { collectGarbage } from '../../src/code/gc';
import { exitOf, idle, inProcess } from '../helpers/process';
import { removeTempDirs, tempApp, type TempApp } from '../helpers/apps';

afterAll(removeTempDirs);

interface M1 {
  storeFun(): void;
  makeClosure(tag: string): () => string;
  makeBound(): () => string;
  Counter: new () => { bump(): number };
}

function relapp(name: string): TempApp {
  const app = tempApp(name);
  app.copy('relapp/1.0.15/relapp_m1.ts', 'relapp_m1.ts');
  app.copy('relapp/relapp_srv2.ts', 'relapp_srv2.ts');
  return app;
}

async function upgradeM1(app: TempApp): Promise<void> {
  app.copy('relapp/1.0.16/relapp_m1.ts', 'relapp_m1.ts');
  const result = await c(`${app.name}:relapp_m1`);
  expect(result.vsn).toBe('1.0.16');
}

async function callStoredFun(self: Proc): Promise<string> {
  self.send('relapp_srv2', { type: 'call_stored_fun', from: self.pid });
  return (await self.receive<{ reply: string }>({ reply: (r: unknown) => typeof r === 'string' })).reply;
}

/** A process that keeps `value` in its state (as a GenServer would) and waits. */
function holder(value: () => unknown): Pid {
  return spawn(
    async (self) => {
      const state = { held: value() };
      self.inspectState = () => state;
      await self.receive(() => false);
    },
    { crashReport: false },
  );
}

describe('relapp 1.0.15 -> 1.0.16: a closure of relapp_m1 stored in relapp_srv2', () => {
  it('soft purge refuses and names srv2; brutal purge kills srv2 and nothing else', async () => {
    const app = relapp('relapp');
    const m1Id = 'relapp:relapp_m1';
    const prepared = prepare(m1Id);
    const v15Exports = new WeakRef(prepared.exports!);
    await commit(prepared);
    const m1 = getModule<M1>(m1Id);
    const srv2 = getModule<{ start(): Pid }>('relapp:relapp_srv2').start();
    const bystander = idle();
    await inProcess(async (self) => {
      m1.storeFun();
      expect(await callStoredFun(self)).toBe('the stored fun of relapp_m1 1.0.15');
    });

    await upgradeM1(app);
    // A process holding a closure of the *new* version is not a holder of old code.
    const holdsNew = holder(() => m1.makeClosure('new'));
    expect(checkOldCode(m1Id)).toBe(true);
    expect(await checkProcessCode(srv2, m1Id)).toBe(true);
    expect(await checkProcessCode(srv2, m1Id, { funs: false })).toBe(false); // OTP's answer: funs ignored
    expect(await checkProcessCode(holdsNew, m1Id)).toBe(false);

    const soft = await softPurge(m1Id);
    expect(soft.purged).toBe(false);
    expect(soft.holders).toEqual([
      { pid: srv2, name: 'relapp_srv2', module: m1Id, vsn: '1.0.15', how: 'holds', where: 'state.f' },
    ]);
    // Nothing was removed: old code is still there and the stored fun still runs it.
    expect(checkOldCode(m1Id)).toBe(true);
    await inProcess(async (self) => {
      expect(await callStoredFun(self)).toBe('the stored fun of relapp_m1 1.0.15');
    });

    const down = exitOf(srv2);
    const result = await purge(m1Id);
    expect(result.killed).toBe(true);
    expect(result.victims.map((v) => [String(v.pid), v.how, v.where])).toEqual([
      [String(srv2), 'holds', 'state.f'],
    ]);
    expect(result.retained).toEqual([]);
    expect(await down).toBe('killed');
    expect(isAlive(bystander)).toBe(true);
    expect(isAlive(holdsNew)).toBe(true);
    expect(checkOldCode(m1Id)).toBe(false);

    // The purged version is gone from memory.
    await collectGarbage();
    expect(v15Exports.deref()).toBeUndefined();
    exit(bystander, 'kill');
    exit(holdsNew, 'kill');
  });
});

describe('every place a process can hold old code', () => {
  it('finds closures, instances and bound functions in state, mailbox, dictionary and timers', async () => {
    const app = relapp('places');
    const m1Id = 'places:relapp_m1';
    await c(m1Id);
    const m1 = getModule<M1>(m1Id);
    const inState = holder(() => ({ handlers: [1, 2, m1.makeClosure('state')] }));
    const instance = holder(() => new Map([['counter', new m1.Counter()]]));
    const bound = holder(() => m1.makeBound());
    const inMailbox = spawn(async (self) => void (await self.receive({ never: true })), {
      crashReport: false,
    });
    const inDictionary = spawn(
      async (self) => {
        self.put('callback', m1.makeClosure('dictionary'));
        await self.receive(() => false);
      },
      { crashReport: false },
    );
    const inTimer = spawn(
      async (self) => {
        self.sendAfter(60_000, self.pid, { later: m1.makeClosure('timer') });
        await self.receive(() => false);
      },
      { crashReport: false },
    );
    const innocent = holder(() => ({ data: [1, 'two', { three: 3 }] }));
    await inProcess(async (self) => {
      self.send(inMailbox, { f: m1.makeClosure('mailbox') });
    });
    await upgradeM1(app);

    const report = await findOldCode();
    const where = new Map(report.map((r) => [String(r.pid), r.holders.map((h) => h.where)]));
    expect(where.get(String(inState))).toEqual(['state.held.handlers[2]']);
    expect(where.get(String(instance))?.[0]).toMatch(/^state\.held\.get\("counter"\)\.\[\[Prototype\]\]/);
    expect(where.get(String(bound))).toEqual(['state.held']);
    expect(where.get(String(inMailbox))).toEqual(['mailbox[0].f']);
    expect(where.get(String(inDictionary))).toEqual(['dictionary.get("callback")']);
    expect(where.get(String(inTimer))).toEqual(['timers[0].later']);
    expect(where.has(String(innocent))).toBe(false);
    for (const r of report) expect(r.modules).toEqual([m1Id]);

    const result = await purge(m1Id);
    expect(result.victims.map((v) => String(v.pid)).sort()).toEqual(
      [inState, instance, bound, inMailbox, inDictionary, inTimer].map(String).sort(),
    );
    expect(isAlive(innocent)).toBe(true);
    expect(result.retained).toEqual([]);
    exit(innocent, 'kill');
  });

  it('answers like OTP when there is no old code', async () => {
    tempApp('noold', { 'm.ts': 'export const x = 1;\n' });
    await c('noold:m');
    expect(checkOldCode('noold:m')).toBe(false);
    expect(await softPurge('noold:m')).toEqual({ purged: true, holders: [], unattributed: [] });
    expect(await purge('noold:m')).toEqual({ killed: false, victims: [], purged: [], retained: [] });
    expect(await findOldCode()).toEqual([]);
    await expect(purge('not an id')).rejects.toThrow(/module ids have the form/);
  });

  it('reports old code referenced outside any process as retained, and soft purge refuses it', async () => {
    const app = tempApp('outside');
    app.copy('relapp/1.0.15/relapp_m1.ts', 'relapp_m1.ts');
    app.write('cache.ts', 'export const kept: unknown[] = [];\n');
    await c('outside:relapp_m1');
    const m1 = getModule<M1>('outside:relapp_m1');
    getModule<{ kept: unknown[] }>('outside:cache').kept.push(m1.makeClosure('module-level'));
    app.copy('relapp/1.0.16/relapp_m1.ts', 'relapp_m1.ts');
    await c('outside:relapp_m1');

    const soft = await softPurge('outside:relapp_m1');
    expect(soft).toEqual({ purged: false, holders: [], unattributed: ['outside:relapp_m1@1.0.15'] });
    const hard = await purge('outside:relapp_m1');
    expect(hard).toMatchObject({
      killed: false,
      purged: ['outside:relapp_m1@1.0.15'],
      retained: ['outside:relapp_m1@1.0.15'],
    });
    expect(lingeringVersions()).toEqual(['outside:relapp_m1@1.0.15']);

    getModule<{ kept: unknown[] }>('outside:cache').kept.length = 0;
    await collectGarbage();
    expect(lingeringVersions()).toEqual([]);
  });
});
