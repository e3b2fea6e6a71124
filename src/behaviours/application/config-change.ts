/**
 * Config change after an upgrade, exactly as OTP's `application_controller:prep_config_change`
 * and `config_change` (otp/semantics.md §7.6):
 *
 * 1. before the upgrade, snapshot the env of every **running** application;
 * 2. after it, for each running application, compare its env (sorted) with the snapshot (empty
 *    if it was not running then): `changed` = keys present before with a different value (new
 *    value), `added` = keys not present before, `removed` = keys present before and gone now;
 * 3. if any is non-empty, call its callback module's `configChange(changed, added, removed)`;
 *    a module without it counts as ok. Errors are collected and returned, not thrown.
 */
import { isDeepStrictEqual } from 'node:util';
import { reasonOf } from '../../runtime';
import { isThenable } from '../core/awaitable';
import { loaded, running } from './registry';

/** The env of the running applications at one moment. */
export type EnvSnapshot = ReadonlyMap<string, ReadonlyMap<string, unknown>>;

/** What one application's `configChange` was called with. */
export interface ConfigDiff {
  readonly changed: Record<string, unknown>;
  readonly added: Record<string, unknown>;
  readonly removed: string[];
}

/** Takes the snapshot (OTP's `prep_config_change`). */
export function prepConfigChange(): EnvSnapshot {
  const snapshot = new Map<string, ReadonlyMap<string, unknown>>();
  for (const name of running.keys()) {
    const env = loaded.get(name)?.env;
    if (env !== undefined) snapshot.set(name, new Map(env));
  }
  return snapshot;
}

/** The difference between two envs, keys in sorted order. */
export function diffEnv(
  before: ReadonlyMap<string, unknown>,
  after: ReadonlyMap<string, unknown>,
): ConfigDiff {
  const changed: Record<string, unknown> = {};
  const added: Record<string, unknown> = {};
  const removed: string[] = [];
  for (const key of [...after.keys()].sort()) {
    if (!before.has(key)) added[key] = after.get(key);
    else if (!isDeepStrictEqual(before.get(key), after.get(key))) changed[key] = after.get(key);
  }
  for (const key of [...before.keys()].sort()) if (!after.has(key)) removed.push(key);
  return { changed, added, removed };
}

/**
 * Calls `configChange` for each running application whose env differs from `before`. Resolves
 * to the failures (an exception in a callback), by application.
 */
export async function configChange(
  before: EnvSnapshot,
): Promise<Array<{ application: string; error: unknown }>> {
  const failures: Array<{ application: string; error: unknown }> = [];
  for (const name of running.keys()) {
    const app = loaded.get(name);
    const module = app?.spec.mod?.module;
    if (app === undefined || module === undefined) continue;
    const diff = diffEnv(before.get(name) ?? new Map(), app.env);
    if (
      Object.keys(diff.changed).length === 0 &&
      Object.keys(diff.added).length === 0 &&
      diff.removed.length === 0
    )
      continue;
    if (typeof module.configChange !== 'function') continue; // OTP: undef counts as ok
    try {
      const out = module.configChange(diff.changed, diff.added, diff.removed);
      if (isThenable(out)) await out;
    } catch (err) {
      failures.push({ application: name, error: reasonOf(err) });
    }
  }
  return failures;
}
