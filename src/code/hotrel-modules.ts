/**
 * What `import ... from 'hotrel'` means inside application code: the hotrel that is running.
 *
 * There must be exactly one runtime per Node process (one process table, one registry, one
 * code server), so the loader never lets Node load a second copy of hotrel from an
 * application's `node_modules`. `hotrel/<layer>` resolves to the module objects this code server
 * itself uses. Layers above this one provide theirs with {@link provideHotrelModule} (the
 * package's root index provides `hotrel`); what was not provided is looked up next to this file
 * with Node's own `require` (which, when hotrel runs from `dist/` or under tsx, is the loader
 * that loaded this very file) and checked to share this runtime.
 */
import path from 'node:path';
import * as runtime from '../runtime';
import { CodeError } from './errors';

const provided = new Map<string, () => unknown>();

/**
 * Makes `specifier` (`hotrel` or `hotrel/<sub>`) resolve to `namespace` in application code.
 * A function is called on first use (for modules that are still being evaluated).
 */
export function provideHotrelModule(specifier: string, namespace: unknown): void {
  if (specifier !== 'hotrel' && !specifier.startsWith('hotrel/')) {
    throw new CodeError('badarg', `provideHotrelModule: '${specifier}' is not 'hotrel' or 'hotrel/<sub>'`);
  }
  provided.set(specifier, typeof namespace === 'function' ? (namespace as () => unknown) : () => namespace);
}

provideHotrelModule('hotrel/runtime', runtime);

/** Whether a specifier names hotrel itself. */
export function isHotrelSpecifier(specifier: string): boolean {
  return specifier === 'hotrel' || specifier.startsWith('hotrel/');
}

/** The running hotrel's module for `hotrel` or `hotrel/<sub>`. */
export function hotrelModule(specifier: string): unknown {
  const found = provided.get(specifier);
  if (found !== undefined) return found();
  const sub = specifier === 'hotrel' ? 'index' : specifier.slice('hotrel/'.length);
  const tree = path.resolve(__dirname, '..');
  let loaded: unknown;
  try {
    checkSameRuntime(tree);
    // Node's own require on purpose: in a built or tsx-run hotrel it is the loader of this file.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(path.join(tree, ...sub.split('/')));
  } catch (err) {
    if (err instanceof CodeError) throw err;
    throw new CodeError(
      'nofile',
      `cannot load '${specifier}' from the running hotrel (${tree}): ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  provided.set(specifier, () => loaded);
  return loaded;
}

let sameRuntimeChecked = false;

function checkSameRuntime(tree: string): void {
  if (sameRuntimeChecked) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const viaNode = require(path.join(tree, 'runtime')) as { spawn?: unknown };
  if (viaNode.spawn !== runtime.spawn) {
    throw new CodeError(
      'badarg',
      `a second copy of the hotrel runtime would be loaded from ${tree}: the code server was loaded by another ` +
        `module loader. Import hotrel's root module (which provides 'hotrel' to applications) before loading applications`,
    );
  }
  sameRuntimeChecked = true;
}
