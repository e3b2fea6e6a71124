/**
 * HTTP service reload under loopback load (issue 9): examples/web (HTTP + WebSockets) moved from
 * 1.0.0 to 1.0.1 while autocannon sends requests and WebSocket clients keep a message in flight,
 * the way Node services are reloaded today and the way hotrel does it:
 *
 * - **hotrel, no reload**: the 1.0.0 release under the same load (the baseline);
 * - **hotrel, live upgrade**: `bin/web upgrade 1.0.1` in the running node, from a live root of
 *   1.0.0 with the slim package `hotrel upgrade-pack` made (see hotrelLiveUpgrade);
 * - **Node cluster, rolling restart**: a worker of 1.0.1 forked, the 1.0.0 worker disconnected
 *   once the new one listens, and stopped after GRACE_MS if it has not exited;
 * - **PM2 reload**: `pm2 reload` in cluster mode (PM2 from the dev dependencies).
 *
 * Each scenario runs the same release build, on its own port, from a fresh start. Reported:
 * requests, failed requests (errors, timeouts, non-2xx), longest request, WebSockets dropped,
 * longest wait for a WebSocket reply, and whether the in-memory request counter survived.
 *
 *   node --expose-gc -r tsx/cjs bench/suites/http-reload.bench.ts
 *   (REPS=3, DURATION=6 s, CONNECTIONS=10, WEBSOCKETS=20, GRACE_MS=3000)
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import buildDist from '../../test/global-setup';
import { linkDependencies } from '../../test/helpers/project';
import { tmpDir } from '../../test/helpers/tmp';
import { buildRelease } from '../../src/release/build/release';
import { runUpgradePack } from '../../src/cli/commands/upgrade-pack';
import { underLoad, waitUntilServing, type LoadResult } from '../lib/reload/load';
import type { RollReport } from '../lib/reload/cluster-primary';
import { knob, publish, table } from '../lib/report';
import { fmt, fmtSummary, ratio, summarize } from '../lib/stats';

const REPS = knob('REPS', 3);
const DURATION = knob('DURATION', 6);
const CONNECTIONS = knob('CONNECTIONS', 10);
const WEBSOCKETS = knob('WEBSOCKETS', 20);
const GRACE_MS = knob('GRACE_MS', 3000);

const REPO = path.join(__dirname, '..', '..');
const EXAMPLE = path.join(REPO, 'examples', 'web');

/** The web example's project with releases 1.0.0 and 1.0.1 built side by side. */
interface WebBuild {
  project: string;
  /** `_build/rel/web`: boots 1.0.0, holds 1.0.1 too. */
  root: string;
  /** A deploy of 1.0.0 alone (copied before 1.0.1 was built): what a live node runs from. */
  deploy: string;
  /** 1.0.1's slim upgrade package from 1.0.0 (`hotrel upgrade-pack`). */
  upgradePackage: string;
}

/** A service started for one scenario: how to disrupt it, and how to stop it. */
interface Running {
  disrupt: () => Promise<unknown>;
  stop: () => Promise<void>;
  /** Facts about the disruption, filled by `disrupt`. */
  notes?: Record<string, unknown>;
}

interface Scenario {
  name: string;
  /** Starts the service on `port`; undefined (with a reason) when it cannot run here. */
  start: (web: WebBuild, port: number) => Promise<Running | string>;
}

async function buildWeb(): Promise<WebBuild> {
  const project = path.join(tmpDir('hotrel-bench-web-'), 'web');
  fs.cpSync(EXAMPLE, project, {
    recursive: true,
    filter: (src) =>
      !['versions', 'node_modules', '_build'].includes(path.relative(EXAMPLE, src).split(path.sep)[0]!),
  });
  linkDependencies(project);
  const first = await buildRelease({ project });
  const deploy = path.join(tmpDir('hotrel-bench-deploy-'), 'web');
  fs.cpSync(first.root, deploy, { recursive: true });
  fs.cpSync(path.join(EXAMPLE, 'versions', '1.0.1'), project, { recursive: true });
  // What a user runs: the release of 1.0.1, its appups and relup, the slim package.
  const quiet = { out: () => {}, err: (t: string) => process.stderr.write(`${t}\n`) };
  if ((await runUpgradePack({ project, quiet: true }, project, quiet)) !== 0) {
    throw new Error('hotrel upgrade-pack failed for examples/web 1.0.1');
  }
  const upgradePackage = path.join(first.root, 'releases', 'web-1.0.1.tar.gz');
  return { project, root: first.root, deploy, upgradePackage };
}

