import { describe, expect, it } from 'vitest';
import { exit, isDownMessage, processInfo, send, spawn, type DownMessage } from '../../src/runtime';
import { exitOf, idle, inProcess } from '../helpers/process';

describe('monitors', () => {
  it('delivers DOWN with the exit reason', async () => {
    await inProcess(async (self) => {
      const target = spawn(async (t) => {
        await t.receive('go');
        t.exit('my reason');
      });
      const ref = self.monitor(target);
      expect(processInfo(target)!.monitoredBy.map(String)).toEqual([String(self.pid)]);
      send(target, 'go');
      const down = await self.receive<DownMessage>(isDownMessage);
      expect(down).toEqual({ type: 'DOWN', ref, target, pid: target, reason: 'my reason' });
    });
  });

  it('delivers DOWN killed for a killed process and noproc for a dead pid', async () => {
    await inProcess(async (self) => {
      const target = idle();
      const ref = self.monitor(target);
      exit(target, 'kill');
      expect(await self.receive(isDownMessage)).toMatchObject({ ref, reason: 'killed' });
      const ref2 = self.monitor(target);
      expect(await self.receive(isDownMessage)).toEqual({
        type: 'DOWN',
        ref: ref2,
        target,
        pid: target,
        reason: 'noproc',
      });
    });
  });

  it('monitors a registered name and reports noproc for an unregistered one', async () => {
    await inProcess(async (self) => {
      const target = idle({ name: 'test-mon-named' });
      const ref = self.monitor('test-mon-named');
      exit(target, 'bye');
      expect(await self.receive(isDownMessage)).toEqual({
        type: 'DOWN',
        ref,
        target: 'test-mon-named',
        pid: target,
        reason: 'bye',
      });
      const ref2 = self.monitor('test-mon-nobody');
      expect(await self.receive(isDownMessage)).toEqual({
        type: 'DOWN',
        ref: ref2,
        target: 'test-mon-nobody',
        pid: undefined,
        reason: 'noproc',
      });
    });
  });

  it('demonitor stops the DOWN, and flush removes one that already arrived', async () => {
    await inProcess(async (self) => {
      const a = idle();
      const refA = self.monitor(a);
      expect(self.demonitor(refA)).toBe(true);
      expect(self.demonitor(refA)).toBe(false);
      exit(a, 'kill');
      await exitOf(a);

      const b = idle();
      const refB = self.monitor(b);
      exit(b, 'kill');
      await exitOf(b);
      expect(processInfo(self.pid)!.messageQueueLength).toBe(1);
      expect(self.demonitor(refB, { flush: true })).toBe(false);
      expect(processInfo(self.pid)!.messageQueueLength).toBe(0);
    });
  });

  it('a monitor is not a link: the watcher survives an abnormal exit', async () => {
    await inProcess(async (self) => {
      const [pid, ref] = self.spawnMonitor(
        () => {
          throw new Error('monitored crash');
        },
        { crashReport: false },
      );
      const down = await self.receive<DownMessage>(isDownMessage);
      expect(down.ref).toEqual(ref);
      expect(down.pid).toEqual(pid);
      expect((down.reason as Error).message).toBe('monitored crash');
    });
  });

  it("drops a watcher's monitors when the watcher dies first", async () => {
    const target = idle();
    const watcher = spawn(async (self) => {
      self.monitor(target);
      await self.receive('stop');
    });
    await inProcess((self) => self.sleep(0));
    expect(processInfo(target)!.monitoredBy).toHaveLength(1);
    send(watcher, 'stop');
    await exitOf(watcher);
    expect(processInfo(target)!.monitoredBy).toHaveLength(0);
  });
});
