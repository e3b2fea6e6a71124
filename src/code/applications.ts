/**
 * The applications the code server knows, and where their modules live.
 *
 * An application is a directory of modules: the `.ts` source root of a project in the dev loop,
 * or a release's `lib/<app>-<vsn>/` of compiled `.js` + `.js.map`. Its modules are named
 * `<app>:<relpath>`. Other applications import it by its name (`import { f } from 'kvapp'`
 * is `kvapp:index`; `'kvapp/workers/pool'` is `kvapp:workers/pool`).
 *
 * Erlang keeps this in the code path (`code:add_path`, `code:replace_path`); so does this table.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { CodeError } from './errors';
import { moduleId } from './module-id';

/** `ts`: the directory holds TypeScript sources, compiled at load; `js`: compiled modules. */
export type ModuleForm = 'ts' | 'js';

export interface ApplicationSpec {
  /** The application's name: the `<app>` of its module ids, and the name other applications import. */
  name: string;
  /** The directory of its modules. */
  dir: string;
  /** Whether `dir` holds `.ts` sources or compiled `.js` (default: `js` if it holds any `.js` file). */
  form?: ModuleForm;
  /** The module that `import 'app'` resolves to, as a relpath (default `index`). */
  main?: string;
  /**
   * Where Node built-ins and third-party packages are resolved from (default: `dir`; Node looks
   * in `node_modules` there and in every parent directory).
   */
  packagesFrom?: string;
}

export interface Application {
  readonly name: string;
  readonly dir: string;
  readonly form: ModuleForm;
  readonly main: string;
  readonly packagesFrom: string;
  /** Node's own `require`, resolving from `packagesFrom`. */
  readonly nodeRequire: NodeJS.Require;
}

/** A module file on disk. */
export interface ModuleFile {
  /** Absolute path of the `.ts` or `.js` file. */
  file: string;
  form: ModuleForm;
}

const apps = new Map<string, Application>();

/** Registers an application. Its name must be new; use {@link replaceApplicationDir} to move one. */
export function addApplication(spec: ApplicationSpec): Application {
  const name = checkName(spec?.name);
  if (apps.has(name)) {
    throw new CodeError(
      'badarg',
      `application '${name}' is already registered (at ${apps.get(name)!.dir}); use replaceApplicationDir to point it at another directory`,
    );
  }
  const app = makeApplication(name, spec);
  apps.set(name, app);
  return app;
}

/**
 * Points a registered application at another directory (Erlang's `code:replace_path`), as a
 * release upgrade does from `lib/app-1.0.0` to `lib/app-1.0.1`. Loaded modules are not touched:
 * the next load of each module reads the new directory.
 */
export function replaceApplicationDir(name: string, dir: string, form?: ModuleForm): Application {
  const before = getApplication(name);
  const app = makeApplication(name, {
    name,
    dir,
    ...(form === undefined ? {} : { form }),
    main: before.main,
    ...(before.packagesFrom === before.dir ? {} : { packagesFrom: before.packagesFrom }),
  });
  apps.set(name, app);
  return app;
}

/** @internal Forgets an application (the code server checks that none of its modules is loaded). */
export function forgetApplication(name: string): void {
  getApplication(name);
  apps.delete(name);
}

/** The registered application called `name`, or a `badarg` error that lists the known ones. */
export function getApplication(name: string): Application {
  const app = apps.get(name);
  if (app === undefined) {
    const known = [...apps.keys()];
    throw new CodeError(
      'badarg',
      `no application '${name}' is registered with the code server (known: ${known.length === 0 ? 'none' : known.join(', ')}); register it with addApplication({ name, dir })`,
    );
  }
  return app;
}

export function findApplication(name: string): Application | undefined {
  return apps.get(name);
}

/** All registered applications, in registration order. */
export function applications(): Application[] {
  return [...apps.values()];
}

/** The file of module `relpath` in `app`'s directory, or `undefined` if there is none. */
export function moduleFile(app: Application, relpath: string): ModuleFile | undefined {
  const file = path.join(app.dir, ...relpath.split('/')) + (app.form === 'ts' ? '.ts' : '.js');
  return isFile(file) ? { file, form: app.form } : undefined;
}

/** The application and relpath of a module file given by path (for the dev loop's `c(file)`). */
export function moduleOfFile(file: string): { app: Application; relpath: string } | undefined {
  const abs = path.resolve(file);
  let best: { app: Application; relpath: string } | undefined;
  for (const app of apps.values()) {
    const rel = path.relative(app.dir, abs);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
    const relpath = rel
      .split(path.sep)
      .join('/')
      .replace(/\.(ts|js)$/, '');
    if (best === undefined || app.dir.length > best.app.dir.length) best = { app, relpath };
  }
  return best;
}

