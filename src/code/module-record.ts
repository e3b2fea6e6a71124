/**
 * A module and its versions: the facade other modules import, and the current and old code.
 *
 * The facade is a plain object whose identity never changes. At each commit the new version's
 * exports are copied onto it as data properties, the only kind of property V8 calls through as
 * fast as a direct call (getters and Proxies cost 10-47 ns a call, loading.md §4.2). Compiled
 * code reads `facade.f` at every call, so a call through the facade reaches the current version
 * (Erlang's fully-qualified call) while a module's calls to its own functions stay in their
 * version (Erlang's local call). A property is never deleted (that would put the facade in
 * dictionary mode): a function the new version no longer exports becomes a stub that throws
 * `undef`.
 */
import { UndefError } from './errors';
import type { VersionSourceMap } from './source-map';

/** The key of a facade's module id (shared contract: behaviours read callback module names with it). */
export const MODULE_ID: unique symbol = Symbol.for('hotrel.module') as never;
/** Marks the stub a removed export is replaced with. */
export const UNDEF_STUB: unique symbol = Symbol.for('hotrel.undef') as never;

/** What application modules get for `require('./m')` or `import ... from './m'`. */
export type Facade = Record<string, unknown> & { readonly __esModule: true };

export type VersionStatus = 'prepared' | 'current' | 'old' | 'purged' | 'discarded';

/** What the loader produces for one evaluated version. */
export interface VersionInit {
  seq: number;
  filename: string;
  file: string;
  sourceFile: string | undefined;
  sourceHash: string | undefined;
  vsn: string;
  md5: string;
  exports: Record<string, unknown>;
  exportNames: readonly string[];
  reexports: ReadonlySet<string>;
  sentinel: object;
  scriptId: string | undefined;
  sourceMap: VersionSourceMap | undefined;
  requires: ReadonlySet<ModuleRecord>;
}

/** One loaded version of a module. */
export class ModuleVersion {
  readonly module: ModuleRecord;
  /** Load number within the module (1, 2, ...): the `#v<seq>` of its file name. */
  readonly seq: number;
  /** The file name V8 knows this version's code by (`<file>#v<seq>`): stack traces show it. */
  readonly filename: string;
  /** The file it was loaded from (`.ts` in the dev loop, `.js` in a release). */
  readonly file: string;
  /** The TypeScript source it was compiled from, when known. */
  readonly sourceFile: string | undefined;
  /** md5 of the TypeScript source (dev loop: tells whether the file changed since). */
  readonly sourceHash: string | undefined;
  /** `export const vsn`, else the md5 of the compiled code. */
  readonly vsn: string;
  /** md5 (hex) of the compiled code, without its source map comment. */
  readonly md5: string;
  readonly exportNames: readonly string[];
  /** Exports defined as getters by the module itself (`export { f } from './a'`, `export *`). */
  readonly reexports: ReadonlySet<string>;
  /** V8's script id of the code, to map a function's `[[FunctionLocation]]` to this version. */
  readonly scriptId: string | undefined;
  readonly loadedAt = new Date();
  /** Application modules whose facades this version required. */
  readonly requires: ReadonlySet<ModuleRecord>;
  status: VersionStatus = 'prepared';
  /**
   * The version's own exports. Held strongly while the version is current (and while old, so a
   * failed upgrade can make it current again); dropped when old code is purged, so that nothing
   * in the code server keeps the version alive.
   */
  exports: Record<string, unknown> | undefined;
  /** Alive as long as any closure, bound function, class or instance of this version is. */
  readonly sentinel: WeakRef<object>;
  readonly exportsRef: WeakRef<object>;
  sourceMap: VersionSourceMap | undefined;

  constructor(module: ModuleRecord, init: VersionInit) {
    this.module = module;
    this.seq = init.seq;
    this.filename = init.filename;
    this.file = init.file;
    this.sourceFile = init.sourceFile;
    this.sourceHash = init.sourceHash;
    this.vsn = init.vsn;
    this.md5 = init.md5;
    this.exports = init.exports;
    this.exportNames = init.exportNames;
    this.reexports = init.reexports;
    this.scriptId = init.scriptId;
    this.sourceMap = init.sourceMap;
    this.requires = init.requires;
    this.sentinel = new WeakRef(init.sentinel);
    this.exportsRef = new WeakRef(init.exports);
  }

  /** `kvapp:m1@1.0.15` (a hash vsn is shortened to 8 characters). */
  get label(): string {
    return `${this.module.id}@${shortVsn(this.vsn)}`;
  }
}

