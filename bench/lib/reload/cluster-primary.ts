/**
 * A Node.js `cluster` primary serving a hotrel release through one worker (the release's
 * `bin/hotrel-launch.js foreground`), with the rolling restart Node services do today: fork a
 * worker of the new version, wait until it listens, disconnect the old one, and stop it if it
 * has not exited after a grace period (SIGTERM, then SIGKILL after another).
 *
 *   node -r tsx/cjs bench/lib/reload/cluster-primary.ts <release root> <grace ms>
 *
 * Driven over IPC by bench/suites/http-reload.bench.ts: it sends `{ ready }` once the first
 * worker listens; `{ roll: <root of the new version> }` answers `{ rolled: RollReport }`;
 * `{ stop: true }` stops the workers and exits.
 */
import cluster, { type Worker } from 'node:cluster';
import path from 'node:path';

export interface RollReport {
  /** From the order to the new worker listening. */
  newListeningMs: number;
  /** From the order to the old worker's exit. */
  oldExitedMs: number;
  /** Whether the old worker had to be stopped after the grace period (its connections cut). */
  oldStopped: boolean;
}

const root = process.argv[2]!;
const graceMs = Number(process.argv[3] ?? 3000);

/** Forks a worker of the release at `releaseRoot`; resolves when it listens on a TCP port. */
function fork(releaseRoot: string): Promise<Worker> {
  cluster.setupPrimary({
    exec: path.join(releaseRoot, 'bin', 'hotrel-launch.js'),
    args: ['foreground'],
    execArgv: [],
  });
  const worker = cluster.fork({ HOTREL_LOG_LEVEL: process.env.HOTREL_LOG_LEVEL ?? 'warn' });
  return new Promise((resolve, reject) => {
    // The node also listens on its control socket (a path): wait for the HTTP port.
    worker.on('listening', (address) => {
      if (typeof address.port === 'number' && address.port > 0) resolve(worker);
    });
    worker.once('exit', (code) => reject(new Error(`the worker exited (${code}) before listening`)));
  });
}

function exited(worker: Worker): Promise<void> {
  return worker.isDead() ? Promise.resolve() : new Promise((resolve) => worker.once('exit', () => resolve()));
}

async function roll(current: Worker, newRoot: string): Promise<{ worker: Worker; report: RollReport }> {
  const t0 = performance.now();
  const next = await fork(newRoot);
  const newListeningMs = performance.now() - t0;
  const gone = exited(current);
  current.disconnect();
  let oldStopped = false;
  const term = setTimeout(() => {
    oldStopped = true;
    current.process.kill('SIGTERM');
  }, graceMs);
  const kill = setTimeout(() => current.process.kill('SIGKILL'), 2 * graceMs);
  await gone;
  clearTimeout(term);
  clearTimeout(kill);
  return { worker: next, report: { newListeningMs, oldExitedMs: performance.now() - t0, oldStopped } };
}

async function main(): Promise<void> {
  let current = await fork(root);
  process.send!({ ready: true });
  process.on('message', (msg: { roll?: string; stop?: boolean }) => {
    if (msg.roll !== undefined) {
      void roll(current, msg.roll).then(({ worker, report }) => {
        current = worker;
        process.send!({ rolled: report });
      });
    } else if (msg.stop === true) {
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      for (const w of workers) w.process.kill('SIGTERM');
      void Promise.all(workers.map(exited)).then(() => process.exit(0));
    }
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
