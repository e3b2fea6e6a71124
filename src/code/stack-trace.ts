/**
 * Stack traces that name the TypeScript file, line and module version of hot-loaded code.
 *
 * V8 knows a loaded version by its per-version file name (`/app/src/kv.ts#v3`) and line numbers of
 * the compiled JavaScript. One `Error.prepareStackTrace` maps those frames through the version's
 * source map and tags them with the module version:
 *
 * ```
 *     at loop [seed:bad_upgrade@1f0c9a2e] (/app/src/bad_upgrade.ts:14:11)
 * ```
 *
 * (The tag sits before the location so that tools which parse `(file:line:col)` at the end of a
 * frame keep working.) Frames that are not ours are left to whatever formatter was installed
 * before (tsx, vitest, source-map-support), or formatted as V8 does when there was none.
 */
import type { AnyFunction } from './function-locator';
import { findSourceMap } from 'node:module';
import { shortVsn } from './module-record';
import type { VersionSourceMap } from './source-map';

/** What the formatter knows of a version, keyed by its file name. */
export interface TraceEntry {
  moduleId: string;
  seq: number;
  /** Set once the version's evaluation finished. */
  vsn: string | undefined;
  /** Dropped when the version is purged. */
  map: VersionSourceMap | undefined;
}

const entries = new Map<string, TraceEntry>();
/** Versions purged lately: their frames still get a tag (not a mapping) in errors formatted late. */
const recentlyPurged = new Map<string, TraceEntry>();
const RECENT_LIMIT = 256;

export function registerTrace(filename: string, entry: TraceEntry): void {
  entries.set(filename, entry);
}

/** Forgets a version's source map (at purge); its frames keep a module tag for a while. */
export function dropTrace(filename: string, keepTag: boolean): void {
  const entry = entries.get(filename);
  entries.delete(filename);
  if (entry === undefined || !keepTag) return;
  recentlyPurged.set(filename, { ...entry, map: undefined });
  if (recentlyPurged.size > RECENT_LIMIT) recentlyPurged.delete(recentlyPurged.keys().next().value as string);
}

/** The tag of a version: `kvapp:m1@1.0.15`, or `kvapp:m1#v3` while its vsn is not known yet. */
export function traceLabel(entry: TraceEntry): string {
  return entry.vsn === undefined
    ? `${entry.moduleId}#v${entry.seq}`
    : `${entry.moduleId}@${shortVsn(entry.vsn)}`;
}

type Prepare = (error: Error, sites: NodeJS.CallSite[]) => unknown;

let installed: Prepare | undefined;
let previous: Prepare | undefined;

/**
 * Installs the formatter (idempotent). Whatever `Error.prepareStackTrace` was set before is kept
 * and used for the frames that are not hot-loaded code.
 */
export function installStackTraces(): void {
  if (installed !== undefined && Error.prepareStackTrace === installed) return;
  const before = Error.prepareStackTrace as Prepare | undefined;
  previous = typeof before === 'function' ? before : undefined;
  installed = function hotrelPrepareStackTrace(error: Error, sites: NodeJS.CallSite[]): unknown {
    return prepare(error, sites, previous);
  };
  Error.prepareStackTrace = installed as typeof Error.prepareStackTrace;
}

function entryOf(site: NodeJS.CallSite): TraceEntry | undefined {
  const file = site.getFileName();
  if (file === undefined || file === null) return undefined;
  return entries.get(file) ?? recentlyPurged.get(file);
}

