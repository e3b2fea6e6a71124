/**
 * One connection (Octochat.Echo): a GenServer that owns its socket and echoes each line back.
 * Version 1.0.1 (versions/1.0.1/src/echo.ts) numbers the lines it echoes, with a counter kept in
 * this state; connections open during the upgrade stay open and start counting.
 */
import net from 'node:net';
import { GenServer, forwardEvents, isEvent, noreply, ok, stop, type Proc } from 'hotrel';
import * as Echo from './echo';

export const vsn = '1';

export interface State {
  socket: net.Socket;
  /** What came after the last newline, waiting for the rest of its line. */
  partial: string;
}

/** Started by the connections supervisor, with the socket the acceptor accepted. */
export function startLink(parent: Proc, socket: net.Socket) {
  return GenServer.startLink(parent, Echo, socket);
}

export function init(socket: net.Socket, self: Proc) {
  socket.setEncoding('utf8');
  // This process owns the socket: its events arrive as messages, and if the process exits for
  // any reason the socket is closed once what was written to it is flushed.
  forwardEvents(socket, self.pid, ['data', 'end', 'error'], { closeOnExit: 'destroySoon' });
  return ok<State>({ socket, partial: '' });
}

export function handleInfo(message: unknown, state: State) {
  if (isEvent<[string]>(message, 'data')) {
    const lines = (state.partial + message.args[0]).split('\n');
    const partial = lines.pop()!;
    for (const line of lines) state.socket.write(`${line}\n`);
    return noreply({ ...state, partial });
  }
  // The client closed the connection (end), or it failed (error): this connection is over.
  if (isEvent(message, 'end') || isEvent(message, 'error')) return stop('normal', state);
  return noreply(state);
}
