/**
 * bin/<rel> end to end: a real release of the fixture KV service, built into a temporary
 * directory and run as separate OS processes.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildRelease } from '../../src/release/build/release';
import { bin, fixtureProject } from '../helpers/project';
import { tmpDir } from '../helpers/tmp';

let root: string;
const started: string[] = [];

beforeAll(async () => {
  const project = fixtureProject('kvapp');
  root = (await buildRelease({ project, typecheck: false })).root;
}, 60_000);

afterEach(() => {
  // A failed test must not leave its node running for the next one.
  for (const r of started.splice(0)) bin(r, 'kvapp', ['stop']);
});

/** A copy of the release elsewhere (without its runtime files: socket, pid, log). */
function copyRelease(prefix: string, ...sub: string[]): string {
  const dest = path.join(tmpDir(prefix), ...sub, 'kvapp');
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.cpSync(root, dest, {
    recursive: true,
    filter: (src) => !['tmp', 'log'].includes(path.relative(root, src).split(path.sep)[0]!),
  });
  return dest;
}

function daemon(r: string, ...args: string[]): void {
  const res = bin(r, 'kvapp', ['daemon', ...args]);
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  expect(res.stdout).toMatch(/^kvapp 1\.0\.0 started \(pid \d+/);
  started.push(r);
}

/** Resolves when `file` contains `needle` `count` times (watching, not polling). */
function logHas(file: string, needle: string, count = 1): Promise<void> {
  const done = () => fs.existsSync(file) && fs.readFileSync(file, 'utf8').split(needle).length - 1 >= count;
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

describe('bin/<rel>', () => {
  it('runs the node as a daemon: ping, pid, info, versions, rpc, eval, stop', () => {
    daemon(root);
    expect(bin(root, 'kvapp', ['ping']).stdout).toBe('pong\n');
    const pid = Number(bin(root, 'kvapp', ['pid']).stdout);
    expect(pid).toBeGreaterThan(0);
    expect(fs.readFileSync(path.join(root, 'tmp', 'kvapp.pid'), 'utf8').trim()).toBe(String(pid));
    expect(JSON.parse(bin(root, 'kvapp', ['info']).stdout)).toMatchObject({
      name: 'kvapp',
      vsn: '1.0.0',
      pid,
    });
    expect(bin(root, 'kvapp', ['versions']).stdout).toBe('1.0.0\tpermanent\n');
    expect(JSON.parse(bin(root, 'kvapp', ['versions', '--json']).stdout)).toEqual([
      { vsn: '1.0.0', status: 'permanent' },
    ]);

    expect(bin(root, 'kvapp', ['rpc', 'kvapp:kv', 'put', '"a"', '{"n": 42}']).stdout).toBe('ok\n');
    expect(bin(root, 'kvapp', ['rpc', 'kvapp:kv', 'get', '"a"', '--json']).stdout).toBe('{"n":42}\n');
    expect(bin(root, 'kvapp', ['rpc', 'kvapp:kv', 'greeting']).stdout).toBe(
      'hello from the release config\n',
    );
    const ev = bin(root, 'kvapp', [
      'eval',
      'const kv = mod("kvapp:kv"); await kv.put("b", 2); [await kv.get("b"), whereis("kv") !== undefined]',
      '--json',
    ]);
    expect(ev.stdout).toBe('[2,true]\n');

    const undef = bin(root, 'kvapp', ['rpc', 'kvapp:kv', 'nosuch']);
    expect(undef.status).toBe(1);
    expect(undef.stderr).toContain('kvapp:kv does not export a function nosuch');
    const badJson = bin(root, 'kvapp', ['rpc', 'kvapp:kv', 'get', 'a']);
    expect(badJson.status).toBe(1);
    expect(badJson.stderr).toContain(`argument 1 is not JSON: a (quote strings: '"text"')`);
    const badEval = bin(root, 'kvapp', ['eval', '1 +']);
    expect(badEval.status).toBe(1);
    expect(badEval.stderr).toContain('cannot parse the expression');

    const stop = bin(root, 'kvapp', ['stop']);
    expect(stop.stdout).toBe('kvapp stopped\n');
    expect(stop.status).toBe(0);
    const down = bin(root, 'kvapp', ['ping']);
    expect(down.status).toBe(3);
    expect(down.stderr).toContain('the node is not running');
    expect(down.stderr).toContain('start it with: bin/kvapp daemon');
    expect(fs.readFileSync(path.join(root, 'log', 'kvapp.log'), 'utf8')).toContain(
      'application kvapp exited: stopped',
    );
  });

  it('opens a remote console in the live node; leaving it leaves the node running', async () => {
    daemon(root);
    const child = spawn(path.join(root, 'bin', 'kvapp'), ['remote_console'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    const seen = (needle: string) =>
      new Promise<void>((resolve) => {
        const check = () => out.includes(needle) && resolve();
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          check();
        });
        check();
      });
    await seen('kvapp@1.0.0> ');
    child.stdin.write('await mod("kvapp:kv").put("c", 7)\n');
    await seen("'ok'");
    child.stdin.write('await mod("kvapp:kv").get("c") * 6\n');
    await seen('42');
    child.stdin.write('.exit\n');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(out).toContain('Connected to kvapp 1.0.0');
    expect(bin(root, 'kvapp', ['rpc', 'kvapp:kv', 'get', '"c"']).stdout).toBe('7\n');
    expect(bin(root, 'kvapp', ['stop']).status).toBe(0);
  });

  it('refuses a wrong cookie, with exit code 4, and logs it', () => {
    daemon(root);
    const res = bin(root, 'kvapp', ['ping'], { HOTREL_COOKIE: 'not-the-cookie' });
    expect(res.status).toBe(4);
    expect(res.stderr).toContain('the node refused the connection: wrong cookie');
    expect(fs.readFileSync(path.join(root, 'log', 'kvapp.log'), 'utf8')).toContain(
      'refused a connection (wrong cookie)',
    );
    expect(bin(root, 'kvapp', ['stop']).status).toBe(0);
  });

  it('runs from wherever the release directory is moved to', () => {
    const moved = copyRelease('hotrel-moved-', 'somewhere', 'else');
    daemon(moved);
    expect(JSON.parse(bin(moved, 'kvapp', ['info']).stdout).pid).toBeGreaterThan(0);
    expect(bin(moved, 'kvapp', ['rpc', 'kvapp:kv', 'greeting']).stdout).toBe(
      'hello from the release config\n',
    );
    expect(bin(moved, 'kvapp', ['stop']).status).toBe(0);
  });

  it('restarts a node killed with SIGKILL when it runs under heart', async () => {
    const r = copyRelease('hotrel-heart-');
    daemon(r, '--heart');
    const log = path.join(r, 'log', 'kvapp.log');
    const first = Number(bin(r, 'kvapp', ['pid']).stdout);
    process.kill(first, 'SIGKILL');
    await logHas(log, 'kvapp 1.0.0 is up', 2);
    const second = Number(bin(r, 'kvapp', ['pid']).stdout);
    expect(second).toBeGreaterThan(0);
    expect(second).not.toBe(first);
    expect(fs.readFileSync(log, 'utf8')).toContain('node died (SIGKILL); restarting');
    expect(bin(r, 'kvapp', ['stop']).status).toBe(0);
  });

  it('runs in the foreground and stops in order on SIGTERM', async () => {
    const child = spawn(path.join(root, 'bin', 'kvapp'), ['foreground'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('is up')) resolve();
      }),
    );
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(err).toContain('stopping kvapp 1.0.0');
    expect(err).toContain('application kvapp exited: stopped');
  });

  it('says clearly what is wrong with a broken release, and with the command line', () => {
    const r = copyRelease('hotrel-broken-');
    fs.writeFileSync(path.join(r, 'releases', '1.0.0', 'release.json'), '{ "name": "kvapp", truncated');
    const res = bin(r, 'kvapp', ['daemon']);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(
      /cannot read release 1\.0\.0 \(.*release\.json\): .*the release is incomplete or corrupted/,
    );

    const r2 = copyRelease('hotrel-broken-');
    fs.writeFileSync(
      path.join(r2, 'lib', 'kvapp-1.0.0', 'kvapp.app.json'),
      JSON.stringify({ name: 'kvapp' }),
    );
    const boot = bin(r2, 'kvapp', ['daemon']);
    expect(boot.status).toBe(1);
    expect(boot.stderr).toMatch(/kvapp did not start \(exit code 1\)/);
    expect(boot.stderr).toMatch(/kvapp\.app\.json: vsn: expected a version string/);

    const r3 = copyRelease('hotrel-broken-');
    fs.writeFileSync(
      path.join(r3, 'releases', 'start.json'),
      JSON.stringify({ node: '18.0.0', vsn: '1.0.0' }),
    );
    const old = bin(r3, 'kvapp', ['foreground']);
    expect(old.status).toBe(1);
    expect(old.stderr).toContain('release 1.0.0 runs on Node.js 18.0.0, but this is Node.js');

    const usage = bin(root, 'kvapp', ['frobnicate']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("unknown command 'frobnicate'");
    expect(bin(root, 'kvapp', []).status).toBe(2);
    const help = bin(root, 'kvapp', ['help']);
    expect(help.stdout).toContain('Exit codes: 0 ok');
    expect(help.stdout).toContain('remote_console');
  });
});
