/**
 * Seed 003's example, in TypeScript: start KV, put and get, then upgrade it to the logging
 * version by hand (suspend, load, changeCode, resume). The state survives, a client calling
 * during the upgrade is answered, and the next get logs. The "load" is a facade commit (what the
 * code server does); the lead re-runs this through the real code server once it lands.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { exit, whereis } from '../../src/runtime';
import { GenServer, sys } from '../../src/behaviours';
import { commit } from '../helpers/facade';
import { captureLogs } from '../helpers/log-capture';
import { KV } from '../fixtures/behaviours/kv/kv';
import * as V0 from '../fixtures/behaviours/kv/kv-v0';
import * as V1 from '../fixtures/behaviours/kv/kv-v1';

afterEach(() => {
  const pid = whereis('KV');
  if (pid) exit(pid, 'kill');
});

describe('seed 003: hot-swapping the KV GenServer', () => {
  it('keeps its state across suspend, load, changeCode, resume, and the next get logs', async () => {
    commit(KV, V0);
    const started = await KV.start();
    expect(started.kind).toBe('ok');
    expect(await KV.get('a')).toBeUndefined();
    expect(await KV.put('a', 42)).toBe('ok');
    expect(await KV.get('a')).toBe(42);

    const logs = captureLogs('info');
    try {
      await sys.suspend('KV');
      // A client calls while KV is suspended: its call waits, it does not fail.
      const during = KV.get('a');
      commit(KV, V1); // :code.load_file KV
      expect(await sys.changeCode('KV', KV, V0.vsn, null)).toEqual({ kind: 'ok' });
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
      expect(whereis('KV')).toEqual(GenServer.pidOf(started));
    } finally {
      logs.restore();
    }
  });
});
