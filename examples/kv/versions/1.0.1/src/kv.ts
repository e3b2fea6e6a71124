/**
 * The seed's KV, version 1.0.1: the seed's patch, which logs each request. The state is the
 * same Map, so the upgrade keeps it as it is (no `codeChange` needed).
 */
import { GenServer, logger, ok, reply, type From, type Proc } from 'hotrel';
import * as KV from './kv';

/** The seed's `@vsn 1`. */
export const vsn = '1';

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
      logger().info(`kv: Handling get request for ${request.key}`);
      return reply(state.has(request.key) ? state.get(request.key) : request.default, state);
    case 'put':
      logger().info(`kv: Handling put request for ${request.key}:${JSON.stringify(request.value)}`);
      return reply('ok', new Map(state).set(request.key, request.value));
  }
}
