/**
 * The control socket of a running node: a Unix socket inside the release root, owner-only, where
 * `bin/<rel>` commands (ping, eval, rpc, versions, upgrade, remote_console, ...) reach the node.
 *
 * Every connection must first answer a challenge: the server sends a random nonce and the client
 * returns HMAC-SHA256(cookie, nonce). Anything else (a wrong answer, a request before answering,
 * garbage) is refused, logged, and the connection closed. After that, requests are JSON lines
 * `{id, cmd, args}` answered by `{id, ok}` or `{id, error}`, with optional `{id, progress}` lines
 * in between; a command may also take the socket over as a raw stream (the remote console).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { logger, type Logger } from '../../runtime';
import { ensureCookie, newNonce, verifyAnswer } from './cookie';
import { readMessages, writeMessage } from './framing';
import { controlSocketPath } from './socket-path';

export interface CommandContext {
  /** Sends a progress line to the client (it is printed as the command runs). */
  progress(text: string): void;
  /**
   * Hands the raw socket to the command (after the `ok` reply), with any bytes already read.
   * The server stops parsing requests on this connection.
   */
  takeOver(): { socket: net.Socket; pending: Buffer };
}

export type CommandHandler = (args: unknown[], ctx: CommandContext) => unknown;

export interface ControlServerOptions {
  root: string;
  /** Release name, announced in the greeting so a client can tell which node it reached. */
  name: string;
  commands: ReadonlyMap<string, CommandHandler>;
  /** Milliseconds a new connection has to authenticate (default 5000). */
  authTimeoutMs?: number;
}

export class ControlServer {
  readonly socketPath: string;
  private server: net.Server | undefined;
  private readonly cookie: string;
  private readonly connections = new Set<net.Socket>();

  constructor(private readonly options: ControlServerOptions) {
    this.socketPath = controlSocketPath(options.root);
    this.cookie = ensureCookie(options.root);
  }

  /** Starts listening; fails clearly if another node already serves this root. */
  async listen(): Promise<void> {
    const dir = path.dirname(this.socketPath);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    await removeStaleSocket(this.socketPath);
    const server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // Created owner-only: no window in which another user could connect.
      const oldMask = process.umask(0o177);
      try {
        server.listen(this.socketPath, () => {
          server.off('error', reject);
          resolve();
        });
      } finally {
        process.umask(oldMask);
      }
    });
    fs.chmodSync(this.socketPath, 0o600);
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    for (const c of this.connections) c.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(this.socketPath, { force: true });
  }

  private log(): Logger {
    return logger().child({ component: 'control' });
  }

  private accept(socket: net.Socket): void {
    this.connections.add(socket);
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    const nonce = newNonce();
    let authenticated = false;
    const refuse = (why: string): void => {
      this.log().warn({ reason: why }, `control socket: refused a connection (${why})`);
      writeMessage(socket, { error: { message: why, code: 'refused' } });
      socket.end();
      stop();
    };
    const timer = setTimeout(
      () => refuse('no authentication within the time limit'),
      this.options.authTimeoutMs ?? 5000,
    );
    timer.unref();
    socket.on('close', () => clearTimeout(timer));

    const stop = readMessages(
      socket,
      (msg) => {
        if (!authenticated) {
          clearTimeout(timer);
          const answer = (msg as { auth?: unknown } | null)?.auth;
          if (answer === undefined) return refuse('request before authentication');
          if (!verifyAnswer(this.cookie, nonce, answer)) return refuse('wrong cookie');
          authenticated = true;
          writeMessage(socket, { authenticated: true });
          return;
        }
        this.dispatch(socket, msg, stop);
      },
      (err) => refuse(err.message),
    );
    writeMessage(socket, { hello: 'hotrel', protocol: 1, name: this.options.name, nonce });
  }

  private dispatch(socket: net.Socket, msg: unknown, stopReading: () => Buffer): void {
    const { id, cmd, args } = (msg ?? {}) as { id?: unknown; cmd?: unknown; args?: unknown };
    if (typeof cmd !== 'string' || !Array.isArray(args)) {
      writeMessage(socket, {
        id,
        error: { message: 'a request is {id, cmd: string, args: array}', code: 'badrequest' },
      });
      return;
    }
    const handler = this.options.commands.get(cmd);
    if (handler === undefined) {
      const known = [...this.options.commands.keys()].sort().join(', ');
      writeMessage(socket, {
        id,
        error: { message: `unknown command '${cmd}'; the node knows: ${known}`, code: 'unknown' },
      });
      return;
    }
    let tookOver = false;
    const ctx: CommandContext = {
      progress: (text) => writeMessage(socket, { id, progress: text }),
      takeOver: () => {
        tookOver = true;
        writeMessage(socket, { id, ok: 'stream' });
        return { socket, pending: stopReading() };
      },
    };
    Promise.resolve()
      .then(() => handler(args, ctx))
      .then(
        (ok) => {
          if (!tookOver) writeMessage(socket, { id, ok: ok === undefined ? null : ok });
        },
        (err: unknown) => {
          if (tookOver) return;
          const e = err instanceof Error ? err : new Error(String(err));
          const code = (e as { code?: unknown }).code;
          writeMessage(socket, {
            id,
            error: {
              message: e.message,
              code: typeof code === 'string' ? code : undefined,
              details: (e as { details?: unknown }).details,
            },
          });
        },
      );
  }
}

async function removeStaleSocket(socketPath: string): Promise<void> {
  if (!fs.existsSync(socketPath)) return;
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) {
    throw new Error(
      `a node is already running with this release root (its control socket ${socketPath} answers)`,
    );
  }
  fs.rmSync(socketPath, { force: true });
}
