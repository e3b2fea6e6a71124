/**
 * The KV service of the release handler tests, at several versions, as application sources:
 *
 * - `kv_server`: a GenServer registered as `kv` (get/put/info). 1.0.0 keeps `{data}`; 1.0.1 keeps
 *   `{data, calls}` and counts calls; its codeChange converts up from 1.0.0 and down to it.
 * - `kv_sup`: the top supervisor (one_for_one, child `kv`).
 * - `kvapp`: the application callback; its configChange records its arguments on globalThis.
 *
 * Variants: `codeChange: 'throws'` refuses to convert; `'slow'` takes `slowMs`; `closure: true`
 * keeps a closure of its own version in its state (what makes a soft purge impossible).
 */
import type { AppDef } from './release-builder';
import type { AppupInput, PurgeMethod } from '../../src/model';

export interface KvOptions {
  codeChange?: 'ok' | 'throws' | 'slow';
  slowMs?: number;
  closure?: boolean;
  env?: Record<string, string | number>;
  purge?: PurgeMethod;
  /** The appup of this version: update kv_server from/to this version (default: none). */
  from?: string;
  /** Extra modules. */
  modules?: Record<string, string>;
}

function kvServer(vsn: string, counts: boolean, o: KvOptions): string {
  const stateType = counts
    ? '{ data: Record<string, unknown>; calls: number; fmt?: unknown }'
    : '{ data: Record<string, unknown>; fmt?: unknown }';
  const init = counts ? '{ data: {}, calls: 0 }' : '{ data: {} }';
  const closure = o.closure === true ? `, fmt: (v: unknown) => '${vsn}:' + String(v)` : '';
  const bump = counts ? 'state = { ...state, calls: state.calls + 1 };' : '';
  let codeChange: string;
  switch (o.codeChange ?? 'ok') {
    case 'throws':
      codeChange = `export function codeChange(): never { throw new Error('kv_server ${vsn} refuses to convert the state'); }`;
      break;
    case 'slow':
      codeChange = `export async function codeChange(old: unknown, state: any) {
  await new Promise((resolve) => setTimeout(resolve, ${o.slowMs ?? 60_000}));
  return convert(old, state);
}`;
      break;
    default:
      codeChange = `export function codeChange(old: unknown, state: any) { return convert(old, state); }`;
  }
  return `import { GenServer, ok, reply, type From, type Proc } from 'hotrel';
import * as Self from './kv_server';

export const vsn = '${vsn}';
type State = ${stateType};
type Req = { op: 'get'; key: string } | { op: 'put'; key: string; value: unknown } | { op: 'info' };

export function startLink(parent: Proc) {
  return GenServer.startLink(parent, Self, undefined, { name: 'kv' });
}
export function init() {
  return ok<State>({ ...${init}${closure} });
}
export function handleCall(req: Req, _from: From<unknown>, state: State) {
  ${bump}
  switch (req.op) {
    case 'get':
      return reply(req.key in state.data ? state.data[req.key] : null, state);
    case 'put':
      return reply('ok', { ...state, data: { ...state.data, [req.key]: req.value } });
    default:
      return reply({ vsn, state: { ...state, fmt: typeof state.fmt } }, state);
  }
}
function convert(old: unknown, state: any) {
  const down = typeof old === 'object' && old !== null ? (old as { down?: unknown }).down : undefined;
  if (down !== undefined) {
    const { calls: _calls, from: _from, ...rest } = state;
    return { ...rest, from: old };
  }
  return ${counts ? '{ ...state, calls: state.calls ?? 0, from: old }' : 'state'};
}
${codeChange}
`;
}

const KV_SUP = `import * as KvServer from './kv_server';
export function init() {
  return {
    strategy: 'one_for_one' as const,
    intensity: 5,
    period: 10,
    children: [{ id: 'kv', start: { module: KvServer, function: 'startLink', args: [] }, modules: [KvServer] }],
  };
}
`;

function kvApp(app: string): string {
  return `import { Supervisor, type Proc } from 'hotrel';
import * as KvSup from './kv_sup';

export function start(_type: 'normal', _args: unknown, master: Proc) {
  return Supervisor.startLink(master, KvSup, undefined, { name: 'kv_sup' });
}
export function configChange(changed: unknown, added: unknown, removed: unknown) {
  const g = globalThis as { __configChanges?: unknown[] };
  (g.__configChanges ??= []).push({ app: '${app}', changed, added, removed });
}
`;
}

/** The KV application `name` at `vsn`; versions >= 1.0.1 count calls. */
export function kvAppDef(name: string, vsn: string, o: KvOptions = {}): AppDef {
  const counts = vsn !== '1.0.0';
  const appup: AppupInput | undefined =
    o.from === undefined
      ? undefined
      : {
          vsn,
          up: {
            [o.from]: [
              {
                op: 'update',
                module: 'kv_server',
                change: { advanced: [] },
                ...(o.purge === undefined ? {} : { prePurge: o.purge, postPurge: o.purge }),
              },
            ],
          },
          down: {
            [o.from]: [
              {
                op: 'update',
                module: 'kv_server',
                change: { advanced: [] },
                ...(o.purge === undefined ? {} : { prePurge: o.purge, postPurge: o.purge }),
              },
            ],
          },
        };
  return {
    name,
    vsn,
    modules: { kv_server: kvServer(vsn, counts, o), kv_sup: KV_SUP, [name]: kvApp(name), ...o.modules },
    mod: name,
    registered: ['kv', 'kv_sup'],
    env: o.env ?? {},
    ...(appup === undefined ? {} : { appup }),
  };
}
