/**
 * Upgrade package size: the slim package `hotrel tar` makes for an upgrade, against the full
 * package of the same release made in the same run (the baseline: what OTP's make_tar, knit and
 * Distillery ship for any upgrade, a one-line fix included).
 *
 *   node --expose-gc -r tsx/cjs bench/suites/package.bench.ts
 *
 * Builds relapp (test/fixtures/relapp) at the versions of each case into a temporary release
 * root, generates the appups, compiles the relup, and makes both packages. Prints a markdown table
 * and writes bench/results/package.json. Sizes are exact (the packages are reproducible); the
 * times are wall-clock, for information.
 */
import fs from 'node:fs';
import path from 'node:path';
import { appupGenerate } from '../../src/cli/commands/appup';
import { runRelup } from '../../src/cli/commands/relup';
import { makePackage } from '../../src/release/package';
import { buildRelease } from '../../src/release/build/release';
import { buildRelapp, removeRelappDirs, tempDir } from '../../test/helpers/relapp';
import { publish, table } from '../lib/report';

interface Case {
  name: string;
  from: string;
  to: string;
  /** Builds the two versions and returns the release root (default: relapp at `from` and `to`). */
  build?: () => Promise<string>;
}

/**
 * A large application: `modules` modules of about 4 KB of code each, version 1.0.0, then 1.0.1
 * with one of them changed. The slim package carries the whole new application version (hotrel
 * packs by application version), so this is the case where it is largest.
 */
async function largeApp(modules: number): Promise<string> {
  const output = tempDir('large-out');
  for (const [vsn, marker] of [
    ['1.0.0', 'one'],
    ['1.0.1', 'two'],
  ] as const) {
    const project = tempDir(`large-${vsn}`);
    fs.mkdirSync(path.join(project, 'src'));
    fs.writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'bigapp', version: vsn, hotrel: { app: {}, release: { output } } }),
    );
    fs.writeFileSync(path.join(project, 'src', 'index.ts'), 'export const name = "bigapp";\n');
    for (let i = 0; i < modules; i++) {
      const body = Array.from(
        { length: 40 },
        (_, j) => `export function f${j}(x: number): number {\n  return x * ${i} + ${j} - ${i + j} / 3;\n}\n`,
      ).join('');
      const tag = i === 0 ? marker : 'same';
      fs.writeFileSync(path.join(project, 'src', `m${i}.ts`), `export const tag = '${tag}';\n${body}`);
    }
    await buildRelease({ project, typecheck: false });
  }
  return path.join(output, 'bigapp');
}

const CASES: Case[] = [
  { name: 'one module changed (relapp 1.0.35 -> 1.0.36: relapp_m1)', from: '1.0.35', to: '1.0.36' },
  { name: 'a GenServer and its supervisor (1.0.18 -> 1.0.20: new worker)', from: '1.0.18', to: '1.0.20' },
  { name: 'a whole application rewritten (1.0.0 -> 1.0.36)', from: '1.0.0', to: '1.0.36' },
  {
    name: 'one module of a 400-module application (~1.9 MB of code)',
    from: '1.0.0',
    to: '1.0.1',
    build: () => largeApp(400),
  },
];

const kib = (n: number): string => (n / 1024).toFixed(1);

async function measure(c: Case) {
  const root = c.build !== undefined ? await c.build() : await buildRelapp([c.from, c.to]);
  appupGenerate({ current: root, target: c.to, previousVersion: c.from }, process.cwd());
  const code = runRelup({ root, target: c.to, upfrom: [c.from] }, process.cwd(), {
    out: () => {},
    err: () => {},
  });
  if (code !== 0) throw new Error(`relup failed for ${c.name}`);
  const out = path.join(path.dirname(root), 'pkg');
  fs.mkdirSync(out);
  let t = process.hrtime.bigint();
  const full = await makePackage({ root, target: c.to, full: true, out: path.join(out, 'full.tar.gz') });
  const fullMs = Number(process.hrtime.bigint() - t) / 1e6;
  t = process.hrtime.bigint();
  const slim = await makePackage({ root, target: c.to, out: path.join(out, 'slim.tar.gz') });
  const slimMs = Number(process.hrtime.bigint() - t) / 1e6;
  return {
    name: c.name,
    full: {
      bytes: full.size,
      contentBytes: full.contentSize,
      files: Object.keys(full.manifest.files).length,
      ms: fullMs,
    },
    slim: {
      bytes: slim.size,
      contentBytes: slim.contentSize,
      files: Object.keys(slim.manifest.files).length,
      requires: slim.manifest.requires,
      ms: slimMs,
    },
    ratio: slim.size / full.size,
  };
}

async function main(): Promise<void> {
  const results = [];
  try {
    for (const c of CASES) results.push(await measure(c));
  } finally {
    removeRelappDirs();
  }
  const rows = results.map((r) => [
    r.name,
    `${kib(r.full.bytes)} KiB (${r.full.files} files)`,
    `${kib(r.slim.bytes)} KiB (${r.slim.files} files)`,
    `${(r.ratio * 100).toFixed(2)} %`,
    `${r.full.ms.toFixed(0)} / ${r.slim.ms.toFixed(0)} ms`,
  ]);
  const markdown = table(
    'Upgrade package size: slim (hotrel tar) vs full package of the same release, same run',
    ['upgrade', 'full package (baseline)', 'slim package', 'slim / full', 'time full / slim'],
    rows,
  );
  publish('package', markdown, results);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
