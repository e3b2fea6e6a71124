/**
 * Supervisor flags and child specifications: their types, defaults and validation (OTP's
 * `check_flags` / `check_childspec`). Invalid input gets an error that names the offending key,
 * and nothing is started or changed.
 */
import type { Pid, Proc } from '../../runtime';
import type { Awaitable } from '../core/awaitable';
import type { StartResult } from '../core/types';
import { formatTerm } from '../errors';

export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one' | 'simple_one_for_one';
/** `permanent`: always restarted; `transient`: only after an abnormal exit; `temporary`: never. */
export type RestartType = 'permanent' | 'transient' | 'temporary';
/** `brutal_kill`: killed at once; ms: `shutdown` then killed after ms; `infinity`: wait. */
export type Shutdown = 'brutal_kill' | 'infinity' | number;
export type ChildType = 'worker' | 'supervisor';
/** A child id (OTP allows any term; here a string or a number). */
export type ChildId = string | number;

/**
 * OTP's `{M, F, A}`: the child is started by `module[function](parent, ...args)`, looked up on
 * the module object at every (re)start, so a restart after an upgrade runs the new code.
 * `parent` is the supervisor's process, to link to (see `GenServer.startLink`).
 */
export interface StartMFA {
  readonly module: object;
  readonly function: string;
  readonly args?: readonly unknown[];
}

/** What a start function may return: a start result, or a bare pid (taken as `ok`). */
export type StartReturn = StartResult | Pid;

/**
 * A start closure (beyond OTP's MFA): convenient, but it is pinned to the code that created it,
 * so after an upgrade a restart runs the old code until the supervisor's `init` is re-read.
 * Prefer {@link StartMFA} in hot-upgradable code.
 */
export type StartFunction = (parent: Proc, ...extraArgs: unknown[]) => Awaitable<StartReturn>;

export interface ChildSpec {
  readonly id: ChildId;
  readonly start: StartMFA | StartFunction;
  /** Default `permanent`. */
  readonly restart?: RestartType;
  /** Default 5000 for a worker, `infinity` for a supervisor. */
  readonly shutdown?: Shutdown;
  /** Default `worker`. */
  readonly type?: ChildType;
  /**
   * The modules the child uses, for upgrades (the release handler suspends and converts the
   * processes using a module). Default: the child's callback module, read from the started
   * process (a behaviour records it), else the MFA's module. `'dynamic'`: ask the process.
   */
  readonly modules?: readonly unknown[] | 'dynamic';
}

export interface SupervisorFlags {
  /** Default `one_for_one`. */
  readonly strategy?: Strategy;
  /** Restarts allowed within `period` before the supervisor gives up (default 1). */
  readonly intensity?: number;
  /** Seconds (default 5). */
  readonly period?: number;
}

/** What a supervisor module's `init` returns (or `ignore()`). */
export interface SupervisorInit extends SupervisorFlags {
  readonly children: readonly ChildSpec[];
}

/** A child spec with its defaults filled in. */
export interface NormalizedSpec {
  readonly id: ChildId;
  readonly start: StartMFA | StartFunction;
  readonly restart: RestartType;
  readonly shutdown: Shutdown;
  readonly type: ChildType;
  /** As declared; `undefined` means "the child's callback module". */
  readonly modules: readonly unknown[] | 'dynamic' | undefined;
}

export interface NormalizedFlags {
  readonly strategy: Strategy;
  readonly intensity: number;
  readonly period: number;
}

/** A spec or flags problem, as OTP's `{invalid_shutdown, X}` etc. (`key` names the field). */
export class SpecError extends Error {
  constructor(
    readonly key: string,
    readonly value: unknown,
    hint: string,
  ) {
    super(`invalid ${key} ${formatTerm(value)}: ${hint}`);
    this.name = 'SpecError';
  }
}

const STRATEGIES: readonly Strategy[] = ['one_for_one', 'one_for_all', 'rest_for_one', 'simple_one_for_one'];
const RESTARTS: readonly RestartType[] = ['permanent', 'transient', 'temporary'];

export function checkFlags(flags: SupervisorFlags): NormalizedFlags {
  if (flags === null || typeof flags !== 'object') throw new SpecError('flags', flags, 'expected an object');
  const strategy = flags.strategy ?? 'one_for_one';
  if (!STRATEGIES.includes(strategy))
    throw new SpecError('strategy', strategy, `expected one of ${STRATEGIES.join(', ')}`);
  const intensity = flags.intensity ?? 1;
  if (!Number.isInteger(intensity) || intensity < 0)
    throw new SpecError('intensity', intensity, 'expected an integer >= 0');
  const period = flags.period ?? 5;
  if (!Number.isInteger(period) || period <= 0)
    throw new SpecError('period', period, 'expected an integer > 0 (seconds)');
  return { strategy, intensity, period };
}

export function checkChildSpec(spec: ChildSpec): NormalizedSpec {
  if (spec === null || typeof spec !== 'object')
    throw new SpecError('child spec', spec, 'expected an object');
  const { id, start } = spec;
  if (typeof id !== 'string' && typeof id !== 'number')
    throw new SpecError('id', id, 'expected a string or a number');
  if (typeof start !== 'function') {
    if (start === null || typeof start !== 'object')
      throw new SpecError('start', start, `child ${id}: expected { module, function, args } or a function`);
    if (start.module === null || typeof start.module !== 'object')
      throw new SpecError('start.module', start.module, `child ${id}: expected the module object (a facade)`);
    if (typeof start.function !== 'string')
      throw new SpecError('start.function', start.function, `child ${id}: expected the name of a function`);
    if (start.args !== undefined && !Array.isArray(start.args))
      throw new SpecError('start.args', start.args, `child ${id}: expected an array`);
  }
  const restart = spec.restart ?? 'permanent';
  if (!RESTARTS.includes(restart))
    throw new SpecError('restart', restart, `child ${id}: expected ${RESTARTS.join(', ')}`);
  const type = spec.type ?? 'worker';
  if (type !== 'worker' && type !== 'supervisor')
    throw new SpecError('type', type, `child ${id}: expected worker or supervisor`);
  const shutdown = spec.shutdown ?? (type === 'worker' ? 5000 : 'infinity');
  if (!(
    shutdown === 'brutal_kill' ||
    shutdown === 'infinity' ||
    (Number.isInteger(shutdown) && shutdown >= 0)
  ))
    throw new SpecError(
      'shutdown',
      shutdown,
      `child ${id}: expected brutal_kill, infinity or an integer >= 0 (ms)`,
    );
  const modules = spec.modules;
  if (modules !== undefined && modules !== 'dynamic' && !Array.isArray(modules))
    throw new SpecError('modules', modules, `child ${id}: expected a list of modules or 'dynamic'`);
  return { id, start, restart, shutdown, type, modules };
}

/** Checks a list of specs (unique ids, OTP's `duplicate_child_name`); returns them normalized. */
export function checkChildSpecs(specs: readonly ChildSpec[]): NormalizedSpec[] {
  if (!Array.isArray(specs)) throw new SpecError('children', specs, 'expected an array of child specs');
  const seen = new Set<ChildId>();
  return specs.map((spec) => {
    const checked = checkChildSpec(spec);
    if (seen.has(checked.id))
      throw new SpecError('id', checked.id, 'duplicate child id (ids must be unique)');
    seen.add(checked.id);
    return checked;
  });
}