function prepare(error: Error, sites: NodeJS.CallSite[], prev: Prepare | undefined): unknown {
  const ours = sites.map(entryOf);
  if (!ours.some((e) => e !== undefined))
    return prev !== undefined ? prev(error, sites) : formatDefault(error, sites);
  try {
    if (prev !== undefined) {
      const others = sites.filter((_, i) => ours[i] === undefined);
      const text = prev(error, others);
      const lines = typeof text === 'string' ? text.split('\n') : [];
      const otherLines = lines.slice(lines.length - others.length);
      if (typeof text !== 'string' || !otherLines.every((l) => /^\s+at /.test(l))) {
        return prev(
          error,
          sites.map((s, i) => (ours[i] === undefined ? s : mappedSite(s, ours[i]!))),
        );
      }
      const out = lines.slice(0, lines.length - others.length);
      let k = 0;
      sites.forEach((s, i) =>
        out.push(ours[i] === undefined ? otherLines[k++]! : `    at ${formatOurs(s, ours[i]!)}`),
      );
      return out.join('\n');
    }
    return [
      header(error),
      ...sites.map((s, i) => `    at ${ours[i] === undefined ? formatOther(s) : formatOurs(s, ours[i]!)}`),
    ].join('\n');
  } catch {
    return prev !== undefined ? prev(error, sites) : formatDefault(error, sites);
  }
}

function formatDefault(error: Error, sites: NodeJS.CallSite[]): string {
  return [header(error), ...sites.map((s) => `    at ${formatOther(s)}`)].join('\n');
}

function header(error: Error): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return 'Error';
  }
}

/** A frame of hot-loaded code: original location, module version tag. */
function formatOurs(site: NodeJS.CallSite, entry: TraceEntry): string {
  const raw = site.toString();
  const file = site.getFileName() ?? '';
  const line = site.getLineNumber() ?? 0;
  const column = site.getColumnNumber() ?? 0;
  const location = `${file}:${line}:${column}`;
  const original = entry.map?.lookup(line, column);
  const shown = original === undefined ? location : `${original.source}:${original.line}:${original.column}`;
  let name: string;
  if (raw.endsWith(`(${location})`)) name = raw.slice(0, raw.length - location.length - 2).trimEnd();
  else if (raw.endsWith(location)) name = raw.slice(0, raw.length - location.length).trimEnd();
  else name = raw;
  if (name === '') name = '<anonymous>';
  else if (name === 'async') name = 'async <anonymous>';
  return `${name} [${traceLabel(entry)}] (${shown})`;
}

/** A frame of other code, as V8 prints it, mapped by Node's source maps when they are enabled. */
function formatOther(site: NodeJS.CallSite): string {
  const raw = site.toString();
  const sourceMapsOn = (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === true;
  const file = site.getFileName();
  if (!sourceMapsOn || file === undefined || file === null) return raw;
  try {
    const map = findSourceMap(file);
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    if (map === undefined || line === null || column === null) return raw;
    const entry = map.findEntry(line - 1, column - 1) as Partial<{
      originalSource: string;
      originalLine: number;
      originalColumn: number;
    }>;
    if (entry.originalSource === undefined || entry.originalLine === undefined) return raw;
    const source = entry.originalSource.startsWith('file://')
      ? decodeURIComponent(entry.originalSource.slice(7))
      : entry.originalSource;
    return raw.replace(
      `${file}:${line}:${column}`,
      `${source}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`,
    );
  } catch {
    return raw;
  }
}

/**
 * A call site whose file, line and column are the original ones, for formatters that want call
 * site objects (everything else is delegated to the real call site).
 */
function mappedSite(site: NodeJS.CallSite, entry: TraceEntry): NodeJS.CallSite {
  const line = site.getLineNumber() ?? 0;
  const column = site.getColumnNumber() ?? 0;
  const original = entry.map?.lookup(line, column);
  const wrapper: Record<string, unknown> = {};
  const proto = Object.getPrototypeOf(site) as object;
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === 'constructor') continue;
    const method = (site as unknown as Record<string, unknown>)[name];
    if (typeof method === 'function')
      wrapper[name] = (...args: unknown[]) => (method as AnyFunction).apply(site, args);
  }
  if (original !== undefined) {
    wrapper.getFileName = () => original.source;
    wrapper.getScriptNameOrSourceURL = () => original.source;
    wrapper.getLineNumber = () => original.line;
    wrapper.getColumnNumber = () => original.column;
  }
  wrapper.toString = () => formatOurs(site, entry);
  return wrapper as unknown as NodeJS.CallSite;
}
