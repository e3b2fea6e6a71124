/**
 * Live upgrade benchmark (issue: Release handler): the same hot upgrade as bench/otp (kvapp 1.0.0
 * -> 1.0.1, N kv_worker GenServers whose state gains a field in codeChange) done by hotrel's
 * release handler on a release root, under probing clients, side by side with Erlang/OTP's
 * release_handler measured in the same run (bench/lib/otp.ts `otpUpgrade`).
 *
 * Measured the same way as bench/otp/tools/kv_bench.erl: N workers started one by one under a
 * simple_one_for_one supervisor; the release unpacked (timed apart); 10 probe clients, each tied
 * to one worker (spread over the suspension order, first and last included), call
 * `{get: 1}` with no timeout and wait 1 ms between calls; 300 ms of baseline; then
 * `installRelease('1.0.1')` is timed from call to return; 200 ms more; makePermanent (timed
 * apart). The longest single probe call in the window from the install to 200 ms after it is the
 * longest client stall. Every worker must then answer as 1.0.1 with a converted state.
 *
 *   node --expose-gc -r tsx/cjs bench/suites/upgrade.bench.ts     (REPS=3 NS="1000 10000 100000")
 *
 * Goals (issue 8): at 100,000 servers, install time <= 0.2x OTP's, longest stall <= 0.1x OTP's,
 * 0 failed calls.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { GenServer, Supervisor } from '../../src/behaviours';
import { send, spawn, type Pid, type Proc } from '../../src/runtime';
import { installRelease, makePermanent, unpackRelease } from '../../src/handler/release-handler/server';
import { bootInProcess } from '../../test/helpers/in-process-node';
import {
  writePackage,
  writeRelease,
  writeRelup,
  type AppDef,
  type ReleaseDef,
} from '../../test/helpers/release-builder';
import { settledHeap } from '../lib/gc';
import { otpUpgrade, type OtpUpgrade } from '../lib/otp';
import { knob, publish, table } from '../lib/report';
import { fmt, fmtSummary, ratio, summarize, type Summary } from '../lib/stats';
import os from 'node:os';
import fs from 'node:fs';

const REPS = knob('REPS', 3);
const NS = (process.env.NS ?? '1000 10000 100000').split(/\s+/).filter(Boolean).map(Number);
const PROBES = knob('PROBES', 10);
const INTERVAL_MS = knob('INTERVAL_MS', 1);
const SETTLE_MS = 300;
const AFTER_MS = 200;

/** bench/otp's kv_worker in TypeScript: state {id, data} with 10 keys; 1.0.1 adds `calls`. */
function kvWorker(vsn: '1.0.0' | '1.0.1'): string {
  const v1 = vsn === '1.0.1';
  return `import { GenServer, ok, reply, logger, type From, type Proc } from 'hotrel';
import * as Self from './kv_worker';
export const vsn = '${vsn}';
interface State { id: number; data: Map<number, number>; ${v1 ? 'calls: number;' : ''} }
type Req = { get: number } | { put: number; value: number } | 'info';
export function startLink(parent: Proc, id: number) {
  return GenServer.startLink(parent, Self, id);
}
export function init(id: number) {
  const data = new Map<number, number>();
  for (let k = 1; k <= 10; k++) data.set(k, id * 100 + k);
  return ok<State>({ id, data${v1 ? ', calls: 0' : ''} });
}
export function handleCall(req: Req, _from: From<unknown>, s: State) {
  ${v1 ? "logger().debug('kv_worker call'); s.calls++;" : ''}
  if (req === 'info') return reply({ vsn, id: s.id, size: s.data.size${v1 ? ', calls: s.calls' : ''} }, s);
  if ('put' in req) {
    s.data.set(req.put, req.value);
    return reply('ok', s);
  }
  return reply(s.data.get(req.get), s);
}
${
  v1
    ? `export function codeChange(old: unknown, s: { id: number; data: Map<number, number>; calls?: number }) {
  if (old === '1.0.0') return { id: s.id, data: s.data, calls: 0 };
  if (typeof old === 'object' && old !== null) return { id: s.id, data: s.data };
  return s;
}`
    : ''
}
`;
}

