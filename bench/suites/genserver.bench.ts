/**
 * GenServer benchmark (issue: Behaviours): call round trips per second (1 client -> 1 server,
 * sequential, as OTP's `kv_bench:micro`) and memory per idle supervised GenServer (N kv workers,
 * state = a map of 10 integer keys, started one by one under a simple_one_for_one supervisor, as
 * bench/otp's kvapp), side by side with Erlang/OTP measured in the same run when `erl` is
 * installed. Every repetition runs in a fresh Node process.
 *
 *   node --expose-gc -r tsx/cjs bench/suites/genserver.bench.ts      (REPS=5 CALLS=500000 WORKERS=100000)
 */
import { execFileSync } from 'node:child_process';
import { spawn, watch, type Pid, type Proc } from '../../src/runtime';
import { GenServer, ok, reply, Supervisor, type From } from '../../src/behaviours';
import { settledHeap } from '../lib/gc';
import { otpMicro, otpSupervisedWorkers, type OtpMicro, type OtpSupervisedWorkers } from '../lib/otp';
import { knob, publish, table } from '../lib/report';
import { fmt, fmtSummary, ratio, summarize, type Summary } from '../lib/stats';

const REPS = knob('REPS', 5);
const CALLS = knob('CALLS', 500_000);
const WORKERS = knob('WORKERS', 100_000);
// V8 needs more than OTP's 10k calls to reach its optimized code (BEAM's JIT compiles at load).
const WARMUP = 50_000;

/** The figures OTP gave on this machine in bench/otp/RESULTS.md, for when `erl` is missing. */
const OTP_RECORDED = { callsPerSec: 808_076, bytesPerWorker: 3_090, startsPerSec: 165_829 };

type KvRequest = { get: number } | { put: number; value: number } | 'info';
interface KvState {
  readonly id: number;
  readonly data: Map<number, number>;
}

/** bench/otp's kv_worker, in TypeScript. */
const KvWorker = {
  startLink(parent: Proc, id: number) {
    return GenServer.startLink(parent, KvWorker, id);
  },
  init(id: number) {
    const data = new Map<number, number>();
    for (let k = 1; k <= 10; k++) data.set(k, id * 100 + k);
    return ok<KvState>({ id, data });
  },
  handleCall(req: KvRequest, _from: From<unknown>, state: KvState) {
    if (req === 'info') return reply({ vsn: '1.0.0', id: state.id, size: state.data.size }, state);
    if ('put' in req) {
      state.data.set(req.put, req.value);
      return reply('ok', state);
    }
    return reply(state.data.get(req.get), state);
  },
};

/** bench/otp's kv_worker_sup. */
const KvWorkerSup = {
  init: () => ({
    strategy: 'simple_one_for_one' as const,
    intensity: 10,
    period: 10,
    children: [
      {
        id: 'kv_worker',
        start: { module: KvWorker, function: 'startLink', args: [] },
        restart: 'temporary' as const,
        shutdown: 'brutal_kill' as const,
        modules: [KvWorker],
      },
    ],
  }),
};

interface Rep {
  callsPerSec: number;
  callsFromOutsidePerSec: number;
  bytesPerWorker: number;
  startsPerSec: number;
}

/** `CALLS` sequential calls `{get: 5}` from one client to one worker (id 0: the reply is 5). */
function callRate(server: Pid, fromInsideProcess: boolean): Promise<number> {
  const run = async (caller?: Proc): Promise<number> => {
    const request = { get: 5 };
    const options = caller === undefined ? undefined : { caller };
    for (let i = 0; i < WARMUP; i++) await GenServer.call(server, request, options);
    const t = performance.now();
    for (let i = 0; i < CALLS; i++) {
      if ((await GenServer.call(server, request, options)) !== 5) throw new Error('wrong reply');
    }
    return CALLS / ((performance.now() - t) / 1000);
  };
  if (!fromInsideProcess) return run();
  return new Promise((resolve, reject) => {
    let rate = 0;
    const client = spawn(async (self) => {
      rate = await run(self);
    });
    watch(client, (reason) => (reason === 'normal' ? resolve(rate) : reject(reason)));
  });
}

