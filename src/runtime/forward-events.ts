/**
 * Events of a Node.js event emitter (a socket, a server, a WebSocket) delivered to a process as
 * messages, the way Erlang delivers a port's data to the process that owns it ("active mode").
 *
 * Why this lives in hotrel rather than in application code: a listener such as
 * `socket.on('data', (d) => send(pid, d))` is a closure of the module that wrote it. The socket
 * keeps it, the process keeps the socket in its state, so after an upgrade that process holds
 * the old version's code: the code server reports it, and the purge that ends the upgrade kills
 * it, dropping the connection. The listeners installed here are hotrel's own code, which no
 * application upgrade makes old, so a process can own sockets across any number of upgrades.
 */
import { logger } from './log';
import type { Pid } from './pid';
import { send } from './process';
import { watch } from './signals';

/** Anything with Node's `on`/`off` (EventEmitter, net.Socket, http.Server, ws's WebSocket). */
export interface EventSource {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** The message a process receives for each forwarded event. */
export interface EventMessage<Args extends readonly unknown[] = unknown[], Source = unknown> {
  readonly type: 'event';
  /** The emitter that emitted it. */
  readonly source: Source;
  /** The event's name (`'data'`, `'connection'`, ...). */
  readonly event: string;
  /** The listener's arguments, as the emitter passed them. */
  readonly args: Args;
}

export interface ForwardOptions {
  /**
   * A method of the emitter to call when the process exits, however it exits: `'destroy'` for a
   * socket, `'terminate'` for a WebSocket, `'close'` for a server. The emitter then belongs to the
   * process as a port belongs to its owner in Erlang, and never outlives it.
   */
  closeOnExit?: string;
}

/**
 * Sends each of `events` emitted by `emitter` to process `to` as an {@link EventMessage}, until
 * `to` exits or the returned function is called. A process hands an emitter over to another by
 * calling that function and forwarding to the other process (Erlang's `controlling_process`).
 *
 * When `'error'` is forwarded and the process has exited, later errors are logged rather than
 * thrown (an emitter without an error listener would crash the node).
 */
export function forwardEvents(
  emitter: EventSource,
  to: Pid,
  events: readonly string[],
  options: ForwardOptions = {},
): () => void {
  const listeners = events.map((event) => {
    const listener = (...args: unknown[]): void => send(to, { type: 'event', source: emitter, event, args });
    emitter.on(event, listener);
    return [event, listener] as const;
  });
  let active = true;
  const detach = (): void => {
    if (!active) return;
    active = false;
    for (const [event, listener] of listeners) emitter.off(event, listener);
  };
  const cancelWatch = watch(to, () => {
    if (!active) return;
    detach();
    if (events.includes('error')) emitter.on('error', logOrphanError);
    const close = options.closeOnExit;
    if (close !== undefined) {
      const method = (emitter as unknown as Record<string, unknown>)[close];
      if (typeof method !== 'function') {
        logger().warn({ closeOnExit: close }, `forwardEvents: the emitter has no method ${close}`);
        return;
      }
      try {
        (method as () => unknown).call(emitter);
      } catch (err) {
        logger().warn({ err }, `forwardEvents: ${close}() failed after its process exited`);
      }
    }
  });
  return () => {
    cancelWatch();
    detach();
  };
}

function logOrphanError(err: unknown): void {
  logger().debug({ err }, 'an event source whose process has exited emitted an error');
}

/**
 * Whether `msg` is a forwarded event (of `event`, and from `source`, when given). Use it in a
 * `receive` pattern or at the top of `handleInfo`.
 */
export function isEvent<Args extends readonly unknown[] = unknown[]>(
  msg: unknown,
  event?: string,
  source?: unknown,
): msg is EventMessage<Args> {
  if (msg === null || typeof msg !== 'object') return false;
  const m = msg as Partial<EventMessage>;
  return (
    m.type === 'event' &&
    Array.isArray(m.args) &&
    typeof m.event === 'string' &&
    (event === undefined || m.event === event) &&
    (source === undefined || m.source === source)
  );
}
