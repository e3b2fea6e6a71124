/**
 * Names of callback modules.
 *
 * In a release every callback module is a code-server facade, which carries its module id
 * (`<app>:<relpath>`) as a non-enumerable property keyed `Symbol.for('hotrel.module')`. Plain
 * objects (tests, modules outside a release) have no id; reports then fall back to a short
 * description.
 */

/** The key under which a facade carries its module id (shared contract with the code server). */
export const MODULE_ID: unique symbol = Symbol.for('hotrel.module') as never;

/** The module id of a callback module, or `undefined` when it is not a facade. */
export function moduleName(module: unknown): string | undefined {
  if (module === null || (typeof module !== 'object' && typeof module !== 'function')) return undefined;
  const id = (module as { [MODULE_ID]?: unknown })[MODULE_ID];
  return typeof id === 'string' ? id : undefined;
}

/** A label for logs and errors: the module id, else the keys it exports. */
export function describeModule(module: unknown): string {
  const name = moduleName(module);
  if (name !== undefined) return name;
  if (module === null || typeof module !== 'object') return String(module);
  const keys = Object.keys(module).slice(0, 6);
  return `<module exporting ${keys.join(', ')}${Object.keys(module).length > keys.length ? ', ...' : ''}>`;
}

/**
 * Whether `entry` (an element of a `modules` list) names the module `target`: the same object,
 * or the same module id (a facade and its id string are interchangeable).
 */
export function sameModule(entry: unknown, target: unknown): boolean {
  if (entry === target) return true;
  const a = typeof entry === 'string' ? entry : moduleName(entry);
  const b = typeof target === 'string' ? target : moduleName(target);
  return a !== undefined && a === b;
}
