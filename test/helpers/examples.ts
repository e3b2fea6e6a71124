/**
 * The projects in examples/, as their tests use them: copied to a temporary directory with their
 * dependencies linked (hotrel from this repository), built with the `hotrel` CLI, run with their
 * `bin/<rel>`, and moved to their next version by overlaying `versions/<vsn>/` on the copy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { bin, editJson, hotrel, linkDependencies, type Run } from './project';
import { tmpDir } from './tmp';

export const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

export interface Example {
  name: string;
  /** The copy's directory (the project root). */
  dir: string;
  /** The release root, `_build/rel/<rel>`. */
  root: string;
  rel: string;
}

/** Copies `examples/<name>` (without its later versions) and links its dependencies. */
export function copyExample(name: string, rel = name): Example {
  const from = path.join(EXAMPLES, name);
  const dir = path.join(tmpDir(`hotrel-example-${name}-`), name);
  fs.cpSync(from, dir, {
    recursive: true,
    filter: (src) => {
      const top = path.relative(from, src).split(path.sep)[0];
      return top !== 'versions' && top !== 'node_modules' && top !== '_build';
    },
  });
  linkDependencies(dir);
  return { name, dir, root: path.join(dir, '_build', 'rel', rel), rel };
}

/** Overlays `examples/<name>/versions/<vsn>/` on the copy (the next version's changed files). */
export function applyVersion(ex: Example, vsn: string): void {
  const overlay = path.join(EXAMPLES, ex.name, 'versions', vsn);
  if (!fs.existsSync(overlay)) throw new Error(`${overlay} does not exist`);
  fs.cpSync(overlay, ex.dir, { recursive: true });
}

/** Sets an application's configuration in the release (`hotrel.release.config`). */
export function configure(ex: Example, app: string, env: Record<string, unknown>): void {
  editJson(path.join(ex.dir, 'package.json'), (pkg) => {
    pkg.hotrel.release ??= {};
    pkg.hotrel.release.config ??= {};
    pkg.hotrel.release.config[app] = { ...pkg.hotrel.release.config[app], ...env };
  });
}

/** `hotrel release` in the copy, as a user runs it; fails the test with the output if it fails. */
export function build(ex: Example): Run {
  const r = hotrel(['release'], ex.dir);
  if (r.status !== 0) throw new Error(`hotrel release failed in ${ex.dir}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** `bin/<rel> <args>`; fails the test with the output if the command fails. */
export function run(ex: Example, ...args: string[]): string {
  const r = bin(ex.root, ex.rel, args);
  if (r.status !== 0) throw new Error(`bin/${ex.rel} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** `bin/<rel> rpc <module> <function> <args...> --json`, parsed. */
export function rpc(ex: Example, module: string, fn: string, ...args: unknown[]): unknown {
  return JSON.parse(run(ex, 'rpc', module, fn, ...args.map((a) => JSON.stringify(a)), '--json'));
}

/** `bin/<rel> eval <expr> --json`, parsed. */
export function evaluate(ex: Example, expr: string): unknown {
  return JSON.parse(run(ex, 'eval', expr, '--json'));
}

/** Starts the release as a daemon (a real OS process) and checks it came up at `vsn`. */
export function startDaemon(ex: Example, vsn: string): void {
  const out = run(ex, 'daemon');
  expect(out).toContain(`${ex.rel} ${vsn} started`);
}

/** Stops the node if it runs (for afterAll: a failed test must not leave a node behind). */
export function stopDaemon(ex: Example | undefined): void {
  if (ex !== undefined && fs.existsSync(path.join(ex.root, 'tmp'))) bin(ex.root, ex.rel, ['stop']);
}

/** Whether a release version is built in the release root, with each of `apps` at its version. */
export function expectBuilt(ex: Example, vsn: string, apps: Record<string, string>): void {
  const release = JSON.parse(fs.readFileSync(path.join(ex.root, 'releases', vsn, 'release.json'), 'utf8'));
  expect(release.vsn).toBe(vsn);
  for (const [app, appVsn] of Object.entries(apps)) {
    expect(release.apps).toContainEqual(expect.objectContaining({ name: app, vsn: appVsn }));
    expect(fs.existsSync(path.join(ex.root, 'lib', `${app}-${appVsn}`, `${app}.app.json`))).toBe(true);
  }
}

/** The node's log so far. */
export function log(ex: Example): string {
  const file = path.join(ex.root, 'log', `${ex.rel}.log`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

/**
 * The number of running children of supervisor `sup` in the node, once at most `atMost` remain:
 * if there are more, waits (in the node, on their exits, not by polling) for one of them to exit.
 * For a connection closed by the client: the client may see the close before the server-side
 * process has stopped.
 */
export function childrenAfterExit(ex: Example, sup: string, atMost: number): number {
  const name = JSON.stringify(sup);
  return evaluate(
    ex,
    `const kids = await Supervisor.whichChildren(${name});
     if (kids.length > ${atMost}) await Promise.race(kids.map((k) => new Promise((r) => watch(k.pid, r))));
     (await Supervisor.countChildren(${name})).active`,
  ) as number;
}
