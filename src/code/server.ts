/**
 * The code server: at most two versions of each module (current and old), loading, purging and
 * the checks that tell which processes still use old code. `otp/semantics.md` §8 is the
 * reference; DESIGN.md §5 the design.
 *
 * One per Node process, like the runtime it builds on. Operations that change code (load,
 * commit, purge, delete) run one at a time, in call order, as calls to Erlang's code_server
 * process do; the checks may run at any time.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { allProcesses, exit, isAlive, logger, lookupProcess, onSpawn, Proc, type Pid } from '../runtime';
import {
  findApplication,
  forgetApplication,
  getApplication,
  moduleFile,
  type Application,
} from './applications';
import { compileModule, formatDiagnostics, hasErrors } from './compile';
import { CodeError } from './errors';
import { collectGarbage } from './gc';
import { describeHolders, type CodeHolder } from './holders';
import { evaluateVersion, type CompiledModule, type ModuleLinker } from './loader';
import { parseModuleId } from './module-id';
import { MODULE_ID, ModuleRecord, type Facade, type ModuleVersion } from './module-record';
import { preloadPackages as preloadFor } from './packages';
import { survey, tagSpawn, type VersionIndex, type VersionUse } from './process-code';
import { dropTrace, installStackTraces } from './stack-trace';

const SINGLETON = Symbol.for('hotrel.codeServer');
{
  const holder = globalThis as Record<symbol, unknown>;
  const existing = holder[SINGLETON] as { file: string } | undefined;
  if (existing !== undefined) {
    throw new Error(
      `a second hotrel code server is being loaded (${__filename}; the first came from ${existing.file}): ` +
        'there must be exactly one copy of hotrel per Node process. Make every package use the same hotrel installation',
    );
  }
  holder[SINGLETON] = { file: __filename };
}

onSpawn(tagSpawn);

const records = new Map<string, ModuleRecord>();
const byFilename = new Map<string, ModuleVersion>();
const byScriptId = new Map<string, ModuleVersion>();
const facades = new WeakSet<object>();
const evaluating = new Set<ModuleRecord>();
/** Modules of a batch being prepared: required before their turn, they get their facade, no autoload. */
const pending = new Set<ModuleRecord>();
/** Versions purged while something outside any process still referenced them. */
const lingering = new Set<ModuleVersion>();

const index: VersionIndex = {
  byFilename: (f) => byFilename.get(f),
  byScriptId: (s) => byScriptId.get(s),
  skip: (o) => facades.has(o) || o instanceof Proc,
};

/** How to deal with old code that is in the way of a load (OTP's PrePurge). */
export type PurgeMode = 'brutal' | 'soft' | 'none';

export interface LoadOptions {
  /**
   * What to do when the module already has old code: `brutal` (default, as `code:load_file`)
   * kills the processes that still use it; `soft` refuses with `not_purged` if any does;
   * `none` refuses whenever old code exists (`erlang:load_module/2`).
   */
  purge?: PurgeMode;
  /** After purging, run a full GC and report old versions still referenced (default true). */
  verify?: boolean;
}

export interface PurgeOptions {
  /** After purging, run a full GC and report old versions still referenced (default true). */
  verify?: boolean;
}

/** What `purge` did. */
export interface PurgeResult {
  /** Whether any process was killed (the boolean `code:purge/1` returns). */
  killed: boolean;
  /** The processes killed, and what each of them ran or held. */
  victims: CodeHolder[];
  /** Modules whose old code had to be removed (`module@vsn`). */
  purged: string[];
  /**
   * Purged versions still referenced after a full GC by something that is not a process's
   * stack, state, mailbox, dictionary or timer (a module-level variable of another module, an
   * event listener or timer owned by no process, a pending promise callback): their code keeps
   * running wherever it is referenced and their memory is not freed. Empty without `verify`.
   */
  retained: string[];
}

/** What `softPurge` did. */
export interface SoftPurgeResult {
  /** Whether the old code is gone (true as well when there was none): `code:soft_purge/1`. */
  purged: boolean;
  /** The processes that prevented it. */
  holders: CodeHolder[];
  /** Old versions still referenced after a full GC although no process was found to hold them. */
  unattributed: string[];
}

