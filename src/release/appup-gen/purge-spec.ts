/**
 * `--purge SPEC` (rebar3_appup_plugin's `-g/--purge`): per-module purge methods for the
 * generated `load_module` and `update` instructions.
 *
 * SPEC is a `;`-separated list of `module=method` where method is `soft`, `brutal`, or
 * `pre/post` (each soft or brutal); the key `default` sets it for every module not listed.
 * Modules are written as in an appup: `relapp_m1` (any application's module with that path) or
 * `relapp:relapp_m1`. Without a setting, a module takes its `upgrade.purge` attribute, else
 * `brutal_purge` both ways (OTP's default).
 */
import type { PurgeMethod } from '../../model/fields';

export interface PurgePair {
  prePurge: PurgeMethod;
  postPurge: PurgeMethod;
}

export interface PurgeSpec {
  default: PurgePair | undefined;
  /** By module name as written (bare relpath or qualified id). */
  modules: Map<string, PurgePair>;
}

export class PurgeSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PurgeSpecError';
  }
}

const METHOD: Record<string, PurgeMethod> = { soft: 'soft_purge', brutal: 'brutal_purge' };

function method(text: string, entry: string): PurgeMethod {
  const m = METHOD[text.trim()];
  if (m === undefined) {
    throw new PurgeSpecError(
      `--purge: "${entry}": the purge method must be soft or brutal (or pre/post, e.g. soft/brutal), got "${text.trim()}"`,
    );
  }
  return m;
}

/** Parses a purge spec; throws PurgeSpecError naming the bad entry. */
export function parsePurgeSpec(spec: string): PurgeSpec {
  const result: PurgeSpec = { default: undefined, modules: new Map() };
  const entries = spec
    .split(';')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) {
    throw new PurgeSpecError('--purge: empty; write module=soft|brutal|pre/post entries separated by ";"');
  }
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) {
      throw new PurgeSpecError(
        `--purge: "${entry}" is not module=method; write e.g. "relapp_m1=soft;default=brutal"`,
      );
    }
    const name = entry.slice(0, eq).trim();
    const value = entry.slice(eq + 1);
    const parts = value.split('/');
    if (parts.length > 2) throw new PurgeSpecError(`--purge: "${entry}": write pre/post as soft/brutal`);
    const pre = method(parts[0]!, entry);
    const pair: PurgePair = { prePurge: pre, postPurge: parts.length === 2 ? method(parts[1]!, entry) : pre };
    if (name === 'default') result.default = pair;
    else if (result.modules.has(name)) throw new PurgeSpecError(`--purge: "${name}" is given twice`);
    else result.modules.set(name, pair);
  }
  return result;
}

/** The setting the spec gives module `id` (`app:relpath`), if any, and the name it matched. */
export function purgeFor(spec: PurgeSpec | undefined, id: string): PurgePair | undefined {
  if (spec === undefined) return undefined;
  return spec.modules.get(id) ?? spec.modules.get(id.slice(id.indexOf(':') + 1));
}
