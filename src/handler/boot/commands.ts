/**
 * The control commands every node answers (`bin/<rel>` ping, pid, versions, eval, rpc, stop,
 * remote_console, info). Services add theirs (the release handler: unpack, install, ...).
 */
import fs from 'node:fs';
import util from 'node:util';
import { getModule, isExported } from '../../code';
import { layout, type Release } from '../../model';
import { processCount } from '../../runtime';
import { startConsole } from '../control/console';
import { evaluate } from '../control/evaluate';
import type { CommandHandler } from '../control/server';
import { shellScope } from './scope';

/** A value for the client: printable text, plus JSON when the value survives JSON. */
export function present(value: unknown): { text: string; json?: unknown } {
  const text = typeof value === 'string' ? value : util.inspect(value, { depth: 6, breakLength: 100 });
  try {
    const json = JSON.parse(JSON.stringify(value ?? null)) as unknown;
    return { text, json };
  } catch {
    return { text };
  }
}

export function baseCommands(
  root: string,
  release: Release,
  stopNode: (code: number) => void,
): Record<string, CommandHandler> {
  const started = Date.now();
  const info = () => ({
    name: release.name,
    vsn: release.vsn,
    node: process.versions.node,
    hotrel: release.hotrel,
    pid: process.pid,
    execPath: process.execPath,
    uptimeMs: Date.now() - started,
    processes: processCount(),
    memory: process.memoryUsage(),
  });
  const scope = () => shellScope(info());
  // The REPL keeps `_` for the last result; the pattern wildcard stays reachable as hotrel._.
  const consoleScope = () => {
    const { _: _wildcard, ...rest } = scope();
    return rest;
  };
  return {
    ping: () => 'pong',
    pid: () => process.pid,
    info,
    versions: () => {
      const file = layout.releasesFile(root);
      const releases = fs.existsSync(file)
        ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { releases: Array<{ vsn: string; status: string }> })
            .releases
        : [];
      return releases.map((r) => ({
        vsn: r.vsn,
        status: r.vsn === release.vsn && r.status !== 'permanent' ? 'current' : r.status,
      }));
    },
    eval: async ([source]) => {
      if (typeof source !== 'string') throw new Error('eval takes one string: the expression to evaluate');
      return present(await evaluate(source, scope()));
    },
    rpc: async ([moduleId, fn, ...args]) => {
      if (typeof moduleId !== 'string' || typeof fn !== 'string') {
        throw new Error(
          'rpc takes a module id, a function name and JSON arguments: rpc kvapp:kv get \'"a"\'',
        );
      }
      const mod = getModule(moduleId) as Record<string, unknown>;
      if (!isExported(mod, fn) || typeof mod[fn] !== 'function') {
        throw Object.assign(new Error(`${moduleId} does not export a function ${fn}`), { code: 'undef' });
      }
      return present(await (mod[fn] as (...a: unknown[]) => unknown)(...args));
    },
    stop: () => {
      // Answer first, then stop: the client sees the acknowledgement, then the socket closes.
      setImmediate(() => stopNode(0));
      return 'stopping';
    },
    remote_console: ([terminal], ctx) => {
      const { socket, pending } = ctx.takeOver();
      startConsole({
        socket,
        pending,
        terminal: terminal === true,
        prompt: `${release.name}@${release.vsn}> `,
        scope: consoleScope(),
        banner:
          `Connected to ${release.name} ${release.vsn} (Node ${process.versions.node}, pid ${process.pid}). ` +
          `hotrel's API is in scope; .exit leaves the console, the node keeps running.`,
      });
    },
  };
}
