/**
 * relapp_srv, 1.0.1: the state gains `name` and `description` (relapp1's record fields, with
 * their defaults). `codeChange` converts the running server's state both ways.
 */
import { GenServer, ok, reply, type From, type OldVsn, type Proc } from 'hotrel';
import * as Srv from './srv';

export const vsn = '2';

export interface State {
  id: number;
  name: string;
  description: string;
}

/** 1.0.0's state: what a downgrade returns to. */
interface StateV1 {
  id: number;
}

type Request = { op: 'setId'; id: number } | { op: 'setName'; name: string } | { op: 'getState' };

const srv = GenServer.named(Srv, 'relapp_srv');

export function startLink(parent: Proc) {
  return GenServer.startLink(parent, Srv, undefined, { name: 'relapp_srv' });
}

export function setId(id: number): Promise<unknown> {
  return GenServer.call(srv, { op: 'setId', id });
}

export function setName(name: string): Promise<unknown> {
  return GenServer.call(srv, { op: 'setName', name });
}

export function getState(): Promise<unknown> {
  return GenServer.call(srv, { op: 'getState' });
}

export function init() {
  return ok<State>({ id: 0, name: '', description: '' });
}

export function handleCall(request: Request, _from: From<unknown>, state: State) {
  switch (request.op) {
    case 'setId':
      return reply('ok', { ...state, id: request.id });
    case 'setName':
      return reply('ok', { ...state, name: request.name });
    case 'getState':
      return reply(state, state);
  }
}

export function codeChange(oldVsn: OldVsn, state: State | StateV1, _extra: unknown): State | StateV1 {
  if (typeof oldVsn === 'object' && oldVsn !== null && 'down' in oldVsn) {
    // Downgrade to 1.0.0: only the id is kept.
    return { id: state.id };
  }
  // Upgrade from 1.0.0: the new fields take their defaults.
  return { id: state.id, name: '', description: '' };
}
