/**
 * Fixture projects for release tests: a copy of `test/fixtures/release/<name>` in a temporary
 * directory, with the repository's node_modules linked in (as a real project has its own) and
 * its tsconfig pointed at the repository's (which maps `hotrel` to src/).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tmpDir } from './tmp';

const REPO = path.join(__dirname, '..', '..');

export function fixtureProject(name: string): string {
  const dir = path.join(tmpDir(`hotrel-${name}-`), name);
  fs.cpSync(path.join(REPO, 'test', 'fixtures', 'release', name), dir, { recursive: true });
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
  const tsconfig = path.join(dir, 'tsconfig.json');
  if (fs.existsSync(tsconfig)) {
    const t = JSON.parse(fs.readFileSync(tsconfig, 'utf8')) as Record<string, unknown>;
    t.extends = path.join(REPO, 'tsconfig.json');
    fs.writeFileSync(tsconfig, JSON.stringify(t, null, 2));
  }
  return dir;
}

/** Edits a file of a project in place. */
export function edit(file: string, change: (text: string) => string): void {
  fs.writeFileSync(file, change(fs.readFileSync(file, 'utf8')));
}

/** Edits a JSON file of a project through its parsed value. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test fixtures are edited freely
export function editJson(file: string, change: (value: any) => unknown): void {
  const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  change(value);
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
}

/** Sets a package's version. */
export function setVersion(dir: string, vsn: string): void {
  edit(path.join(dir, 'package.json'), (t) => t.replace(/"version": "[^"]*"/, `"version": "${vsn}"`));
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the `hotrel` CLI from the built package (dist), as a user runs it. */
export function hotrel(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [path.join(REPO, 'dist', 'cli', 'main.js'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, HOTREL_LOG_LEVEL: 'warn', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `bin/<rel>` of a release root. */
export function bin(
  root: string,
  rel: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  input?: string,
): Run {
  const r = spawnSync(path.join(root, 'bin', rel), args, {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    input,
    timeout: 90_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
