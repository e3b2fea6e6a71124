/**
 * Node built-ins and third-party packages, as application code sees them.
 *
 * They are never hot-loaded: Node loads each once, through its own `require` created at the
 * application's package root (CommonJS, and ES modules through `require(esm)` on Node >= 20.19).
 * An ES module graph with top-level `await` cannot be required; it is imported once with
 * {@link preloadPackages} (at boot) and served from a registry. A change of a third-party
 * dependency in a release needs a node restart.
 */
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { pathToFileURL } from 'node:url';
import { isBuiltin } from 'node:module';
import { CodeError } from './errors';
import type { Application } from './applications';

const preloaded = new Map<string, unknown>();

function key(app: Application, specifier: string): string {
  return `${app.packagesFrom}\0${specifier}`;
}

/** Loads a built-in or third-party package for application code (Node's `require` semantics). */
export function requirePackage(app: Application, specifier: string): unknown {
  const ready = preloaded.get(key(app, specifier));
  if (ready !== undefined) return ready;
  try {
    return app.nodeRequire(specifier);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_REQUIRE_ASYNC_MODULE') {
      throw new CodeError(
        'badfile',
        `package '${specifier}' (used by application '${app.name}') is an ES module with top-level await, which require() cannot load: ` +
          `preload it at boot with preloadPackages('${app.name}', ['${specifier}'])`,
        { cause: err },
      );
    }
    if (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' && isImportOnly(app, specifier)) {
      throw new CodeError(
        'badfile',
        `package '${specifier}' (used by application '${app.name}') is exported for import only, which require() cannot resolve: ` +
          `preload it at boot with preloadPackages('${app.name}', ['${specifier}'])`,
        { cause: err },
      );
    }
    throw err;
  }
}

/** Whether a bare package specifier names an installed package whose export map lacks a require path. */
function isImportOnly(app: Application, specifier: string): boolean {
  const name = specifier.startsWith('@')
    ? specifier.split('/').slice(0, 2).join('/')
    : specifier.split('/')[0]!;
  const paths = app.nodeRequire.resolve.paths(name) ?? [];
  return paths.some((dir) => {
    try {
      return fs.statSync(path.join(dir, name, 'package.json')).isFile();
    } catch {
      return false;
    }
  });
}

/**
 * Imports packages that cannot be required (ES modules with top-level `await`) so that
 * application code can import them synchronously afterwards. Call it at boot, before loading
 * the modules that use them.
 */
export async function preloadPackages(app: Application, specifiers: readonly string[]): Promise<void> {
  for (const specifier of specifiers) {
    if (preloaded.has(key(app, specifier))) continue;
    preloaded.set(key(app, specifier), await importPackage(app, specifier));
  }
}

/** `import(specifier)` as if written in a file at the application's package root. */
export async function importPackage(app: Application, specifier: string): Promise<unknown> {
  const ready = preloaded.get(key(app, specifier));
  if (ready !== undefined) return ready;
  if (isBuiltin(specifier)) return import(specifier.startsWith('node:') ? specifier : `node:${specifier}`);
  let resolved: string | undefined;
  try {
    resolved = app.nodeRequire.resolve(specifier);
  } catch {
    // An "import"-only export map: only Node's ES module resolver can find it (below).
  }
  if (resolved !== undefined) return import(pathToFileURL(resolved).href);
  return esmImporter(app)(specifier);
}

const importers = new Map<string, (specifier: string) => Promise<unknown>>();

/**
 * A function whose `import()` resolves like an ES module at the application's package root.
 * Node 20 offers this only as an experimental constant (it prints one ExperimentalWarning),
 * so it is used only for packages `require.resolve` cannot find.
 */
function esmImporter(app: Application): (specifier: string) => Promise<unknown> {
  let importer = importers.get(app.packagesFrom);
  if (importer === undefined) {
    const loader = (vm.constants as unknown as { USE_MAIN_CONTEXT_DEFAULT_LOADER?: unknown } | undefined)
      ?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
    if (loader === undefined) {
      throw new CodeError(
        'nofile',
        `this Node.js cannot resolve ES-module-only packages from ${app.packagesFrom}`,
      );
    }
    importer = vm.compileFunction('return import(specifier)', ['specifier'], {
      filename: path.join(app.packagesFrom, '[hotrel-import].js'),
      importModuleDynamically: loader as never,
    }) as (specifier: string) => Promise<unknown>;
    importers.set(app.packagesFrom, importer);
  }
  return importer;
}
