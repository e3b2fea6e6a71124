/**
 * `npm run demo`: a live upgrade and downgrade of a running HTTP + WebSocket service under load.
 *
 * 1. builds release 1.0.0 of examples/web and starts it (a real node, under heart);
 * 2. starts clients: HTTP requests back to back on keep-alive connections, and open WebSockets
 *    each keeping a message in flight;
 * 3. builds 1.0.1 beside it and makes the upgrade package (`hotrel upgrade-pack`);
 * 4. upgrades the running node (`bin/web upgrade 1.0.1`), then downgrades it (`bin/web
 *    downgrade 1.0.0`), the clients running all along;
 * 5. prints the requests made and failed, WebSockets dropped, the longest stall, and the state
 *    before and after (the request counter and each connection's message count survive; the
 *    answers change shape with the code).
 *
 * Everything happens in a temporary directory (HOTREL_DEMO_DIR to choose it, HOTREL_DEMO_KEEP=1
 * to keep it).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLoad, type Stats } from './load';

const REPO = path.join(__dirname, '..', '..');
const EXAMPLE = path.join(REPO, 'examples', 'web');

function step(text: string): void {
  process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`);
}

/**
 * Runs a command without blocking this process: the demo's clients keep running (and keep
 * measuring) while a command builds, packs or upgrades.
 */
