/**
 * Code server benchmark (issue 3): memory over many load/purge cycles of a ~200 KB module, with
 * a naive `import('?v=N')` loader measured in the same run for contrast; the cost of a call
 * through a facade against a direct call; load time per module; purge and findOldCode latency
 * over many processes. Each measurement runs in a fresh Node process (this script re-runs itself
 * with the measurement's name), so heaps do not interfere.
 *
 *   node --expose-gc -r tsx/cjs bench/suites/code.bench.ts
 *   knobs: CYCLES=1000 NAIVE_CYCLES=200 NAIVE_HEAP_MB=384 CALLS=20000000 ROUNDS=7 REPS=3 PROCS=10000
 *   SPAWNS=100000
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  addApplication,
  commit,
  compileModule,
  findOldCode,
  getModule,
  loadCompiled,
  loadSource,
  prepare,
  purge,
  spawn,
  exit,
  type Pid,
} from '../../src';
import { settledHeap } from '../lib/gc';
import { knob, publish, table } from '../lib/report';
import { fmt, fmtSummary, ratio, summarize, type Summary } from '../lib/stats';

const CYCLES = knob('CYCLES', 1000);
const NAIVE_CYCLES = knob('NAIVE_CYCLES', 200);
const NAIVE_HEAP_MB = knob('NAIVE_HEAP_MB', 384);
const CALLS = knob('CALLS', 20_000_000);
const ROUNDS = knob('ROUNDS', 7);
const REPS = knob('REPS', 3);
const PROCS = knob('PROCS', 10_000);
const SPAWNS = knob('SPAWNS', 100_000);
const FUNCTIONS = 1000;
const WARM = 100;
const MB = 2 ** 20;

/**
 * A module of ~200 KB: FUNCTIONS functions whose string literals carry the version, so no cache
 * can share code between versions, and `runAll` to run each once (so bytecode exists). Plain
 * JavaScript syntax, valid as TypeScript too.
 */
function bigModule(version: string): string {
  const pad = 'lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt';
  const lines = [`export const vsn = '${version}';`];
  for (let i = 0; i < FUNCTIONS; i++) {
    lines.push(`export function f${i}(x) { return '${version}:f${i}:' + (x + ${i}) + ' ${pad} ${i}'; }`);
  }
  lines.push(`const all = [${Array.from({ length: FUNCTIONS }, (_, i) => `f${i}`).join(', ')}];`);
  lines.push('export function runAll() { let n = 0; for (const f of all) n += f(1).length; return n; }');
  return lines.join('\n') + '\n';
}

function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `hotrel-bench-${tag}-`));
}

function ms(start: number): number {
  return performance.now() - start;
}

// ---------------------------------------------------------------------------------------------
// Measurements (each runs in its own process and prints one JSON line)

interface MemoryResult {
  cycles: number;
  moduleKB: number;
  heapAfter2MB: number;
  /** After WARM cycles: caches and compiled code of the loader itself have settled. */
  heapAfterWarmMB: number;
  heapAfterAllMB: number;
  retainedKBPerVersion: number;
  /** (heap after all - heap after WARM) / (cycles - WARM). */
  slopeKBPerVersion: number;
  rssAfterAllMB: number;
  msPerCycle: number;
  retainedVersions: number;
}

/** The code server: load a new version (which purges the one before the previous), CYCLES times. */
async function memory(): Promise<MemoryResult> {
  const dir = tempDir('mem');
  addApplication({ name: 'mem', dir, form: 'js' });
  const file = path.join(dir, 'big.js');
  const template = compileModule(bigModule('__VERSION__'), path.join(dir, 'big.ts'));
  let retainedVersions = 0;
  const load = async (i: number): Promise<void> => {
    const code = template.code.replaceAll('__VERSION__', `v${i}`);
    const result = await loadCompiled('mem:big', { code, map: template.map, file });
    if (result.purge !== undefined && result.purge.retained.length > 0) retainedVersions++;
    (getModule('mem:big') as { runAll(): number }).runAll();
  };
  await load(0);
  await load(1);
  const heap2 = await settledHeap();
  const t = performance.now();
  let heapWarm = heap2;
  for (let i = 2; i < CYCLES; i++) {
    await load(i);
    if (i === WARM - 1) heapWarm = await settledHeap();
  }
  const elapsed = ms(t);
  const heapN = await settledHeap();
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    cycles: CYCLES,
    moduleKB: template.code.length / 1024,
    heapAfter2MB: heap2 / MB,
    heapAfterWarmMB: heapWarm / MB,
    heapAfterAllMB: heapN / MB,
    retainedKBPerVersion: (heapN - heap2) / 1024 / (CYCLES - 2),
    slopeKBPerVersion: (heapN - heapWarm) / 1024 / (CYCLES - WARM),
    rssAfterAllMB: process.memoryUsage().rss / MB,
    msPerCycle: elapsed / (CYCLES - 2),
    retainedVersions,
  };
}

