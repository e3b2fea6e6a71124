/**
 * Live upgrades end to end, with real OS processes: releases of the fixture KV service built
 * with buildRelease, relups compiled by `hotrel relup`, upgrade packages copied to a live root
 * whose node runs under heart (`bin/kvapp daemon --heart`), driven with `bin/kvapp
 * upgrade|downgrade|unpack` while a client keeps calling the service over the control socket.
 *
 * The tests run in order on one node: 1.0.0 -> 1.0.1 -> 1.0.0 -> 1.0.1 under load; a throwing
 * codeChange (1.0.2) rolled back; a SIGKILL in the middle of an install (1.0.3) that brings the
 * node back on the permanent release; a closure of old code that makes a soft-purge downgrade
 * refuse (1.0.5); damaged packages refused with nothing changed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/handler/control/client';
import { buildRelease } from '../../src/release/build/release';
import { bin, fixtureProject, hotrel, setVersion } from '../helpers/project';
import { writePackage } from '../helpers/release-builder';
import { snapshot } from '../helpers/release-root';
import { tmpDir } from '../helpers/tmp';

/** kvapp's kv module at 1.0.1 and later: state {data, calls, since}, where `since` is a closure. */
function kvSource(vsn: string, change: 'ok' | 'throws' | 'slow' | 'keep'): string {
  const codeChange = {
    ok: `export function codeChange(old: unknown, state: any) { return convert(old, state); }`,
    throws: `export function codeChange(): never { throw new Error('kv ${vsn} cannot convert this state'); }`,
    slow: `export async function codeChange(old: unknown, state: any) {
  await new Promise((resolve) => setTimeout(resolve, 60_000));
  return convert(old, state);
}`,
    keep: `export function codeChange(_old: unknown, state: any) { return state; }`,
  }[change];
  return `import { Application, GenServer, ok, reply, type Proc } from 'hotrel';
import * as Kv from './kv';

export const vsn = '${vsn}';

type State = { data: Map<string, unknown>; calls: number; since: () => string };
type Req = { op: 'get'; key: string } | { op: 'put'; key: string; value: unknown } | { op: 'stats' };

export function startLink(parent: Proc) {
  return GenServer.startLink(parent, Kv, undefined, { name: 'kv' });
}
function stamp(): () => string {
  const at = new Date().toISOString();
  return () => at;
}
export function init() {
  return ok<State>({ data: new Map(), calls: 0, since: stamp() });
}
export function handleCall(req: Req, _from: unknown, state: State) {
  const s = { ...state, calls: state.calls + 1 };
  if (req.op === 'get') return reply(s.data.get(req.key), s);
  if (req.op === 'stats') return reply({ vsn, calls: s.calls, keys: s.data.size }, s);
  return reply('ok', { ...s, data: new Map(s.data).set(req.key, req.value) });
}
function convert(old: unknown, state: any) {
  if (old === '1.0.0') return { data: state, calls: 0, since: stamp() };
  if (typeof old === 'object' && old !== null) return state.data;
  return state;
}
${codeChange}
export function get(key: string): Promise<unknown> {
  return GenServer.call('kv', { op: 'get', key });
}
export function put(key: string, value: unknown): Promise<unknown> {
  return GenServer.call('kv', { op: 'put', key, value });
}
export function stats(): Promise<unknown> {
  return GenServer.call('kv', { op: 'stats' });
}
export function greeting(): unknown {
  return Application.getEnv('kvapp', 'greeting');
}
`;
}

function appup(vsn: string, from: string, purge?: 'soft_purge'): string {
  const i = [
    {
      op: 'update',
      module: 'kv',
      change: { advanced: [] },
      ...(purge ? { prePurge: purge, postPurge: purge } : {}),
    },
  ];
  return JSON.stringify({ vsn, up: { [from]: i }, down: { [from]: i } }, null, 2);
}

let project: string;
let build: string;
let live: string;
let log: string;