/** Module ids of every module file in an application's directory (skips `.d.ts` and `node_modules`). */
export function listModules(app: Application): string[] {
  const ext = app.form === 'ts' ? '.ts' : '.js';
  const found: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.'))
          walk(path.join(dir, entry.name), `${prefix}${entry.name}/`);
      } else if (entry.name.endsWith(ext) && !entry.name.endsWith('.d.ts')) {
        found.push(moduleId(app.name, prefix + entry.name.slice(0, -ext.length)));
      }
    }
  };
  walk(app.dir, '');
  return found;
}

/**
 * What an import specifier in module `relpath` of `app` names, if it names an application module:
 * a relative path inside the application, or another (or the same) application's name.
 * `exists(id)` says whether a module id can be loaded or is already known.
 */
export function resolveAppSpecifier(
  app: Application,
  relpath: string,
  specifier: string,
  exists: (id: string) => boolean,
): { id: string } | { json: string } | undefined {
  if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
    const joined = path.posix.normalize(path.posix.join(path.posix.dirname(relpath), specifier));
    if (joined === '..' || joined.startsWith('../')) {
      throw new CodeError(
        'badarg',
        `'${specifier}' in ${moduleId(app.name, relpath)} points outside application '${app.name}': import another application by its name`,
      );
    }
    if (joined.endsWith('.json')) return { json: path.join(app.dir, ...joined.split('/')) };
    return findModule(app, joined === '.' ? '' : joined, specifier, exists);
  }
  const target = appOfSpecifier(specifier);
  if (target === undefined) return undefined;
  const rest = specifier.slice(target.name.length + 1);
  return findModule(target, rest === '' ? target.main : rest, specifier, exists);
}

function findModule(
  app: Application,
  rel: string,
  specifier: string,
  exists: (id: string) => boolean,
): { id: string } {
  const base = rel.replace(/\.(js|ts|cjs|mjs)$/, '');
  const candidates = base === '' ? ['index'] : [base, `${base}/index`];
  for (const c of candidates) {
    const id = moduleId(app.name, c);
    if (exists(id)) return { id };
  }
  throw new CodeError(
    'nofile',
    `cannot find module '${specifier}': no ${candidates.map((c) => moduleId(app.name, c)).join(' or ')} in ${app.dir}`,
  );
}

function appOfSpecifier(specifier: string): Application | undefined {
  let best: Application | undefined;
  for (const app of apps.values()) {
    if (specifier === app.name || specifier.startsWith(`${app.name}/`)) {
      if (best === undefined || app.name.length > best.name.length) best = app;
    }
  }
  return best;
}

function makeApplication(name: string, spec: ApplicationSpec): Application {
  if (typeof spec.dir !== 'string' || spec.dir === '') {
    throw new CodeError('badarg', `application '${name}': dir must be the path of its modules' directory`);
  }
  const dir = path.resolve(spec.dir);
  if (!isDirectory(dir)) {
    throw new CodeError('nofile', `application '${name}': ${dir} is not a directory`);
  }
  const form = spec.form ?? guessForm(dir);
  if (form !== 'ts' && form !== 'js') {
    throw new CodeError('badarg', `application '${name}': form must be 'ts' or 'js', got ${String(form)}`);
  }
  const main = spec.main ?? 'index';
  const packagesFrom = path.resolve(spec.packagesFrom ?? dir);
  return {
    name,
    dir,
    form,
    main,
    packagesFrom,
    nodeRequire: createRequire(path.join(packagesFrom, 'noop.js')),
  };
}

function checkName(name: unknown): string {
  if (
    typeof name !== 'string' ||
    name === '' ||
    name.includes(':') ||
    name.startsWith('.') ||
    /\s/.test(name)
  ) {
    throw new CodeError(
      'badarg',
      `an application name is a non-empty package-style name without ':' or spaces (for example kvapp), got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

function guessForm(dir: string): ModuleForm {
  const walk = (d: string, depth: number): boolean => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.js')) return true;
      if (
        entry.isDirectory() &&
        depth < 4 &&
        entry.name !== 'node_modules' &&
        walk(path.join(d, entry.name), depth + 1)
      )
        return true;
    }
    return false;
  };
  return walk(dir, 0) ? 'js' : 'ts';
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
