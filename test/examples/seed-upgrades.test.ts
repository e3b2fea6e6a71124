/**
 * examples/seed-upgrades (seed 000): the session script replays the seed's shell session in a
 * real Node process with hotrel's dev loop (`c()`); and the same story as a release: 1.0.0 runs
 * as a real node (in a live root, under heart) with both loops started, and is upgraded with
 * `hotrel upgrade-pack` and `bin/seed upgrade` to 1.0.1 (good_upgrade follows, bad_upgrade stays
 * in old code) and 1.0.2 (bad_upgrade killed by the purge of that old code), then downgraded.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  EXAMPLES,
  applyVersion,
  build,
  copyExample,
  evaluate,
  expectBuilt,
  log,
  logSatisfies,
  moveTo,
  nodePid,
  run,
  startDaemon,
  statuses,
  stopDaemon,
  upgradePack,
  type Example,
} from '../helpers/examples';

const REPO = path.join(__dirname, '..', '..');

function runSession(): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(
    process.execPath,
    ['-r', 'tsx/cjs', path.join(EXAMPLES, 'seed-upgrades', 'session.ts')],
    { cwd: REPO, env: { ...process.env, SEED_SLEEP_MS: '5', HOTREL_LOG_LEVEL: 'warn' } },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out, err })));
}

let ex: Example | undefined;
afterAll(() => stopDaemon(ex));

describe('examples/seed-upgrades', () => {
  it("replays the seed's session: good_upgrade follows each version, bad_upgrade is killed", async () => {
    const { code, out, err } = await runSession();
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.split('\n');
    const after = (prompt: number) => lines[lines.findIndex((l) => l.startsWith(`${prompt}> `)) + 1]!;
    const vsnOf = (prompt: number) => /vsn: '([0-9a-f]+)'/.exec(after(prompt))![1]!;
    const good = after(2);
    const bad = after(6);
    expect(good).toMatch(/^<0\.\d+\.0>$/);
    // good_upgrade: each compile's version prints in that version's own format.
    const [g1, g2, g3] = [vsnOf(1), vsnOf(3), vsnOf(4)];
    expect(new Set([g1, g2, g3]).size).toBe(3);
    expect(lines).toContain(`{vsn,[${g1}]}`);
    expect(lines).toContain(`Vsn: {vsn,[${g2}]}`);
    expect(lines).toContain(`Version: {vsn,[${g3}]}`);
    // bad_upgrade: after the second compile the new vsn is printed in the first version's format.
    const b2 = vsnOf(7);
    expect(lines).toContain(`{vsn,[${b2}]}`);
    expect(out).not.toContain(`Vsn: {vsn,[${b2}]}`);
    expect(lines).toContain(`${bad} runs old code of seed:bad_upgrade (running)`);
    expect(after(10)).toContain(`killed: [${bad}]`);
    expect(out).toContain(`process, ${bad}, killed}`);
    expect(lines).toContain(`good_upgrade ${good}: alive, running version 1.0.2`);
  }, 60_000);

  describe('as a release, upgraded live', () => {
    let node: Example;
    let pid: number;
    const vsnOf = (module: string) => evaluate(node, `moduleInfo("seed:${module}").vsn`) as string;
    const alive = () => evaluate(node, '[whereis("good") !== undefined, whereis("bad") !== undefined]');
    /** Resolves once the log, after `from` characters, has `line` as a whole line. */
    const printed = (line: string, from: number) =>
      logSatisfies(node, (t) => t.slice(from).split('\n').includes(line));

    it('1.0.0 runs as a release: both loops started in the node print to its log', async () => {
      node = ex = copyExample('seed-upgrades', 'seed');
      build(node);
      // The loops print every 50 ms instead of the seed's 2 s.
      startDaemon(node, '1.0.0', { SEED_SLEEP_MS: '50' });
      pid = nodePid(node);
      evaluate(
        node,
        'register("good", mod("seed:good_upgrade").start()); register("bad", mod("seed:bad_upgrade").start()); true',
      );
      await printed(`{vsn,[${vsnOf('good_upgrade')}]}`, 0);
      await printed(`{vsn,[${vsnOf('bad_upgrade')}]}`, 0);
    }, 120_000);

    it('1.0.1: good_upgrade follows the new code, bad_upgrade stays in the old one, which is kept loaded (soft post-purge)', async () => {
      applyVersion(node, '1.0.1');
      const pack = upgradePack(node);
      expect(pack.output).toMatch(/load_module good_upgrade prePurge="brutal_purge" postPurge="soft_purge"/);
      expectBuilt(node, '1.0.1', { seed: '1.0.1' });
      run(node, 'unpack', '1.0.1');
      const plan = run(node, 'upgrade', '1.0.1', '--dry-run');
      expect(plan).toMatch(
        /keep the code this install makes old loaded \(soft_purge\):\n.*\(good\) runs seed:good_upgrade\n?.*\n.*\(bad\) runs seed:bad_upgrade/,
      );

      const from = log(node).length;
      const up = await moveTo(node, 'upgrade', '1.0.1');
      expect(up.stdout).toMatch(/^seed upgraded 1\.0\.0 -> 1\.0\.1 .*; 1\.0\.1 is permanent/);
      expect(up.stdout).toContain('old code still loaded (purged later): seed:bad_upgrade (soft_purge)');
      await printed(`Vsn: {vsn,[${vsnOf('good_upgrade')}]}`, from); // 1.0.1's format
      await printed(`{vsn,[${vsnOf('bad_upgrade')}]}`, from); // the new vsn in 1.0.0's format
      expect(alive()).toEqual([true, true]);
      expect(evaluate(node, '(await findOldCode()).map((o) => [o.name, o.modules])')).toEqual([
        ['bad', ['seed:bad_upgrade']],
      ]);
    }, 120_000);

    it('1.0.2: the purge of 1.0.0 kills bad_upgrade, good_upgrade follows again', async () => {
      applyVersion(node, '1.0.2');
      upgradePack(node);
      run(node, 'unpack', '1.0.2');
      expect(run(node, 'upgrade', '1.0.2', '--dry-run')).toMatch(
        /killed by the install \(they still use the old code it purges\):\n.*\(bad\) runs seed:bad_upgrade/,
      );
      const from = log(node).length;
      const up = await moveTo(node, 'upgrade', '1.0.2');
      expect(up.stderr).toContain('pre-purge killed 1 process(es) still in old code');
      expect(alive()).toEqual([true, false]);
      await printed(`Version: {vsn,[${vsnOf('good_upgrade')}]}`, from);
      expect(statuses(node)).toEqual({ '1.0.2': 'permanent', '1.0.1': 'old', '1.0.0': 'old' });
    }, 120_000);

    it('downgrades: good_upgrade follows each older version back', async () => {
      for (const [vsn, format] of [
        ['1.0.1', 'Vsn: '],
        ['1.0.0', ''],
      ] as const) {
        const from = log(node).length;
        await moveTo(node, 'downgrade', vsn);
        await printed(`${format}{vsn,[${vsnOf('good_upgrade')}]}`, from);
        expect(alive()).toEqual([true, false]);
      }
      expect(statuses(node)).toEqual({ '1.0.2': 'old', '1.0.1': 'old', '1.0.0': 'permanent' });
      expect(nodePid(node)).toBe(pid);
    }, 120_000);
  });
});