interface NaiveResult {
  cycles: number;
  completed: number;
  heapCapMB: number;
  heapAfter2MB: number;
  heapAfterAllMB: number;
  retainedKBPerVersion: number;
  msPerCycle: number;
}

/** The naive loader: rewrite the file and `import('file.mjs?v=N')`, keeping the two newest. */
async function naive(): Promise<NaiveResult> {
  const dir = tempDir('naive');
  const file = path.join(dir, 'big.mjs');
  const kept: unknown[] = [];
  let heap2 = 0;
  const t = performance.now();
  let completed = 0;
  for (let i = 0; i < NAIVE_CYCLES; i++) {
    fs.writeFileSync(file, bigModule(`v${i}`));
    const ns = (await import(`${pathToFileURL(file).href}?v=${i}`)) as { runAll(): number };
    ns.runAll();
    kept.push(ns);
    if (kept.length > 2) kept.shift();
    completed = i + 1;
    if (i === 1) heap2 = await settledHeap();
    process.stderr.write(`\rnaive ${completed}/${NAIVE_CYCLES}`);
  }
  process.stderr.write('\n');
  const elapsed = ms(t);
  const heapN = await settledHeap();
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    cycles: NAIVE_CYCLES,
    completed,
    heapCapMB: NAIVE_HEAP_MB,
    heapAfter2MB: heap2 / MB,
    heapAfterAllMB: heapN / MB,
    retainedKBPerVersion: (heapN - heap2) / 1024 / (NAIVE_CYCLES - 2),
    msPerCycle: elapsed / NAIVE_CYCLES,
  };
}

interface CallsResult {
  directNs: number[];
  facadeNs: number[];
  directAfterUpgradesNs: number[];
  facadeAfterUpgradesNs: number[];
}

/**
 * A loop of calls through a facade (tsc's `(0, lib_1.inc)(x)`) against the same loop calling a
 * local function, both in one module compiled and loaded by the code server; then again after
 * the callee was upgraded 20 times.
 */
