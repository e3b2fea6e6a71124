import { describe, expect, it } from 'vitest';
import {
  AlreadyNamedError,
  NameTakenError,
  NoProcError,
  TIMEOUT,
  cancelTimer,
  exit,
  register,
  registered,
  sendAfter,
  spawn,
  unregister,
  whereis,
  processInfo,
} from '../../src/runtime';
import { exitOf, idle, inProcess } from '../helpers/process';

describe('registry errors', () => {
  it('refuses a taken name and says who holds it', () => {
    const owner = idle({ name: 'test-taken' });
    const other = idle();
    expect(() => register('test-taken', other)).toThrow(NameTakenError);
    expect(() => register('test-taken', other)).toThrow(`already registered to ${owner}`);
    expect(registered()).toContain('test-taken');
  });

  it('refuses a second name for one process and a name for a dead process', async () => {
    const pid = idle({ name: 'test-first-name' });
    expect(() => register('test-second-name', pid)).toThrow(AlreadyNamedError);
    const dead = spawn(() => undefined);
    await exitOf(dead);
    expect(() => register('test-dead-name', dead)).toThrow(NoProcError);
    expect(whereis('test-dead-name')).toBeUndefined();
  });

  it('spawning with a taken name spawns nothing', () => {
    idle({ name: 'test-spawn-taken' });
    const before = registered().length;
    expect(() => spawn(() => undefined, { name: 'test-spawn-taken' })).toThrow(NameTakenError);
    expect(registered().length).toBe(before);
  });

  it('unregister frees the name and reports whether it was registered', () => {
    const pid = idle({ name: 'test-unreg' });
    expect(unregister('test-unreg')).toBe(true);
    expect(unregister('test-unreg')).toBe(false);
    expect(processInfo(pid)!.registeredName).toBeUndefined();
  });
});

describe('timers', () => {
  it('sendAfter delivers after the delay; cancelTimer stops it and returns the time left', async () => {
    await inProcess(async (self) => {
      const ref = self.sendAfter(5_000, self.pid, 'late');
      const left = cancelTimer(ref);
      expect(left).toBeGreaterThan(4_000);
      expect(cancelTimer(ref)).toBe(false);
      const r2 = self.sendAfter(1, self.pid, 'tick');
      expect(await self.receive('tick')).toBe('tick');
      expect(cancelTimer(r2)).toBe(false);
      expect(await self.receive('late', { after: 20 })).toBe(TIMEOUT);
    });
  });

  it('sends to a registered name resolved when the timer fires', async () => {
    await inProcess(async (self) => {
      sendAfter(1, 'test-timer-name', 'hello');
      self.register('test-timer-name');
      expect(await self.receive()).toBe('hello');
    });
  });

  it('a timer is cancelled when its owner dies', async () => {
    await inProcess(async (self) => {
      const owner = spawn(async (o) => {
        o.sendAfter(10, self.pid, 'from the dead');
        await o.receive(() => false);
      });
      await self.sleep(0);
      exit(owner, 'kill');
      await exitOf(owner);
      expect(await self.receive('from the dead', { after: 40 })).toBe(TIMEOUT);
    });
  });

  it('rejects a bad delay', () => {
    expect(() => sendAfter(-5, 'x', 1)).toThrow(/finite number >= 0/);
  });
});

describe('process dictionary and info', () => {
  it('put/get/erase and processInfo report what the process is doing', async () => {
    await inProcess(async (self) => {
      expect(self.put('k', 1)).toBeUndefined();
      expect(self.put('k', 2)).toBe(1);
      expect(self.get('k')).toBe(2);
      self.trapExit(true);
      self.register('test-info');
      const child = self.spawnLink(async (c) => void (await c.receive(() => false)));
      const ref = self.monitor(child);
      const info = processInfo(self.pid)!;
      expect(info.status).toBe('running');
      expect(info.registeredName).toBe('test-info');
      expect(info.trapExit).toBe(true);
      expect(info.links).toEqual([child]);
      expect(info.monitors).toEqual([{ ref, pid: child }]);
      expect(info.dictionary.get('k')).toBe(2);
      await self.sleep(0);
      expect(processInfo(child)!.status).toBe('waiting');
      expect(self.erase('k')).toBe(2);
      expect(self.get('k')).toBeUndefined();
    });
  });
});