export interface LoadResult {
  module: string;
  vsn: string;
  md5: string;
  /** What purging the previous old code did, if there was any. */
  purge: PurgeResult | undefined;
}

/** One module's information (`M:module_info/0`). */
export interface ModuleInfo {
  module: string;
  app: string;
  relpath: string;
  /** `export const vsn`, or the md5 of the compiled code. */
  vsn: string;
  /** md5 (hex) of the compiled code. */
  md5: string;
  exports: string[];
  /** The file the current version was loaded from. */
  file: string;
  /** The TypeScript source, when it was compiled in this node. */
  sourceFile: string | undefined;
  /** The file name V8 knows the current version by (`<file>#v<n>`). */
  filename: string;
  loadedAt: Date;
  /** The old version, if the module has old code. */
  old: { vsn: string; md5: string; filename: string } | undefined;
}

/** A process that runs or holds old code (the seed's `find_old_code/0`). */
export interface OldCodeReport {
  pid: Pid;
  name: string | undefined;
  /** The modules whose old code it runs or holds. */
  modules: string[];
  holders: CodeHolder[];
}

/** What a process runs or holds (`checkProcessCode` for every loaded module at once). */
export interface ProcessCodeUse extends CodeHolder {
  /** Whether it is the module's current version (else its old one). */
  current: boolean;
}

/**
 * A version evaluated but not current yet (OTP's `load_object_code`): {@link commit} makes it
 * current, {@link discard} drops it.
 */
export class PreparedModule {
  /** @internal */
  constructor(readonly version: ModuleVersion) {}
  get module(): string {
    return this.version.module.id;
  }
  get vsn(): string {
    return this.version.vsn;
  }
  get md5(): string {
    return this.version.md5;
  }
  get exportNames(): readonly string[] {
    return this.version.exportNames;
  }
  /** The version's own exports object (not the facade). */
  get exports(): Record<string, unknown> | undefined {
    return this.version.exports;
  }
}

// ---------------------------------------------------------------------------------------------
// Serialisation of code changes

let tail: Promise<unknown> = Promise.resolve();

function serialized<T>(op: () => Promise<T>): Promise<T> {
  const run = tail.then(op, op);
  tail = run.catch(() => undefined);
  return run;
}

// ---------------------------------------------------------------------------------------------
// Records and the loader

function recordOf(id: string): ModuleRecord {
  let record = records.get(id);
  if (record === undefined) {
    const { app, relpath } = parseModuleId(id);
    record = new ModuleRecord(app, relpath);
    records.set(id, record);
    facades.add(record.facade);
  }
  return record;
}

function existingRecord(id: string): ModuleRecord | undefined {
  parseModuleId(id);
  return records.get(id);
}

const linker: ModuleLinker = {
  exists(id) {
    const record = records.get(id);
    if (record !== undefined && (record.known || evaluating.has(record) || pending.has(record))) return true;
    const { app, relpath } = parseModuleId(id);
    const application = findApplication(app);
    return application !== undefined && moduleFile(application, relpath) !== undefined;
  },
  recordFor(id) {
    const record = recordOf(id);
    if (
      record.current !== undefined ||
      record.prepared.size > 0 ||
      evaluating.has(record) ||
      pending.has(record)
    ) {
      return record;
    }
    if (record.old !== undefined) {
      throw new CodeError(
        'not_loaded',
        `${id} was deleted (it has old code and no current code): load it again with load('${id}')`,
        { module: id },
      );
    }
    // Interactive mode: a module required before it is loaded is loaded now, as Erlang's code
    // server loads a module on its first call. It has no code yet, so nothing needs purging.
    const version = prepareVersion(id, undefined);
    install([version]);
    return record;
  },
};