/** A copy of the release root that boots `vsn` and listens on `port` (a service's deploy directory). */
function releaseCopy(web: WebBuild, vsn: string, port: number): string {
  const dest = path.join(tmpDir('hotrel-bench-rel-'), 'web');
  fs.cpSync(web.root, dest, {
    recursive: true,
    filter: (src) => !['tmp', 'log'].includes(path.relative(web.root, src).split(path.sep)[0]!),
  });
  const startFile = path.join(dest, 'releases', 'start.json');
  const start = JSON.parse(fs.readFileSync(startFile, 'utf8')) as { node: string; vsn: string };
  fs.writeFileSync(startFile, JSON.stringify({ ...start, vsn }, null, 2));
  configurePort(dest, port);
  return dest;
}

function configurePort(root: string, port: number): void {
  for (const vsn of ['1.0.0', '1.0.1']) {
    // A live root holds 1.0.0 alone: 1.0.1's config comes with its package, and the listener
    // keeps its socket through the upgrade.
    if (!fs.existsSync(path.join(root, 'releases', vsn))) continue;
    const file = path.join(root, 'releases', vsn, 'config.json');
    const config = fs.existsSync(file)
      ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, object>)
      : {};
    config.web = { ...config.web, host: '127.0.0.1', port };
    fs.writeFileSync(file, JSON.stringify(config, null, 2));
  }
}