/** One repetition, in this (fresh) process. */
async function oneRep(): Promise<Rep> {
  const server = GenServer.pidOf(await GenServer.start(KvWorker, 0));
  const callsPerSec = await callRate(server, true);
  const callsFromOutsidePerSec = await callRate(server, false);
  await GenServer.stop(server);

  const sup = GenServer.pidOf(await Supervisor.start(KvWorkerSup, undefined, { name: 'kv_worker_sup' }));
  const heap0 = await settledHeap();
  const t0 = performance.now();
  for (let i = 1; i <= WORKERS; i++) GenServer.pidOf(await Supervisor.startChild(sup, [i]));
  const t1 = performance.now();
  const heap1 = await settledHeap();
  const workers = await Supervisor.whichChildren(sup);
  const last = workers[0]!.pid as Pid;
  const info = (await GenServer.call(last, 'info')) as { size: number };
  if (workers.length !== WORKERS || info.size !== 10) throw new Error('workers not all running');
  return {
    callsPerSec,
    callsFromOutsidePerSec,
    bytesPerWorker: (heap1 - heap0) / WORKERS,
    startsPerSec: WORKERS / ((t1 - t0) / 1000),
  };
}

async function main(): Promise<void> {
  if (process.env.BENCH_CHILD !== undefined) {
    process.stdout.write(JSON.stringify(await oneRep()));
    return;
  }
  const reps: Rep[] = [];
  const otpCalls: OtpMicro[] = [];
  const otpWorkers: OtpSupervisedWorkers[] = [];
  for (let r = 0; r < REPS; r++) {
    reps.push(
      JSON.parse(
        execFileSync(process.execPath, ['--expose-gc', '-r', 'tsx/cjs', __filename], {
          env: { ...process.env, BENCH_CHILD: '1', HOTREL_LOG_LEVEL: 'warn' },
          encoding: 'utf8',
          maxBuffer: 1 << 20,
        }),
      ) as Rep,
    );
    const calls = otpMicro(CALLS, 1000);
    if (calls !== undefined) otpCalls.push(calls);
    const workers = otpSupervisedWorkers(WORKERS);
    if (workers !== undefined) otpWorkers.push(workers);
  }
  const sameRun = otpCalls.length > 0;
  const h = (f: (r: Rep) => number): Summary => summarize(reps.map(f));
  const otp = {
    calls: sameRun ? summarize(otpCalls.map((o) => o.callsPerSec)) : summarize([OTP_RECORDED.callsPerSec]),
    bytes: sameRun
      ? summarize(otpWorkers.map((o) => o.bytesPerWorker))
      : summarize([OTP_RECORDED.bytesPerWorker]),
    starts: sameRun
      ? summarize(otpWorkers.map((o) => o.startsPerSec))
      : summarize([OTP_RECORDED.startsPerSec]),
  };
  const calls = h((r) => r.callsPerSec);
  const outside = h((r) => r.callsFromOutsidePerSec);
  const bytes = h((r) => r.bytesPerWorker);
  const starts = h((r) => r.startsPerSec);
  const rows = [
    [
      'GenServer.call round trips, 1 client process -> 1 server (/s)',
      fmtSummary(calls),
      fmtSummary(otp.calls),
      ratio(calls.median, otp.calls.median),
      'goal >= 2x',
    ],
    [
      'the same, called from plain code outside any process (/s)',
      fmtSummary(outside),
      fmtSummary(otp.calls),
      ratio(outside.median, otp.calls.median),
      '',
    ],
    [
      `memory per idle supervised GenServer, ${fmt(WORKERS)} workers (bytes)`,
      fmtSummary(bytes),
      fmtSummary(otp.bytes),
      ratio(bytes.median, otp.bytes.median),
      'goal <= 1x',
    ],
    [
      'supervised start rate, Supervisor.startChild (/s)',
      fmtSummary(starts),
      fmtSummary(otp.starts),
      ratio(starts.median, otp.starts.median),
      '',
    ],
  ];
  const md = [
    table(
      `GenServer (${REPS} reps, ${fmt(CALLS)} calls, ${fmt(WORKERS)} workers; median [min..max]; ratio = hotrel / OTP ${
        sameRun ? `${otpCalls[0]!.otp}, same run` : '(recorded in bench/otp/RESULTS.md: erl not found)'
      })`,
      ['metric', 'hotrel', 'Erlang/OTP', 'ratio', ''],
      rows,
    ),
    'Memory is the settled V8 heap growth while starting the workers (OTP: erlang:memory(total) growth), ' +
      "including each worker's state (a Map of 10 integers), its process, its link to the supervisor and " +
      "the supervisor's record of it. Sources run through tsx here; compiled with tsc the call path is faster.",
  ].join('\n');
  publish('genserver', md, {
    hotrel: reps,
    otp: sameRun ? { calls: otpCalls, workers: otpWorkers } : { recorded: OTP_RECORDED },
    ratios: {
      callsPerSec: calls.median / otp.calls.median,
      bytesPerWorker: bytes.median / otp.bytes.median,
      startsPerSec: starts.median / otp.starts.median,
    },
  });
}

void main();
