/**
 * relapp_srv, 1.0.2: a new call, `test(arg)`, answered with `m1.test(arg)`, whose signature
 * changed in this version too. srv depends on m1: the upgrade loads m1 before srv's code changes
 * (and the downgrade after it), so srv never calls an m1 that does not match it.
 */
import { GenServer, ok, reply, type From, type OldVsn, type Proc } from 'hotrel';
import * as M1 from './m1';
import * as Srv from './srv';

export const vsn = '3';

export interface State {
  id: number;
  name: string;
  description: string;
}

type Request =
  | { op: 'setId'; id: number }
  | { op: 'setName'; name: string }
  | { op: 'getState' }
  | { op: 'test'; arg: unknown };

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

export function test(arg: unknown): Promise<unknown> {
  return GenServer.call(srv, { op: 'test', arg });
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
    case 'test':
      return reply(M1.test(request.arg), state);
  }
}

/** 1.0.1 <-> 1.0.2: the state keeps its shape. */
export function codeChange(_oldVsn: OldVsn, state: State, _extra: unknown): State {
  return state;
}
