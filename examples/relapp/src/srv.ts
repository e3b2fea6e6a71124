/** A GenServer (relapp_srv) with a small state: `{ id }`. */
import { GenServer, ok, reply, type From, type Proc } from 'hotrel';
import * as Srv from './srv';

export const vsn = '1';

export interface State {
  id: number;
}

type Request = { op: 'setId'; id: number } | { op: 'getState' };

const srv = GenServer.named(Srv, 'relapp_srv');

export function startLink(parent: Proc) {
  return GenServer.startLink(parent, Srv, undefined, { name: 'relapp_srv' });
}

export function setId(id: number): Promise<unknown> {
  return GenServer.call(srv, { op: 'setId', id });
}

export function getState(): Promise<unknown> {
  return GenServer.call(srv, { op: 'getState' });
}

export function init() {
  return ok<State>({ id: 0 });
}

export function handleCall(request: Request, _from: From<unknown>, state: State) {
  switch (request.op) {
    case 'setId':
      return reply('ok', { ...state, id: request.id });
    case 'getState':
      return reply(state, state);
  }
}
