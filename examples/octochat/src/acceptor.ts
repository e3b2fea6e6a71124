/**
 * The acceptor (Octochat.Acceptor): owns the listening socket and hands each new connection to a
 * new Echo server, which owns it from then on.
 */
import { once } from 'node:events';
import net from 'node:net';
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
import * as Acceptor from './acceptor';

interface State {
  server: net.Server;
}

const acceptor = GenServer.named(Acceptor, 'octochat_acceptor');

export function startLink(parent: Proc) {
  return GenServer.startLink(parent, Acceptor, undefined, { name: 'octochat_acceptor' });
}

/** The port the service listens on (configure port 0 to take any free one). */
export function port(): Promise<number> {
  return GenServer.call(acceptor, 'port');
}

export async function init(_args: undefined, self: Proc) {
  const server = net.createServer();
  // The server's events come to this process as messages. Its listeners are hotrel's, not
  // closures of this module, so the server outlives any upgrade of this module.
  forwardEvents(server, self.pid, ['connection'], { closeOnExit: 'close' });
  server.listen(
    Application.getEnv<number>('octochat', 'port'),
    Application.getEnv<string>('octochat', 'host'),
  );
  await once(server, 'listening');
  logger().info(`octochat listening on port ${(server.address() as net.AddressInfo).port}`);
  return ok<State>({ server });
}

export function handleCall(_request: 'port', _from: From<number>, state: State) {
  return reply((state.server.address() as net.AddressInfo).port, state);
}

export async function handleInfo(message: unknown, state: State) {
  if (isEvent<[net.Socket]>(message, 'connection')) {
    const [socket] = message.args;
    // Until its Echo server reads it, the socket buffers what the client sends: nothing is lost.
    const started = await Supervisor.startChild('octochat_connections', [socket]);
    if (started.kind !== 'ok') socket.destroy();
  }
  return noreply(state);
}
