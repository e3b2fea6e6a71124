/**
 * `bin/<rel> daemon [--heart]` (alias `start`): starts the node detached from the terminal,
 * logging to `log/<rel>.log`, with its pid in `tmp/<rel>.pid`, and returns once the node says it
 * is up (over an IPC channel it then lets go of) — or fails with the end of the log if it dies
 * first. With `--heart`, a heart process restarts the node when it dies or hangs.
 *
 * `bin/<rel> heart` is heart itself (what `daemon --heart` runs).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { READY, runHeart } from '../../../handler/heart';
import { NodeNotRunningError } from '../../../handler/control/errors';
import { EXIT, parseTimeout, type LauncherContext } from '../context';

export function register(program: Command, ctx: LauncherContext): void {
  for (const name of ['daemon', 'start']) {
    program
      .command(name)
      .description(
        name === 'start' ? 'same as daemon' : 'start the node in the background; returns once it is up',
      )
      .option('--heart', 'run under heart: restart the node when it dies or stops answering')
      .option('--timeout <ms>', 'how long to wait for the node to come up', parseTimeout, 60_000)
      .action(async (opts: { heart?: boolean; timeout: number }) => {
        process.exitCode = await daemon(ctx, opts.heart === true, opts.timeout);
      });
  }
  program
    .command('heart', { hidden: true })
    .description('run heart in this process (used by daemon --heart)')
    .action(() => {
      const heart = runHeart({
        command: () => ({ file: process.execPath, args: [ctx.launchScript, 'foreground'] }),
        // Only the first boot is waited for: the daemon command has gone (and its IPC channel
        // with it) by the time heart restarts the node, and a send would crash heart.
        onReady: (info) => {
          if (process.connected) process.send?.({ ...info, type: READY, heart: process.pid });
        },
        beatTimeoutMs: Number(process.env.HOTREL_HEART_BEAT_TIMEOUT_MS ?? 60_000),
      });
      process.once('SIGTERM', () => heart.stop());
      process.once('SIGINT', () => heart.stop());
      void heart.done.then((code) => process.exit(code));
    });
}

async function daemon(ctx: LauncherContext, heart: boolean, timeoutMs: number): Promise<number> {
  try {
    const pid = await ctx.call('pid', [], { timeoutMs: 5000 });
    process.stderr.write(`${ctx.name} is already running (pid ${String(pid)}); stop it first\n`);
    return EXIT.failed;
  } catch (err) {
    if (!(err instanceof NodeNotRunningError)) throw err;
  }
  const logDir = path.join(ctx.root, 'log');
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${ctx.name}.log`);
  const out = fs.openSync(logFile, 'a');
  const logStart = fs.statSync(logFile).size;
  const child = spawn(process.execPath, [ctx.launchScript, heart ? 'heart' : 'foreground'], {
    detached: true,
    stdio: ['ignore', out, out, 'ipc'],
  });
  fs.closeSync(out);
  const pidFile = path.join(ctx.root, 'tmp', `${ctx.name}.pid`);
  fs.mkdirSync(path.dirname(pidFile), { recursive: true });
  fs.writeFileSync(pidFile, `${child.pid}\n`);

  const outcome = await new Promise<{ ready: boolean; info?: Record<string, unknown>; code?: number | null }>(
    (resolve) => {
      const timer = setTimeout(() => resolve({ ready: false }), timeoutMs);
      child.on('message', (msg) => {
        if ((msg as { type?: unknown })?.type === READY) {
          clearTimeout(timer);
          resolve({ ready: true, info: msg as Record<string, unknown> });
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ ready: false, code });
      });
    },
  );
  if (outcome.ready) {
    child.disconnect();
    child.unref();
    const info = outcome.info ?? {};
    process.stdout.write(
      `${ctx.name} ${String(info.vsn ?? '')} started (pid ${String(info.pid ?? child.pid)}` +
        `${heart ? `, heart ${child.pid}` : ''}); log: ${logFile}\n`,
    );
    return EXIT.ok;
  }
  const tail = readTail(logFile, logStart);
  if (outcome.code === undefined) {
    child.kill('SIGKILL');
    process.stderr.write(
      `${ctx.name} did not come up within ${timeoutMs} ms; killed it. End of ${logFile}:\n${tail}\n`,
    );
  } else {
    process.stderr.write(
      `${ctx.name} did not start (exit code ${outcome.code}). End of ${logFile}:\n${tail}\n`,
    );
  }
  fs.rmSync(pidFile, { force: true });
  return EXIT.failed;
}

function readTail(file: string, from: number): string {
  const text = fs.readFileSync(file, 'utf8').slice(from);
  return text.split('\n').slice(-25).join('\n');
}
