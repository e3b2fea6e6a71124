/**
 * Real Erlang/OTP, measured on this machine in the same run, so that hotrel's figures can be
 * printed as ratios (the machines are shared and noisy; figures from another day compare badly).
 * Uses the OTP benchmark in bench/otp/ (a copy of the team's reference, unmodified). Needs `erl`
 * and `erlc`, and erts's erl.src for target systems (scripts/install-erlang.sh); without them every
 * function returns undefined.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseTerm, type Term } from './eterm';

const OTP_DIR = path.join(__dirname, '..', 'otp');

export function otpAvailable(): boolean {
  const which = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  return which('erl') && which('erlc');
}

let built: string | undefined;

/** Compiles the benchmark driver and kvapp 1.0.0/1.0.1 into a scratch directory (once). */
function build(): string {
  if (built !== undefined) return built;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotrel-otp-bench-'));
  fs.mkdirSync(path.join(dir, 'bench', 'ebin'), { recursive: true });
  const tools = fs.readdirSync(path.join(OTP_DIR, 'tools')).map((f) => path.join(OTP_DIR, 'tools', f));
  execFileSync('erlc', ['-o', path.join(dir, 'bench', 'ebin'), ...tools]);
  for (const v of ['1.0.0', '1.0.1']) {
    const src = path.join(OTP_DIR, 'apps', `kvapp-${v}`, 'src');
    const ebin = path.join(dir, 'lib', `kvapp-${v}`, 'ebin');
    fs.mkdirSync(ebin, { recursive: true });
    const erls = fs.readdirSync(src).filter((f) => f.endsWith('.erl'));
    execFileSync('erlc', ['-o', ebin, ...erls.map((f) => path.join(src, f))]);
    for (const f of fs.readdirSync(src).filter((f) => f.startsWith('kvapp.app'))) {
      fs.copyFileSync(path.join(src, f), path.join(ebin, f));
    }
  }
  built = dir;
  return dir;
}

let releasesBuilt = false;