/** Builds release `vsn` of the project, compiles its relup from `from`, and ships its package to the live root. */
async function release(
  vsn: string,
  kv: string,
  from: string,
  purge?: 'soft_purge',
  relupArgs: string[] = [],
): Promise<void> {
  setVersion(project, vsn);
  fs.writeFileSync(path.join(project, 'src', 'kv.ts'), kv);
  fs.writeFileSync(path.join(project, 'kvapp.appup.json'), appup(vsn, from, purge));
  build = (await buildRelease({ project, typecheck: false })).root;
  const relup = hotrel(['relup', '--root', build, '--target', vsn, '--upfrom', from, ...relupArgs], project);
  expect(relup.stderr).toBe('');
  expect(relup.status).toBe(0);
  writePackage(build, vsn, live);
}

/** `bin/kvapp <args>` without blocking this process (a client runs meanwhile). */
function binAsync(args: string[], onStderr?: (text: string) => void) {
  const child = spawn(path.join(live, 'bin', 'kvapp'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    onStderr?.(stderr);
  });
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (status) => resolve({ status, stdout, stderr })),
  );
  return { child, done };
}

/** A client calling the service non-stop over the control socket, until stopped. */
async function client() {
  const c = await ControlClient.connect(live);
  let running = true;
  let calls = 0;
  const failures: string[] = [];
  const loop = (async () => {
    while (running) {
      try {
        await c.request('rpc', ['kvapp:kv', 'put', `k${calls % 5}`, calls]);
        calls++;
      } catch (err) {
        failures.push(String(err));
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      c.close();
      return { calls, failures };
    },
  };
}

const rpc = (...args: string[]) =>
  JSON.parse(bin(live, 'kvapp', ['rpc', 'kvapp:kv', ...args, '--json']).stdout) as unknown;
const statuses = () =>
  Object.fromEntries(
    (
      JSON.parse(bin(live, 'kvapp', ['versions', '--json']).stdout) as Array<{ vsn: string; status: string }>
    ).map((r) => [r.vsn, r.status]),
  );

/** Resolves when the log holds `needle` `count` times (watching, not polling). */
function logHas(needle: string, count: number): Promise<void> {
  const done = () => fs.existsSync(log) && fs.readFileSync(log, 'utf8').split(needle).length - 1 >= count;
  return new Promise((resolve) => {
    if (done()) return resolve();
    const w = fs.watch(path.dirname(log), () => {
      if (done()) {
        w.close();
        resolve();
      }
    });
  });
}

beforeAll(async () => {
  project = fixtureProject('kvapp');
  build = (await buildRelease({ project, typecheck: false })).root;
  live = path.join(tmpDir('hotrel-live-'), 'kvapp');
  fs.cpSync(build, live, { recursive: true });
  log = path.join(live, 'log', 'kvapp.log');
  await release('1.0.1', kvSource('1.0.1', 'ok'), '1.0.0');
  await release('1.0.2', kvSource('1.0.2', 'throws'), '1.0.1');
  await release('1.0.3', kvSource('1.0.3', 'slow'), '1.0.1');
  await release('1.0.5', kvSource('1.0.5', 'keep'), '1.0.1', 'soft_purge');
  await release('1.0.6', kvSource('1.0.6', 'ok'), '1.0.5', undefined, ['--restart-emulator']);
  const up = bin(live, 'kvapp', ['daemon', '--heart']);
  expect(up.stderr).toBe('');
  expect(up.status).toBe(0);
}, 180_000);

afterAll(() => {
  if (live !== undefined) bin(live, 'kvapp', ['stop']);
});

describe('bin/kvapp upgrade and downgrade, live', () => {
  it('upgrades 1.0.0 -> 1.0.1, downgrades, upgrades again under a calling client: state converted, no call fails', async () => {
    expect(rpc('put', '"before"', '"upgrade"')).toBe('ok');
    // A process outside any tree that keeps a function of kv 1.0.0: the brutal purge at
    // make_permanent kills it, and the upgrade says so.
    bin(live, 'kvapp', [
      'eval',
      'register("holder", spawn(async (p) => { p.put("f", mod("kvapp:kv").get); await p.receive(); })); true',
    ]);
    const c = await client();

    const up = await binAsync(['upgrade', '1.0.1']).done;
    expect(up.stderr).toMatch(/suspended 1 process\(es\) using kvapp:kv/);
    expect(up.stdout).toMatch(
      /^kvapp upgraded 1\.0\.0 -> 1\.0\.1 in \d+ ms \(1 process\(es\) suspended for [\d.]+ ms\); 1\.0\.1 is permanent\nold code purged: kvapp:kv\n {2}killed \(it still ran that old code\): <0\.\d+\.0> \(holder\) holds a function of kvapp:kv vsn \S+ at dictionary\.get\("f"\)$/m,
    );
    expect(up.stdout).not.toContain('purged later');
    expect(up.status).toBe(0);
    expect(bin(live, 'kvapp', ['eval', 'whereis("holder") === undefined']).stdout.trim()).toBe('true');
    expect(rpc('get', '"before"')).toBe('upgrade'); // the Map became {data, calls, since}
    expect(rpc('stats')).toMatchObject({ vsn: '1.0.1' });
    expect(statuses()).toEqual({ '1.0.1': 'permanent', '1.0.0': 'old' });

    const down = await binAsync(['downgrade', '1.0.0']).done;
    expect(down.stdout).toMatch(/^kvapp downgraded 1\.0\.1 -> 1\.0\.0/);
    expect(down.status).toBe(0);
    expect(rpc('get', '"before"')).toBe('upgrade');
    expect(bin(live, 'kvapp', ['rpc', 'kvapp:kv', 'stats']).stderr).toContain(
      'does not export a function stats',
    );
    expect(statuses()).toEqual({ '1.0.1': 'old', '1.0.0': 'permanent' });

    const again = await binAsync(['upgrade', '1.0.1', '--json']).done;
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ from: '1.0.0', to: '1.0.1', permanent: true });

    const seen = await c.stop();
    expect(seen.failures).toEqual([]);
    expect(seen.calls).toBeGreaterThan(10);
    expect(rpc('get', '"before"')).toBe('upgrade');
    expect(statuses()).toEqual({ '1.0.1': 'permanent', '1.0.0': 'old' });
  });

  it('rolls a throwing codeChange back: exit code 1, a message that says so, the service answers on the old code', async () => {
    const c = await client();
    const res = await binAsync(['upgrade', '1.0.2']).done;
    const seen = await c.stop();
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(
      /install of 1\.0\.2 failed and was rolled back: the node runs 1\.0\.1 as before/,
    );
    expect(res.stderr).toMatch(/kv 1\.0\.2 cannot convert this state/);
    expect(seen.failures).toEqual([]);
    expect(rpc('stats')).toMatchObject({ vsn: '1.0.1' });
    expect(rpc('get', '"before"')).toBe('upgrade');
    expect(statuses()).toEqual({ '1.0.2': 'unpacked', '1.0.1': 'permanent', '1.0.0': 'old' });
    // nothing blocks a retry: the same answer again
    expect(bin(live, 'kvapp', ['upgrade', '1.0.2']).stderr).toMatch(/rolled back/);
  });

  it('comes back on the permanent release when the node is killed with SIGKILL in the middle of an install', async () => {
    const nodePid = Number(bin(live, 'kvapp', ['pid']).stdout);
    const ups = fs.readFileSync(log, 'utf8').split('kvapp 1.0.1 is up').length - 1;
    let killed = false;
    const upgrade = binAsync(['upgrade', '1.0.3'], (stderr) => {
      // the kv process is suspended and its (slow) codeChange runs: kill the node now
      if (!killed && /suspended 1 process/.test(stderr)) {
        killed = true;
        process.kill(nodePid, 'SIGKILL');
      }
    });
    const res = await upgrade.done;
    expect(killed).toBe(true);
    expect(res.status).not.toBe(0);
    await logHas('kvapp 1.0.1 is up', ups + 1);
    expect(Number(bin(live, 'kvapp', ['pid']).stdout)).not.toBe(nodePid);
    expect(statuses()).toEqual({
      '1.0.3': 'unpacked',
      '1.0.2': 'unpacked',
      '1.0.1': 'permanent',
      '1.0.0': 'old',
    });
    expect(rpc('stats')).toMatchObject({ vsn: '1.0.1' });
    expect(rpc('put', '"after"', '"restart"')).toBe('ok');
  });

  it('names a closure of old code in the plan, and a soft-purge install is refused because of it', async () => {
    expect(bin(live, 'kvapp', ['unpack', '1.0.5']).status).toBe(0);
    const plan = bin(live, 'kvapp', ['upgrade', '1.0.5', '--dry-run']);
    expect(plan.status).toBe(0);
    expect(plan.stdout).toMatch(/suspend 1 process\(es\) using kvapp:kv together/);
    expect(plan.stdout).toMatch(
      /keep the code this install makes old loaded[\s\S]*\(kv\) holds a function of kvapp:kv 1\.0\.1 at state\.since/,
    );
    expect(statuses()['1.0.5']).toBe('unpacked'); // the dry run changed nothing

    const up = bin(live, 'kvapp', ['upgrade', '1.0.5']);
    expect(up.status).toBe(0);
    expect(up.stdout).toMatch(/old code still loaded \(purged later\): kvapp:kv \(soft_purge\)/);
    // kv kept the 1.0.1 closure through its codeChange: the downgrade loads kv with soft_purge
    const before = statuses();
    const down = bin(live, 'kvapp', ['downgrade', '1.0.1']);
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/old code of kvapp:kv is still used/);
    expect(down.stderr).toMatch(/\(kv\) holds a function of kvapp:kv vsn 1\.0\.1 at state\.since/);
    expect(down.stderr).toMatch(/Nothing was changed/);
    expect(statuses()).toEqual(before);
    expect(rpc('stats')).toMatchObject({ vsn: '1.0.5' });
  });

  it('restart_emulator: the node restarts (heart) into the new release, which is then made permanent', async () => {
    const pid = Number(bin(live, 'kvapp', ['pid']).stdout);
    const wrongWay = bin(live, 'kvapp', ['downgrade', '1.0.6']);
    expect(wrongWay.status).toBe(1);
    expect(wrongWay.stderr).toContain('use bin/kvapp upgrade 1.0.6');
    const res = await binAsync(['upgrade', '1.0.6']).done;
    expect(res.stderr).toContain('the node restarts (restart_emulator) to run 1.0.6');
    expect(res.stdout).toMatch(/node restarted \(restart_emulator\); 1\.0\.6 is permanent/);
    expect(res.status).toBe(0);
    expect(Number(bin(live, 'kvapp', ['pid']).stdout)).not.toBe(pid);
    expect(statuses()).toMatchObject({ '1.0.6': 'permanent', '1.0.5': 'old' });
    expect(fs.existsSync(path.join(live, 'releases', 'new_start.json'))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(live, 'releases', 'start.json'), 'utf8'))).toMatchObject({
      vsn: '1.0.6',
    });
    expect(rpc('stats')).toMatchObject({ vsn: '1.0.6' });
  });

  it('refuses a truncated, corrupted or tampered package, and nothing changes', () => {
    const good = fs.readFileSync(path.join(live, 'releases', 'kvapp-1.0.2.tar.gz'));
    const file = path.join(live, 'releases', 'kvapp-1.0.6.tar.gz');
    const damaged: Array<[string, Buffer, RegExp]> = [
      ['truncated', good.subarray(0, good.length >> 1), /truncated or corrupted/],
      ['corrupted', Buffer.from(good.map((b, i) => (i === good.length >> 1 ? b ^ 0xff : b))), /corrupted/],
    ];
    for (const [what, bytes, message] of damaged) {
      fs.writeFileSync(file, bytes);
      const before = snapshot(path.join(live, 'releases'));
      const res = bin(live, 'kvapp', ['unpack', file]);
      expect(res.status, what).toBe(1);
      expect(res.stderr).toMatch(message);
      expect(res.stderr).toMatch(/[Nn]othing was changed/);
      expect(snapshot(path.join(live, 'releases'))).toEqual(before);
    }
    // tampered: a file changed after its manifest was made
    const elsewhere = tmpDir();
    const tampered = writePackage(build, '1.0.2', elsewhere, {
      tamper: (entries) => {
        const e = entries.find((x) => x.path.endsWith('/kv.js'))!;
        (e as { content: string }).content = 'exports.evil = true;';
      },
    });
    const before = snapshot(path.join(live, 'releases'));
    const res = bin(live, 'kvapp', ['unpack', tampered]);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/kv\.js does not match its checksum in the manifest/);
    expect(snapshot(path.join(live, 'releases'))).toEqual(before);
  });
});
