/**
 * The listener: owns the HTTP server (and the WebSocket server that upgrades its connections).
 * Every request comes to this process as a message and is answered by `routes.ts` through its
 * module, so each request runs the current version of the handlers. The listener keeps the one
 * piece of server-wide state, the number of requests served (`hits`).
 */
import { once } from 'node:events';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import {
  Application,
  GenServer,
  Supervisor,
  forwardEvents,
  isEvent,
  logger,
  noreply,
  ok,
  reply,
  type From,
  type Proc,
} from 'hotrel';
import * as Listener from './listener';
import * as Routes from './routes';

export interface State {
  server: http.Server;
  wss: WebSocketServer;
  hits: number;
}

const listener = GenServer.named(Listener, 'web_listener');

export function startLink(parent: Proc) {
  return GenServer.startLink(parent, Listener, undefined, { name: 'web_listener' });
}

/** The port the service listens on (configure port 0 to take any free one). */
export function port(): Promise<number> {
  return GenServer.call(listener, 'port');
}

export async function init(_args: undefined, self: Proc) {
  const server = http.createServer();
  // noServer: this process decides what to do with each upgrade request (see handleInfo).
  const wss = new WebSocketServer({ noServer: true });
  // Requests and upgrades reach this process as messages, through hotrel's listeners (not
  // closures of this module, which an upgrade would make old code).
  forwardEvents(server, self.pid, ['request', 'upgrade'], { closeOnExit: 'close' });
  server.listen(Application.getEnv<number>('web', 'port'), Application.getEnv<string>('web', 'host'));
  await once(server, 'listening');
  logger().info(`web listening on port ${(server.address() as { port: number }).port}`);
  return ok<State>({ server, wss, hits: 0 });
}

export function handleCall(_request: 'port', _from: From<number>, state: State) {
  return reply((state.server.address() as { port: number }).port, state);
}

export async function handleInfo(message: unknown, state: State) {
  if (isEvent<[http.IncomingMessage, http.ServerResponse]>(message, 'request')) {
    const [req, res] = message.args;
    const hits = state.hits + 1;
    try {
      Routes.handle(req, res, { hits });
    } catch (err) {
      // A faulty handler fails its request, not the listener (and every other connection).
      logger().error({ err, url: req.url }, 'request handler failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
    return noreply({ ...state, hits });
  }
  if (isEvent<[http.IncomingMessage, Duplex, Buffer]>(message, 'upgrade')) {
    const [req, socket, head] = message.args;
    // The new process completes the handshake and owns the WebSocket from then on.
    const started = await Supervisor.startChild('web_websockets', [{ wss: state.wss, req, socket, head }]);
    if (started.kind === 'error') socket.destroy();
  }
  return noreply(state);
}

export function terminate(_reason: unknown, state: State) {
  state.wss.close();
}