const KV_WORKER_SUP = `import * as KvWorker from './kv_worker';
export function init() {
  return {
    strategy: 'simple_one_for_one' as const,
    intensity: 10,
    period: 10,
    children: [{ id: 'kv_worker', start: { module: KvWorker, function: 'startLink', args: [] }, restart: 'temporary' as const, shutdown: 'brutal_kill' as const, modules: [KvWorker] }],
  };
}
`;
const KVAPP_SUP = `import * as KvWorkerSup from './kv_worker_sup';
export function init() {
  return {
    strategy: 'one_for_one' as const,
    intensity: 10,
    period: 10,
    children: [{ id: 'kv_worker_sup', type: 'supervisor' as const, modules: [KvWorkerSup],
      start: { module: KvWorkerSup, function: 'startLink', args: [] } }],
  };
}
`;
const KV_WORKER_SUP_START = `
import { Supervisor as Sup, type Proc as P } from 'hotrel';
import * as SelfSup from './kv_worker_sup';
export function startLink(parent: P) {
  return Sup.startLink(parent, SelfSup, undefined, { name: 'kv_worker_sup' });
}
`;
const KVAPP = `import { Supervisor, type Proc } from 'hotrel';
import * as KvappSup from './kvapp_sup';
export function start(_t: 'normal', _a: unknown, master: Proc) {
  return Supervisor.startLink(master, KvappSup, undefined, { name: 'kvapp_sup' });
}
`;

function kvapp(vsn: '1.0.0' | '1.0.1'): AppDef {
  return {
    name: 'kvapp',
    vsn,
    modules: {
      kv_worker: kvWorker(vsn),
      kv_worker_sup: KV_WORKER_SUP + KV_WORKER_SUP_START,
      kvapp_sup: KVAPP_SUP,
      kvapp: KVAPP,
    },
    mod: 'kvapp',
    registered: ['kvapp_sup', 'kv_worker_sup'],
    ...(vsn === '1.0.1'
      ? {
          appup: {
            vsn,
            up: { '1.0.0': [{ op: 'update', module: 'kv_worker', change: { advanced: [] } }] },
            down: { '1.0.0': [{ op: 'update', module: 'kv_worker', change: { advanced: [] } }] },
          },
        }
      : {}),
  };
}

interface ProbeStats {
  calls: number;
  failures: number;
  maxLatencyMs: number;
  maxGapMs: number;
  over5s: number;
}

const COLLECT = Symbol('collect');
type Collect = { [COLLECT]: true; mode: 'reset' | 'stop'; done: (s: ProbeStats) => void };

function startProbe(worker: Pid): Pid {
  return spawn(
    async (self: Proc) => {
      let st: ProbeStats = { calls: 0, failures: 0, maxLatencyMs: 0, maxGapMs: 0, over5s: 0 };
      let lastReply: number | undefined;
      for (;;) {
        const t0 = performance.now();
        try {
          const v = await GenServer.call(worker, { get: 1 }, { timeout: Infinity, caller: self });
          if (typeof v !== 'number') throw new Error(`bad reply ${String(v)}`);
        } catch {
          st.failures++;
        }
        const t1 = performance.now();
        st.calls++;
        st.maxLatencyMs = Math.max(st.maxLatencyMs, t1 - t0);
        if (t1 - t0 > 5000) st.over5s++;
        if (lastReply !== undefined) st.maxGapMs = Math.max(st.maxGapMs, t1 - lastReply);
        lastReply = t1;
        const msg = await self.receive((m: unknown) => typeof m === 'object' && m !== null && COLLECT in m, {
          after: INTERVAL_MS,
        });
        if (typeof msg === 'object' && msg !== null) {
          const c = msg as Collect;
          c.done(st);
          if (c.mode === 'stop') return;
          st = { calls: 0, failures: 0, maxLatencyMs: 0, maxGapMs: 0, over5s: 0 };
          lastReply = t1;
        }
      }
    },
    { crashReport: false },
  );
}

