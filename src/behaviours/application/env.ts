/** Application configuration: OTP's `application:get_env/set_env/unset_env`. */
import { loaded, loadedOrThrow } from './registry';

/** The value of `key` in `application`'s env, or `fallback` when unset (or the app not loaded). */
export function getEnv<T = unknown>(application: string, key: string, fallback?: T): T | undefined {
  const env = loaded.get(application)?.env;
  return env !== undefined && env.has(key) ? (env.get(key) as T) : fallback;
}

/** The whole env of an application, keys sorted (empty when not loaded). */
export function getAllEnv(application: string): Record<string, unknown> {
  const env = loaded.get(application)?.env;
  const out: Record<string, unknown> = {};
  if (env === undefined) return out;
  for (const key of [...env.keys()].sort()) out[key] = env.get(key);
  return out;
}

/** Sets a key (the application must be loaded). */
export function setEnv(application: string, key: string, value: unknown): void {
  if (typeof key !== 'string' || key === '')
    throw new TypeError('setEnv: the key must be a non-empty string');
  loadedOrThrow(application).env.set(key, value);
}

/** Removes a key (the application must be loaded). */
export function unsetEnv(application: string, key: string): void {
  loadedOrThrow(application).env.delete(key);
}
