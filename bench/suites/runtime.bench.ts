/**
 * Runtime benchmark (issue: Foundation): spawn rate, memory per idle process, messaging N
 * processes and collecting their replies, and raw ping-pong round trips, each side by side with
 * Erlang/OTP measured in the same run (when `erl` is installed) and with plain JS promises as an
 * in-process baseline. Every repetition runs in a fresh Node process so heaps do not interfere.
 *
 *   node --expose-gc -r tsx/cjs bench/suites/runtime.bench.ts      (REPS=5 SPAWNS=100000 PINGS=500000)
 */
import { execFileSync } from 'node:child_process';
import { exit, send, spawn, watch, type Pid } from '../../src/runtime';
import { settledHeap } from '../lib/gc';
import { otpMicro, type OtpMicro } from '../lib/otp';
import { knob, publish, table } from '../lib/report';
import { fmt, fmtSummary, ratio, summarize } from '../lib/stats';

const REPS = knob('REPS', 5);
const SPAWNS = knob('SPAWNS', 100_000);
const PINGS = knob('PINGS', 500_000);

interface Rep {
  spawnLoopPerSec: number;
  spawnedAndParkedPerSec: number;
  bytesPerIdleProcess: number;
  messageAllAndCollectUs: number;
  pingPongPerSec: number;
  promisePingPongPerSec: number;
}

/** One repetition, in this (fresh) process. */
async function oneRep(probeable: boolean): Promise<Rep> {
  // Spawn rate and memory: N processes that block in receive, as OTP's spawn_loop does.
  const heap0 = await settledHeap();
  const pids: Pid[] = new Array(SPAWNS);
  let parked = 0;
  let allParked!: () => void;
  const parkedPromise = new Promise<void>((r) => (allParked = r));
  const t0 = performance.now();
  for (let i = 0; i < SPAWNS; i++) {
    pids[i] = spawn(
      async (self) => {
        if (++parked === SPAWNS) allParked();
        const from = (await self.receive()) as Pid;
        send(from, 'ack');
        await self.receive('stop');
      },
      { probeable },
    );
  }
  const tLoop = performance.now();
  await parkedPromise;
  const tParked = performance.now();
  const heap1 = await settledHeap();

  // Message every process and collect every reply (OTP: spawn_ack_us).
  let collectUs = 0;
  await new Promise<void>((done) => {
    const collector = spawn(async (self) => {
      const t = performance.now();
      for (const p of pids) send(p, self.pid);
      for (let i = 0; i < SPAWNS; i++) await self.receive('ack');
      collectUs = (performance.now() - t) * 1000;
    });
    watch(collector, () => done());
  });
  for (const p of pids) exit(p, 'kill');

  // Ping-pong round trips between two processes.
  let pingPerSec = 0;
  await new Promise<void>((done) => {
    const pong = spawn(async (self) => {
      for (;;) send((await self.receive()) as Pid, 'pong');
    });
    const ping = spawn(async (self) => {
      for (let i = 0; i < 10_000; i++) {
        send(pong, self.pid);
        await self.receive();
      }
      const t = performance.now();
      for (let i = 0; i < PINGS; i++) {
        send(pong, self.pid);
        await self.receive();
      }
      pingPerSec = PINGS / ((performance.now() - t) / 1000);
      exit(pong, 'kill');
    });
    watch(ping, () => done());
  });

  return {
    spawnLoopPerSec: SPAWNS / ((tLoop - t0) / 1000),
    spawnedAndParkedPerSec: SPAWNS / ((tParked - t0) / 1000),
    bytesPerIdleProcess: (heap1 - heap0) / SPAWNS,
    messageAllAndCollectUs: collectUs,
    pingPongPerSec: pingPerSec,
    promisePingPongPerSec: await promisePingPong(PINGS),
  };
}

/** Baseline: the same round trip with two plain async functions handing each other promises. */
async function promisePingPong(n: number): Promise<number> {
  let toPong: ((v: number) => void) | undefined;
  let toPing: ((v: number) => void) | undefined;
  const pongSide = (async () => {
    for (let i = 0; i < n; i++) {
      const v = await new Promise<number>((r) => (toPong = r));
      toPing!(v);
    }
  })();
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const reply = new Promise<number>((r) => (toPing = r));
    toPong!(i);
    await reply;
  }
  await pongSide;
  return n / ((performance.now() - t) / 1000);
}

