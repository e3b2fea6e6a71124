/**
 * Evaluates one version of a module: compiled CommonJS in, a {@link ModuleVersion} out.
 *
 * Each version is compiled with `vm.compileFunction` in the main context (one realm, so
 * `instanceof Error` and friends work) into a fresh `exports` object. `vm.compileFunction` code
 * never enters V8's compilation cache, so a purged version is freed by the next full GC
 * (`vm.Script`, `new Function` and ES modules keep about 1 MB per 200 KB version, loading.md §4.1).
 *
 * The wrapper gets one more parameter than Node's, a per-version sentinel object, and the body
 * ends with a function that returns it. That forces V8 to keep the sentinel in the module's
 * context, which every closure, class and instance of the version reaches; the code server holds
 * only a WeakRef to it, so "the sentinel is alive after a full GC" means "something still uses
 * this version" (loading.md §4.4 A).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { IMPORT_PARAMETER, rewriteDynamicImports } from './dynamic-import';
import { CodeError } from './errors';
import { rememberScript, scriptIdOf, type AnyFunction } from './function-locator';
import { hotrelModule, isHotrelSpecifier } from './hotrel-modules';
import { ModuleVersion, type ModuleRecord } from './module-record';
import { importPackage, requirePackage } from './packages';
import { inlineSourceMap, VersionSourceMap, withoutSourceMapComment } from './source-map';
import { dropTrace, registerTrace, type TraceEntry } from './stack-trace';
import { resolveAppSpecifier, type Application } from './applications';

/** Compiled code of one module version, as read from a release or produced by the compiler. */
export interface CompiledModule {
  /** CommonJS JavaScript. */
  code: string;
  /** Its source map (JSON); default: an inline `sourceMappingURL` data URL in `code`, if any. */
  map?: string | undefined;
  /** The file it comes from (`.js` in a release, the `.ts` in the dev loop): `__filename`. */
  file: string;
  /** The TypeScript source file, when known (shown by `moduleInfo`). */
  sourceFile?: string | undefined;
  /** md5 of the TypeScript source, when compiled from it (the dev loop's "modified?" check). */
  sourceHash?: string | undefined;
  /** The directory the map's relative `sources` start from (default: the directory of `file`). */
  mapBase?: string | undefined;
}

/** What the loader needs from the code server to resolve an application module. */
export interface ModuleLinker {
  /** Whether a module id can be required (known to the code server, or has a file). */
  exists(id: string): boolean;
  /** The record of a module required by application code, loading it first when needed. */
  recordFor(id: string): ModuleRecord;
}

const SENTINEL = '__hotrel_sentinel$';
const PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname', IMPORT_PARAMETER, SENTINEL];
// Appended, not prepended, so that line and column numbers of the code stay as the map says.
const KEEP_SENTINEL = `\n;function __hotrel_keep$() { return ${SENTINEL}; }\n`;

/** A version's sentinel. Its class name makes it recognisable in heap snapshots. */
class HotrelVersionSentinel {
  constructor(readonly label: string) {}
}

/**
 * Compiles and evaluates `compiled` as the next version of `record`. Throws a `CodeError`
 * (`badfile` or `on_load_failure`) and changes nothing when that fails.
 */
