/**
 * Which script a function comes from, read through an in-process inspector session.
 *
 * JavaScript cannot tell where a closure was created, but V8 can: the inspector's
 * `Runtime.getProperties` reports a function's `[[FunctionLocation]]` (script id, line, column)
 * and a bound function's `[[TargetFunction]]`. Each loaded version records the script id of its
 * code, so a function found in a process's state maps to a module version. Only the Runtime
 * domain is used: enabling the Debugger domain would make the inspector keep every collected
 * version's source (loading.md §4.4 D).
 *
 * Functions are looked up in batches (one evaluate for the batch, then one call per function,
 * about 40 µs each) and the answer is cached per function, which never changes its script.
 */
import inspector from 'node:inspector';

const PROBE_KEY = Symbol.for('hotrel.code.locatorProbe');
const GROUP = 'hotrel-code-locator';

/** A script id, or `null` for a function without one (native, or not located). */
type ScriptId = string | null;

/** Any function value (closures, classes, bound functions). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunction = (...args: any[]) => unknown;

interface RemoteProperty {
  name: string;
  value?: { objectId?: string; type?: string; value?: unknown };
}

let session: inspector.Session | null | undefined;
const cache = new WeakMap<AnyFunction, ScriptId>();

/** Records a function's script id known by other means (the exports of a version just loaded). */
export function rememberScript(fn: AnyFunction, scriptId: string): void {
  cache.set(fn, scriptId);
}

/** The script id of `fn`, if the inspector is available. */
export function scriptIdOf(fn: AnyFunction): ScriptId {
  return scriptIdsOf([fn])[0] ?? null;
}

/** Script ids of many functions, in order (a bound function reports its target's). */
export function scriptIdsOf(fns: readonly AnyFunction[]): ScriptId[] {
  const result: ScriptId[] = new Array<ScriptId>(fns.length).fill(null);
  // Each distinct function is located once: a survey of many processes lists the same shared
  // functions (their behaviour's methods, say) once per process.
  const unknown: number[] = [];
  const firstIndex = new Map<AnyFunction, number>();
  const repeats: Array<[number, number]> = [];
  fns.forEach((fn, i) => {
    const known = cache.get(fn);
    if (known !== undefined) result[i] = known;
    else {
      const first = firstIndex.get(fn);
      if (first !== undefined) repeats.push([i, first]);
      else {
        firstIndex.set(fn, i);
        unknown.push(i);
      }
    }
  });
  if (unknown.length === 0) return result;
  try {
    return locateUnknown(fns, result, unknown);
  } finally {
    for (const [i, first] of repeats) result[i] = result[first] ?? null;
  }
}

function locateUnknown(fns: readonly AnyFunction[], result: ScriptId[], unknown: number[]): ScriptId[] {
  const s = connect();
  if (s === null) return result;
  const holder = globalThis as Record<symbol, unknown>;
  holder[PROBE_KEY] = unknown.map((i) => fns[i]);
  try {
    const array = post<{ result: { objectId?: string } }>(s, 'Runtime.evaluate', {
      expression: `globalThis[Symbol.for('hotrel.code.locatorProbe')]`,
      objectGroup: GROUP,
      silent: true,
    });
    const arrayId = array.result.objectId;
    if (arrayId === undefined) return result;
    const elements = post<{ result: RemoteProperty[] }>(s, 'Runtime.getProperties', {
      objectId: arrayId,
      ownProperties: true,
    }).result;
    for (const element of elements) {
      if (!/^\d+$/.test(element.name)) continue;
      const index = unknown[Number(element.name)];
      const objectId = element.value?.objectId;
      if (index === undefined || objectId === undefined) continue;
      const scriptId = locate(s, objectId);
      result[index] = scriptId;
      cache.set(fns[index]!, scriptId);
    }
  } finally {
    holder[PROBE_KEY] = undefined;
    // Remote object handles are strong references: release them, or the functions (and the
    // module versions they belong to) would never be collected.
    post(s, 'Runtime.releaseObjectGroup', { objectGroup: GROUP });
  }
  return result;
}

function locate(s: inspector.Session, objectId: string): ScriptId {
  let id = objectId;
  for (let hops = 0; hops < 8; hops++) {
    const props = post<{ internalProperties?: RemoteProperty[] }>(s, 'Runtime.getProperties', {
      objectId: id,
      ownProperties: true,
    }).internalProperties;
    const location = props?.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as
      { scriptId?: string } | undefined;
    if (location?.scriptId !== undefined) return location.scriptId;
    const target = props?.find((p) => p.name === '[[TargetFunction]]')?.value?.objectId;
    if (target === undefined) return null;
    id = target;
  }
  return null;
}

function connect(): inspector.Session | null {
  if (session !== undefined) return session;
  try {
    const s = new inspector.Session();
    s.connect();
    session = s;
  } catch {
    session = null;
  }
  return session;
}

/**
 * Posts a command and returns its result. The in-process session answers synchronously; the
 * code relies on that (a walk must not let processes run in the middle of it).
 */
function post<T = unknown>(s: inspector.Session, method: string, params: object): T {
  let done = false;
  let error: Error | null = null;
  let value: unknown;
  s.post(method, params, (err: Error | null, res?: object) => {
    done = true;
    error = err;
    value = res;
  });
  if (!done) throw new Error(`internal: the inspector answered ${method} asynchronously`);
  if (error !== null) throw error;
  return value as T;
}
