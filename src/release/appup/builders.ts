/**
 * Typed helpers for writing appups in TypeScript (`<app>.appup.ts`). Each helper returns the
 * JSON instruction of docs/appup-relup-format.md with only the fields you gave, so the result
 * reads like a hand-written `<app>.appup.json` and takes OTP's defaults for the rest.
 *
 * ```ts
 * import { defineAppup, update, advanced, loadModule, pattern } from 'hotrel/appup';
 * import { previousVersion } from './src/versions';
 *
 * export default defineAppup(({ vsn }) => ({
 *   vsn,
 *   up: {
 *     [previousVersion(vsn)]: [loadModule('kv_store'), update('kv_worker', { change: advanced({ from: 1 }), deps: ['kv_store'] })],
 *     [pattern(/1\.0\.[0-9]+/)]: [restartApplication('kvapp')],
 *   },
 *   down: { [previousVersion(vsn)]: [update('kv_worker', { change: advanced({ to: 1 }) }), loadModule('kv_store')] },
 * }));
 * ```
 */
import type { AppupInput } from '../../model/appup';
import type { Change, ModType, PurgeMethod, StartType, Timeout } from '../../model/fields';
import type { AppupInstructionInput, Op } from '../../model/instructions';
import type { JsonValue } from '../../model/json';
import { regexKey, semverKey } from '../../model/version-key';

type I<K extends AppupInstructionInput['op']> = Op<AppupInstructionInput, K>;

/** PrePurge: what to do with processes still in old code before loading; PostPurge: after. Default brutal_purge. */
export interface PurgeOptions {
  prePurge?: PurgeMethod;
  postPurge?: PurgeMethod;
}

/** Modules (changed in the same upgrade) whose new code this module needs: they load first going up. */
export interface DepsOption {
  deps?: readonly string[];
}

export interface UpdateOptions extends PurgeOptions, DepsOption {
  /** `soft` (default: suspend, load, resume) or `advanced(extra)` (also call codeChange with extra). */
  change?: Change;
  /** `dynamic` (default, callback modules) or `static`. */
  modType?: ModType;
  /** How long to wait for each process to suspend: `default`, `infinity` or milliseconds. */
  timeout?: Timeout;
}

/** Removes fields left undefined so that the instruction shows only what was given. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const list = <T>(items: readonly T[] | undefined): T[] | undefined =>
  items === undefined ? undefined : [...items];

/** The `soft` change: suspend, load, resume; no codeChange. */
export const soft = 'soft' as const;

/** The `{advanced: extra}` change: processes also get codeChange(oldVsn, state, extra). */
export function advanced(extra: JsonValue = []): { advanced: JsonValue } {
  return { advanced: extra };
}

/** Simple replacement of a module's code (no suspension): OTP's load_module. */
export function loadModule(module: string, options: PurgeOptions & DepsOption = {}): I<'load_module'> {
  return compact({ op: 'load_module', module, ...options, deps: list(options.deps) });
}

/** Synchronised replacement: suspend the module's processes, load, (codeChange,) resume. */
export function update(module: string, options: UpdateOptions = {}): I<'update'> {
  return compact({ op: 'update', module, ...options, deps: list(options.deps) });
}

/** Update of a supervisor (OTP's `{update, M, supervisor}`): static, codeChange re-reads the child specs. */
export function updateSupervisor(
  module: string,
  options: PurgeOptions & DepsOption & { timeout?: Timeout } = {},
): I<'update'> {
  return compact({ op: 'update', module, supervisor: true, ...options, deps: list(options.deps) });
}

/** Loads a module that is new in this version. */
export function addModule(module: string, options: DepsOption = {}): I<'add_module'> {
  return compact({ op: 'add_module', module, deps: list(options.deps) });
}

/** Removes a module: its code becomes old and is purged. */
export function deleteModule(module: string, options: DepsOption = {}): I<'delete_module'> {
  return compact({ op: 'delete_module', module, deps: list(options.deps) });
}

/** Loads and starts an application new in this release (type default permanent). */
export function addApplication(application: string, type?: StartType): I<'add_application'> {
  return compact({ op: 'add_application', application, type });
}

/** Stops and unloads an application the new release no longer has. */
export function removeApplication(application: string): I<'remove_application'> {
  return { op: 'remove_application', application };
}

/** Stops the application, replaces all its modules, starts it again. */
export function restartApplication(application: string): I<'restart_application'> {
  return { op: 'restart_application', application };
}