async function collect(probes: Pid[], mode: 'reset' | 'stop'): Promise<ProbeStats> {
  const all = await Promise.all(
    probes.map(
      (p) =>
        new Promise<ProbeStats>((done) => {
          const msg: Collect = { [COLLECT]: true, mode, done };
          send(p, msg);
        }),
    ),
  );
  return all.reduce(
    (a, s) => ({
      calls: a.calls + s.calls,
      failures: a.failures + s.failures,
      maxLatencyMs: Math.max(a.maxLatencyMs, s.maxLatencyMs),
      maxGapMs: Math.max(a.maxGapMs, s.maxGapMs),
      over5s: a.over5s + s.over5s,
    }),
    { calls: 0, failures: 0, maxLatencyMs: 0, maxGapMs: 0, over5s: 0 },
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 2 ** 20;

interface Rep {
  n: number;
  installMs: number;
  suspendedMs: number | undefined;
  maxCallLatencyMs: number;
  maxReplyGapMs: number;
  probeCalls: number;
  failedCalls: number;
  callsOver5s: number;
  baselineMaxLatencyMs: number;
  heapBeforeMiB: number;
  heapAfterMiB: number;
  heapSettledMiB: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  bytesPerWorker: number;
  workerStartsPerSec: number;
  unpackMs: number;
  makePermanentMs: number;
  /** The longest gap between two replies from makePermanent (its purge) to 200 ms after it. */
  makePermanentGapMs: number;
  verified: boolean;
}

/** One repetition, in this (fresh) process. */
async function oneRep(n: number): Promise<Rep> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotrel-upgrade-bench-'));
  try {
    const build = path.join(dir, 'build', 'kvapp');
    const live = path.join(dir, 'live', 'kvapp');
    const v100: ReleaseDef = { name: 'kvapp', vsn: '1.0.0', apps: [{ app: kvapp('1.0.0') }] };
    const v101: ReleaseDef = { name: 'kvapp', vsn: '1.0.1', apps: [{ app: kvapp('1.0.1') }] };
    writeRelease(build, v100);
    writeRelease(build, v101);
    writeRelup(build, v101, [v100]);
    writeRelease(live, v100);
    writePackage(build, '1.0.1', live);
    await bootInProcess(live);

    const heapEmpty = await settledHeap();
    const t0 = performance.now();
    for (let i = 1; i <= n; i++) GenServer.pidOf(await Supervisor.startChild('kv_worker_sup', [i]));
    const startMs = performance.now() - t0;
    const heapWorkers = await settledHeap();
    const pids = (await Supervisor.whichChildren('kv_worker_sup')).map((c) => c.pid as Pid);

    const u0 = performance.now();
    await unpackRelease('1.0.1');
    const unpackMs = performance.now() - u0;

    const s = Math.min(PROBES, pids.length);
    const idx = [
      ...new Set(
        Array.from({ length: s }, (_, i) => Math.floor((i * (pids.length - 1)) / Math.max(1, s - 1))),
      ),
    ];
    const probes = idx.map((i) => startProbe(pids[i]!));
    await sleep(SETTLE_MS);
    const baseline = await collect(probes, 'reset');
    const memBefore = process.memoryUsage();
    const i0 = performance.now();
    const result = await installRelease(
      '1.0.1',
      {},
      process.env.BENCH_PROGRESS
        ? (l) => process.stderr.write(`${(performance.now() - i0).toFixed(1)} ${l}\n`)
        : undefined,
    );
    const installMs = performance.now() - i0;
    const memAfter = process.memoryUsage();
    await sleep(AFTER_MS);
    const window = await collect(probes, 'reset');
    const p0 = performance.now();
    await makePermanent('1.0.1');
    const makePermanentMs = performance.now() - p0;
    await sleep(AFTER_MS);
    const permanentWindow = await collect(probes, 'stop');

    let converted = 0;
    for (const pid of pids) {
      const info = (await GenServer.call(pid, 'info')) as { vsn: string; size: number; calls?: number };
      if (info.vsn === '1.0.1' && info.size === 10 && typeof info.calls === 'number') converted++;
    }
    const heapSettled = await settledHeap();
    return {
      n,
      installMs,
      suspendedMs: result.suspendedMs,
      maxCallLatencyMs: window.maxLatencyMs,
      maxReplyGapMs: window.maxGapMs,
      probeCalls: window.calls,
      failedCalls: window.failures,
      callsOver5s: window.over5s,
      baselineMaxLatencyMs: baseline.maxLatencyMs,
      heapBeforeMiB: memBefore.heapUsed / MiB,
      heapAfterMiB: memAfter.heapUsed / MiB,
      heapSettledMiB: heapSettled / MiB,
      rssBeforeMiB: memBefore.rss / MiB,
      rssAfterMiB: memAfter.rss / MiB,
      bytesPerWorker: (heapWorkers - heapEmpty) / n,
      workerStartsPerSec: n / (startMs / 1000),
      unpackMs,
      makePermanentMs,
      makePermanentGapMs: permanentWindow.maxGapMs,
      verified: converted === n,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures OTP gave on this machine in bench/otp/RESULTS.md (medians), for when `erl` is missing. */
const OTP_RECORDED: Record<
  number,
  Pick<OtpUpgrade, 'installMs' | 'maxCallLatencyMs' | 'maxReplyGapMs' | 'memAfterMiB' | 'rssAfterMiB'>
> = {
  1000: {
    installMs: 19.66,
    maxCallLatencyMs: 12.28,
    maxReplyGapMs: 13.9,
    memAfterMiB: 28.67,
    rssAfterMiB: 57.69,
  },
  10000: {
    installMs: 164.0,
    maxCallLatencyMs: 126.5,
    maxReplyGapMs: 129.9,
    memAfterMiB: 68.39,
    rssAfterMiB: 111.5,
  },
  100000: {
    installMs: 2111,
    maxCallLatencyMs: 1718,
    maxReplyGapMs: 1722,
    memAfterMiB: 463.7,
    rssAfterMiB: 558.9,
  },
};

async function main(): Promise<void> {
  if (process.env.BENCH_CHILD !== undefined) {
    process.stdout.write(JSON.stringify(await oneRep(Number(process.env.BENCH_CHILD))));
    process.exit(0);
  }
  const ours = new Map<number, Rep[]>(NS.map((n) => [n, []]));
  const otp = new Map<number, OtpUpgrade[]>(NS.map((n) => [n, []]));
  for (let r = 0; r < REPS; r++) {
    for (const n of NS) {
      process.stderr.write(`rep ${r + 1}/${REPS}  N=${n}: hotrel`);
      const out = execFileSync(
        process.execPath,
        ['--expose-gc', '--max-old-space-size=8192', '-r', 'tsx/cjs', __filename],
        {
          env: { ...process.env, BENCH_CHILD: String(n), HOTREL_LOG_LEVEL: 'warn' },
          encoding: 'utf8',
          maxBuffer: 1 << 20,
        },
      );
      ours.get(n)!.push(JSON.parse(out) as Rep);
      process.stderr.write(', OTP');
      const o = otpUpgrade(n, PROBES, INTERVAL_MS);
      if (o !== undefined) otp.get(n)!.push(o);
      process.stderr.write('\n');
    }
  }
  const sameRun = [...otp.values()].some((l) => l.length > 0);
  const h = (n: number, f: (r: Rep) => number): Summary => summarize(ours.get(n)!.map(f));
  const o = (n: number, f: (r: OtpUpgrade) => number, recorded: number | undefined): Summary =>
    otp.get(n)!.length > 0
      ? summarize(otp.get(n)!.map(f))
      : summarize(recorded === undefined ? [] : [recorded]);

  const rows: Array<Array<string | number>> = [];
  for (const n of NS) {
    const rec = OTP_RECORDED[n];
    const install = h(n, (r) => r.installMs);
    const oInstall = o(n, (x) => x.installMs, rec?.installMs);
    // The longest time a client went without an answer. In Node a synchronous stretch of work
    // delays the next call rather than the one in flight, so the gap between two replies is the
    // honest measure (it includes the 1 ms pause between calls); OTP's gap is the same measure.
    const stall = h(n, (r) => r.maxReplyGapMs);
    const oStall = o(n, (x) => x.maxReplyGapMs, rec?.maxReplyGapMs);
    const failed = h(n, (r) => r.failedCalls + (r.verified ? 0 : 1e9));
    const oFailed = o(n, (x) => x.failedCalls, 0);
    const rss = h(n, (r) => r.rssAfterMiB);
    const oRss = o(n, (x) => x.rssAfterMiB, rec?.rssAfterMiB);
    rows.push([
      fmt(n),
      fmtSummary(install),
      fmtSummary(oInstall),
      ratio(install.median, oInstall.median),
      fmtSummary(stall),
      fmtSummary(oStall),
      ratio(stall.median, oStall.median),
      `${fmt(failed.max)} / ${fmt(oFailed.max)}`,
      `${fmtSummary(rss)} / ${fmtSummary(oRss)}`,
      ratio(rss.median, oRss.median),
    ]);
  }
  const detail: Array<Array<string | number>> = [];
  for (const n of NS) {
    detail.push([
      fmt(n),
      fmtSummary(h(n, (r) => r.suspendedMs ?? NaN)),
      `${fmtSummary(h(n, (r) => r.maxCallLatencyMs))} / ${fmtSummary(o(n, (x) => x.maxCallLatencyMs, OTP_RECORDED[n]?.maxCallLatencyMs))}`,
      fmtSummary(h(n, (r) => r.probeCalls)),
      fmtSummary(h(n, (r) => r.baselineMaxLatencyMs)),
      `${fmtSummary(h(n, (r) => r.heapBeforeMiB))} → ${fmtSummary(h(n, (r) => r.heapAfterMiB))} → ${fmtSummary(h(n, (r) => r.heapSettledMiB))}`,
      fmtSummary(h(n, (r) => r.bytesPerWorker)),
      fmtSummary(h(n, (r) => r.workerStartsPerSec)),
      fmtSummary(h(n, (r) => r.unpackMs)),
      `${fmtSummary(h(n, (r) => r.makePermanentMs))} (${fmtSummary(h(n, (r) => r.makePermanentGapMs))})`,
    ]);
  }
  const otpNote = sameRun
    ? 'Erlang/OTP measured in the same run, interleaved'
    : 'OTP figures recorded in bench/otp/RESULTS.md (erl not found)';
  const md = [
    table(
      `Live upgrade kvapp 1.0.0 -> 1.0.1 under ${PROBES} probing clients (${REPS} reps; median [min..max]; ratio = hotrel / OTP; ${otpNote})`,
      [
        'N workers',
        'install (ms) hotrel',
        'install (ms) OTP',
        'install ratio (goal <= 0.2x at 100k)',
        'longest client stall: max reply gap (ms) hotrel',
        'longest client stall: max reply gap (ms) OTP',
        'stall ratio (goal <= 0.1x at 100k)',
        'failed calls hotrel / OTP (goal 0)',
        'RSS after install (MiB) hotrel / OTP',
        'RSS ratio',
      ],
      rows,
    ),
    table(
      'hotrel details',
      [
        'N workers',
        'suspended window (ms)',
        'max call latency (ms) hotrel / OTP',
        'probe calls in window',
        'baseline max latency (ms)',
        'V8 heap before → after → settled (MiB)',
        'heap bytes / worker',
        'worker start rate (/s)',
        'unpack (ms)',
        'makePermanent (ms) (longest client stall during it)',
      ],
      detail,
    ),
  ].join('\n');
  publish('upgrade', md, {
    reps: REPS,
    probes: PROBES,
    intervalMs: INTERVAL_MS,
    hotrel: Object.fromEntries(ours),
    otp: Object.fromEntries(otp),
    otpSameRun: sameRun,
  });
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