function compiledFromDisk(app: Application, relpath: string, id: string): CompiledModule {
  const found = moduleFile(app, relpath);
  if (found === undefined) {
    const expected = path.join(app.dir, ...relpath.split('/')) + (app.form === 'ts' ? '.ts' : '.js');
    throw new CodeError('nofile', `${id}: there is no ${expected}`, { module: id });
  }
  const text = fs.readFileSync(found.file, 'utf8');
  if (found.form === 'ts') return compileSource(id, text, found.file);
  const mapFile = `${found.file}.map`;
  return {
    code: text,
    map: fs.existsSync(mapFile) ? fs.readFileSync(mapFile, 'utf8') : undefined,
    file: found.file,
  };
}

/** Compiles TypeScript source for module `id`, or throws `badfile` with the diagnostics. */
export function compileSource(id: string, source: string, file: string): CompiledModule {
  const output = compileModule(source, file);
  if (hasErrors(output.diagnostics)) {
    throw new CodeError(
      'badfile',
      `${id}: ${file} does not compile:\n${formatDiagnostics(output.diagnostics)}`,
      {
        module: id,
        diagnostics: output.diagnostics,
      },
    );
  }
  return {
    code: output.code,
    map: output.map,
    file,
    sourceFile: file,
    sourceHash: md5(source),
    mapBase: path.dirname(file),
  };
}

function md5(text: string): string {
  return crypto.createHash('md5').update(text).digest('hex');
}

function prepareVersion(id: string, compiled: CompiledModule | undefined): ModuleVersion {
  const { app: appName, relpath } = parseModuleId(id);
  const app = getApplication(appName);
  const record = recordOf(id);
  if (evaluating.has(record)) {
    throw new CodeError(
      'badarg',
      `${id} is being evaluated already (a module cannot load itself while it loads)`,
      {
        module: id,
      },
    );
  }
  installStackTraces();
  const input = compiled ?? compiledFromDisk(app, relpath, id);
  evaluating.add(record);
  let version: ModuleVersion;
  try {
    version = evaluateVersion(record, app, input, linker);
  } finally {
    evaluating.delete(record);
  }
  record.prepared.add(version);
  byFilename.set(version.filename, version);
  if (version.scriptId !== undefined) byScriptId.set(version.scriptId, version);
  return version;
}

/** Forgets a version that will never run again (purged or discarded). */
function untrack(version: ModuleVersion, status: 'purged' | 'discarded'): void {
  version.status = status;
  byFilename.delete(version.filename);
  if (version.scriptId !== undefined) byScriptId.delete(version.scriptId);
  dropTrace(version.filename, status === 'purged');
  version.exports = undefined;
  version.sourceMap = undefined;
}

/** Makes prepared versions current (their modules must have no old code). */
function install(versions: readonly ModuleVersion[]): void {
  for (const version of versions) {
    const record = version.module;
    if (record.old !== undefined) throw new Error(`internal: ${record.id} still has old code`);
    if (record.current !== undefined) {
      record.current.status = 'old';
      record.old = record.current;
    }
    record.current = version;
    version.status = 'current';
    record.prepared.delete(version);
    record.publish(version);
  }
  republished(versions.map((v) => v.module));
}

/**
 * After facades changed: updates the facades of modules that re-export from a changed module
 * (`export { f } from './a'`), transitively.
 */
function republished(changed: readonly ModuleRecord[]): void {
  const queue = [...changed];
  const done = new Set(changed);
  while (queue.length > 0) {
    const record = queue.shift()!;
    for (const other of records.values()) {
      const current = other.current;
      if (
        done.has(other) ||
        current === undefined ||
        current.reexports.size === 0 ||
        !current.requires.has(record)
      ) {
        continue;
      }
      other.refreshReexports();
      done.add(other);
      queue.push(other);
    }
  }
}

function discardVersion(version: ModuleVersion): void {
  if (version.status !== 'prepared') return;
  version.module.prepared.delete(version);
  untrack(version, 'discarded');
}

// ---------------------------------------------------------------------------------------------
// Purging

function toHolder(use: VersionUse): CodeHolder {
  return {
    pid: use.pid,
    name: use.name,
    module: use.version.module.id,
    vsn: use.version.vsn,
    how: use.how,
    where: use.where,
  };
}

/** Drops the code server's own strong references to versions, so a GC can tell who else has them. */
function release(versions: readonly ModuleVersion[]): void {
  for (const v of versions) v.exports = undefined;
}

