/**
 * An application of many small GenServers (the OTP benchmark's kvapp, simplified), for group
 * suspension and rollback tests: `top_sup` (one_for_one) over `worker_sup` (simple_one_for_one)
 * over `worker` processes, `count` of them started by the application callback (env `count`).
 *
 * `worker` state is `{id, n}` at 1.0.0 and `{id, n, up}` from 1.0.1 on; the 1.0.1 codeChange
 * refuses (throws) for the worker ids in `failIds`, and converts `{down}` back. A second module,
 * `ticker` (a GenServer registered `ticker`, state `{ticks}` / `{ticks, up}`), makes a second,
 * independent group in a relup.
 */
import type { AppupInput } from '../../src/model';
import type { AppDef } from './release-builder';

export interface WorkerOptions {
  /** Worker ids whose codeChange throws (1.0.1 only). */
  failIds?: number[];
  /** Make ticker's codeChange throw too. */
  tickerFails?: boolean;
  /** Appup from this version: update ticker, then worker (two groups). */
  from?: string;
  /** An apply of `worker_app:hooks.migrate` between the two groups (an application's own apply). */
  withApply?: boolean;
}

function worker(vsn: string, o: WorkerOptions): string {
  const v2 = vsn !== '1.0.0';
  return `import { GenServer, ok, reply, type From, type Proc } from 'hotrel';
import * as Self from './worker';
export const vsn = '${vsn}';
type State = { id: number; n: number; up?: unknown };
export function startLink(parent: Proc, id: number) {
  return GenServer.startLink(parent, Self, id);
}
export function init(id: number) {
  return ok<State>({ id, n: 0 });
}
export async function handleCall(req: 'bump' | 'get' | { sleep: number }, _from: From<unknown>, state: State) {
  if (typeof req === 'object') {
    await new Promise((resolve) => setTimeout(resolve, req.sleep));
    return reply('slept', state);
  }
  if (req === 'bump') return reply(state.n + 1, { ...state, n: state.n + 1 });
  return reply({ vsn, state }, state);
}
export function codeChange(old: unknown, state: State) {
  ${v2 ? `if (${JSON.stringify(o.failIds ?? [])}.includes(state.id)) throw new Error('worker ' + state.id + ' cannot convert');` : ''}
  if (typeof old === 'object' && old !== null) {
    const { up: _up, ...rest } = state;
    return rest;
  }
  return { ...state, up: old };
}
`;
}

function ticker(vsn: string, o: WorkerOptions): string {
  const v2 = vsn !== '1.0.0';
  return `import { GenServer, ok, reply, type From, type Proc } from 'hotrel';
import * as Self from './ticker';
export const vsn = '${vsn}';
type State = { ticks: number; up?: unknown };
export function startLink(parent: Proc) {
  return GenServer.startLink(parent, Self, undefined, { name: 'ticker' });
}
export function init() {
  return ok<State>({ ticks: 0 });
}
export function handleCall(req: 'tick' | 'get', _from: From<unknown>, state: State) {
  if (req === 'tick') return reply(state.ticks + 1, { ...state, ticks: state.ticks + 1 });
  return reply({ vsn, state }, state);
}
export function codeChange(old: unknown, state: State) {
  ${v2 && o.tickerFails === true ? "throw new Error('ticker cannot convert');" : ''}
  if (typeof old === 'object' && old !== null) {
    const { up: _up, ...rest } = state;
    return rest;
  }
  return { ...state, up: old };
}
`;
}

const WORKER_SUP = `import * as Worker from './worker';
export function init() {
  return {
    strategy: 'simple_one_for_one' as const,
    intensity: 10,
    period: 10,
    children: [{ id: 'worker', start: { module: Worker, function: 'startLink', args: [] }, restart: 'temporary' as const, shutdown: 'brutal_kill' as const, modules: [Worker] }],
  };
}
`;

const TOP_SUP = `import * as WorkerSup from './worker_sup';
import * as Ticker from './ticker';
import { Supervisor } from 'hotrel';
export function init() {
  return {
    strategy: 'one_for_one' as const,
    intensity: 5,
    period: 10,
    children: [
      { id: 'ticker', start: { module: Ticker, function: 'startLink', args: [] }, modules: [Ticker] },
      {
        id: 'worker_sup',
        type: 'supervisor' as const,
        start: (parent: never) => Supervisor.startLink(parent, WorkerSup, undefined, { name: 'worker_sup' }),
        modules: [WorkerSup],
      },
    ],
  };
}
`;

function app(name: string): string {
  return `import { Application, GenServer, Supervisor, lookupProcess, type Proc } from 'hotrel';
import * as TopSup from './top_sup';
import * as Loner from './loner';
export async function start(_type: 'normal', _args: unknown, master: Proc) {
  const top = await Supervisor.startLink(master, TopSup, undefined, { name: 'top_sup' });
  const count = Application.getEnv<number>('${name}', 'count', 0) ?? 0;
  for (let i = 1; i <= count; i++) GenServer.pidOf(await Supervisor.startChild('worker_sup', [i]));
  // A behaviour process outside the supervision tree: linked to the top supervisor (so it goes
  // when the application stops), but not one of its children.
  const topProc = lookupProcess(GenServer.pidOf(top))!;
  GenServer.pidOf(await GenServer.startLink(topProc, Loner, undefined, { name: 'loner' }));
  return top;
}
`;
}

/** A GenServer no supervisor knows of: OTP's release handler would never find it. */
function loner(vsn: string): string {
  return `import { ok, reply } from 'hotrel';
export const vsn = '${vsn}';
export function init() {
  return ok({ seen: [] as unknown[] });
}
export function handleCall(_req: unknown, _from: unknown, state: { seen: unknown[] }) {
  return reply({ vsn, state }, state);
}
export function codeChange(old: unknown, state: { seen: unknown[] }) {
  return { seen: [...state.seen, old] };
}
`;
}

function hooks(vsn: string): string {
  return `export function migrate(tag: string) {
  const g = globalThis as { __migrations?: string[] };
  (g.__migrations ??= []).push(tag);
}
export function vsnOf() {
  return '${vsn}';
}
export function boom(): never {
  throw new Error('boom from hooks ${vsn}');
}
`;
}

export function workerAppDef(name: string, vsn: string, count: number, o: WorkerOptions = {}): AppDef {
  const update = (m: string) => ({ op: 'update' as const, module: m, change: { advanced: [] } });
  const steps = [
    update('ticker'),
    ...(o.withApply === true
      ? [{ op: 'apply' as const, module: 'hooks', function: 'migrate', args: ['up'] }]
      : []),
    update('worker'),
  ];
  const appup: AppupInput | undefined =
    o.from === undefined ? undefined : { vsn, up: { [o.from]: steps }, down: { [o.from]: steps } };
  return {
    name,
    vsn,
    modules: {
      worker: worker(vsn, o),
      ticker: ticker(vsn, o),
      worker_sup: WORKER_SUP,
      top_sup: TOP_SUP,
      [name]: app(name),
      hooks: hooks(vsn),
      loner: loner(vsn),
    },
    mod: name,
    env: { count },
    ...(appup === undefined ? {} : { appup }),
  };
}
