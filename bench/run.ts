/**
 * `npm run bench`: runs every suite in bench/suites/ (or those named on the command line), each
 * in its own Node process, then writes bench/results/summary.md from the suites' tables.
 *
 *   npm run bench                 all suites
 *   npm run bench -- runtime      only bench/suites/runtime.bench.ts
 *   REPS=3 npm run bench          fewer repetitions (every knob is an environment variable)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { machine, RESULTS_DIR } from './lib/report';
import { otpAvailable } from './lib/otp';

const suitesDir = path.join(__dirname, 'suites');
const wanted = process.argv.slice(2);
const suites = fs
  .readdirSync(suitesDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();

if (suites.length === 0) {
  console.error(
    `no benchmark suite matches ${wanted.join(', ')}; suites live in bench/suites/<name>.bench.ts`,
  );
  process.exit(2);
}
if (!otpAvailable()) {
  console.log(
    'Erlang/OTP not found: hotrel figures only (apt-get install erlang-nox for side-by-side ratios).\n',
  );
}

const failed: string[] = [];
for (const name of suites) {
  console.log(`== ${name}`);
  const res = spawnSync(
    process.execPath,
    ['--expose-gc', '-r', 'tsx/cjs', path.join(suitesDir, `${name}.bench.ts`)],
    { stdio: 'inherit', env: { HOTREL_LOG_LEVEL: 'warn', ...process.env } },
  );
  if (res.status !== 0) failed.push(name);
}

const m = machine();
const parts = [
  `# hotrel benchmark results`,
  '',
  `${m.date} — Node ${m.node}, ${m.platform}, ${m.cpus} × ${m.cpu}, ${m.memGiB} GiB.`,
  '',
  ...suites
    .map((name) => path.join(RESULTS_DIR, `${name}.md`))
    .filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f, 'utf8')),
];
fs.writeFileSync(path.join(RESULTS_DIR, 'summary.md'), parts.join('\n'));
console.log(`\nwrote ${path.relative(process.cwd(), path.join(RESULTS_DIR, 'summary.md'))}`);
if (failed.length > 0) {
  console.error(`failed suites: ${failed.join(', ')}`);
  process.exit(1);
}