/** Keeps the `spawned` uses whose spawn function survived a full GC (it may still be running). */
function stillSpawned(uses: readonly VersionUse[]): VersionUse[] {
  return uses.filter((u) => isAlive(u.pid) && u.spawnFn?.deref() !== undefined);
}

async function purgeNow(targetsOf: readonly ModuleRecord[], options: PurgeOptions): Promise<PurgeResult> {
  const targets = oldVersions(targetsOf);
  if (targets.length === 0) return { killed: false, victims: [], purged: [], retained: [] };
  const uses = await survey([...allProcesses()], index, { versions: new Set(targets) });
  let spawned = uses.filter((u) => u.how === 'spawned');
  const definite = uses.filter((u) => u.how !== 'spawned');
  if (spawned.length > 0) {
    release(targets);
    await collectGarbage();
    spawned = stillSpawned(spawned);
  }
  const victims = [...definite, ...spawned].filter((u) => isAlive(u.pid));
  const killedPids = new Map<number, Pid>();
  for (const use of victims) killedPids.set(use.pid.id, use.pid);
  for (const pid of killedPids.values()) exit(pid, 'kill');
  for (const version of targets) {
    if (version.module.old === version) version.module.old = undefined;
    untrack(version, 'purged');
  }
  if (killedPids.size > 0) {
    logger().info(
      { modules: targets.map((t) => t.label) },
      `purge killed ${killedPids.size} process(es) still using old code:\n${describeHolders(victims.map(toHolder))}`,
    );
  }
  const retained: string[] = [];
  if (options.verify !== false) {
    await collectGarbage();
    for (const version of lingering) if (version.sentinel.deref() === undefined) lingering.delete(version);
    for (const version of targets) {
      if (version.sentinel.deref() === undefined) continue;
      lingering.add(version);
      retained.push(version.label);
    }
    if (retained.length > 0) {
      logger().warn(
        { modules: retained },
        `old code of ${retained.join(', ')} was purged but is still referenced outside any process (a module-level ` +
          'variable, an event listener or timer not owned by a process, a pending promise callback): it keeps running ' +
          'where it is referenced and its memory is not freed',
      );
    }
  }
  return {
    killed: killedPids.size > 0,
    victims: victims.map(toHolder),
    purged: targets.map((t) => t.label),
    retained,
  };
}

async function softPurgeNow(targetsOf: readonly ModuleRecord[]): Promise<SoftPurgeResult> {
  const targets = oldVersions(targetsOf);
  if (targets.length === 0) return { purged: true, holders: [], unattributed: [] };
  const uses = await survey([...allProcesses()], index, { versions: new Set(targets) });
  const definite = uses.filter((u) => u.how !== 'spawned');
  if (definite.length > 0) return { purged: false, holders: definite.map(toHolder), unattributed: [] };
  release(targets);
  await collectGarbage();
  const spawned = stillSpawned(uses.filter((u) => u.how === 'spawned'));
  if (spawned.length > 0) return { purged: false, holders: spawned.map(toHolder), unattributed: [] };
  const unattributed = targets.filter((t) => t.sentinel.deref() !== undefined).map((t) => t.label);
  if (unattributed.length > 0) return { purged: false, holders: [], unattributed };
  for (const version of targets) {
    version.module.old = undefined;
    untrack(version, 'purged');
  }
  return { purged: true, holders: [], unattributed: [] };
}

function oldVersions(targets: readonly ModuleRecord[]): ModuleVersion[] {
  const out: ModuleVersion[] = [];
  for (const record of new Set(targets)) if (record.old !== undefined) out.push(record.old);
  return out;
}

function refusal(result: SoftPurgeResult, ids: string): CodeError {
  const why =
    result.holders.length > 0
      ? `processes still use it:\n${describeHolders(result.holders)}`
      : `it is still referenced outside any process (${result.unattributed.join(', ')})`;
  return new CodeError(
    'not_purged',
    `old code of ${ids} cannot be soft-purged: ${why}\nPurge brutally (kills them), or let them move to the current code first`,
    { module: ids, holders: result.holders },
  );
}

