/** A new GenServer in 1.0.1 (relapp_srv2): counts calls to `bump`. */
import { GenServer, ok, reply, type From, type Proc } from 'hotrel';
import * as Srv2 from './srv2';

export const vsn = '1';

export interface State {
  count: number;
}

const srv2 = GenServer.named(Srv2, 'relapp_srv2');

export function startLink(parent: Proc) {
  return GenServer.startLink(parent, Srv2, undefined, { name: 'relapp_srv2' });
}

export function bump(): Promise<number> {
  return GenServer.call(srv2, 'bump');
}

export function init() {
  return ok<State>({ count: 0 });
}

export function handleCall(_request: 'bump', _from: From<number>, state: State) {
  const count = state.count + 1;
  return reply(count, { count });
}
