/**
 * Heart: a small parent process that keeps a node alive (OTP's `heart`).
 *
 * It starts the node as a child with an IPC channel and restarts it whenever it dies, except
 * after an orderly stop (exit code 0). The node sends a heartbeat every few seconds; a node that
 * stops beating (hung, stuck in a loop) is killed and restarted. The command is asked for anew
 * at every start, so a restart boots whatever `releases/start.json` names at that moment — the
 * permanent release after a crash, as OTP does.
 *
 * Too many restarts in a short time end heart too (exit 1), so a node that cannot boot does not
 * spin forever.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface HeartOptions {
  /** The command that starts the node, evaluated at every (re)start. */
  command: () => { file: string; args: string[]; env?: NodeJS.ProcessEnv };
  /** A node that has not beaten for this long is killed and restarted (ms; default 60000). */
  beatTimeoutMs?: number;
  /** At most this many restarts within `periodMs` (defaults 5 in 60000 ms). */
  maxRestarts?: number;
  periodMs?: number;
  log?: (line: string) => void;
  /** Called each time the node reports it is up (after every (re)start). */
  onReady?: (info: Record<string, unknown>) => void;
}

/** The message a node sends its heart. */
export const HEARTBEAT = 'hotrel:heartbeat';

/** The message a node sends its parent (heart, or `bin/<rel> daemon`) once it is up. */
export const READY = 'hotrel:ready';

/** Runs heart until the node stops in order (resolves 0) or restarts too often (resolves 1). */
export function runHeart(options: HeartOptions): {
  done: Promise<number>;
  stop: (signal?: NodeJS.Signals) => void;
} {
  const beatTimeoutMs = options.beatTimeoutMs ?? 60_000;
  const maxRestarts = options.maxRestarts ?? 5;
  const periodMs = options.periodMs ?? 60_000;
  const log = options.log ?? ((line: string) => process.stderr.write(`heart: ${line}\n`));
  const restarts: number[] = [];
  let child: ChildProcess | undefined;
  let stopping = false;
  let watchdog: NodeJS.Timeout | undefined;
  let finish!: (code: number) => void;
  const done = new Promise<number>((resolve) => (finish = resolve));

  const arm = (): void => {
    if (watchdog !== undefined) clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      log(`no heartbeat for ${beatTimeoutMs} ms: killing the node (pid ${child?.pid}) to restart it`);
      child?.kill('SIGKILL');
    }, beatTimeoutMs);
  };

  const start = (): void => {
    const { file, args, env } = options.command();
    const c = spawn(file, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: env ?? process.env });
    child = c;
    arm();
    c.on('message', (msg) => {
      if (msg === HEARTBEAT) arm();
      else if ((msg as { type?: unknown } | null)?.type === READY)
        options.onReady?.(msg as Record<string, unknown>);
    });
    c.on('error', (err) => log(`could not start the node: ${err.message}`));
    c.on('exit', (code, signal) => {
      if (watchdog !== undefined) clearTimeout(watchdog);
      if (stopping || code === 0) {
        log(`node stopped (${signal ?? `exit code ${code}`})`);
        finish(code === 0 || stopping ? 0 : 1);
        return;
      }
      const now = Date.now();
      restarts.push(now);
      while (restarts.length > 0 && restarts[0]! < now - periodMs) restarts.shift();
      if (restarts.length > maxRestarts) {
        log(`node died ${restarts.length} times within ${periodMs} ms; giving up (check the node's log)`);
        finish(1);
        return;
      }
      log(`node died (${signal ?? `exit code ${code}`}); restarting`);
      start();
    });
  };

  start();
  return {
    done,
    stop: (signal = 'SIGTERM') => {
      stopping = true;
      child?.kill(signal);
    },
  };
}

/** In the node: tells the parent process (if any) that the node is up. */
export function announceReady(info: Record<string, unknown>): void {
  if (typeof process.send === 'function' && process.connected) process.send({ type: READY, ...info });
}

/**
 * In the node: beat every `intervalMs` when a heart is listening on the IPC channel. The timer
 * does not keep the node alive.
 */
export function startHeartbeat(intervalMs = 5000): void {
  if (typeof process.send !== 'function') return;
  const beat = (): void => {
    if (process.connected) process.send!(HEARTBEAT);
  };
  beat();
  setInterval(beat, intervalMs).unref();
}