/** .rel files, boot scripts, the relup and both release packages, made by systools (once). */
function buildReleases(dir: string): void {
  if (releasesBuilt) return;
  execFileSync(
    'erl',
    [
      '-noshell',
      '-pa',
      path.join(dir, 'bench', 'ebin'),
      '-run',
      'kv_build',
      'release',
      dir,
      '-s',
      'erlang',
      'halt',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  releasesBuilt = true;
}

export interface OtpUpgrade {
  n: number;
  /** release_handler:install_release("1.0.1") wall time */
  installMs: number;
  /** the longest single probe call during the upgrade window */
  maxCallLatencyMs: number;
  maxReplyGapMs: number;
  probeCalls: number;
  failedCalls: number;
  callsOver5s: number;
  baselineMaxLatencyMs: number;
  /** erlang:memory(total) before -> right after install -> settled (MiB) */
  memBeforeMiB: number;
  memAfterMiB: number;
  memSettledMiB: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  /** memory(total) growth while starting the N workers, per worker */
  bytesPerWorker: number;
  workerStartsPerSec: number;
  unpackMs: number;
  makePermanentMs: number;
  verified: boolean;
}

/**
 * One repetition of the reference upgrade (bench/otp/RESULTS.md): a fresh target system booted at
 * kvapp 1.0.0 with N kv_worker gen_servers, probed by clients while
 * release_handler:install_release("1.0.1") converts every worker's state.
 */
export function otpUpgrade(n: number, probes: number, intervalMs: number): OtpUpgrade | undefined {
  if (!otpAvailable()) return undefined;
  const dir = build();
  buildReleases(dir);
  const root = path.join(dir, 'run');
  fs.rmSync(root, { recursive: true, force: true });
  const ebin = path.join(dir, 'bench', 'ebin');
  execFileSync(
    'erl',
    [
      '-noshell',
      '-pa',
      ebin,
      '-run',
      'kv_build',
      'install_target',
      path.join(dir, 'rel', 'kvapp-1.0.0.tar.gz'),
      path.join(dir, 'rel', 'kvapp-1.0.1.tar.gz'),
      root,
      '-s',
      'erlang',
      'halt',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const out = path.join(dir, `upgrade-${n}-${Date.now()}.eterm`);
  execFileSync(
    path.join(root, 'bin', 'erl'),
    [
      '-boot',
      path.join(root, 'releases', '1.0.0', 'start'),
      '-noshell',
      '+P',
      '1048576',
      '-pa',
      ebin,
      '-run',
      'kv_bench',
      'upgrade',
      String(n),
      String(probes),
      String(intervalMs),
      out,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ERL_ROOTDIR: root } },
  );
  const r = parseTerm(fs.readFileSync(out, 'utf8')) as Record<string, Record<string, number> & Term>;
  const up = r.probe_upgrade as Record<string, number>;
  const base = r.probe_baseline as Record<string, number>;
  const mem = (k: string, f: string): number => (r[k] as Record<string, number>)[f]!;
  const MiB = 2 ** 20;
  const verify = r.verify as Record<string, Term>;
  return {
    n,
    installMs: Number(r.install_us) / 1000,
    maxCallLatencyMs: up.max_latency_us! / 1000,
    maxReplyGapMs: up.max_gap_us! / 1000,
    probeCalls: up.calls!,
    failedCalls: up.failures!,
    callsOver5s: up.over_5s!,
    baselineMaxLatencyMs: base.max_latency_us! / 1000,
    memBeforeMiB: mem('mem_before', 'total') / MiB,
    memAfterMiB: mem('mem_after', 'total') / MiB,
    memSettledMiB: mem('mem_settled', 'total') / MiB,
    rssBeforeMiB: mem('mem_before', 'rss') / MiB,
    rssAfterMiB: mem('mem_after', 'rss') / MiB,
    bytesPerWorker: (mem('mem_workers', 'total') - mem('mem_empty', 'total')) / n,
    workerStartsPerSec: n / (Number(r.start_workers_us) / 1e6),
    unpackMs: Number(r.unpack_us) / 1000,
    makePermanentMs: Number(r.make_permanent_us) / 1000,
    verified: (verify.worker_vsns as Record<string, number>)['1.0.1'] === n,
  };
}

export interface OtpMicro {
  otp: string;
  callsPerSec: number;
  spawnsPerSec: number;
  /** message every spawned process and collect its reply (µs for all of them) */
  spawnAckUs: number;
  /** erlang:memory(processes) growth per idle spawned process, bytes */
  bytesPerIdleProcess: number;
}

/** OTP's micro benchmark (gen_server:call rate, spawn rate) and idle process memory, one rep. */
export function otpMicro(calls: number, spawns: number): OtpMicro | undefined {
  if (!otpAvailable()) return undefined;
  const dir = build();
  const out = path.join(dir, `micro-${process.pid}-${Date.now()}.eterm`);
  execFileSync(
    'erl',
    [
      '-noshell',
      '+P',
      '1048576',
      '-pa',
      path.join(dir, 'lib', 'kvapp-1.0.0', 'ebin'),
      '-pa',
      path.join(dir, 'bench', 'ebin'),
      '-run',
      'kv_bench',
      'micro',
      String(calls),
      String(spawns),
      out,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const m = parseTerm(fs.readFileSync(out, 'utf8')) as Record<string, Term>;
  const mem = erlEval(
    `N = ${spawns}, erlang:garbage_collect(), M0 = erlang:memory(processes), ` +
      `Ps = [spawn(fun() -> receive stop -> ok end end) || _ <- lists:seq(1, N)], timer:sleep(200), ` +
      `M1 = erlang:memory(processes), io:format("~p.~n", [(M1 - M0) / N]), [P ! stop || P <- Ps], halt().`,
  );
  return {
    otp: String(m.otp),
    callsPerSec: Number(m.calls_per_s),
    spawnsPerSec: Number(m.spawns_per_s),
    spawnAckUs: Number(m.spawn_ack_us),
    bytesPerIdleProcess: Number(parseTerm(mem)),
  };
}

/** Evaluates an Erlang expression sequence in a fresh node and returns what it printed. */
export function erlEval(expr: string): string {
  return execFileSync('erl', ['-noshell', '+P', '1048576', '-eval', expr], { encoding: 'utf8' });
}

export interface OtpSupervisedWorkers {
  /** erlang:memory(total) growth per idle kv_worker started under kv_worker_sup, bytes */
  bytesPerWorker: number;
  /** supervisor:start_child rate while starting them */
  startsPerSec: number;
}

/**
 * N idle kv_worker gen_servers (state: a map of 10 integer keys) started one by one under the
 * simple_one_for_one kv_worker_sup, outside any upgrade: memory per worker and start rate.
 */
export function otpSupervisedWorkers(n: number): OtpSupervisedWorkers | undefined {
  if (!otpAvailable()) return undefined;
  const dir = build();
  const printed = execFileSync(
    'erl',
    [
      '-noshell',
      '+P',
      '1048576',
      '-pa',
      path.join(dir, 'lib', 'kvapp-1.0.0', 'ebin'),
      '-eval',
      `N = ${n}, {ok, _} = kv_worker_sup:start_link(), ` +
        `[erlang:garbage_collect(P) || P <- processes()], M0 = erlang:memory(total), ` +
        `T0 = erlang:monotonic_time(microsecond), ` +
        `[{ok, _} = kv_worker_sup:start_child(I) || I <- lists:seq(1, N)], ` +
        `T1 = erlang:monotonic_time(microsecond), ` +
        `[erlang:garbage_collect(P) || P <- processes()], M1 = erlang:memory(total), ` +
        `io:format("~p.~n", [{(M1 - M0) / N, N * 1000000 / (T1 - T0)}]), halt().`,
    ],
    { encoding: 'utf8' },
  );
  const [bytes, starts] = parseTerm(printed) as [number, number];
  return { bytesPerWorker: bytes, startsPerSec: starts };
}
