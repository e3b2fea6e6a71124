/**
 * A client of a node's control socket (used by `bin/<rel>` and tests): connects, answers the
 * cookie challenge, sends commands and waits for their answers with a time limit.
 */
import net from 'node:net';
import { answerChallenge, readCookie } from './cookie';
import { AuthenticationError, CommandTimeoutError, NodeNotRunningError, RemoteCommandError } from './errors';
import { readMessages, writeMessage } from './framing';
import { controlSocketPath } from './socket-path';

export interface RequestOptions {
  timeoutMs?: number;
  onProgress?: (text: string) => void;
}

interface Pending {
  cmd: string;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  onProgress: ((text: string) => void) | undefined;
  timer: NodeJS.Timeout | undefined;
}

export class ControlClient {
  /** The release name the node announced. */
  name = '';
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stopReading: (() => Buffer) | undefined;
  /** Bytes that followed a `stream` reply (already the streamed session's). */
  private streamPending: Buffer | undefined;
  private closedError: Error | undefined;

  private constructor(private readonly socket: net.Socket) {}

  /** Connects to the node of release root `root` and authenticates with its cookie. */
  static async connect(
    root: string,
    options: { cookie?: string; timeoutMs?: number } = {},
  ): Promise<ControlClient> {
    const socketPath = controlSocketPath(root);
    const cookie = options.cookie ?? readCookieOrExplain(root);
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(socketPath);
      s.once('connect', () => resolve(s));
      s.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') reject(new NodeNotRunningError(socketPath));
        else reject(err);
      });
    });
    const client = new ControlClient(socket);
    await client.handshake(cookie, options.timeoutMs ?? 10_000);
    return client;
  }

  private handshake(cookie: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.destroy();
        reject(new CommandTimeoutError('authenticate', timeoutMs));
      }, timeoutMs);
      let stage: 'hello' | 'auth' | 'ready' = 'hello';
      this.socket.on('close', () => {
        clearTimeout(timer);
        const err = this.closedError ?? new Error('the node closed the control connection');
        if (stage !== 'ready') reject(err);
        for (const p of this.pending.values()) {
          // A pending timer would keep the client's process alive long after the answer.
          if (p.timer !== undefined) clearTimeout(p.timer);
          p.reject(err);
        }
        this.pending.clear();
      });
      this.socket.on('error', (err) => (this.closedError = err));
      this.stopReading = readMessages(
        this.socket,
        (msg) => {
          const m = msg as Record<string, unknown>;
          if (stage === 'hello') {
            if (m.hello !== 'hotrel' || typeof m.nonce !== 'string') {
              this.closedError = new Error('the control socket did not greet like a hotrel node');
              this.socket.destroy();
              return;
            }
            this.name = String(m.name ?? '');
            stage = 'auth';
            writeMessage(this.socket, { auth: answerChallenge(cookie, m.nonce) });
          } else if (stage === 'auth') {
            if (m.authenticated === true) {
              stage = 'ready';
              clearTimeout(timer);
              resolve();
            } else {
              const detail = String(
                (m.error as { message?: unknown } | undefined)?.message ?? 'unknown reason',
              );
              this.closedError = new AuthenticationError(detail);
            }
          } else this.onReply(m);
        },
        (err) => {
          this.closedError = err;
          this.socket.destroy();
        },
      );
    });
  }

  private onReply(m: Record<string, unknown>): void {
    const p = this.pending.get(m.id as number);
    if (p === undefined) return;
    if ('progress' in m) {
      p.onProgress?.(String(m.progress));
      return;
    }
    this.pending.delete(m.id as number);
    if (p.timer !== undefined) clearTimeout(p.timer);
    // Stop parsing lines at once: what follows a stream reply is raw session output.
    if (m.ok === 'stream') this.streamPending = this.stopReading?.();
    if ('error' in m) {
      const e = (m.error ?? {}) as { message?: string; code?: string; details?: unknown };
      p.reject(new RemoteCommandError(p.cmd, e.message ?? 'the command failed', e.code, e.details));
    } else p.resolve(m.ok);
  }

  /** Runs `cmd` on the node and resolves with its answer. */
  request(cmd: string, args: unknown[] = [], options: RequestOptions = {}): Promise<unknown> {
    if (this.socket.destroyed)
      return Promise.reject(this.closedError ?? new Error('the control connection is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 60_000;
      const timer =
        timeoutMs === Infinity
          ? undefined
          : setTimeout(() => {
              this.pending.delete(id);
              reject(new CommandTimeoutError(cmd, timeoutMs));
            }, timeoutMs);
      this.pending.set(id, { cmd, resolve, reject, onProgress: options.onProgress, timer });
      writeMessage(this.socket, { id, cmd, args });
    });
  }

  /**
   * Sends `cmd` and, once the node accepts, returns the raw socket for a streaming session
   * (the remote console) with any bytes that came after the reply.
   */
  async stream(cmd: string, args: unknown[] = []): Promise<{ socket: net.Socket; pending: Buffer }> {
    const ok = await this.request(cmd, args);
    if (ok !== 'stream') throw new Error(`'${cmd}' did not open a stream`);
    return { socket: this.socket, pending: this.streamPending ?? Buffer.alloc(0) };
  }

  /** Calls `listener` once the connection is closed (the node stopped, or `close()`). */
  onClose(listener: () => void): void {
    if (this.socket.destroyed) listener();
    else this.socket.once('close', listener);
  }

  close(): void {
    this.socket.end();
  }
}

function readCookieOrExplain(root: string): string {
  try {
    return readCookie(root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NodeNotRunningError(controlSocketPath(root));
    }
    throw err;
  }
}
