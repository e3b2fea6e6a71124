import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { _, TIMEOUT, exit, lookupProcess, send, spawn, type Pid } from '../../src/runtime';
import { exitOf, inProcess } from '../helpers/process';

describe('fairness', () => {
  it('a message storm between two processes does not starve timers or I/O', async () => {
    let count = 0;
    const ping = spawn(async (self) => {
      const peer = (await self.receive()) as Pid;
      for (;;) {
        send(peer, self.pid);
        await self.receive();
        count++;
      }
    });
    const pong = spawn(async (self) => {
      for (;;) send((await self.receive()) as Pid, 'pong');
    });
    send(ping, pong);
    // If the storm ran entirely in microtasks, this timer would never fire and the test would time out.
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(count).toBeGreaterThan(1000);
    exit(ping, 'kill');
    exit(pong, 'kill');
  });
});

describe('stack probe', () => {
  it('names the functions a parked process is running, without disturbing its receive', async () => {
    await inProcess(async (self) => {
      async function waitingInThisFile(s: typeof self): Promise<unknown> {
        return s.receive('wake');
      }
      const child = spawn(async (c) => {
        const m = await waitingInThisFile(c);
        send(self.pid, m);
      });
      await self.sleep(0);
      const files = await lookupProcess(child)!.probeStack();
      expect(files?.some((f) => f.endsWith('scheduling.test.ts'))).toBe(true);
      send(child, 'wake');
      expect(await self.receive()).toBe('wake');
      await exitOf(child);
    });
  });
});

describe('non-probeable processes', () => {
  it('receive, match, time out and die like any process, and their stack cannot be probed', async () => {
    await inProcess(async (self) => {
      const child = spawn(
        async (c) => {
          expect(await c.receive('never', { after: 5 })).toBe(TIMEOUT);
          const m = await c.receive({ go: _ });
          send(self.pid, m);
          await c.receive(() => false);
        },
        { probeable: false },
      );
      send(child, { go: 1 });
      expect(await self.receive()).toEqual({ go: 1 });
      expect(await lookupProcess(child)!.probeStack()).toBeUndefined();
      const down = exitOf(child);
      exit(child, 'kill');
      expect(await down).toBe('killed');
    });
  });
});

describe('probe and timeout', () => {
  it('a receive whose timeout fires while it is being probed still times out', async () => {
    await inProcess(async (self) => {
      const child = spawn(async (c) => {
        const r = await c.receive('never', { after: 30 });
        send(self.pid, r);
      });
      await self.sleep(0);
      for (let i = 0; i < 3; i++) expect(await lookupProcess(child)!.probeStack()).toBeDefined();
      expect(await self.receive()).toBe(TIMEOUT);
    });
  });

  it('a message that arrives while a process is being probed is not lost', async () => {
    await inProcess(async (self) => {
      const child = spawn(async (c) => send(self.pid, await c.receive('hello')));
      await self.sleep(0);
      const probing = lookupProcess(child)!.probeStack();
      send(child, 'hello');
      await probing;
      expect(await self.receive()).toBe('hello');
    });
  });
});

describe('isolation', () => {
  it('a crashing process and a forgotten rejected promise leave the Node process running', () => {
    const script = path.join(__dirname, '..', 'fixtures', 'runtime', 'crash-isolation.ts');
    const res = spawnSync(process.execPath, ['-r', 'tsx/cjs', script], {
      encoding: 'utf8',
      env: { ...process.env, HOTREL_LOG_LEVEL: 'error' },
    });
    expect(res.status).toBe(0);
    expect(res.stdout.trim()).toBe('still alive: crashed=Error: sync crash rejected=Error: async crash');
    expect(res.stderr).toContain('unhandled promise rejection (the node keeps running)');
    expect(res.stderr).toContain('Error in process');
  });
});