async function commitNow(versions: readonly ModuleVersion[], options: LoadOptions): Promise<LoadResult[]> {
  const seen = new Set<ModuleRecord>();
  for (const v of versions) {
    if (v.status !== 'prepared' || !v.module.prepared.has(v)) {
      throw new CodeError('badarg', `${v.label} was already committed or discarded`, { module: v.module.id });
    }
    if (seen.has(v.module)) {
      throw new CodeError('badarg', `two versions of ${v.module.id} in one commit`, { module: v.module.id });
    }
    seen.add(v.module);
  }
  const mode = options.purge ?? 'brutal';
  if (mode !== 'brutal' && mode !== 'soft' && mode !== 'none') {
    throw new CodeError('badarg', `purge must be 'brutal', 'soft' or 'none', got ${String(mode)}`);
  }
  const withOld = versions.map((v) => v.module).filter((r) => r.old !== undefined);
  let purge: PurgeResult | undefined;
  if (withOld.length > 0) {
    const ids = withOld.map((r) => r.id).join(', ');
    if (mode === 'none') {
      throw new CodeError(
        'not_purged',
        `${ids} still has old code: purge it first (purge or softPurge), or load with purge: 'brutal' or 'soft'`,
        { module: ids },
      );
    }
    if (mode === 'soft') {
      const result = await softPurgeNow(withOld);
      if (!result.purged) throw refusal(result, ids);
    } else {
      purge = await purgeNow(withOld, { verify: options.verify ?? true });
    }
  }
  install(versions);
  return versions.map((v) => ({ module: v.module.id, vsn: v.vsn, md5: v.md5, purge }));
}

// ---------------------------------------------------------------------------------------------
// The API

/**
 * Loads module `id` from its application's directory and makes it current (Erlang's
 * `code:load_file/1`): compiles it (a `ts` application) or reads the compiled `.js` + `.js.map`.
 * If the module has old code, it is purged first (brutally by default: processes still using it
 * are killed). When compiling or evaluating fails, nothing changes and a `CodeError` says why.
 */
export function load(id: string, options: LoadOptions = {}): Promise<LoadResult> {
  return serialized(async () => {
    const version = prepareVersion(id, undefined);
    try {
      return (await commitNow([version], options))[0]!;
    } catch (err) {
      discardVersion(version);
      throw err;
    }
  });
}

/** Compiles TypeScript `source` as module `id` and loads it (`file` is its path, for traces). */
export function loadSource(
  id: string,
  source: string,
  file: string,
  options: LoadOptions = {},
): Promise<LoadResult> {
  return loadCompiled(id, compileSource(id, source, path.resolve(file)), options);
}

/** Loads compiled code as module `id` (Erlang's `code:load_binary/3`). */
export function loadCompiled(
  id: string,
  compiled: CompiledModule,
  options: LoadOptions = {},
): Promise<LoadResult> {
  checkCompiled(compiled);
  return serialized(async () => {
    const version = prepareVersion(id, compiled);
    try {
      return (await commitNow([version], options))[0]!;
    } catch (err) {
      discardVersion(version);
      throw err;
    }
  });
}

/**
 * Evaluates a new version of `id` without making it current (OTP's `load_object_code`): from
 * `compiled`, or else from the application's directory. Evaluation runs the module body, which
 * may require other modules: they get facades (loaded first if they are not loaded yet).
 */
export function prepare(id: string, compiled?: CompiledModule): PreparedModule {
  if (compiled !== undefined) checkCompiled(compiled);
  return new PreparedModule(prepareVersion(id, compiled));
}

/**
 * Prepares several modules as one batch (OTP's `load_object_code` of an application's modules):
 * a module of the batch required by another before its own turn gets its facade (filled at
 * commit) instead of being loaded from the application's directory. All or nothing: if one
 * fails, the ones already prepared are discarded and the error is thrown.
 */