function sh(cmd: string, args: string[], cwd: string, show = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, HOTREL_LOG_LEVEL: 'warn' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (show) process.stdout.write((out + err).replace(/^(?=.)/gm, '   '));
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(cmd)} ${args.join(' ')} failed (${code}):\n${out}${err}`));
    });
  });
}

const hotrel = (args: string[], cwd: string, show = false) =>
  sh(process.execPath, [path.join(REPO, 'dist', 'cli', 'main.js'), ...args], cwd, show);

/** A copy of the example with its dependencies linked (hotrel from this repository). */
function copyProject(dir: string): void {
  fs.cpSync(EXAMPLE, dir, {
    recursive: true,
    filter: (src) =>
      !['versions', 'node_modules', '_build'].includes(path.relative(EXAMPLE, src).split(path.sep)[0]!),
  });
  const nm = path.join(dir, 'node_modules');
  fs.mkdirSync(nm);
  for (const entry of fs.readdirSync(path.join(REPO, 'node_modules'))) {
    if (!entry.startsWith('.')) fs.symlinkSync(path.join(REPO, 'node_modules', entry), path.join(nm, entry));
  }
  fs.symlinkSync(REPO, path.join(nm, 'hotrel'));
  // Listen on any free port: the demo asks the node which one it got.
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  pkg.hotrel.release = { ...pkg.hotrel.release, config: { web: { port: 0 } } };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
}

/** The longest stall clients see over `ms` of plain running (the baseline). */
async function phaseStall(load: { resetMaxima(): void; stats: Stats }, ms: number): Promise<number> {
  load.resetMaxima();
  await new Promise((r) => setTimeout(r, ms));
  return load.stats.maxGapMs;
}

function show(label: string, value: unknown): void {
  process.stdout.write(
    `   ${label.padEnd(34)} ${typeof value === 'string' ? value : JSON.stringify(value)}\n`,
  );
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(REPO, 'dist', 'cli', 'main.js'))) {
    throw new Error('hotrel is not built: run npm run build first (npm run demo does)');
  }
  const work = process.env.HOTREL_DEMO_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hotrel-demo-'));
  const project = path.join(work, 'web');
  const live = path.join(work, 'live', 'web');
  const bin = path.join(live, 'bin', 'web');
  let started = false;
  try {
    step(`build release 1.0.0 of examples/web (in ${work})`);
    copyProject(project);
    await hotrel(['release'], project, true);

    step('install it in a live directory and start it: bin/web daemon --heart');
    fs.cpSync(path.join(project, '_build', 'rel', 'web'), live, { recursive: true });
    await sh(bin, ['daemon', '--heart'], live, true);
    started = true;
    const port = Number((await sh(bin, ['rpc', 'web:listener', 'port'], live)).trim());

    step(`start clients: 8 HTTP clients back to back, 20 WebSockets (port ${port})`);
    const load = await startLoad(port, 8, 20);
    await new Promise((r) => setTimeout(r, 1000));
    const before = await snapshot(live, bin, port, load.stats);
    show('requests so far', load.stats.requests);
    show('GET /hello answers', before.hello);
    show('a WebSocket answers', before.echo);
    show('requests counted by the node', before.hits);

    const baselineStall = await phaseStall(load, 1000);

    step('build 1.0.1 beside it and make the upgrade package: hotrel upgrade-pack');
    fs.cpSync(path.join(EXAMPLE, 'versions', '1.0.1'), project, { recursive: true });
    await hotrel(['upgrade-pack'], project, true);
    const pkg = path.join(project, '_build', 'rel', 'web', 'releases', 'web-1.0.1.tar.gz');
    fs.copyFileSync(pkg, path.join(live, 'releases', 'web-1.0.1.tar.gz'));
    show('package', `${path.basename(pkg)}, ${(fs.statSync(pkg).size / 1024).toFixed(1)} KiB`);

    step('upgrade the running node: bin/web upgrade 1.0.1 (clients still running)');
    load.resetMaxima();
    const t0 = performance.now();
    await sh(bin, ['upgrade', '1.0.1'], live, true);
    const upgradeMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 1000));
    const upgraded = await snapshot(live, bin, port, load.stats);
    const upStall = load.stats.maxGapMs;
    show(
      'longest stall: HTTP / WebSocket',
      `${load.stats.maxHttpGapMs.toFixed(1)} / ${load.stats.maxWsGapMs.toFixed(1)} ms`,
    );
    show('GET /hello answers', upgraded.hello);
    show('a WebSocket answers', upgraded.echo);
    show('requests counted by the node', upgraded.hits);
    show('releases', (await sh(bin, ['versions'], live)).trim().replace(/\n/g, ', ').replace(/\t/g, ' '));

    step('downgrade it: bin/web downgrade 1.0.0 (clients still running)');
    load.resetMaxima();
    const t1 = performance.now();
    await sh(bin, ['downgrade', '1.0.0'], live, true);
    const downgradeMs = performance.now() - t1;
    await new Promise((r) => setTimeout(r, 1000));
    const downgraded = await snapshot(live, bin, port, load.stats);
    const downStall = load.stats.maxGapMs;
    show('GET /hello answers', downgraded.hello);
    show('a WebSocket answers', downgraded.echo);
    show('requests counted by the node', downgraded.hits);

    await load.stop();
    const s = load.stats;
    step('summary');
    show('HTTP requests made', s.requests);
    show('HTTP requests failed', s.failed + (s.failures.length > 0 ? ` (${s.failures.join('; ')})` : ''));
    show('WebSocket messages answered', s.wsMessages);
    show('WebSockets dropped', `${s.wsDropped} of 20`);
    show(
      'upgrade: took / longest stall',
      `${upgradeMs.toFixed(0)} ms (bin/web, a new Node process) / ${upStall.toFixed(1)} ms`,
    );
    show('downgrade: took / longest stall', `${downgradeMs.toFixed(0)} ms / ${downStall.toFixed(1)} ms`);
    show('longest stall with no upgrade', `${baselineStall.toFixed(1)} ms (the second before the upgrade)`);
    show('node OS pid before / after', `${before.pid} / ${downgraded.pid} (never restarted)`);
    show('request counter kept', `${before.hits} -> ${upgraded.hits} -> ${downgraded.hits}`);
    const ok =
      s.failed === 0 &&
      s.wsDropped === 0 &&
      before.pid === downgraded.pid &&
      downgraded.hits > upgraded.hits &&
      upgraded.hits > before.hits;
    process.stdout.write(
      `\n${ok ? 'OK: no request failed, no connection dropped, state kept.' : 'FAILED: see above.'}\n`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    if (started) spawnSync(bin, ['stop'], { encoding: 'utf8' });
    if (process.env.HOTREL_DEMO_KEEP !== '1' && process.env.HOTREL_DEMO_DIR === undefined) {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
}

async function snapshot(live: string, bin: string, port: number, stats: Stats) {
  const res = await fetch(`http://127.0.0.1:${port}/hits`, { headers: { connection: 'close' } });
  return {
    hello: stats.lastHello,
    echo: stats.lastEcho,
    hits: ((await res.json()) as { hits: number }).hits,
    pid: Number((await sh(bin, ['pid'], live)).trim()),
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
