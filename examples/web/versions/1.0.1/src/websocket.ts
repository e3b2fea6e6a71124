/**
 * One WebSocket, version 1.0.1: the state keeps statistics (messages and bytes) instead of a bare
 * count, and each answer carries both. `codeChange` converts the connections open during an
 * upgrade (their count becomes `stats.messages`) and back on a downgrade.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { GenServer, forwardEvents, ignore, isEvent, noreply, ok, stop, type OldVsn, type Proc } from 'hotrel';
import * as WebSocketConn from './websocket';

export const vsn = '2';

export interface Upgrade {
  wss: WebSocketServer;
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
}

export interface State {
  ws: WebSocket;
  stats: { messages: number; bytes: number };
}

/** Version 1.0.0's state: what a downgrade returns to. */
interface StateV1 {
  ws: WebSocket;
  received: number;
}

export function startLink(parent: Proc, upgrade: Upgrade) {
  return GenServer.startLink(parent, WebSocketConn, upgrade);
}

export function init({ wss, req, socket, head }: Upgrade, self: Proc) {
  let ws: WebSocket | undefined;
  wss.handleUpgrade(req, socket, head, (accepted) => (ws = accepted));
  if (ws === undefined) return ignore();
  forwardEvents(ws, self.pid, ['message', 'close', 'error'], { closeOnExit: 'terminate' });
  return ok<State>({ ws, stats: { messages: 0, bytes: 0 } });
}

export function handleInfo(message: unknown, state: State) {
  if (isEvent<[RawData, boolean]>(message, 'message')) {
    const text = message.args[0].toString();
    const stats = { messages: state.stats.messages + 1, bytes: state.stats.bytes + Buffer.byteLength(text) };
    state.ws.send(JSON.stringify({ echo: text, n: stats.messages, bytes: stats.bytes }));
    return noreply({ ...state, stats });
  }
  if (isEvent(message, 'close') || isEvent(message, 'error')) return stop('normal', state);
  return noreply(state);
}

export function codeChange(oldVsn: OldVsn, state: State | StateV1, _extra: unknown): State | StateV1 {
  if (typeof oldVsn === 'object' && oldVsn !== null && 'down' in oldVsn) {
    // Downgrade to 1.0.0: back to a bare count.
    const { ws, stats } = state as State;
    return { ws, received: stats.messages };
  }
  // Upgrade from 1.0.0: the count carries over; bytes are counted from now on.
  const { ws, received } = state as StateV1;
  return { ws, stats: { messages: received, bytes: 0 } };
}
