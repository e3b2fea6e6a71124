/**
 * One WebSocket: a GenServer that completes the handshake, owns the connection, and answers each
 * message with an echo and the number of messages it has received. Version 1.0.1
 * (versions/1.0.1/src/websocket.ts) keeps richer statistics: its `codeChange` converts the state
 * of the connections open during the upgrade.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { GenServer, forwardEvents, ignore, isEvent, noreply, ok, stop, type Proc } from 'hotrel';
import * as WebSocketConn from './websocket';

export const vsn = '1';

/** An upgrade request, as the listener received it. */
export interface Upgrade {
  wss: WebSocketServer;
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
}

export interface State {
  ws: WebSocket;
  /** Messages received on this connection. */
  received: number;
}

export function startLink(parent: Proc, upgrade: Upgrade) {
  return GenServer.startLink(parent, WebSocketConn, upgrade);
}

export function init({ wss, req, socket, head }: Upgrade, self: Proc) {
  let ws: WebSocket | undefined;
  // ws completes the handshake synchronously and calls back once; nothing keeps the callback.
  wss.handleUpgrade(req, socket, head, (accepted) => (ws = accepted));
  if (ws === undefined) return ignore(); // refused: ws has answered the client
  forwardEvents(ws, self.pid, ['message', 'close', 'error'], { closeOnExit: 'terminate' });
  return ok<State>({ ws, received: 0 });
}

export function handleInfo(message: unknown, state: State) {
  if (isEvent<[RawData, boolean]>(message, 'message')) {
    const received = state.received + 1;
    state.ws.send(JSON.stringify({ echo: message.args[0].toString(), n: received }));
    return noreply({ ...state, received });
  }
  if (isEvent(message, 'close') || isEvent(message, 'error')) return stop('normal', state);
  return noreply(state);
}