export function evaluateVersion(
  record: ModuleRecord,
  app: Application,
  compiled: CompiledModule,
  linker: ModuleLinker,
): ModuleVersion {
  const seq = record.nextSeq++;
  const file = path.resolve(compiled.file);
  const filename = `${file}#v${seq}`;
  const requires = new Set<ModuleRecord>();
  const require = makeRequire(record, app, file, requires, linker);
  const dynamicImport = makeDynamicImport(record, app, requires, linker);

  let wrapper: AnyFunction;
  try {
    const code = rewriteDynamicImports(compiled.code, file);
    wrapper = vm.compileFunction(code + KEEP_SENTINEL, PARAMETERS, { filename }) as unknown as AnyFunction;
  } catch (err) {
    throw new CodeError(
      'badfile',
      `${record.id}: ${file} is not loadable JavaScript: ${err instanceof Error ? err.message : String(err)}`,
      { module: record.id, cause: err },
    );
  }

  const mapText = compiled.map ?? inlineSourceMap(compiled.code);
  const sourceMap =
    mapText === undefined || mapText === ''
      ? undefined
      : new VersionSourceMap(mapText, compiled.mapBase ?? path.dirname(file));
  const trace: TraceEntry = { moduleId: record.id, seq, vsn: undefined, map: sourceMap };
  registerTrace(filename, trace);

  const sentinel = new HotrelVersionSentinel(`${record.id}#v${seq}`);
  const exports: Record<string, unknown> = {};
  const module = { exports, id: record.id, filename: file, path: path.dirname(file), loaded: false, require };
  const scriptId = scriptIdOf(wrapper) ?? undefined;
  try {
    wrapper.call(exports, exports, require, module, file, path.dirname(file), dynamicImport, sentinel);
  } catch (err) {
    // Format the stack now, while the version's map is still known.
    if (err instanceof Error) void err.stack;
    dropTrace(filename, false);
    throw new CodeError(
      'on_load_failure',
      `${record.id}: evaluating ${file} threw: ${err instanceof Error ? err.message : String(err)}; the module's previous code is unchanged`,
      { module: record.id, cause: err },
    );
  }
  module.loaded = true;

  const result = module.exports as unknown;
  if (
    result === null ||
    (typeof result !== 'object' && typeof result !== 'function') ||
    typeof result === 'function'
  ) {
    dropTrace(filename, false);
    throw new CodeError(
      'badfile',
      `${record.id}: ${file} replaces module.exports with ${typeof result === 'function' ? 'a function' : String(result)} ` +
        '(`export =`): a hot-loadable module needs named or default exports (`export default ...`) so that its facade can follow new versions',
      { module: record.id },
    );
  }
  const finalExports = result as Record<string, unknown>;
  const exportNames = Object.keys(finalExports).filter((n) => n !== '__esModule');
  const reexports = new Set<string>();
  for (const name of exportNames) {
    const d = Object.getOwnPropertyDescriptor(finalExports, name);
    if (d?.get !== undefined) reexports.add(name);
    else if (typeof d?.value === 'function' && scriptId !== undefined)
      rememberScript(d.value as AnyFunction, scriptId);
  }
  const md5 = crypto.createHash('md5').update(withoutSourceMapComment(compiled.code)).digest('hex');
  const vsn = vsnOf(finalExports) ?? md5;
  trace.vsn = vsn;

  return new ModuleVersion(record, {
    seq,
    filename,
    file,
    sourceFile: compiled.sourceFile,
    sourceHash: compiled.sourceHash,
    vsn,
    md5,
    exports: finalExports,
    exportNames,
    reexports,
    sentinel,
    scriptId,
    sourceMap,
    requires,
  });
}

function vsnOf(exports: Record<string, unknown>): string | undefined {
  let value: unknown;
  try {
    value = exports.vsn;
  } catch {
    return undefined;
  }
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * The `require` application code gets: application modules (relative paths and application
 * names) resolve to facades, `hotrel` to the running hotrel, everything else to Node's `require`
 * at the application's package root.
 */
function makeRequire(
  record: ModuleRecord,
  app: Application,
  file: string,
  requires: Set<ModuleRecord>,
  linker: ModuleLinker,
): NodeJS.Require {
  const require = function require(specifier: string): unknown {
    if (typeof specifier !== 'string' || specifier === '') {
      throw new TypeError(`require: the module name must be a non-empty string (in ${record.id})`);
    }
    if (isHotrelSpecifier(specifier)) return hotrelModule(specifier);
    const target = resolveAppSpecifier(app, record.relpath, specifier, (id) => linker.exists(id));
    if (target === undefined) return requirePackage(app, specifier);
    if ('json' in target) return readJson(target.json, record.id);
    const dependency = linker.recordFor(target.id);
    requires.add(dependency);
    return dependency.facade;
  };
  const resolve = (specifier: string): string => {
    const target = resolveAppSpecifier(app, record.relpath, specifier, (id) => linker.exists(id));
    if (target === undefined) return app.nodeRequire.resolve(specifier);
    return 'json' in target ? target.json : target.id;
  };
  return Object.assign(require, {
    resolve: Object.assign(resolve, { paths: (s: string) => app.nodeRequire.resolve.paths(s) }),
    cache: Object.create(null) as NodeJS.Dict<NodeJS.Module>,
    extensions: app.nodeRequire.extensions,
    main: undefined,
    file,
  }) as unknown as NodeJS.Require;
}

/**
 * A raw `import()` in application code (see dynamic-import.ts): an application module gives its
 * facade (live, like a namespace), a package its ES module namespace as Node imports it.
 */
function makeDynamicImport(
  record: ModuleRecord,
  app: Application,
  requires: Set<ModuleRecord>,
  linker: ModuleLinker,
): (specifier: unknown) => Promise<unknown> {
  return async (specifier: unknown): Promise<unknown> => {
    const name = String(specifier);
    if (isHotrelSpecifier(name)) return hotrelModule(name);
    const target = resolveAppSpecifier(app, record.relpath, name, (id) => linker.exists(id));
    if (target === undefined) return importPackage(app, name);
    if ('json' in target) return { default: readJson(target.json, record.id) };
    const dependency = linker.recordFor(target.id);
    requires.add(dependency);
    return dependency.facade;
  };
}

function readJson(file: string, from: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw new CodeError(
      'nofile',
      `${from}: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`,
      {
        module: from,
        cause: err,
      },
    );
  }
}
