/**
 * examples/kv (seed 003's KV) as a release: 1.0.0 built, deployed to a live root and run there as
 * a real node under heart, used through `bin/kv rpc`; 1.0.1 (the logging patch) built beside it,
 * packed with `hotrel upgrade-pack`, and the node upgraded to it and back with `bin/kv upgrade`
 * and `bin/kv downgrade` while a client keeps calling.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyVersion,
  build,
  callLoad,
  copyExample,
  expectBuilt,
  log,
  logUpTo,
  moveTo,
  nodePid,
  rpc,
  startDaemon,
  statuses,
  stopDaemon,
  upgradePack,
  type Example,
  type Load,
} from '../helpers/examples';

let ex: Example;

beforeAll(() => {
  ex = copyExample('kv');
  build(ex);
  startDaemon(ex, '1.0.0');
}, 120_000);

afterAll(() => stopDaemon(ex));

describe('examples/kv', () => {
  it('1.0.0 stores and answers through its real interface', () => {
    expect(rpc(ex, 'kv:kv', 'put', 'a', 42)).toBe('ok');
    expect(rpc(ex, 'kv:kv', 'get', 'a')).toBe(42);
    expect(rpc(ex, 'kv:kv', 'get', 'b')).toBe(null);
    expect(rpc(ex, 'kv:kv', 'get', 'b', 7)).toBe(7);
    expect(rpc(ex, 'kv:kv', 'put', 'b', { nested: [1, 2] })).toBe('ok');
    expect(rpc(ex, 'kv:kv', 'get', 'b')).toEqual({ nested: [1, 2] });
    expect(log(ex)).not.toContain('Handling get request');
  });

  it('builds 1.0.1 (the logging patch) beside the running 1.0.0', () => {
    applyVersion(ex, '1.0.1');
    build(ex);
    expectBuilt(ex, '1.0.0', { kv: '1.0.0' });
    expectBuilt(ex, '1.0.1', { kv: '1.0.1' });
    const compiled = fs.readFileSync(path.join(ex.root, 'lib', 'kv-1.0.1', 'kv.js'), 'utf8');
    expect(compiled).toContain('Handling get request for');
    // The running node is still 1.0.0, with its state.
    expect(rpc(ex, 'kv:kv', 'get', 'a')).toBe(42);
  }, 120_000);

  describe('upgrade live to 1.0.1 and back', () => {
    let pid: number;
    let load: Load;
    const GET_A = 'kv: Handling get request for a';

    it('packs 1.0.1 with hotrel upgrade-pack: one GenServer updated, a slim package', () => {
      pid = nodePid(ex);
      const pack = upgradePack(ex);
      expect(pack.vsn).toBe('1.0.1');
      expect(pack.output).toMatch(
        /up from 1\.0\.0 \(release 1\.0\.0\):\n {4}1\. update kv change=\{"advanced":\[\]\}/,
      );
      expect(pack.output).toContain('slim package of kv 1.0.1 for release 1.0.0');
    }, 120_000);

    it('upgrades while a client keeps calling: the store is kept, every request is logged, no call fails', async () => {
      // Each call puts a value, the next reads it back: the store must hold it across the upgrade.
      load = await callLoad(ex, (i) =>
        i % 2 === 0
          ? {
              args: ['kv:kv', 'put', 'load', i],
              check: (a) => (a === 'ok' ? undefined : `put answered ${String(a)}`),
            }
          : {
              args: ['kv:kv', 'get', 'load'],
              check: (a) => (a === i - 1 ? undefined : `get answered ${String(a)}, not ${i - 1}`),
            },
      );
      await load.more(10);
      const up = await moveTo(ex, 'upgrade', '1.0.1');
      expect(up.stdout).toMatch(
        /^kv upgraded 1\.0\.0 -> 1\.0\.1 in \d+ ms \(1 process\(es\) suspended for [\d.]+ ms\); 1\.0\.1 is permanent/,
      );
      expect(up.stderr).toMatch(/suspended 1 process\(es\) using kv:kv/);
      await load.more(10); // still answering, now on 1.0.1

      expect(rpc(ex, 'kv:kv', 'get', 'a')).toBe(42);
      expect(rpc(ex, 'kv:kv', 'get', 'b')).toEqual({ nested: [1, 2] });
      const logged = await logUpTo(ex, 'after the upgrade');
      expect(logged).toContain(GET_A);
      expect(logged).toContain('kv: Handling put request for load:');
      expect(statuses(ex)).toEqual({ '1.0.1': 'permanent', '1.0.0': 'old' });
      expect(nodePid(ex)).toBe(pid); // the same OS process: nothing restarted
    }, 60_000);

    it('downgrades to 1.0.0 under the same client: the store is kept, nothing is logged any more, no call fails', async () => {
      const down = await moveTo(ex, 'downgrade', '1.0.0');
      expect(down.stdout).toMatch(/^kv downgraded 1\.0\.1 -> 1\.0\.0 .*; 1\.0\.0 is permanent/);
      await load.more(10);
      const seen = await load.stop();
      expect(seen.failures).toEqual([]);

      const before = (await logUpTo(ex, 'before the get on 1.0.0')).split(GET_A).length;
      expect(rpc(ex, 'kv:kv', 'get', 'a')).toBe(42);
      const after = (await logUpTo(ex, 'after the get on 1.0.0')).split(GET_A).length;
      expect(after).toBe(before);
      expect(statuses(ex)).toEqual({ '1.0.1': 'old', '1.0.0': 'permanent' });
      expect(nodePid(ex)).toBe(pid);
    }, 60_000);
  });
});