/** Calls `module.function(...args)`; before point_of_no_return it must not change anything. */
export function apply(module: string, fn: string, args: readonly JsonValue[] = []): I<'apply'> {
  return { op: 'apply', module, function: fn, args: [...args] };
}

/** Starts a child that a supervisor update added (supervisor.restart_child). */
export function restartChild(supervisor: string, childId: JsonValue): I<'apply'> {
  return apply('supervisor', 'restart_child', [supervisor, childId]);
}

/** Stops a child before a supervisor update removes it (supervisor.terminate_child). */
export function terminateChild(supervisor: string, childId: JsonValue): I<'apply'> {
  return apply('supervisor', 'terminate_child', [supervisor, childId]);
}

/** Deletes a stopped child's spec (supervisor.delete_child). */
export function deleteChild(supervisor: string, childId: JsonValue): I<'apply'> {
  return apply('supervisor', 'delete_child', [supervisor, childId]);
}

/** Ends the part of the script that can still be abandoned without effect. */
export function pointOfNoReturn(): I<'point_of_no_return'> {
  return { op: 'point_of_no_return' };
}

/** Restart the node at the end of the upgrade. */
export function restartEmulator(): I<'restart_emulator'> {
  return { op: 'restart_emulator' };
}

/** Restart the node first, on the new Node.js/hotrel (the compiler adds it when those change). */
export function restartNewEmulator(): I<'restart_new_emulator'> {
  return { op: 'restart_new_emulator' };
}

// Low-level instructions (the compiler's output; rarely written by hand).

export function loadObjectCode(app: string, vsn: string, modules: readonly string[]): I<'load_object_code'> {
  return { op: 'load_object_code', app, vsn, modules: [...modules] };
}

export function load(module: string, options: PurgeOptions = {}): I<'load'> {
  return compact({ op: 'load', module, ...options });
}

export function remove(module: string, options: PurgeOptions = {}): I<'remove'> {
  return compact({ op: 'remove', module, ...options });
}

export function purge(modules: readonly string[]): I<'purge'> {
  return { op: 'purge', modules: [...modules] };
}

export function suspend(modules: readonly (string | { module: string; timeout: Timeout })[]): I<'suspend'> {
  return { op: 'suspend', modules: modules.map((m) => (typeof m === 'string' ? m : { ...m })) };
}

export function resume(modules: readonly string[]): I<'resume'> {
  return { op: 'resume', modules: [...modules] };
}

export function codeChange(
  modules: readonly { module: string; extra?: JsonValue }[],
  mode?: 'up' | 'down',
): I<'code_change'> {
  return compact({ op: 'code_change', mode, modules: modules.map((m) => compact({ ...m })) });
}

export function stop(modules: readonly string[]): I<'stop'> {
  return { op: 'stop', modules: [...modules] };
}

export function start(modules: readonly string[]): I<'start'> {
  return { op: 'start', modules: [...modules] };
}

/** Waits until every node listed (or returned by the call) reaches the same point. */
export function syncNodes(
  id: JsonValue,
  nodes: readonly string[] | { module: string; function: string; args?: readonly JsonValue[] },
): I<'sync_nodes'> {
  if ('module' in nodes) {
    return {
      op: 'sync_nodes',
      id,
      apply: { module: nodes.module, function: nodes.function, args: [...(nodes.args ?? [])] },
    };
  }
  return { op: 'sync_nodes', id, nodes: [...nodes] };
}

// From-version keys.

/** A from-version key matching by regular expression (the whole version must be the first match, as in OTP). */
export function pattern(regex: RegExp | string): string {
  return regexKey(regex);
}

/** A from-version key matching a semver range, e.g. `semverRange('^1.2.0')`. */
export function semverRange(range: string): string {
  return semverKey(range);
}

// The appup itself.

/** What an `<app>.appup.ts` receives when it exports a function. */
export interface AppupContext {
  /** The application's name. */
  app: string;
  /** The version being built (the appup's `vsn`). */
  vsn: string;
  /** The path of the `.appup.ts` file. */
  file: string;
}

export type AppupDefinition = AppupInput | ((context: AppupContext) => AppupInput | Promise<AppupInput>);

/** Types an appup (or a function of the build context returning one) for `export default`. */
export function defineAppup<T extends AppupDefinition>(definition: T): T {
  return definition;
}
