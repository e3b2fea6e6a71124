/**
 * Real ES module namespaces for facades, for a raw `import()` in application code.
 *
 * tsc's CommonJS emit turns `import('./m')` into a `require`, which returns the facade. Code that
 * keeps a raw `import()` (hand-written JavaScript, other compilers) reaches the loader's
 * `importModuleDynamically` hook, which must answer with a module namespace object. A facade is a
 * plain object, so it is bridged: a tiny ES module (a `data:` URL) whose exports are live bindings
 * updated at every commit of the module. ES modules are never freed, so there is one bridge per
 * module and set of export names, not one per version.
 */

interface Bridge {
  names: readonly string[];
  set: ((index: number, value: unknown) => void) | undefined;
  namespace: Promise<unknown> | undefined;
}

const BRIDGE_KEY = Symbol.for('hotrel.code.namespaceBridge');
const bridges = new Map<string, Bridge>();
const byTarget = new Map<string, { target: object; bridges: Set<Bridge> }>();

(globalThis as Record<symbol, unknown>)[BRIDGE_KEY] = {
  bind(key: string, set: (index: number, value: unknown) => void): void {
    const bridge = bridges.get(key);
    if (bridge !== undefined) bridge.set = set;
  },
};

/**
 * A module namespace whose exports are `target`'s own enumerable properties, kept current by
 * {@link refreshBridges}`(id)`. `id` names the target (a module id, or `hotrel/...`).
 */
export function namespaceOf(id: string, target: object): Promise<unknown> {
  const names = Object.keys(target).sort();
  const key = `${id}\0${names.join('\0')}`;
  let bridge = bridges.get(key);
  if (bridge === undefined) {
    bridge = { names, set: undefined, namespace: undefined };
    bridges.set(key, bridge);
    let entry = byTarget.get(id);
    if (entry === undefined) byTarget.set(id, (entry = { target, bridges: new Set() }));
    entry.bridges.add(bridge);
  }
  if (bridge.namespace === undefined) {
    const made = bridge;
    const source = bridgeSource(key, names);
    made.namespace = import(`data:text/javascript,${encodeURIComponent(source)}`).then((ns: unknown) => {
      refresh(target, made);
      return ns;
    });
    return made.namespace;
  }
  return bridge.namespace;
}

/** Updates the namespaces bridged for `id` (after a commit of that module). */
export function refreshBridges(id: string): void {
  const entry = byTarget.get(id);
  if (entry === undefined) return;
  for (const bridge of entry.bridges) refresh(entry.target, bridge);
}

function refresh(target: object, bridge: Bridge): void {
  const set = bridge.set;
  if (set === undefined) return;
  bridge.names.forEach((name, i) => set(i, (target as Record<string, unknown>)[name]));
}

function bridgeSource(key: string, names: readonly string[]): string {
  const locals = names.map((_, i) => `_${i}`);
  return [
    `let ${locals.length === 0 ? '_unused' : locals.join(', ')};`,
    `globalThis[Symbol.for('hotrel.code.namespaceBridge')].bind(${JSON.stringify(key)}, (i, v) => {`,
    `  switch (i) { ${locals.map((l, i) => `case ${i}: ${l} = v; break;`).join(' ')} }`,
    `});`,
    names.length === 0
      ? 'export {};'
      : `export { ${names.map((n, i) => `_${i} as ${JSON.stringify(n)}`).join(', ')} };`,
  ].join('\n');
}
