/**
 * The remote console: a Node REPL running inside the live node, spoken to over the control
 * socket (`bin/<rel> remote_console`), with hotrel's helpers in scope. Leaving it (`.exit` or
 * Ctrl-D) closes the connection only; the node keeps running.
 */
import repl from 'node:repl';
import type { Socket } from 'node:net';

export interface ConsoleOptions {
  socket: Socket;
  /** Bytes the client sent right after opening the console. */
  pending: Buffer;
  prompt: string;
  /** Whether the client is a terminal (line editing and colours on the node's side). */
  terminal: boolean;
  scope: Record<string, unknown>;
  banner?: string;
}

export function startConsole(options: ConsoleOptions): void {
  const { socket } = options;
  if (options.banner !== undefined) socket.write(options.banner + '\n');
  const server = repl.start({
    input: socket,
    output: socket,
    prompt: options.prompt,
    terminal: options.terminal,
    useColors: options.terminal,
    ignoreUndefined: true,
  });
  Object.assign(server.context, options.scope);
  server.on('exit', () => socket.end());
  socket.on('close', () => server.close());
  if (options.pending.length > 0) socket.unshift(options.pending);
}