export function prepareAll(
  modules: ReadonlyArray<string | { id: string; compiled?: CompiledModule }>,
): PreparedModule[] {
  const specs = modules.map((m) => (typeof m === 'string' ? { id: m, compiled: undefined } : m));
  for (const spec of specs) if (spec.compiled !== undefined) checkCompiled(spec.compiled);
  const records = specs.map((spec) => recordOf(spec.id));
  const done: ModuleVersion[] = [];
  for (const record of records) pending.add(record);
  try {
    for (const spec of specs) done.push(prepareVersion(spec.id, spec.compiled));
  } catch (err) {
    for (const version of done) discardVersion(version);
    throw err;
  } finally {
    for (const record of records) pending.delete(record);
  }
  return done.map((v) => new PreparedModule(v));
}

/**
 * Makes prepared versions current, in order (OTP's `load` instruction after
 * `load_object_code`). Old code of those modules is purged first, one GC for the whole batch;
 * with `purge: 'soft'` nothing is committed if any of it is still used.
 */
export function commit(
  prepared: PreparedModule | readonly PreparedModule[],
  options: LoadOptions = {},
): Promise<LoadResult[]> {
  const list = Array.isArray(prepared)
    ? (prepared as readonly PreparedModule[])
    : [prepared as PreparedModule];
  return serialized(() => commitNow(list.map(versionOf), options));
}

/** Drops a prepared version that will not be committed. */
export function discard(prepared: PreparedModule): void {
  discardVersion(versionOf(prepared));
}

function versionOf(p: PreparedModule): ModuleVersion {
  if (!(p instanceof PreparedModule))
    throw new CodeError('badarg', 'commit/discard take what prepare() returned');
  return p.version;
}

function checkCompiled(compiled: CompiledModule): void {
  if (
    compiled === null ||
    typeof compiled !== 'object' ||
    typeof compiled.code !== 'string' ||
    typeof compiled.file !== 'string'
  ) {
    throw new CodeError('badarg', 'compiled code is { code: string, file: string, map?: string }');
  }
}

/**
 * Undoes the last commit of `id` (a failed upgrade rolled back in process): its old version
 * becomes current again and the version being abandoned becomes old and is purged as `purge`
 * says (default `brutal`). A module that had no previous version is deleted and purged. Undoes a
 * {@link deleteModule} too: a module with old code and no current code gets its old code back as
 * current (nothing is purged then).
 */
export function revert(
  id: string,
  options: LoadOptions = {},
): Promise<PurgeResult | SoftPurgeResult | undefined> {
  return serialized(async () => {
    const record = existingRecord(id);
    if (record?.current === undefined && record?.old !== undefined) {
      const restored = record.old;
      if (restored.exports === undefined) {
        throw new CodeError(
          'not_loaded',
          `the deleted code of ${id} was already released by a purge check; it cannot be made current again`,
          { module: id },
        );
      }
      record.old = undefined;
      record.current = restored;
      restored.status = 'current';
      record.publish(restored);
      republished([record]);
      return undefined;
    }
    if (record?.current === undefined) {
      throw new CodeError('not_loaded', `${id} has no current code to revert`, { module: id });
    }
    if (record.old === undefined) {
      deleteNow(record);
    } else {
      const restored = record.old;
      if (restored.exports === undefined) {
        throw new CodeError(
          'not_loaded',
          `the old version of ${id} was already released by a purge check; it cannot be made current again`,
          {
            module: id,
          },
        );
      }
      const abandoned = record.current;
      record.current = restored;
      restored.status = 'current';
      record.old = abandoned;
      abandoned.status = 'old';
      record.publish(restored);
      republished([record]);
    }
    const mode = options.purge ?? 'brutal';
    if (mode === 'none') return undefined;
    return mode === 'soft' ? softPurgeNow([record]) : purgeNow([record], options);
  });
}

/**
 * Makes the current code of `id` old, leaving no current code (Erlang's `code:delete/1`): calls
 * through its facade throw `undef`. Returns false if the module is not loaded or already has old
 * code (purge that first).
 */
export function deleteModule(id: string): boolean {
  const record = existingRecord(id);
  if (record === undefined || record.current === undefined || record.old !== undefined) return false;
  deleteNow(record);
  return true;
}

