/**
 * One connection (Octochat.Echo), version 1.0.1: each echoed line is numbered, `[3] hello`,
 * with a counter kept in the state. `codeChange` gives the connections that are open during the
 * upgrade a counter (starting at 0), and takes it away on a downgrade.
 */
import net from 'node:net';
import { GenServer, forwardEvents, isEvent, noreply, ok, stop, type OldVsn, type Proc } from 'hotrel';
import * as Echo from './echo';

export const vsn = '2';

/** Version 1.0.0's state: what a downgrade returns to. */
interface StateV1 {
  socket: net.Socket;
  partial: string;
}

export interface State extends StateV1 {
  /** Lines echoed on this connection. */
  count: number;
}

export function startLink(parent: Proc, socket: net.Socket) {
  return GenServer.startLink(parent, Echo, socket);
}

export function init(socket: net.Socket, self: Proc) {
  socket.setEncoding('utf8');
  forwardEvents(socket, self.pid, ['data', 'end', 'error'], { closeOnExit: 'destroySoon' });
  return ok<State>({ socket, partial: '', count: 0 });
}

export function handleInfo(message: unknown, state: State) {
  if (isEvent<[string]>(message, 'data')) {
    const lines = (state.partial + message.args[0]).split('\n');
    const partial = lines.pop()!;
    let count = state.count;
    for (const line of lines) state.socket.write(`[${++count}] ${line}\n`);
    return noreply({ ...state, partial, count });
  }
  if (isEvent(message, 'end') || isEvent(message, 'error')) return stop('normal', state);
  return noreply(state);
}

export function codeChange(oldVsn: OldVsn, state: State | StateV1, _extra: unknown): State | StateV1 {
  if (typeof oldVsn === 'object' && oldVsn !== null && 'down' in oldVsn) {
    // Downgrade to 1.0.0: its state has no counter.
    const { count: _count, ...v1 } = state as State;
    return v1;
  }
  // Upgrade from 1.0.0: open connections start counting now.
  return { ...(state as StateV1), count: 0 };
}
