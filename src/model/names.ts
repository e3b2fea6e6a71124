/**
 * Names used across the model: applications, releases, versions, modules, functions.
 *
 * Module identity follows the shared contract: `<app>:<relpath>`, where relpath is the source
 * file's path under its application's source root, `/`-separated, without extension
 * (`kvapp:kv_worker`, `kvapp:workers/pool`). Inside an application's own appup a bare name (no
 * `:`) means that application's module.
 */

/** Application and release names: they become directory names (`lib/<app>-<vsn>`). */
export const APP_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Versions (applications and releases): any non-empty string that is safe in a directory name. */
export const VERSION = /^[A-Za-z0-9_+][A-Za-z0-9_.+~-]*$/;

/** One path segment of a module's relpath. */
const SEGMENT = /^[A-Za-z0-9_$@.+-]+$/;

/** Function names for `apply` (a JavaScript identifier). */
export const FUNCTION_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function isAppName(value: unknown): value is string {
  return typeof value === 'string' && APP_NAME.test(value) && value !== '.' && value !== '..';
}

export function isVersion(value: unknown): value is string {
  return typeof value === 'string' && VERSION.test(value);
}

export function isFunctionName(value: unknown): value is string {
  return typeof value === 'string' && FUNCTION_NAME.test(value);
}

/** A module relpath: `kv_worker`, `workers/pool`. No empty, `.` or `..` segments, no extension rule. */
export function isModulePath(value: string): boolean {
  if (value.length === 0) return false;
  return value.split('/').every((seg) => SEGMENT.test(seg) && seg !== '.' && seg !== '..');
}

/** A fully qualified module id `<app>:<relpath>`. */
export function isModuleId(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const colon = value.indexOf(':');
  if (colon < 0) return false;
  return isAppName(value.slice(0, colon)) && isModulePath(value.slice(colon + 1));
}

/** A module name as written in an appup: a module id, or a bare relpath of the appup's application. */
export function isModuleName(value: unknown): value is string {
  return typeof value === 'string' && (value.includes(':') ? isModuleId(value) : isModulePath(value));
}

/** Splits a module id into its application and relpath. */
export function parseModuleId(id: string): { app: string; path: string } {
  const colon = id.indexOf(':');
  if (colon < 0) throw new Error(`"${id}" is not a module id (expected <app>:<relpath>)`);
  return { app: id.slice(0, colon), path: id.slice(colon + 1) };
}

/** Resolves a name written in `app`'s appup: bare names are `app`'s modules, ids stay as they are. */
export function qualifyModule(name: string, app: string): string {
  return name.includes(':') ? name : `${app}:${name}`;
}

/**
 * The built-in pseudo-modules an `apply` may target. They stand for OTP's `application` and
 * `supervisor` modules: the relup compiler emits `application` calls for
 * add/remove/restart_application, and appups use `supervisor` calls for child changes.
 */
export const BUILTIN_APPLY_TARGETS = {
  application: ['start', 'stop', 'load', 'unload'],
  supervisor: ['restart_child', 'terminate_child', 'delete_child'],
} as const satisfies Record<string, readonly string[]>;

export type BuiltinApplyModule = keyof typeof BUILTIN_APPLY_TARGETS;

export function isBuiltinApplyModule(name: string): name is BuiltinApplyModule {
  return Object.prototype.hasOwnProperty.call(BUILTIN_APPLY_TARGETS, name);
}