function deleteNow(record: ModuleRecord): void {
  record.current!.status = 'old';
  record.old = record.current;
  record.current = undefined;
  record.publish(undefined);
  republished([record]);
}

/**
 * Removes the old code of the given modules, killing (exit signal `kill`) every process that
 * still runs or holds it (Erlang's `code:purge/1`, which however ignores funs). One GC for the
 * batch confirms the old code is gone.
 */
export function purge(ids: string | readonly string[], options: PurgeOptions = {}): Promise<PurgeResult> {
  const list = typeof ids === 'string' ? [ids] : ids;
  return serialized(() => purgeNow(list.map(recordForCheck), options));
}

/**
 * Removes the old code of the given modules only if nothing uses it (Erlang's
 * `code:soft_purge/1`); otherwise removes nothing and names the processes that still do.
 */
export function softPurge(ids: string | readonly string[]): Promise<SoftPurgeResult> {
  const list = typeof ids === 'string' ? [ids] : ids;
  return serialized(() => softPurgeNow(list.map(recordForCheck)));
}

function recordForCheck(id: string): ModuleRecord {
  return existingRecord(id) ?? recordOf(id);
}

/** Whether module `id` has old code (`erlang:check_old_code/1`). */
export function checkOldCode(id: string): boolean {
  return existingRecord(id)?.old !== undefined;
}

/**
 * Whether process `pid` runs old code of `id` (a frame on its stack; `erlang:check_process_code/2`)
 * or, unless `funs: false`, holds a function or instance of it in its state, mailbox, dictionary
 * or timers. A process that cannot be probed counts if its spawn function is of the old code.
 */
export async function checkProcessCode(
  pid: Pid,
  id: string,
  options: { funs?: boolean } = {},
): Promise<boolean> {
  const old = existingRecord(id)?.old;
  const proc = lookupProcess(pid);
  if (old === undefined || proc === undefined) return false;
  const uses = await survey([proc], index, { versions: new Set([old]), funs: options.funs ?? true });
  return uses.length > 0;
}

/** Every module version process `pid` runs or holds, current or old. */
export async function processCode(pid: Pid): Promise<ProcessCodeUse[]> {
  const proc = lookupProcess(pid);
  if (proc === undefined) return [];
  const uses = await survey([proc], index);
  return uses.map((u) => ({ ...toHolder(u), current: u.version.module.current === u.version }));
}

/**
 * Every process that runs or holds old code, with the modules concerned (the seed's
 * `find_old_code/0`), in pid order.
 */
export async function findOldCode(): Promise<OldCodeReport[]> {
  const olds = new Set<ModuleVersion>();
  for (const record of records.values()) if (record.old !== undefined) olds.add(record.old);
  return usersOf(olds);
}

/**
 * Every process that runs or holds the **current** code of the given modules, in pid order: what
 * would keep that code alive once a new version makes it old (an upgrade's plan names them: a
 * later purge kills them, a soft purge is refused because of them).
 */
export async function findCurrentCodeUsers(ids: readonly string[]): Promise<OldCodeReport[]> {
  const currents = new Set<ModuleVersion>();
  for (const id of ids) {
    const current = existingRecord(id)?.current;
    if (current !== undefined) currents.add(current);
  }
  return usersOf(currents);
}

async function usersOf(versions: ReadonlySet<ModuleVersion>): Promise<OldCodeReport[]> {
  if (versions.size === 0) return [];
  const uses = await survey([...allProcesses()], index, { versions });
  const byPid = new Map<number, OldCodeReport>();
  for (const use of uses) {
    let report = byPid.get(use.pid.id);
    if (report === undefined) {
      report = { pid: use.pid, name: use.name, modules: [], holders: [] };
      byPid.set(use.pid.id, report);
    }
    if (!report.modules.includes(use.version.module.id)) report.modules.push(use.version.module.id);
    report.holders.push(toHolder(use));
  }
  return [...byPid.values()].sort((a, b) => a.pid.id - b.pid.id);
}

/** `{ file }` if module `id` has current code (`code:is_loaded/1`), else false. */
export function isLoaded(id: string): { file: string } | false {
  const current = existingRecord(id)?.current;
  return current === undefined ? false : { file: current.file };
}

