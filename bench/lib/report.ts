/**
 * Benchmark output: a markdown table on stdout (for people) and a JSON file under
 * bench/results/ (for the next person to compare against), with the machine it ran on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const RESULTS_DIR = path.join(__dirname, '..', 'results');

export function table(title: string, headers: string[], rows: Array<Array<string | number>>): string {
  const lines = [
    `### ${title}`,
    '',
    `| ${headers.join(' | ')} |`,
    `|${headers.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ];
  return lines.join('\n');
}

export function machine(): Record<string, unknown> {
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: os.cpus()[0]?.model,
    cpus: os.cpus().length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    date: new Date().toISOString(),
  };
}

/** Writes `bench/results/<name>.json` and `<name>.md`, and prints the markdown. */
export function publish(name: string, markdown: string, data: unknown): void {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(
    path.join(RESULTS_DIR, `${name}.json`),
    JSON.stringify({ machine: machine(), results: data }, null, 2) + '\n',
  );
  fs.writeFileSync(path.join(RESULTS_DIR, `${name}.md`), markdown + '\n');
  process.stdout.write(markdown + '\n');
}

/** Integer from an environment variable (benchmark knobs), with a default. */
export function knob(name: string, fallback: number): number {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
}
