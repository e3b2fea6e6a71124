/**
 * Dev-loop helpers for a console attached to a running node, after Erlang's shell and iex:
 *
 * - `c(fileOrModule)` recompiles one TypeScript source file and loads it (Erlang's `c/1`);
 * - `r(module)` recompiles a module from its source and reloads it (iex's `r/1`);
 * - `l(module)` purges and loads a module from its application's directory (Erlang's `l/1`);
 * - `mm()` lists the loaded modules whose file changed since they were loaded (Erlang's `mm/0`);
 * - `lm()` loads them all (Erlang's `lm/0`).
 *
 * A module may be given by its id (`kvapp:kv_worker`) or, when that is unambiguous, by its
 * relpath alone (`kv_worker`). Like `c/1`, these purge old code brutally and never call
 * `codeChange`: use a release upgrade for processes whose state changes shape.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { applications, getApplication, listModules, moduleFile, moduleOfFile } from './applications';
import { CodeError } from './errors';
import { moduleId, parseModuleId } from './module-id';
import { allLoaded, load, loadSource, versionsOf, type LoadResult } from './server';
import { withoutSourceMapComment } from './source-map';

/** Recompiles a `.ts` file (a path, or a module of a `ts` application) and loads it. */
export async function c(fileOrModule: string): Promise<LoadResult> {
  const { id, file } = sourceOf(fileOrModule);
  return loadSource(id, fs.readFileSync(file, 'utf8'), file);
}

/** Recompiles module `mod` from its TypeScript source and reloads it (iex's `r/1`). */
export function r(mod: string): Promise<LoadResult> {
  return c(resolveModule(mod));
}

/** Purges module `mod`'s old code and loads it again from its application's directory. */
export function l(mod: string): Promise<LoadResult> {
  return load(resolveModule(mod));
}

/** Loaded modules whose file changed on disk since they were loaded. */
export function mm(): string[] {
  const changed: string[] = [];
  for (const { module } of allLoaded()) {
    const current = versionsOf(module).current;
    if (current === undefined || !fs.existsSync(current.file)) continue;
    const text = fs.readFileSync(current.file, 'utf8');
    const same =
      current.sourceHash !== undefined
        ? md5(text) === current.sourceHash
        : md5(withoutSourceMapComment(text)) === current.md5;
    if (!same) changed.push(module);
  }
  return changed;
}

/** Loads every modified module (see {@link mm}), in load order. */
export async function lm(): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  for (const id of mm()) {
    const current = versionsOf(id).current;
    results.push(current?.sourceHash !== undefined ? await c(id) : await load(id));
  }
  return results;
}

function sourceOf(fileOrModule: string): { id: string; file: string } {
  const asPath = path.resolve(fileOrModule);
  if (fileOrModule.endsWith('.ts') || fs.existsSync(asPath)) {
    const owner = moduleOfFile(asPath);
    if (owner === undefined) {
      throw new CodeError(
        'badarg',
        `${asPath} is not under the directory of any registered application: register it with addApplication({ name, dir })`,
      );
    }
    if (owner.app.form !== 'ts') {
      throw new CodeError(
        'badarg',
        `application '${owner.app.name}' holds compiled modules: use l() to reload from ${owner.app.dir}`,
      );
    }
    if (!fs.existsSync(asPath)) throw new CodeError('nofile', `there is no ${asPath}`);
    return { id: moduleId(owner.app.name, owner.relpath), file: asPath };
  }
  const id = resolveModule(fileOrModule);
  const { app, relpath } = parseModuleId(id);
  const application = getApplication(app);
  if (application.form !== 'ts') {
    throw new CodeError(
      'badarg',
      `application '${app}' holds compiled modules: use l('${id}') to reload from ${application.dir}`,
    );
  }
  const found = moduleFile(application, relpath);
  if (found === undefined)
    throw new CodeError('nofile', `${id}: there is no ${relpath}.ts in ${application.dir}`);
  return { id, file: found.file };
}

/** A module id from an id or an unambiguous relpath. */
function resolveModule(mod: string): string {
  if (mod.includes(':')) return parseModuleId(mod) && mod;
  const candidates = new Set<string>();
  for (const { module } of allLoaded()) if (module.endsWith(`:${mod}`)) candidates.add(module);
  if (candidates.size === 0) {
    for (const app of applications()) {
      for (const id of listModules(app)) if (id.endsWith(`:${mod}`)) candidates.add(id);
    }
  }
  if (candidates.size === 1) return [...candidates][0]!;
  throw new CodeError(
    'badarg',
    candidates.size === 0
      ? `no module '${mod}' in any registered application`
      : `'${mod}' is ambiguous: write one of ${[...candidates].join(', ')}`,
  );
}

function md5(text: string): string {
  return crypto.createHash('md5').update(text).digest('hex');
}