async function main(): Promise<void> {
  if (process.env.BENCH_CHILD !== undefined) {
    process.stdout.write(JSON.stringify(await oneRep(process.env.BENCH_CHILD === 'probeable')));
    return;
  }
  const child = (mode: string): Rep =>
    JSON.parse(
      execFileSync(process.execPath, ['--expose-gc', '-r', 'tsx/cjs', __filename], {
        env: { ...process.env, BENCH_CHILD: mode, HOTREL_LOG_LEVEL: 'warn' },
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      }),
    ) as Rep;
  const reps: Rep[] = [];
  const lean: Rep[] = [];
  const otp: OtpMicro[] = [];
  for (let r = 0; r < REPS; r++) {
    reps.push(child('probeable'));
    lean.push(child('lean'));
    const o = otpMicro(PINGS, SPAWNS);
    if (o !== undefined) otp.push(o);
  }
  const s = (f: (r: Rep) => number) => summarize(reps.map(f));
  const l = (f: (r: Rep) => number) => summarize(lean.map(f));
  const o = (f: (r: OtpMicro) => number) => summarize(otp.map(f));
  const hasOtp = otp.length > 0;
  const row = (
    name: string,
    h: ReturnType<typeof s>,
    oth: ReturnType<typeof o> | undefined,
    higherIsBetter: boolean,
  ) => [
    name,
    fmtSummary(h),
    hasOtp && oth ? fmtSummary(oth) : 'n/a',
    hasOtp && oth ? ratio(h.median, oth.median) : 'n/a',
    higherIsBetter ? 'higher is better' : 'lower is better',
  ];
  const rows = [
    row(
      'spawn: loop only (processes/s)',
      s((r) => r.spawnLoopPerSec),
      o((x) => x.spawnsPerSec),
      true,
    ),
    row(
      'spawn: until all are parked in receive (processes/s)',
      s((r) => r.spawnedAndParkedPerSec),
      o((x) => x.spawnsPerSec),
      true,
    ),
    row(
      'memory per idle process (bytes)',
      s((r) => r.bytesPerIdleProcess),
      o((x) => x.bytesPerIdleProcess),
      false,
    ),
    row(
      `message ${fmt(SPAWNS)} processes and collect the replies (ms)`,
      summarize(reps.map((r) => r.messageAllAndCollectUs / 1000)),
      o((x) => x.spawnAckUs / 1000),
      false,
    ),
    row(
      'probeable: false — spawn until parked (processes/s)',
      l((r) => r.spawnedAndParkedPerSec),
      o((x) => x.spawnsPerSec),
      true,
    ),
    row(
      'probeable: false — memory per idle process (bytes)',
      l((r) => r.bytesPerIdleProcess),
      o((x) => x.bytesPerIdleProcess),
      false,
    ),
    row(
      `probeable: false — message ${fmt(SPAWNS)} and collect (ms)`,
      summarize(lean.map((r) => r.messageAllAndCollectUs / 1000)),
      o((x) => x.spawnAckUs / 1000),
      false,
    ),
    row(
      'ping-pong round trips between two processes (/s)',
      s((r) => r.pingPongPerSec),
      undefined,
      true,
    ),
    row(
      'baseline: the same with bare JS promises (/s)',
      s((r) => r.promisePingPongPerSec),
      undefined,
      true,
    ),
  ];
  const md = [
    table(
      `Runtime (${REPS} reps, ${fmt(SPAWNS)} processes; median [min..max]; ratio = hotrel / OTP ${otp[0]?.otp ?? ''})`,
      ['metric', 'hotrel', 'Erlang/OTP', 'ratio', ''],
      rows,
    ),
    `Ping-pong costs ${ratio(s((r) => r.promisePingPongPerSec).median, s((r) => r.pingPongPerSec).median)} the time of the bare-promise baseline. ` +
      `Processes are probeable by default (the code server can tell which functions a waiting raw process runs); ` +
      `behaviour processes use \`probeable: false\`. ` +
      `OTP's spawn figure is its spawn loop (processes start on the other scheduler meanwhile).` +
      (hasOtp ? '' : ' Erlang/OTP not found (apt-get install erlang-nox): no side-by-side figures.'),
  ].join('\n');
  publish('runtime', md, { probeable: reps, lean, otp });
}

void main();
