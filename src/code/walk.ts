/**
 * Finds the functions reachable from a process's state, mailbox, dictionary and timers.
 *
 * A closure, a bound function, a class or a class instance made by a module version keeps that
 * version's code alive and would run it. The walk collects every function reachable through own
 * properties (getters and setters are collected, never called), array elements, Map keys and
 * values, Set members and prototypes (an instance reaches its class's methods through its
 * prototype). It does not enter proxies (their traps would run code), typed arrays, promises or
 * weak collections, nor the objects `skip` names (facades, process handles).
 */
import type { AnyFunction } from './function-locator';
import { types } from 'node:util';
import { isInternalPrototype, isPlainDataInstance } from '../runtime';

/** Where a value was found: `state.handlers[2]`, `mailbox[0].fun`, `dictionary.get("k")`. */
interface PathNode {
  parent: PathNode | null;
  segment: string;
}

export interface WalkResult {
  /** Every function found, with the path of its first occurrence. */
  functions: Map<AnyFunction, string>;
  /** Whether the budget ran out before the walk was complete. */
  truncated: boolean;
}

const INTRINSIC_PROTOTYPES = new Set<unknown>([null]);
for (const name of Object.getOwnPropertyNames(globalThis)) {
  // Data properties only: some globals are lazy getters (in `node -e` and the REPL, every
  // built-in module name is one) that would load modules and print warnings.
  const value = Object.getOwnPropertyDescriptor(globalThis, name)?.value as unknown;
  if (typeof value === 'function' && /^[A-Z]/.test(name)) {
    const proto = (value as { prototype?: unknown }).prototype;
    if (proto !== undefined && proto !== null) INTRINSIC_PROTOTYPES.add(proto);
  }
}
for (const sample of [
  [][Symbol.iterator](),
  new Map()[Symbol.iterator](),
  new Set()[Symbol.iterator](),
  ''[Symbol.iterator](),
  (function* () {})(),
  (async function* () {})(),
]) {
  for (
    let p = Object.getPrototypeOf(sample);
    p !== null && p !== Object.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    INTRINSIC_PROTOTYPES.add(p);
  }
}
INTRINSIC_PROTOTYPES.add(Object.getPrototypeOf(Uint8Array.prototype));
INTRINSIC_PROTOTYPES.add(Object.getPrototypeOf(async function () {}));
INTRINSIC_PROTOTYPES.add(Object.getPrototypeOf(function* () {}));

const SKIPPED_FUNCTION_PROPS = new Set(['prototype', 'length', 'name', 'caller', 'arguments']);

/** Objects visited between two chances to pause (a walk of one large state can take 100+ ms). */
const PAUSE_EVERY = 256;

export function collectFunctions(
  roots: ReadonlyArray<readonly [string, unknown]>,
  skip: (object: object) => boolean,
  budget = 100_000,
): WalkResult {
  const result: WalkResult = { functions: new Map(), truncated: false };
  for (const _ of walk(roots, skip, budget, result)) {
    // Synchronous: no pauses.
  }
  return result;
}

/**
 * The same walk, letting the event loop turn whenever `pause` asks for it (it returns a promise
 * when the walk has held the loop long enough). A state that changes meanwhile is walked as it
 * is when each object is reached: the survey is a best effort in any case, as OTP's purger's is.
 */
export async function collectFunctionsPausing(
  roots: ReadonlyArray<readonly [string, unknown]>,
  skip: (object: object) => boolean,
  pause: () => Promise<void> | undefined,
  budget = 100_000,
): Promise<WalkResult> {
  const result: WalkResult = { functions: new Map(), truncated: false };
  for (const _ of walk(roots, skip, budget, result)) {
    const due = pause();
    if (due !== undefined) await due;
  }
  return result;
}

/** Walks from the roots into `result`, yielding every PAUSE_EVERY objects visited. */
function* walk(
  roots: ReadonlyArray<readonly [string, unknown]>,
  skip: (object: object) => boolean,
  budget: number,
  result: WalkResult,
): Generator<void, void, void> {
  const functions = result.functions;
  const seen = new Set<object>();
  const stack: Array<{ value: unknown; path: PathNode }> = [];
  for (let i = roots.length - 1; i >= 0; i--) {
    const [name, value] = roots[i]!;
    stack.push({ value, path: { parent: null, segment: name } });
  }
  let visited = 0;
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) continue;
    const object = value as object;
    if (seen.has(object)) continue;
    seen.add(object);
    if (++visited > budget) {
      result.truncated = true;
      return;
    }
    if (visited % PAUSE_EVERY === 0) yield;
    if (types.isProxy(object) || skip(object)) continue;
    const push = (child: unknown, segment: string): void => {
      if (child !== null && (typeof child === 'object' || typeof child === 'function') && !seen.has(child)) {
        stack.push({ value: child, path: { parent: path, segment } });
      }
    };
    if (typeof object === 'function') {
      const fn = object as AnyFunction;
      if (!functions.has(fn)) functions.set(fn, render(path));
      pushOwnProperties(object, push, SKIPPED_FUNCTION_PROPS);
      continue;
    }
    if (isOpaque(object) || isPlainDataInstance(object)) continue;
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) push(object[i], `[${i}]`);
    } else if (object instanceof Map) {
      let i = 0;
      for (const [k, v] of object) {
        const label =
          typeof k === 'string' ? JSON.stringify(k) : typeof k === 'number' ? String(k) : `<key ${i}>`;
        push(k, `.keys()[${i}]`);
        push(v, `.get(${label})`);
        i++;
      }
    } else if (object instanceof Set) {
      let i = 0;
      for (const v of object) push(v, `.values()[${i++}]`);
    } else {
      pushOwnProperties(object, push, undefined);
    }
    const proto = Object.getPrototypeOf(object) as unknown;
    if (!INTRINSIC_PROTOTYPES.has(proto) && !isInternalPrototype(proto)) push(proto, '.[[Prototype]]');
  }
}

function pushOwnProperties(
  object: object,
  push: (child: unknown, segment: string) => void,
  except: ReadonlySet<string> | undefined,
): void {
  for (const key of Reflect.ownKeys(object)) {
    if (except !== undefined && typeof key === 'string' && except.has(key)) continue;
    let d: PropertyDescriptor | undefined;
    try {
      d = Reflect.getOwnPropertyDescriptor(object, key);
    } catch {
      continue;
    }
    if (d === undefined) continue;
    const segment =
      typeof key === 'symbol'
        ? `[${String(key)}]`
        : /^[A-Za-z_$][\w$]*$/.test(key)
          ? `.${key}`
          : `[${JSON.stringify(key)}]`;
    if ('value' in d) push(d.value, segment);
    if (d.get !== undefined) push(d.get, `${segment}<get>`);
    if (d.set !== undefined) push(d.set, `${segment}<set>`);
  }
}

function isOpaque(object: object): boolean {
  return (
    ArrayBuffer.isView(object) ||
    types.isAnyArrayBuffer(object) ||
    types.isPromise(object) ||
    types.isWeakMap(object) ||
    types.isWeakSet(object) ||
    object instanceof WeakRef ||
    types.isDate(object) ||
    types.isRegExp(object) ||
    types.isBoxedPrimitive(object) ||
    types.isModuleNamespaceObject(object)
  );
}

function render(path: PathNode): string {
  const parts: string[] = [];
  for (let p: PathNode | null = path; p !== null; p = p.parent) parts.push(p.segment);
  return parts.reverse().join('');
}