function binWeb(root: string, ...args: string[]): string {
  const r = spawnSync(path.join(root, 'bin', 'web'), args, {
    encoding: 'utf8',
    env: { ...process.env, HOTREL_LOG_LEVEL: 'warn' },
  });
  if (r.status !== 0) throw new Error(`bin/web ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A fresh live root of 1.0.0 on `port` with 1.0.1's package beside it, and the action that
 * upgrades the node running there: `bin/web upgrade 1.0.1`, a separate OS process as an operator
 * runs it, awaited without blocking this process (the load generator runs in it).
 */
function hotrelLiveUpgrade(
  web: WebBuild,
  port: number,
): { root: string; upgrade: () => Promise<{ upgradeMs: number }> } {
  const root = path.join(tmpDir('hotrel-bench-live-'), 'web');
  fs.cpSync(web.deploy, root, { recursive: true });
  configurePort(root, port);
  fs.copyFileSync(web.upgradePackage, path.join(root, 'releases', path.basename(web.upgradePackage)));
  const upgrade = () =>
    new Promise<{ upgradeMs: number }>((resolve, reject) => {
      const t0 = performance.now();
      const child = spawn(path.join(root, 'bin', 'web'), ['upgrade', '1.0.1'], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, HOTREL_LOG_LEVEL: 'warn' },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('close', (code) =>
        code === 0
          ? resolve({ upgradeMs: performance.now() - t0 })
          : reject(new Error(`bin/web upgrade 1.0.1 failed (${code}): ${stderr}`)),
      );
    });
  return { root, upgrade };
}

const scenarios: Scenario[] = [
  {
    name: 'hotrel, no reload (baseline)',
    start: async (web, port) => {
      const root = releaseCopy(web, '1.0.0', port);
      binWeb(root, 'daemon');
      return { disrupt: async () => {}, stop: async () => void binWeb(root, 'stop') };
    },
  },
  {
    name: 'hotrel, live upgrade to 1.0.1',
    start: async (web, port) => {
      const { root, upgrade } = hotrelLiveUpgrade(web, port);
      binWeb(root, 'daemon');
      const running: Running = {
        disrupt: async () => {
          running.notes = await upgrade();
        },
        stop: async () => {
          // Checked once the load is over (a synchronous bin/web would stall the load generator).
          const versions = binWeb(root, 'versions').trim().replace(/\s+/g, ' ');
          binWeb(root, 'stop');
          if (!/(^| )1\.0\.1 permanent/.test(versions)) throw new Error(`not upgraded: ${versions}`);
        },
      };
      return running;
    },
  },
  {
    name: 'Node cluster, rolling restart to 1.0.1',
    start: async (web, port) => {
      const oldRoot = releaseCopy(web, '1.0.0', port);
      const newRoot = releaseCopy(web, '1.0.1', port);
      const primary = spawn(
        process.execPath,
        [
          '-r',
          'tsx/cjs',
          path.join(__dirname, '..', 'lib', 'reload', 'cluster-primary.ts'),
          oldRoot,
          String(GRACE_MS),
        ],
        { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, HOTREL_LOG_LEVEL: 'warn' } },
      );
      const next = <T>(key: string) =>
        new Promise<T>((resolve, reject) => {
          const onMessage = (m: Record<string, unknown>) => {
            if (key in m) {
              primary.off('message', onMessage);
              resolve(m[key] as T);
            }
          };
          primary.on('message', onMessage);
          primary.once('exit', (code) => reject(new Error(`the cluster primary exited (${code})`)));
        });
      await next('ready');
      const running: Running = {
        disrupt: async () => {
          const rolled = next<RollReport>('rolled');
          primary.send({ roll: newRoot });
          running.notes = { ...(await rolled) };
        },
        stop: async () => {
          const exited = new Promise((r) => primary.once('exit', r));
          primary.send({ stop: true });
          await exited;
        },
      };
      return running;
    },
  },
  {
    name: 'PM2 cluster mode, pm2 reload to 1.0.1',
    start: async (web, port) => {
      let pm2Bin: string;
      try {
        pm2Bin = path.join(path.dirname(require.resolve('pm2/package.json')), 'bin', 'pm2');
      } catch {
        return 'not run: pm2 is not installed (npm install)';
      }
      const home = tmpDir('hotrel-bench-pm2-');
      const pm2 = (...args: string[]) =>
        spawnSync(process.execPath, [pm2Bin, ...args], {
          encoding: 'utf8',
          env: { ...process.env, PM2_HOME: home, HOTREL_LOG_LEVEL: 'warn' },
        });
      // A deploy directory `current` pointing at the release in service, as deploy tools do.
      const current = path.join(home, 'current');
      fs.symlinkSync(releaseCopy(web, '1.0.0', port), current);
      const newRoot = releaseCopy(web, '1.0.1', port);
      const started = pm2(
        'start',
        path.join(current, 'bin', 'hotrel-launch.js'),
        '--name',
        'web',
        '-i',
        '1',
        '--kill-timeout',
        String(GRACE_MS),
        '--',
        'foreground',
      );
      if (started.status !== 0) {
        pm2('kill');
        return `not run: pm2 start failed (${started.stderr.trim().split('\n').pop()})`;
      }
      return {
        disrupt: async () => {
          fs.unlinkSync(current);
          fs.symlinkSync(newRoot, current);
          const reload = pm2('reload', 'web');
          if (reload.status !== 0) throw new Error(`pm2 reload failed: ${reload.stderr}`);
        },
        stop: async () => void pm2('kill'),
      };
    },
  },
];

interface Outcome {
  scenario: string;
  /** One per repetition. */
  runs: Array<{ result: LoadResult; notes?: Record<string, unknown> }>;
  skipped?: string;
}

async function runScenario(s: Scenario, web: WebBuild): Promise<Outcome> {
  const runs: Outcome['runs'] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const port = await freePort();
    const running = await s.start(web, port);
    if (typeof running === 'string') return { scenario: s.name, runs, skipped: running };
    try {
      await waitUntilServing(port);
      const result = await underLoad(
        { port, durationS: DURATION, connections: CONNECTIONS, websockets: WEBSOCKETS },
        running.disrupt,
      );
      runs.push({ result, notes: running.notes });
    } finally {
      await running.stop();
    }
  }
  return { scenario: s.name, runs };
}

/** Median [min..max] of a figure over the repetitions. */
function over(o: Outcome, figure: (r: LoadResult) => number): string {
  return fmtSummary(summarize(o.runs.map((run) => figure(run.result))));
}

function row(o: Outcome, baseRequests: number): string[] {
  if (o.skipped !== undefined) return [o.scenario, o.skipped, '', '', '', '', '', ''];
  const results = o.runs.map((run) => run.result);
  const requests = summarize(results.map((r) => r.requests)).median;
  const failed = results.map((r) => `${r.failed}`).join(', ');
  const kept = results.filter((r) => r.stateKept).length;
  return [
    o.scenario,
    `${over(o, (r) => r.requests)} (${ratio(requests, baseRequests)})`,
    failed,
    over(o, (r) => r.maxLatencyMs),
    results.map((r) => `${r.wsDropped}/${r.wsOpened}`).join(', '),
    over(o, (r) => r.wsMaxWaitMs),
    kept === results.length ? 'yes' : kept === 0 ? 'no' : `${kept} of ${results.length} runs`,
    over(o, (r) => r.disruptionMs),
  ];
}

async function main(): Promise<void> {
  buildDist();
  const web = await buildWeb();
  const outcomes: Outcome[] = [];
  for (const s of scenarios) {
    process.stderr.write(`${s.name}...\n`);
    outcomes.push(await runScenario(s, web));
  }
  const baseRequests = summarize(outcomes[0]!.runs.map((run) => run.result.requests)).median;
  const md = table(
    `HTTP + WebSocket service reloaded under load (${DURATION} s, ${CONNECTIONS} HTTP connections, ` +
      `${WEBSOCKETS} WebSockets, reload after ${fmt(DURATION / 3)} s; ${REPS} runs each: median [min..max], ` +
      `or each run's count)`,
    [
      'scenario',
      'requests (vs baseline)',
      'failed requests',
      'longest request ms',
      'WebSockets dropped',
      'longest WS reply wait ms',
      'request counter kept',
      'reload ms',
    ],
    outcomes.map((o) => row(o, baseRequests)),
  );
  publish('http-reload', md, { knobs: { REPS, DURATION, CONNECTIONS, WEBSOCKETS, GRACE_MS }, outcomes });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
