/**
 * A stand-in for the code server's facades, so that the behaviour layer's own tests need nothing
 * above the runtime (test/behaviours/seed-kv-code-server.test.ts tells the same story with the
 * real code server): a stable module object that carries its module id under
 * `Symbol.for('hotrel.module')`, whose properties a `commit` replaces with a new version's exports
 * (data properties; a removed export becomes a stub that throws `undef`, never a deleted
 * property), as DESIGN.md §5 describes.
 */
const MODULE_ID = Symbol.for('hotrel.module');

export type Facade<T> = T & { readonly __esModule: true };

/** An empty facade for module `id`; `commit` fills it. */
export function createFacade<T extends object>(id: string): Facade<T> {
  const facade = { __esModule: true } as Facade<T>;
  Object.defineProperty(facade, MODULE_ID, { value: id, enumerable: false });
  return facade;
}

/** Makes `exports` the facade's current version. */
export function commit<T extends object>(facade: Facade<T>, exports: T): void {
  const target = facade as Record<string, unknown>;
  for (const key of Object.keys(target)) {
    if (key === '__esModule' || key in exports) continue;
    const id = (facade as Record<symbol, unknown>)[MODULE_ID];
    target[key] = () => {
      throw new Error(`undef: ${String(id)}.${key} is not exported by the current version`);
    };
  }
  for (const [key, value] of Object.entries(exports)) target[key] = value;
}
