/**
 * Reading what appup generation compares: a release root's releases (`releases/<vsn>/release.json`)
 * and, for each application version they use, its `app.json`, `modules.json`, existing appup and
 * pre/post hook files. Every file is validated; a missing or invalid `modules.json` is not fatal
 * (its modules then count as changed, never as unchanged), anything else is.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readModelFile } from '../../model/files';
import { layout } from '../../model/layout';
import { readReleaseRoot, ReleaseRootError } from '../../model/release-root';
import type { ModuleEntry } from '../../model/modules';
import type { Release } from '../../model/release';
import { ModelError } from '../../model/validate';
import { codeHash } from '../build/compile-app';
import { GenerateError } from './errors';
import type { AppVersion, ReleaseSet } from './types';

/** Reads every release under `root` (and nothing else yet: application versions are read on demand). */
export function readReleaseSet(root: string): ReleaseSet {
  let releases: Map<string, Release>;
  try {
    releases = readReleaseRoot(root);
  } catch (err) {
    if (err instanceof ReleaseRootError) throw new GenerateError(err.kind, err.message);
    throw err;
  }
  return { root, releases, apps: new Map() };
}

/** The application version `name`@`vsn` of `set`, read (once) from its lib directory. */
export function appVersion(set: ReleaseSet, name: string, vsn: string, usedBy: string): AppVersion {
  const key = `${name}@${vsn}`;
  const known = set.apps.get(key);
  if (known !== undefined) return known;
  const root = set.root;
  const libDir = layout.libDir(root, name, vsn);
  const rel = (file: string): string => path.relative(root, file);
  const appFile = layout.appFile(root, name, vsn);
  if (!fs.existsSync(appFile)) {
    throw new GenerateError(
      'missing_app',
      `release ${usedBy} contains ${name} ${vsn}, but ${rel(appFile)} is missing (in ${root}); rebuild that release (hotrel release) or restore its lib directory`,
    );
  }
  const app = readModelFile('app', appFile, rel(appFile));
  if (app.name !== name || app.vsn !== vsn) {
    throw new GenerateError(
      'no_valid_version',
      `${rel(appFile)} describes ${app.name} ${app.vsn}, but release ${usedBy} lists ${name} ${vsn}; rebuild the release so that lib/ and release.json agree`,
    );
  }

  let modules: Record<string, ModuleEntry> = {};
  let modulesProblem: string | undefined;
  const modulesFile = layout.modulesFile(root, name, vsn);
  if (!fs.existsSync(modulesFile)) {
    modulesProblem = `${rel(modulesFile)} is missing (built by another tool or an older hotrel?)`;
  } else {
    try {
      const file = readModelFile('modules', modulesFile, rel(modulesFile));
      if (file.app !== name) modulesProblem = `${rel(modulesFile)} describes application ${file.app}`;
      else modules = file.modules;
    } catch (error) {
      if (!(error instanceof ModelError)) throw error;
      modulesProblem = error.message;
    }
  }

  const identity: AppVersion['identity'] = {};
  for (const id of app.modules) {
    const entry = modules[id];
    const file = entry === undefined ? undefined : path.join(libDir, entry.file);
    let onDisk: string | undefined;
    if (file !== undefined && fs.existsSync(file)) onDisk = codeHash(fs.readFileSync(file, 'utf8'));
    if (entry === undefined) identity[id] = { hash: undefined, note: 'no entry in its modules.json' };
    else if (onDisk !== undefined && onDisk !== entry.hash)
      identity[id] = { hash: onDisk, note: `${entry.file} does not match the hash its modules.json records` };
    else identity[id] = { hash: entry.hash };
  }

  const appupFile = layout.appupFile(root, name, vsn);
  const appup = fs.existsSync(appupFile) ? readModelFile('appup', appupFile, rel(appupFile)) : undefined;
  const hooks = (part: 'pre' | 'post') => {
    const file = path.join(libDir, `${name}.appup.${part}.json`);
    return fs.existsSync(file) ? readModelFile('appupHooks', file, rel(file)) : undefined;
  };
  const version: AppVersion = {
    name,
    vsn,
    app,
    modules,
    modulesProblem,
    identity,
    appup,
    pre: hooks('pre'),
    post: hooks('post'),
    dir: rel(libDir),
  };
  set.apps.set(key, version);
  return version;
}
