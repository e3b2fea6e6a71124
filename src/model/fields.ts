/**
 * Leaf schemas shared by every file of the model. Each one is a single predicate with one message
 * of the form `expected <what is allowed>, got <what was there>`, so that a validation error
 * always says what may be written at the offending place.
 */
import { z } from 'zod';
import { isJsonValue, show, type JsonValue } from './json';
import { isAppName, isFunctionName, isModuleId, isModuleName, isVersion } from './names';

/** A schema for values of type T accepted by `test`, described as `expected` in errors. */
export function leaf<T>(expected: string, test: (value: unknown) => boolean) {
  return z.custom<T>((value) => test(value), {
    error: (issue) => `expected ${expected}, got ${show(issue.input)}`,
  });
}

/** Renders choices as `"a" or "b"` / `"a", "b" or "c"`. */
export function choices(values: readonly string[]): string {
  const quoted = values.map((v) => JSON.stringify(v));
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/** One of a fixed set of strings. */
export function oneOf<const T extends string>(values: readonly T[], what?: string) {
  return leaf<T>(
    what ?? choices(values),
    (v) => typeof v === 'string' && (values as readonly string[]).includes(v),
  );
}

/** A list whose items are checked one by one, so an error points at the offending item. */
export function listOf<T extends z.ZodType>(item: T, what: string) {
  return z.array(item, { error: (issue) => `expected ${what}, got ${show(issue.input)}` });
}

export const json = leaf<JsonValue>(
  'a JSON value (null, boolean, finite number, string, array or plain object)',
  isJsonValue,
);
export const appName = leaf<string>('an application name (letters, digits, "_", "." or "-")', isAppName);
export const releaseName = leaf<string>('a release name (letters, digits, "_", "." or "-")', isAppName);
export const version = leaf<string>(
  'a version string such as "1.0.0" (letters, digits, ".", "_", "+", "~" or "-")',
  isVersion,
);
export const text = leaf<string>('a string', (v) => typeof v === 'string');
export const nonEmptyText = leaf<string>('a non-empty string', (v) => typeof v === 'string' && v.length > 0);
/** A module name inside an appup: bare (`kv_worker`, the appup's own app) or qualified (`kvapp:kv_worker`). */
export const moduleName = leaf<string>(
  'a module name such as "kv_worker" or "kvapp:kv_worker"',
  isModuleName,
);
/** A fully qualified module id, as written in app.json and relup.json. */
export const moduleId = leaf<string>('a module id "<app>:<relpath>" such as "kvapp:kv_worker"', isModuleId);
export const functionName = leaf<string>('a function name (a JavaScript identifier)', isFunctionName);

export const PURGE_METHODS = ['soft_purge', 'brutal_purge'] as const;
export type PurgeMethod = (typeof PURGE_METHODS)[number];
export const purge = oneOf(PURGE_METHODS);

export const START_TYPES = ['permanent', 'transient', 'temporary', 'load', 'none'] as const;
export type StartType = (typeof START_TYPES)[number];
export const startType = oneOf(START_TYPES);

export const MOD_TYPES = ['static', 'dynamic'] as const;
export type ModType = (typeof MOD_TYPES)[number];
export const modType = oneOf(MOD_TYPES);

/** `default` (the handler's default), `infinity`, or milliseconds > 0 (OTP rejects 0). */
export type Timeout = 'default' | 'infinity' | number;
export const timeout = leaf<Timeout>(
  '"default", "infinity" or an integer > 0 (milliseconds)',
  (v) => v === 'default' || v === 'infinity' || (typeof v === 'number' && Number.isSafeInteger(v) && v > 0),
);

/** OTP's `soft | {advanced, Extra}`. */
export type Change = 'soft' | { advanced: JsonValue };
export const change = leaf<Change>(
  '"soft" or {"advanced": <extra>} where <extra> is any JSON value',
  (v) =>
    v === 'soft' ||
    (typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      Object.keys(v).length === 1 &&
      'advanced' in v &&
      isJsonValue((v as { advanced: unknown }).advanced)),
);

export const CODE_CHANGE_MODES = ['up', 'down'] as const;
export type CodeChangeMode = (typeof CODE_CHANGE_MODES)[number];
export const codeChangeMode = oneOf(CODE_CHANGE_MODES);

export const args = listOf(json, 'a list of arguments (JSON values)');
