/**
 * Real Erlang/OTP, measured on this machine in the same run, so that hotrel's figures can be
 * printed as ratios (the machines are shared and noisy; figures from another day compare badly).
 * Uses the OTP benchmark in bench/otp/ (a copy of the team's reference, unmodified). Needs `erl`
 * and `erlc` (`apt-get install erlang-nox`); without them every function returns undefined.
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
  }
  built = dir;
  return dir;
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