export function shortVsn(vsn: string): string {
  return /^[0-9a-f]{32}$/.test(vsn) ? vsn.slice(0, 8) : vsn;
}

/** A module: its facade and its (at most two) versions. */
export class ModuleRecord {
  readonly id: string;
  readonly app: string;
  readonly relpath: string;
  readonly facade: Facade;
  current: ModuleVersion | undefined = undefined;
  old: ModuleVersion | undefined = undefined;
  /** Versions evaluated but not committed yet (between `prepare` and `commit`). */
  readonly prepared = new Set<ModuleVersion>();
  /** The next load number. */
  nextSeq = 1;
  /** Every name ever published on the facade, and whether its last value was a function. */
  private readonly published = new Map<string, boolean>();
  private readonly stubs = new Map<string, () => never>();

  constructor(app: string, relpath: string) {
    this.app = app;
    this.relpath = relpath;
    this.id = `${app}:${relpath}`;
    const facade = {} as Facade;
    Object.defineProperty(facade, '__esModule', { value: true });
    Object.defineProperty(facade, MODULE_ID, { value: this.id });
    this.facade = facade;
  }

  /** Whether the module has current code, old code, or a version being prepared. */
  get known(): boolean {
    return this.current !== undefined || this.old !== undefined || this.prepared.size > 0;
  }

  /**
   * Copies `version`'s exports onto the facade (or, with `undefined`, replaces every export with
   * an `undef` stub, as `code:delete` does). Exported variables of the version become
   * write-through accessors first, so an `export let` the module reassigns later is seen through
   * the facade while the version is current (tsc rewrites such writes to `exports.x = ...`).
   */
  publish(version: ModuleVersion | undefined): void {
    const facade = this.facade as Record<string, unknown>;
    const seen = new Set<string>();
    if (version !== undefined) {
      const exports = version.exports;
      if (exports === undefined) throw new Error(`internal: ${version.label} has no exports to publish`);
      makeWriteThrough(this, version, exports);
      for (const name of version.exportNames) {
        const value = readExport(exports, name);
        facade[name] = value;
        this.published.set(name, typeof value === 'function');
        seen.add(name);
      }
    }
    for (const [name, wasFunction] of this.published) {
      if (seen.has(name)) continue;
      facade[name] = wasFunction ? this.stub(name) : undefined;
    }
  }

  /** Re-reads the re-exported names of the current version (after a module it re-exports changed). */
  refreshReexports(): void {
    const version = this.current;
    if (version === undefined || version.exports === undefined) return;
    const facade = this.facade as Record<string, unknown>;
    for (const name of version.reexports) {
      const value = readExport(version.exports, name);
      facade[name] = value;
      this.published.set(name, typeof value === 'function');
    }
  }

  /** Whether `name` is exported by the current version (a removed export's stub is not). */
  exportsName(name: string): boolean {
    return this.current !== undefined && this.current.exportNames.includes(name);
  }

  private stub(name: string): () => never {
    let stub = this.stubs.get(name);
    if (stub === undefined) {
      // A named function expression per module and name, created once: the facade property
      // keeps one stable value however many versions come and go.
      const id = this.id;
      const detail = (): string => this.undefDetail();
      stub = function undefinedFunction(): never {
        throw new UndefError(id, name, detail());
      };
      Object.defineProperty(stub, UNDEF_STUB, { value: true });
      this.stubs.set(name, stub);
    }
    return stub;
  }

  private undefDetail(): string {
    if (this.current === undefined) return `module ${this.id} has no current code (it was deleted)`;
    return `the current version of ${this.id} (vsn ${this.current.vsn}) does not export it`;
  }
}

function readExport(exports: Record<string, unknown>, name: string): unknown {
  try {
    return exports[name];
  } catch {
    return undefined;
  }
}

const WRITE_THROUGH = new WeakSet<object>();

function makeWriteThrough(
  record: ModuleRecord,
  version: ModuleVersion,
  exports: Record<string, unknown>,
): void {
  if (WRITE_THROUGH.has(exports)) return;
  WRITE_THROUGH.add(exports);
  const facade = record.facade as Record<string, unknown>;
  for (const name of version.exportNames) {
    const d = Object.getOwnPropertyDescriptor(exports, name);
    if (d === undefined || !('value' in d) || !d.writable || !d.configurable) continue;
    let slot = d.value;
    Object.defineProperty(exports, name, {
      enumerable: d.enumerable ?? true,
      configurable: true,
      get: () => slot,
      set: (value: unknown) => {
        slot = value;
        if (record.current === version) facade[name] = value;
      },
    });
  }
}
