/**
 * Relup compiler speed: makeRelup (up and down sections) on synthetic releases of growing size
 * and dependency density, against a baseline measured in the same run: a JSON round trip
 * (stringify + parse) of the relup produced, i.e. the cost of merely touching the output once.
 *
 *   node --expose-gc -r tsx/cjs bench/suites/relup.bench.ts
 *
 * Prints a markdown table and writes bench/results/relup.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App, AppupInput, AppupInstructionInput, Release } from '../../src/model';
import { makeRelup, type RelupInput } from '../../src/release/relup';

interface Case {
  name: string;
  apps: number;
  modules: number;
  depsPerModule: number;
}

const CASES: Case[] = [
  { name: '1 app x 50 modules, no deps', apps: 1, modules: 50, depsPerModule: 0 },
  { name: '10 apps x 100 modules, no deps', apps: 10, modules: 100, depsPerModule: 0 },
  { name: '10 apps x 100 modules, 2 deps each', apps: 10, modules: 100, depsPerModule: 2 },
  { name: '20 apps x 250 modules, no deps', apps: 20, modules: 250, depsPerModule: 0 },
  { name: '20 apps x 250 modules, 3 deps each', apps: 20, modules: 250, depsPerModule: 3 },
];

/** Deterministic pseudo-random numbers, so every run measures the same input. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function input(c: Case): RelupInput {
  const names = Array.from({ length: c.apps }, (_, i) => `app${i}`);
  const modules = (a: string): string[] => Array.from({ length: c.modules }, (_, j) => `${a}:m${j}`);
  const all = names.flatMap(modules);
  const rnd = lcg(42);
  const rel = (vsn: string, appVsn: string): Release => ({
    name: 'bench',
    vsn,
    node: '20.20.2',
    hotrel: '0.1.0',
    apps: names.map((n) => ({ name: n, vsn: appVsn, type: 'permanent' })),
    dependencies: {},
  });
  const app = (name: string, vsn: string): App => ({
    name,
    vsn,
    description: '',
    modules: modules(name),
    registered: [],
    applications: [],
    includedApplications: [],
    optionalApplications: [],
    env: {},
  });
  const appups: Record<string, { appup: AppupInput }> = {};
  for (const a of names) {
    const script: AppupInstructionInput[] = modules(a).map((m, j) => {
      const deps = [
        ...new Set(Array.from({ length: c.depsPerModule }, () => all[Math.floor(rnd() * all.length)]!)),
      ].filter((d) => d !== m);
      return j % 3 === 0
        ? { op: 'update', module: m, change: { advanced: j }, deps }
        : { op: 'load_module', module: m, deps };
    });
    appups[a] = { appup: { vsn: '2', up: { '1': script }, down: { '1': script } } };
  }
  return {
    target: rel('2.0.0', '2'),
    upFrom: [{ release: rel('1.0.0', '1') }],
    downTo: [{ release: rel('1.0.0', '1') }],
    apps: names.flatMap((n) => [app(n, '1'), app(n, '2')]),
    appups,
  };
}

/** Median time of `fn` in ms over enough runs to take about `budgetMs`. */
function median(fn: () => unknown, budgetMs = 1500): { ms: number; runs: number } {
  fn(); // warm up
  const times: number[] = [];
  const until = performance.now() + budgetMs;
  while (times.length < 5 || (performance.now() < until && times.length < 200)) {
    (globalThis as { gc?: () => void }).gc?.();
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, runs: times.length };
}

const rows = CASES.map((c) => {
  const data = input(c);
  const { relup } = makeRelup(data);
  const compile = median(() => makeRelup(data));
  const baseline = median(() => JSON.parse(JSON.stringify(relup)));
  const instructions = relup.up[0]!.instructions.length + relup.down[0]!.instructions.length;
  return {
    case: c.name,
    modules: c.apps * c.modules,
    instructions,
    compileMs: Number(compile.ms.toFixed(2)),
    baselineMs: Number(baseline.ms.toFixed(3)),
    ratio: Number((compile.ms / baseline.ms).toFixed(1)),
    usPerModule: Number(((compile.ms * 1000) / (c.apps * c.modules)).toFixed(1)),
    runs: compile.runs,
  };
});

const table = [
  '| case | modules | instructions (up+down) | makeRelup (median ms) | JSON round trip of the relup (ms) | ratio | µs per module |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.case} | ${r.modules} | ${r.instructions} | ${r.compileMs} | ${r.baselineMs} | ${r.ratio}x | ${r.usPerModule} |`,
  ),
].join('\n');
process.stdout.write(`## relup compiler (Node ${process.versions.node})\n\n${table}\n`);

const out = path.resolve(__dirname, '../results/relup.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  `${JSON.stringify({ suite: 'relup', node: process.versions.node, baseline: 'JSON round trip of the produced relup', rows }, null, 2)}\n`,
);
