/**
 * The projects in examples/, as their tests use them: copied to a temporary directory with their
 * dependencies linked (hotrel from this repository), built with the `hotrel` CLI, deployed to a
 * live root of their own (a copy of the built release, as a server's install directory) and run
 * there with `bin/<rel> daemon --heart`, moved to their next version by overlaying
 * `versions/<vsn>/` on the copy, and upgraded the way a user does it: `hotrel upgrade-pack` in the
 * project, the package copied into the live root's `releases/`, `bin/<rel> upgrade <vsn>`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { ControlClient } from '../../src/handler/control/client';
import { bin, editJson, hotrel, linkDependencies, type Run } from './project';
import { tmpDir } from './tmp';

export const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

export interface Example {
  name: string;
  /** The copy's directory (the project root). */
  dir: string;
  /** The build's release root, `_build/rel/<rel>`: releases are built here, never run here. */
  root: string;
  /** The live root: where the node runs (a copy of the first build, then upgraded in place). */
  live: string;
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
  const live = path.join(tmpDir(`hotrel-live-${name}-`), rel);
  return { name, dir, root: path.join(dir, '_build', 'rel', rel), live, rel };
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

/** `bin/<rel> <args>` in the live root; fails the test with the output if the command fails. */
export function run(ex: Example, ...args: string[]): string {
  const r = bin(ex.live, ex.rel, args);
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

/**
 * Deploys the build (its only release so far) to the live root, starts it there as a daemon under
 * heart (a real OS process), and checks it came up at `vsn`.
 */
export function startDaemon(ex: Example, vsn: string, env: NodeJS.ProcessEnv = {}): void {
  if (!fs.existsSync(ex.live)) fs.cpSync(ex.root, ex.live, { recursive: true });
  const r = bin(ex.live, ex.rel, ['daemon', '--heart'], env);
  if (r.status !== 0) throw new Error(`bin/${ex.rel} daemon failed (${r.status}):\n${r.stderr}`);
  expect(r.stdout).toContain(`${ex.rel} ${vsn} started`);
}

/** Stops the node if it runs (for afterAll: a failed test must not leave a node behind). */
export function stopDaemon(ex: Example | undefined): void {
  if (ex !== undefined && fs.existsSync(path.join(ex.live, 'tmp'))) bin(ex.live, ex.rel, ['stop']);
}

/** The node's OS pid (the same before and after an upgrade: nothing restarted). */
export function nodePid(ex: Example): number {
  return Number(run(ex, 'pid'));
}

/** Release statuses as the node knows them: `{ '1.0.1': 'permanent', '1.0.0': 'old' }`. */
export function statuses(ex: Example): Record<string, string> {
  const list = JSON.parse(run(ex, 'versions', '--json')) as Array<{ vsn: string; status: string }>;
  return Object.fromEntries(list.map((r) => [r.vsn, r.status]));
}

/**
 * `hotrel upgrade-pack` in the project (the release of its current version, appups, relup, the
 * package), then the package copied into the live root's `releases/`, as a deploy does.
 */
export function upgradePack(ex: Example): { vsn: string; output: string } {
  const r = hotrel(['upgrade-pack'], ex.dir);
  if (r.status !== 0) throw new Error(`hotrel upgrade-pack failed in ${ex.dir}:\n${r.stdout}\n${r.stderr}`);
  const vsn = (JSON.parse(fs.readFileSync(path.join(ex.dir, 'package.json'), 'utf8')) as { version: string })
    .version;
  const pkg = `${ex.rel}-${vsn}.tar.gz`;
  fs.copyFileSync(path.join(ex.root, 'releases', pkg), path.join(ex.live, 'releases', pkg));
  return { vsn, output: r.stdout + r.stderr };
}

/**
 * `bin/<rel> <args>` in the live root without blocking this process, so that the test's own
 * clients (sockets, WebSockets, calls) keep running while it works.
 */
export function runAsync(ex: Example, ...args: string[]): Promise<Run> {
  const child = spawn(path.join(ex.live, 'bin', ex.rel), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

/** `bin/<rel> upgrade|downgrade <vsn>`, live; fails the test with the output if it fails. */
export async function moveTo(ex: Example, command: 'upgrade' | 'downgrade', vsn: string): Promise<Run> {
  const r = await runAsync(ex, command, vsn);
  if (r.status !== 0)
    throw new Error(`bin/${ex.rel} ${command} ${vsn} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** What a client load saw once stopped. */
export interface LoadReport {
  /** Calls (requests, messages) answered as expected. */
  ok: number;
  /** Every failure: an error, a wrong answer, a dropped connection. */
  failures: string[];
}

/** A client load that runs until stopped. */
export interface Load {
  /** Answers so far. */
  readonly ok: number;
  /**
   * Resolves once `n` more answers have come (the load is going, not stalled); rejects with the
   * failure if one comes first.
   */
  more(n?: number): Promise<void>;
  stop(): Promise<LoadReport>;
}

/**
 * Runs `step(i)` (i = 0, 1, ...) over and over until stopped; a step that throws, or answers
 * with a message (a string), is a failure. The steps of one load never overlap.
 */
export function loop(step: (i: number) => Promise<string | undefined>): Load {
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const waiting: Array<{ at: number; resolve: () => void; reject: (err: Error) => void }> = [];
  const done = (async () => {
    for (let i = 0; running; i++) {
      let wrong: string | undefined;
      try {
        wrong = await step(i);
      } catch (err) {
        wrong = String(err);
      }
      if (wrong === undefined) ok++;
      else {
        failures.push(wrong);
        for (const w of waiting.splice(0)) w.reject(new Error(`the client load failed: ${wrong}`));
        // A failing client must not spin: give the rest of the test its turn.
        await new Promise((r) => setTimeout(r, 10));
      }
      for (const w of waiting.filter((x) => x.at <= ok)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
    }
  })();
  return {
    get ok() {
      return ok;
    },
    more: (n = 1) => new Promise((resolve, reject) => waiting.push({ at: ok + n, resolve, reject })),
    stop: async () => {
      running = false;
      await done;
      return { ok, failures };
    },
  };
}

/**
 * A client calling the node's modules non-stop over its control socket (what `bin/<rel> rpc`
 * does, without a process per call): `call(i)` gives the i-th call's arguments and checks its
 * answer (undefined when right, else what is wrong).
 */
export async function callLoad(
  ex: Example,
  call: (i: number) => {
    args: [string, string, ...unknown[]];
    check: (answer: unknown) => string | undefined;
  },
): Promise<Load> {
  const client = await ControlClient.connect(ex.live);
  const load = loop(async (i) => {
    const { args, check } = call(i);
    // The node answers an rpc with the result as text and as JSON.
    return check(((await client.request('rpc', args)) as { json: unknown }).json);
  });
  return {
    get ok() {
      return load.ok;
    },
    more: (n) => load.more(n),
    stop: async () => {
      const report = await load.stop();
      client.close();
      return report;
    },
  };
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
  const file = path.join(ex.live, 'log', `${ex.rel}.log`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

/** Resolves once the node's log satisfies `done` (watching the log directory, not polling). */
export function logSatisfies(ex: Example, done: (text: string) => boolean): Promise<string> {
  const dir = path.join(ex.live, 'log');
  return new Promise((resolve) => {
    if (done(log(ex))) return resolve(log(ex));
    const w = fs.watch(dir, () => {
      const text = log(ex);
      if (done(text)) {
        w.close();
        resolve(text);
      }
    });
  });
}

/**
 * Logs `text` from inside the node and resolves with the log up to that line, once it is written:
 * whatever the node logged before it is in the returned text (one stream, in order).
 */
export async function logUpTo(ex: Example, text: string): Promise<string> {
  evaluate(ex, `logger().info(${JSON.stringify(text)}); true`);
  const all = await logSatisfies(ex, (t) => t.includes(text));
  return all.slice(0, all.indexOf(text));
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
