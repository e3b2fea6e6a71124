/**
 * What every `bin/<rel>` command shares: the release root and name, a control-socket client,
 * and one mapping from failures to exit codes and messages that say what to do.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ControlClient } from '../../handler/control/client';
import {
  AuthenticationError,
  CommandTimeoutError,
  NodeNotRunningError,
  RemoteCommandError,
} from '../../handler/control/errors';

/** Exit codes of `bin/<rel>` (documented in `bin/<rel> help` and docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** The command ran and failed (the node reported an error, a boot failed). */
  failed: 1,
  /** Wrong usage: unknown command, bad arguments. */
  usage: 2,
  /** The node is not running (or cannot be reached). */
  notRunning: 3,
  /** The node refused the connection (wrong cookie). */
  refused: 4,
  /** The node did not answer in time. */
  timeout: 5,
} as const;

export interface LauncherContext {
  root: string;
  /** Release name (from the release being booted). */
  name: string;
  /** The start file the launcher resolved (start.json, or new_start.json for a one-time boot). */
  startFile: string;
  /** The generated JS launcher, to start the node again (daemon, heart). */
  launchScript: string;
  connect(timeoutMs?: number): Promise<ControlClient>;
  /** Runs `cmd` on the node and returns its answer (connect, request, close). */
  call(
    cmd: string,
    args?: unknown[],
    options?: { timeoutMs?: number; onProgress?: (t: string) => void },
  ): Promise<unknown>;
}

export function createContext(root: string, startFile: string): LauncherContext {
  let name = path.basename(root);
  try {
    const start = JSON.parse(fs.readFileSync(startFile, 'utf8')) as { vsn?: string };
    const release = JSON.parse(
      fs.readFileSync(path.join(root, 'releases', String(start.vsn), 'release.json'), 'utf8'),
    ) as { name?: string };
    if (typeof release.name === 'string') name = release.name;
  } catch {
    // The launcher script already checked these files; keep the directory name.
  }
  const connect = (timeoutMs?: number) => ControlClient.connect(root, { timeoutMs: timeoutMs ?? 10_000 });
  return {
    root,
    name,
    startFile,
    launchScript: path.join(root, 'bin', 'hotrel-launch.js'),
    connect,
    async call(cmd, args = [], options = {}) {
      const client = await connect(options.timeoutMs);
      try {
        return await client.request(cmd, args, options);
      } finally {
        client.close();
      }
    },
  };
}

/** Prints what went wrong and sets the exit code that says which kind of failure it was. */
export function reportFailure(name: string, err: unknown): number {
  const message = (err instanceof Error ? err.message : String(err)).replaceAll('bin/<rel>', name);
  process.stderr.write(`${name}: ${message}\n`);
  if (err instanceof NodeNotRunningError) return EXIT.notRunning;
  if (err instanceof AuthenticationError) return EXIT.refused;
  if (err instanceof CommandTimeoutError) return EXIT.timeout;
  if (err instanceof RemoteCommandError) return EXIT.failed;
  return EXIT.failed;
}

/** A `--timeout <ms>` option value. */
export function parseTimeout(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--timeout takes milliseconds > 0, got ${JSON.stringify(value)}`);
  return n;
}
