/**
 * Seed 003's KV upgrade through the real code server: the two versions are real module files of
 * an application, compiled and loaded by the code server; the server is suspended, version 2 is
 * loaded (the facade gets its exports), the state is converted and the server resumed. Its state
 * survives, a call made while it was suspended is answered, and the next requests log.
 * (test/behaviours/seed-kv.test.ts is the same story with a stand-in facade.)
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exit, getModule, load, moduleInfo, sys, whereis, type Pid } from '../../src';
import { captureLogs } from '../helpers/log-capture';
import { removeTempDirs, tempApp } from '../helpers/apps';

afterAll(removeTempDirs);
afterEach(() => {
  const pid = whereis('KV');
  if (pid) exit(pid, 'kill');
});

interface Kv {
  start(): Promise<unknown>;
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown): Promise<unknown>;
}

describe('seed 003 through the code server', () => {
  it('keeps the state across suspend, load, changeCode, resume; the next get logs', async () => {
    const app = tempApp('kvseed');
    app.copy('kv/v1/kv.ts', 'kv.ts');
    await load('kvseed:kv');
    const KV = getModule<Kv>('kvseed:kv');
    expect(moduleInfo(KV).vsn).toBe('1');

    const started = (await KV.start()) as { kind: string; pid: Pid };
    expect(started.kind).toBe('ok');
    expect(await KV.put('a', 42)).toBe('ok');
    expect(await KV.get('a')).toBe(42);

    const logs = captureLogs('info');
    try {
      await sys.suspend('KV');
      const during = KV.get('a'); // waits in the mailbox while KV is suspended
      app.copy('kv/v2/kv.ts', 'kv.ts');
      const loaded = await load('kvseed:kv');
      expect(loaded.vsn).toBe('2');
      expect(await sys.changeCode('KV', KV, '1', null)).toEqual({ kind: 'ok' });
      await sys.resume('KV');

      expect(await during).toBe(42);
      expect(await KV.get('a')).toBe(42);
      expect(await KV.put('b', 2)).toBe('ok');
      expect(logs.lines.map((r) => r.msg)).toEqual([
        'KV: Handling get request for a',
        'KV: Handling get request for a',
        'KV: Handling put request for b:2',
      ]);
      expect(await sys.getState('KV')).toEqual(
        new Map<string, unknown>([
          ['a', 42],
          ['b', 2],
        ]),
      );
      expect(whereis('KV')).toEqual(started.pid);
    } finally {
      logs.restore();
    }
  });
});
