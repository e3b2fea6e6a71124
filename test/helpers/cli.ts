/** Running the hotrel CLI in tests: as a child process, or a command's runner in this process. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const MAIN = path.resolve(__dirname, '../../src/cli/main.ts');
const TSX = require.resolve('tsx/cjs');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `hotrel ...args` as a child process in `cwd`. */
export function hotrel(cwd: string, ...args: string[]): Run {
  const r = spawnSync(process.execPath, ['-r', TSX, MAIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** An output sink that keeps what a command runner prints. */
export function captured(): {
  out(t: string): void;
  err(t: string): void;
  stdout: string[];
  stderr: string[];
} {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), stdout, stderr };
}

/**
 * Every path under `dir` with its size and modification time (the contents of third-party package
 * directories are summarised): equal before and after a command that must write nothing.
 */
export function treeState(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p);
      const st = fs.statSync(p);
      if (e.isDirectory()) {
        out[`${rel}/`] = '';
        if (/^lib\/deps-/.test(rel)) out[`${rel}/`] = String(fs.readdirSync(p).length);
        else walk(p);
      } else out[rel] = `${st.size}@${st.mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}