/** Every module with current code and the file it came from (`code:all_loaded/0`). */
export function allLoaded(): Array<{ module: string; file: string }> {
  const out: Array<{ module: string; file: string }> = [];
  for (const record of records.values())
    if (record.current !== undefined) out.push({ module: record.id, file: record.current.file });
  return out;
}

/** Information on module `mod` (an id or a facade): vsn, md5, exports, files, old code. */
export function moduleInfo(mod: string | object): ModuleInfo {
  const id = typeof mod === 'string' ? mod : moduleIdOf(mod);
  if (id === undefined) throw new CodeError('badarg', 'moduleInfo takes a module id or a module facade');
  const record = existingRecord(id);
  const current = record?.current;
  if (record === undefined || current === undefined) {
    throw new CodeError('not_loaded', `${id} is not loaded: load it with load('${id}')`, { module: id });
  }
  return {
    module: record.id,
    app: record.app,
    relpath: record.relpath,
    vsn: current.vsn,
    md5: current.md5,
    exports: [...current.exportNames],
    file: current.file,
    sourceFile: current.sourceFile,
    filename: current.filename,
    loadedAt: current.loadedAt,
    old:
      record.old === undefined
        ? undefined
        : { vsn: record.old.vsn, md5: record.old.md5, filename: record.old.filename },
  };
}

/**
 * The facade of module `id`, what `import ... from` gives application code (Erlang's `?MODULE`
 * as a value). Loads the module first if it is not loaded (interactive mode).
 */
export function getModule<T extends object = Record<string, unknown>>(id: string): T & Facade {
  return linker.recordFor(id).facade as T & Facade;
}

/** The module id of a facade (`Symbol.for('hotrel.module')`), or undefined for other values. */
export function moduleIdOf(value: unknown): string | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  const id = (value as Record<symbol, unknown>)[MODULE_ID];
  return typeof id === 'string' ? id : undefined;
}

/**
 * Whether the current version of `mod` exports `name` (Erlang's `erlang:function_exported/3`).
 * A removed export's `undef` stub is a function but is not exported.
 */
export function isExported(mod: string | object, name: string): boolean {
  const id = typeof mod === 'string' ? mod : moduleIdOf(mod);
  return id !== undefined && (existingRecord(id)?.exportsName(name) ?? false);
}

/** Which loaded version a V8 file name (from a stack trace or `probeStack`) belongs to. */
export function versionOfFile(
  filename: string,
): { module: string; vsn: string; seq: number; status: 'prepared' | 'current' | 'old' } | undefined {
  const version = byFilename.get(filename);
  if (version === undefined) return undefined;
  return {
    module: version.module.id,
    vsn: version.vsn,
    seq: version.seq,
    status: version.status as 'prepared' | 'current' | 'old',
  };
}

/**
 * Purged versions that were still referenced at their purge and still are (without a GC, an
 * answer may include versions only waiting to be collected).
 */
export function lingeringVersions(): string[] {
  for (const version of lingering) if (version.sentinel.deref() === undefined) lingering.delete(version);
  return [...lingering].map((v) => v.label);
}

/**
 * Forgets an application (its modules must have neither current nor old code: delete and purge
 * them first).
 */
export function removeApplication(name: string): void {
  for (const record of records.values()) {
    if (record.app === name && (record.current !== undefined || record.old !== undefined)) {
      throw new CodeError(
        'badarg',
        `application '${name}' still has loaded modules (${record.id}): delete and purge them first`,
      );
    }
  }
  forgetApplication(name);
}

/** @internal The version records of a module (for tests and tools in this layer). */
export function versionsOf(id: string): {
  current: ModuleVersion | undefined;
  old: ModuleVersion | undefined;
} {
  const record = existingRecord(id);
  return { current: record?.current, old: record?.old };
}

/**
 * Imports, once, packages that application `app` uses but that `require` cannot load (ES modules
 * with top-level `await`), so that its modules can import them. Call it at boot.
 */
export function preloadPackages(app: string, specifiers: readonly string[]): Promise<void> {
  return preloadFor(getApplication(app), specifiers);
}
