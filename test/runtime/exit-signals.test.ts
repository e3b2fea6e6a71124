import { describe, expect, it } from 'vitest';
import {
  exit,
  isAlive,
  isExitMessage,
  processInfo,
  send,
  spawn,
  type ExitMessage,
  type Pid,
} from '../../src/runtime';
import { exitOf, idle, inProcess } from '../helpers/process';

describe('links and exit signals', () => {
  it('an abnormal exit kills a linked process that does not trap exits, with the same reason', async () => {
    const boom = new Error('boom');
    let victim!: ReturnType<typeof spawn>;
    const crasher = spawn(
      async (self) => {
        victim = self.spawnLink(async (v) => void (await v.receive()), { crashReport: false });
        await self.receive('crash');
        throw boom;
      },
      { crashReport: false },
    );
    await inProcess((self) => self.sleep(0));
    const [crasherExit, victimExit] = [exitOf(crasher), exitOf(victim)];
    send(crasher, 'crash');
    expect(await crasherExit).toBe(boom);
    expect(await victimExit).toBe(boom);
  });

  it('a trapping process gets {EXIT, from, reason} instead and survives', async () => {
    await inProcess(async (self) => {
      self.trapExit(true);
      const child = self.spawnLink(
        () => {
          throw new Error('child failed');
        },
        { crashReport: false },
      );
      const msg = await self.receive<ExitMessage>(isExitMessage);
      expect(msg.from.equals(child)).toBe(true);
      expect((msg.reason as Error).message).toBe('child failed');
      expect(self.isAlive).toBe(true);
    });
  });

  it('a normal exit does not kill a non-trapping linked process, and reaches a trapping one as a message', async () => {
    await inProcess(async (self) => {
      const child = self.spawnLink(() => undefined);
      await exitOf(child);
      expect(self.isAlive).toBe(true);
      self.trapExit(true);
      const child2 = self.spawnLink(() => undefined);
      expect(await self.receive(isExitMessage)).toEqual({ type: 'EXIT', from: child2, reason: 'normal' });
    });
  });

  it('kill cannot be trapped: the target dies with killed, which reaches its links as killed', async () => {
    await inProcess(async (self) => {
      self.trapExit(true);
      const target = self.spawnLink(async (t) => void (await t.receive(() => false)), { trapExit: true });
      expect(processInfo(target)!.trapExit).toBe(true);
      const targetExit = exitOf(target);
      exit(target, 'kill');
      expect(await targetExit).toBe('killed');
      expect(await self.receive(isExitMessage)).toEqual({ type: 'EXIT', from: target, reason: 'killed' });
    });
  });

  it('killed propagates to a non-trapping link as an ordinary reason', async () => {
    const [outer, inner] = await inProcess(async (self) => {
      const o = spawn(async (outerSelf) => {
        send(
          self.pid,
          outerSelf.spawnLink(async (i) => void (await i.receive(() => false))),
        );
        await outerSelf.receive(() => false);
      });
      return [o, (await self.receive()) as Pid] as const;
    });
    const [innerExit, outerExit] = [exitOf(inner), exitOf(outer)];
    exit(inner, 'kill');
    expect(await innerExit).toBe('killed');
    expect(await outerExit).toBe('killed');
  });

  it('a process that exits with reason kill sends an ordinary (trappable) kill over its links', async () => {
    await inProcess(async (self) => {
      self.trapExit(true);
      const child = self.spawnLink((c) => c.exit('kill'));
      expect(await self.receive(isExitMessage)).toEqual({ type: 'EXIT', from: child, reason: 'kill' });
      const bystander = spawn(async (b) => {
        b.spawnLink((c) => c.exit('kill'));
        await b.receive(() => false);
      });
      expect(await exitOf(bystander)).toBe('kill');
    });
  });

  it('exit/2 with normal is ignored by a non-trapping process, unless it sends it to itself', async () => {
    const target = idle();
    exit(target, 'normal');
    await inProcess((self) => self.sleep(5));
    expect(isAlive(target)).toBe(true);
    exit(target, 'kill');
    const selfExit = spawn(async (self) => {
      self.exit(self.pid, 'normal');
      await self.receive();
    });
    expect(await exitOf(selfExit)).toBe('normal');
  });

  it('exit/2 with another reason kills a non-trapping process and is a message for a trapping one', async () => {
    const target = idle();
    const targetExit = exitOf(target);
    exit(target, 'go away');
    expect(await targetExit).toBe('go away');
    await inProcess(async (self) => {
      self.trapExit(true);
      const killer = spawn((k) => k.exit(self.pid, 'please stop'));
      expect(await self.receive(isExitMessage)).toEqual({
        type: 'EXIT',
        from: killer,
        reason: 'please stop',
      });
    });
  });

  it('linking to a dead process delivers noproc (a message when trapping, death otherwise)', async () => {
    const dead = spawn(() => undefined);
    await exitOf(dead);
    await inProcess(async (self) => {
      self.trapExit(true);
      self.link(dead);
      expect(await self.receive(isExitMessage)).toEqual({ type: 'EXIT', from: dead, reason: 'noproc' });
    });
    const linker = spawn(async (self) => {
      self.link(dead);
      await self.receive();
    });
    expect(await exitOf(linker)).toBe('noproc');
  });

  it('unlink stops the propagation', async () => {
    await inProcess(async (self) => {
      const child = self.spawnLink(
        async (c) => {
          await c.receive('die');
          throw new Error('bye');
        },
        { crashReport: false },
      );
      self.unlink(child);
      expect(processInfo(self.pid)!.links).toEqual([]);
      send(child, 'die');
      await exitOf(child);
      await self.sleep(1);
      expect(self.isAlive).toBe(true);
    });
  });

  it('messages sent before a crash arrive before the EXIT message', async () => {
    await inProcess(async (self) => {
      self.trapExit(true);
      const child = self.spawnLink(
        () => {
          send(self.pid, 'one');
          send(self.pid, 'two');
          throw new Error('after sending');
        },
        { crashReport: false },
      );
      expect(await self.receive()).toBe('one');
      expect(await self.receive()).toBe('two');
      const m = (await self.receive()) as ExitMessage;
      expect(m.type).toBe('EXIT');
      expect(m.from.equals(child)).toBe(true);
    });
  });

  it('a chain of 100,000 linked processes dies without exhausting the stack', async () => {
    const N = 100_000;
    const first = spawn(
      async (self) => {
        await self.receive('start');
        throw new Error('head of chain');
      },
      { crashReport: false },
    );
    let last = first;
    const pids = [first];
    for (let i = 1; i < N; i++) {
      const parent = last;
      last = spawn(async (self) => {
        self.link(parent);
        await self.receive(() => false);
      });
      pids.push(last);
    }
    await inProcess((self) => self.sleep(0));
    const lastExit = exitOf(last);
    send(first, 'start');
    const reason = await lastExit;
    expect((reason as Error).message).toBe('head of chain');
    expect(pids.every((p) => !isAlive(p))).toBe(true);
  });
});
