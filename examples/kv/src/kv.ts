/**
 * The seed's KV (seed 003): a key-value store owned by a GenServer registered as `kv`.
 * Version 1.0.1 (versions/1.0.1/src/kv.ts) logs every request; its state is the same Map.
 */
import { GenServer, ok, reply, type From, type Proc } from 'hotrel';
import * as KV from './kv';

/** The seed's `@vsn 0`. */
export const vsn = '0';

type State = Map<string, unknown>;
type Request = { op: 'get'; key: string; default: unknown } | { op: 'put'; key: string; value: unknown };

const kv = GenServer.named(KV, 'kv');

export function startLink(parent: Proc) {
  return GenServer.startLink(parent, KV, undefined, { name: 'kv' });
}

export function get(key: string, defaultValue: unknown = null): Promise<unknown> {
  return GenServer.call(kv, { op: 'get', key, default: defaultValue });
}

export function put(key: string, value: unknown): Promise<unknown> {
  return GenServer.call(kv, { op: 'put', key, value });
}

export function init() {
  return ok<State>(new Map());
}

export function handleCall(request: Request, _from: From<unknown>, state: State) {
  switch (request.op) {
    case 'get':
      return reply(state.has(request.key) ? state.get(request.key) : request.default, state);
    case 'put':
      return reply('ok', new Map(state).set(request.key, request.value));
  }
}
