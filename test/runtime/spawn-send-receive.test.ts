import { describe, expect, it } from 'vitest';
import { _, NoProcError, Pid, TIMEOUT, isAlive, processInfo, send, spawn, whereis } from '../../src/runtime';
import { exitOf, idle, inProcess } from '../helpers/process';

describe('spawn', () => {
  it('starts the function after the spawner continues, then the process ends normally', async () => {
    const order: string[] = [];
    const pid = spawn(() => {
      order.push('child');
    });
    order.push('parent');
    expect(isAlive(pid)).toBe(true);
    expect(await exitOf(pid)).toBe('normal');
    expect(order).toEqual(['parent', 'child']);
    expect(isAlive(pid)).toBe(false);
    expect(processInfo(pid)).toBeUndefined();
  });

  it('gives every process a distinct pid printed like Erlang', () => {
    const a = idle();
    const b = idle();
    expect(a.equals(b)).toBe(false);
    expect(String(a)).toMatch(/^<0\.\d+\.0>$/);
    expect(Pid.parse(String(a)).equals(a)).toBe(true);
    expect(() => Pid.parse('pid-1')).toThrow(/expected the form <0.N.0>/);
  });

  it('ends a process whose function throws, with the error as the reason', async () => {
    const boom = new Error('boom');
    const pid = spawn(
      () => {
        throw boom;
      },
      { crashReport: false },
    );
    expect(await exitOf(pid)).toBe(boom);
  });

  it('ends a process whose async function rejects, and the Node process carries on', async () => {
    const boom = new Error('async boom');
    const pid = spawn(
      async (self) => {
        await self.sleep(1);
        throw boom;
      },
      { crashReport: false },
    );
    expect(await exitOf(pid)).toBe(boom);
  });

  it('self.exit(reason) ends the process with exactly that reason', async () => {
    const pid = spawn((self) => self.exit({ shutdown: 'done' }));
    expect(await exitOf(pid)).toEqual({ shutdown: 'done' });
  });
});

describe('send', () => {
  it('delivers to a pid and to a registered name', async () => {
    await inProcess(async (self) => {
      self.register('test-send-me');
      send(self.pid, 1);
      send('test-send-me', 2);
      expect(await self.receive()).toBe(1);
      expect(await self.receive()).toBe(2);
    });
  });

  it('throws a clear error for an unregistered name and drops messages to dead pids', async () => {
    expect(() => send('nobody-has-this-name', 1)).toThrow(NoProcError);
    expect(() => send('nobody-has-this-name', 1)).toThrow(
      /no process is registered as 'nobody-has-this-name'/,
    );
    const pid = spawn(() => undefined);
    await exitOf(pid);
    expect(() => send(pid, 'lost')).not.toThrow();
  });

  it('keeps messages sent before a process starts', async () => {
    const got = await inProcess(async (self) => {
      const child = spawn(async (c) => {
        const a = await c.receive();
        const b = await c.receive();
        send(self.pid, [a, b]);
      });
      send(child, 'first');
      send(child, 'second');
      return self.receive();
    });
    expect(got).toEqual(['first', 'second']);
  });
});

describe('selective receive', () => {
  it('takes the first matching message and leaves the others queued in order', async () => {
    await inProcess(async (self) => {
      for (const m of [
        { t: 'a', n: 1 },
        { t: 'b', n: 2 },
        { t: 'a', n: 3 },
        { t: 'b', n: 4 },
      ])
        send(self.pid, m);
      expect(await self.receive({ t: 'b' })).toEqual({ t: 'b', n: 2 });
      expect(processInfo(self.pid)!.messages).toEqual([
        { t: 'a', n: 1 },
        { t: 'a', n: 3 },
        { t: 'b', n: 4 },
      ]);
      expect(await self.receive((m: unknown) => (m as { n: number }).n > 3)).toEqual({ t: 'b', n: 4 });
      expect(await self.receive()).toEqual({ t: 'a', n: 1 });
      expect(await self.receive()).toEqual({ t: 'a', n: 3 });
    });
  });

  it('matches nested patterns, arrays, pids and the wildcard', async () => {
    await inProcess(async (self) => {
      send(self.pid, ['reply', self.pid, { ok: true, value: 7 }]);
      send(self.pid, ['reply', new Pid(999999), { ok: true, value: 8 }]);
      const other = await self.receive(['reply', new Pid(999999), _]);
      expect(other).toEqual(['reply', new Pid(999999), { ok: true, value: 8 }]);
      const mine = await self.receive(['reply', self.pid, { ok: true }]);
      expect((mine as unknown[])[2]).toEqual({ ok: true, value: 7 });
    });
  });

  it('wakes a waiting receive only for a matching message', async () => {
    await inProcess(async (self) => {
      const pending = self.receive({ kind: 'wanted' });
      send(self.pid, { kind: 'other' });
      send(self.pid, { kind: 'wanted', v: 1 });
      expect(await pending).toEqual({ kind: 'wanted', v: 1 });
      expect(await self.receive()).toEqual({ kind: 'other' });
    });
  });

  it('after 0 only looks at the mailbox', async () => {
    await inProcess(async (self) => {
      expect(await self.receive(_, { after: 0 })).toBe(TIMEOUT);
      send(self.pid, 'x');
      expect(await self.receive('y', { after: 0 })).toBe(TIMEOUT);
      expect(await self.receive('x', { after: 0 })).toBe('x');
    });
  });

  it('after N times out when nothing matches, and a message that arrives in time wins', async () => {
    await inProcess(async (self) => {
      const t0 = Date.now();
      expect(await self.receive('never', { after: 20 })).toBe(TIMEOUT);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(19);
      self.sendAfter(5, self.pid, 'soon');
      expect(await self.receive('soon', { after: 10_000 })).toBe('soon');
    });
  });

  it('rejects a negative timeout clearly', async () => {
    await inProcess((self) => {
      expect(() => self.receive(_, { after: -1 })).toThrow(/after must be >= 0/);
    });
  });
});

describe('registered names', () => {
  it('registers, resolves, lists and releases a name when the process exits', async () => {
    const pid = spawn(async (self) => void (await self.receive('stop')), { name: 'test-reg-1' });
    expect(whereis('test-reg-1')?.equals(pid)).toBe(true);
    send('test-reg-1', 'stop');
    await exitOf(pid);
    expect(whereis('test-reg-1')).toBeUndefined();
    const again = idle({ name: 'test-reg-1' });
    expect(whereis('test-reg-1')?.equals(again)).toBe(true);
  });
});