async function calls(): Promise<CallsResult> {
  const dir = tempDir('calls');
  addApplication({ name: 'calls', dir, form: 'ts' });
  const lib = (n: number): string =>
    `// version ${n}\nexport function inc(x: number): number { return x + 1; }\n`;
  const caller = [
    "import { inc } from './lib';",
    'function incLocal(x: number): number { return x + 1; }',
    'export function viaFacade(n: number): number { let x = 0; for (let i = 0; i < n; i++) x = inc(x) & 0x3fffffff; return x; }',
    'export function direct(n: number): number { let x = 0; for (let i = 0; i < n; i++) x = incLocal(x) & 0x3fffffff; return x; }',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'lib.ts'), lib(0));
  await loadSource('calls:caller', caller, path.join(dir, 'caller.ts'));
  const m = getModule('calls:caller') as { viaFacade(n: number): number; direct(n: number): number };
  const time = (f: (n: number) => number): number => {
    const t = performance.now();
    if (f(CALLS) < 0) throw new Error('unreachable');
    return (ms(t) * 1e6) / CALLS;
  };
  const round = (): [number, number] => [time(m.direct), time(m.viaFacade)];
  for (let i = 0; i < 3; i++) round(); // warm up: both loops optimized
  const result: CallsResult = {
    directNs: [],
    facadeNs: [],
    directAfterUpgradesNs: [],
    facadeAfterUpgradesNs: [],
  };
  for (let r = 0; r < ROUNDS; r++) {
    const [d, f] = round();
    result.directNs.push(d);
    result.facadeNs.push(f);
  }
  for (let v = 1; v <= 20; v++) {
    await loadSource('calls:lib', lib(v), path.join(dir, 'lib.ts'), { verify: false });
    round();
  }
  for (let r = 0; r < ROUNDS; r++) {
    const [d, f] = round();
    result.directAfterUpgradesNs.push(d);
    result.facadeAfterUpgradesNs.push(f);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

interface LoadTimes {
  smallCompileMs: number[];
  smallEvaluateMs: number[];
  bigCompileMs: number[];
  bigEvaluateMs: number[];
  commitMs: number[];
  commitVerifiedMs: number[];
  smallKB: number;
  bigKB: number;
}

/** Compile (tsc) and evaluate (prepare) times of a small and a ~200 KB module; commit time. */
async function loadTimes(): Promise<LoadTimes> {
  const dir = tempDir('load');
  addApplication({ name: 'load', dir, form: 'js' });
  const small = (v: number): string =>
    [
      "import { spawn, type Proc } from 'hotrel';",
      `export const vsn = '${v}';`,
      'export interface State { n: number }',
      'export function init(): State { return { n: 0 }; }',
      'export function handle(s: State, msg: { add: number }): State { return { n: s.n + msg.add }; }',
      'export function start() { return spawn(async (self: Proc) => { let s = init(); for (;;) s = handle(s, await self.receive()); }); }',
    ].join('\n');
  const out: LoadTimes = {
    smallCompileMs: [],
    smallEvaluateMs: [],
    bigCompileMs: [],
    bigEvaluateMs: [],
    commitMs: [],
    commitVerifiedMs: [],
    smallKB: 0,
    bigKB: 0,
  };
  const file = path.join(dir, 'm.js');
  for (let i = 0; i < 200; i++) {
    let t = performance.now();
    const compiled = compileModule(small(i), path.join(dir, 'm.ts'));
    out.smallCompileMs.push(ms(t));
    out.smallKB = compiled.code.length / 1024;
    t = performance.now();
    const p = prepare('load:m', { code: compiled.code, map: compiled.map, file });
    out.smallEvaluateMs.push(ms(t));
    t = performance.now();
    await commit(p, { verify: i % 2 === 0 });
    (i % 2 === 0 ? out.commitVerifiedMs : out.commitMs).push(ms(t));
  }
  const bigFile = path.join(dir, 'big.js');
  for (let i = 0; i < 10; i++) {
    let t = performance.now();
    const compiled = compileModule(bigModule(`v${i}`), path.join(dir, 'big.ts'));
    out.bigCompileMs.push(ms(t));
    out.bigKB = compiled.code.length / 1024;
    t = performance.now();
    const p = prepare('load:big', { code: compiled.code, map: compiled.map, file: bigFile });
    out.bigEvaluateMs.push(ms(t));
    await commit(p);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

interface PurgeTimes {
  procs: number;
  purgeMs: number[];
  findOldCodeMs: number[];
  killed: number;
}

/** purge() and findOldCode() with PROCS processes parked in receive, each with a small state. */
async function purgeTimes(): Promise<PurgeTimes> {
  const dir = tempDir('purge');
  addApplication({ name: 'purge', dir, form: 'ts' });
  const src = (v: number): string =>
    `export const vsn = '${v}';\nexport function make() { return () => ${v}; }\n`;
  const file = path.join(dir, 'm.ts');
  await loadSource('purge:m', src(0), file);
  const pids: Pid[] = [];
  for (let i = 0; i < PROCS; i++) {
    pids.push(
      spawn(async (self) => {
        const state = { id: i, data: { a: 1, b: [1, 2, 3], c: 'text' } };
        self.inspectState = () => state;
        await self.receive(() => false);
      }),
    );
  }
  await new Promise((r) => setImmediate(r));
  const out: PurgeTimes = { procs: PROCS, purgeMs: [], findOldCodeMs: [], killed: 0 };
  for (let r = 0; r < REPS + 1; r++) {
    await loadSource('purge:m', src(2 * r + 1), file, { verify: false });
    let t = performance.now();
    const report = await findOldCode();
    const find = ms(t);
    t = performance.now();
    const result = await purge('purge:m');
    const took = ms(t);
    if (r > 0) {
      out.findOldCodeMs.push(find);
      out.purgeMs.push(took);
    }
    out.killed += result.victims.length + report.length;
    await loadSource('purge:m', src(2 * r + 2), file, { verify: false });
  }
  for (const pid of pids) exit(pid, 'kill');
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

/**
 * Spawn rate with and without the code server's spawn hook (which tags each process with its
 * spawn function): a script run in a fresh process that loads either the runtime alone or the
 * whole of hotrel.
 */
function spawnRate(withCodeServer: boolean): number[] {
  const entry = path.resolve(__dirname, '../../src', withCodeServer ? 'index' : 'runtime');
  const script = `
    const rt = require(${JSON.stringify(entry)});
    const N = ${SPAWNS};
    (async () => {
      const rates = [];
      for (let r = 0; r < ${ROUNDS}; r++) {
        const pids = [];
        const t = performance.now();
        for (let i = 0; i < N; i++) pids.push(rt.spawn(async (self) => { await self.receive(); }));
        rates.push(N / (performance.now() - t) * 1000);
        await new Promise((done) => setImmediate(done));
        for (const p of pids) rt.exit(p, 'kill');
      }
      console.log(JSON.stringify(rates));
    })();`;
  const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as number[];
}

const MEASUREMENTS: Record<string, () => Promise<unknown>> = {
  memory,
  naive,
  calls,
  load: loadTimes,
  purge: purgeTimes,
};

// ---------------------------------------------------------------------------------------------
// Driver

function runChild(name: string, extraArgs: string[] = []): unknown {
  const out = execFileSync(
    process.execPath,
    [...extraArgs, '--expose-gc', '-r', 'tsx/cjs', __filename, name],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { HOTREL_LOG_LEVEL: 'warn', ...process.env },
      maxBuffer: 64 * MB,
    },
  );
  const line = out.trim().split('\n').pop()!;
  return JSON.parse(line) as unknown;
}

function s(xs: number[]): Summary {
  return summarize(xs);
}

async function main(): Promise<void> {
  const only = process.argv[2];
  if (only !== undefined) {
    const run = MEASUREMENTS[only];
    if (run === undefined)
      throw new Error(`unknown measurement ${only}: one of ${Object.keys(MEASUREMENTS).join(', ')}`);
    process.stdout.write(JSON.stringify(await run()) + '\n');
    process.exit(0);
  }

  const mem = runChild('memory') as MemoryResult;
  let naiveResult: NaiveResult | { failed: string };
  try {
    naiveResult = runChild('naive', [`--max-old-space-size=${NAIVE_HEAP_MB}`]) as NaiveResult;
  } catch (err) {
    naiveResult = { failed: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
  }
  const callReps = Array.from({ length: REPS }, () => runChild('calls') as CallsResult);
  const loads = runChild('load') as LoadTimes;
  const purges = runChild('purge') as PurgeTimes;
  const spawnsRuntime: number[] = [];
  const spawnsCode: number[] = [];
  for (let r = 0; r < REPS; r++) {
    spawnsRuntime.push(...spawnRate(false));
    spawnsCode.push(...spawnRate(true));
  }

  const flat = (f: (c: CallsResult) => number[]): number[] => callReps.flatMap(f);
  const direct = s(flat((c) => c.directNs));
  const facade = s(flat((c) => c.facadeNs));
  const directUp = s(flat((c) => c.directAfterUpgradesNs));
  const facadeUp = s(flat((c) => c.facadeAfterUpgradesNs));

  const naiveRow =
    'failed' in naiveResult
      ? [
          'naive `import(file.mjs?v=N)` (child, heap cap ' + NAIVE_HEAP_MB + ' MB)',
          'failed',
          naiveResult.failed,
          '',
          '',
          '',
        ]
      : [
          `naive \`import(file.mjs?v=N)\` (child, heap cap ${NAIVE_HEAP_MB} MB)`,
          `${naiveResult.completed}/${naiveResult.cycles}`,
          fmt(naiveResult.heapAfter2MB),
          fmt(naiveResult.heapAfterAllMB),
          fmt(naiveResult.retainedKBPerVersion),
          fmt(naiveResult.msPerCycle),
        ];
  const md = [
    `## code server`,
    '',
    table(
      `Heap after load/purge cycles of a ${fmt(mem.moduleKB)} KB module (settled heap, two newest versions kept)`,
      [
        'loader',
        'cycles',
        'heap after 2 (MB)',
        'heap after all (MB)',
        'retained per version (KB)',
        'ms per cycle',
      ],
      [
        [
          'hotrel code server (`vm.compileFunction`, brutal purge + GC check each load)',
          String(mem.cycles),
          fmt(mem.heapAfter2MB),
          fmt(mem.heapAfterAllMB),
          fmt(mem.retainedKBPerVersion),
          fmt(mem.msPerCycle),
        ],
        naiveRow,
      ],
    ),
    `Code server: heap ${fmt(mem.heapAfterWarmMB)} MB after ${WARM} cycles, ${fmt(mem.heapAfterAllMB)} MB after ${mem.cycles} ` +
      `(slope ${fmt(mem.slopeKBPerVersion)} KB per version); RSS ${fmt(mem.rssAfterAllMB)} MB; purges that reported a retained version: ${mem.retainedVersions}.` +
      ('failed' in naiveResult
        ? ''
        : ` Naive loader / code server, retained per version: ${ratio(naiveResult.retainedKBPerVersion, Math.max(mem.retainedKBPerVersion, 0.001))} (code server figure floored at 0.001 KB).`),
    '',
    table(
      `Call cost (ns per call, ${fmt(CALLS)} calls, ${REPS} processes × ${ROUNDS} rounds)`,
      ['call', 'ns/call', 'vs direct'],
      [
        ['direct call (local function, same module)', fmtSummary(direct), '1.00x'],
        ['through a facade (`(0, lib_1.inc)(x)`)', fmtSummary(facade), ratio(facade.median, direct.median)],
        ['direct, after 20 upgrades of the callee', fmtSummary(directUp), '1.00x'],
        [
          'facade, after 20 upgrades of the callee',
          fmtSummary(facadeUp),
          ratio(facadeUp.median, directUp.median),
        ],
      ],
    ),
    table(
      'Load time per module (ms)',
      ['step', `small module (${fmt(loads.smallKB)} KB JS)`, `big module (${fmt(loads.bigKB)} KB JS)`],
      [
        [
          'compile (tsc transpileModule)',
          fmtSummary(s(loads.smallCompileMs)),
          fmtSummary(s(loads.bigCompileMs)),
        ],
        [
          'evaluate (vm.compileFunction + run + inspector script id)',
          fmtSummary(s(loads.smallEvaluateMs)),
          fmtSummary(s(loads.bigEvaluateMs)),
        ],
        ['commit, purging the previous old version, no GC check', fmtSummary(s(loads.commitMs)), ''],
        [
          'commit, purging the previous old version, with GC check',
          fmtSummary(s(loads.commitVerifiedMs)),
          '',
        ],
      ],
    ),
    table(
      `Old-code checks over ${fmt(purges.procs)} processes parked in receive, each with a state (ms)`,
      ['operation', 'ms'],
      [
        ['findOldCode() (probe every stack, walk every state)', fmtSummary(s(purges.findOldCodeMs))],
        ['purge() (same, plus kills, removal and one full GC)', fmtSummary(s(purges.purgeMs))],
      ],
    ),
    table(
      `Spawn rate (${fmt(SPAWNS)} processes parked in receive, spawns per second)`,
      ['loaded', 'spawns/s', 'vs runtime alone'],
      [
        ['runtime alone', fmtSummary(s(spawnsRuntime)), '1.00x'],
        [
          'runtime + code server (spawn hook tags each process)',
          fmtSummary(s(spawnsCode)),
          ratio(s(spawnsCode).median, s(spawnsRuntime).median),
        ],
      ],
    ),
  ].join('\n');
  publish('code', md, {
    memory: mem,
    naive: naiveResult,
    calls: callReps,
    load: loads,
    purge: purges,
    spawn: { runtime: spawnsRuntime, codeServer: spawnsCode },
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
