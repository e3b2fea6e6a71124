/**
 * examples/seed-upgrades (seed 000): the session script replays the seed's shell session in a
 * real Node process with hotrel's dev loop (`c()`), and the example builds and runs as a release.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  EXAMPLES,
  applyVersion,
  build,
  copyExample,
  evaluate,
  expectBuilt,
  startDaemon,
  stopDaemon,
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

/** Resolves when `file` contains `needle` (watching the directory, not polling). */
function fileHas(file: string, needle: string): Promise<void> {
  const done = () => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(needle);
  return new Promise((resolve) => {
    if (done()) return resolve();
    const w = fs.watch(path.dirname(file), () => {
      if (done()) {
        w.close();
        resolve();
      }
    });
  });
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

  it('builds as a release whose node runs the loops, and builds 1.0.1 beside it', async () => {
    ex = copyExample('seed-upgrades', 'seed');
    build(ex);
    startDaemon(ex, '1.0.0');
    expect(evaluate(ex, 'String(mod("seed:good_upgrade").start())')).toMatch(/^<0\.\d+\.0>$/);
    await fileHas(path.join(ex.root, 'log', 'seed.log'), '{vsn,[');
    applyVersion(ex, '1.0.1');
    build(ex);
    expectBuilt(ex, '1.0.1', { seed: '1.0.1' });
  }, 120_000);

  // Upgrade live to 1.0.1 and back: added once `bin/<rel> upgrade` exists (issues 7 and 8).
  // In the release above, after mod("seed:good_upgrade").start() and mod("seed:bad_upgrade").start():
  // upgrading to 1.0.1 makes good_upgrade print "Vsn: ..." while bad_upgrade keeps printing in
  // 1.0.0's format, and makes bad_upgrade's process a holder of old code (the release handler's
  // post-purge, brutal by default, kills it as the seed's third c(bad_upgrade) does).
  describe.todo('upgrade live to 1.0.1 and back');
});
