/**
 * The TypeScript compiler, loaded on first use. A node running a release only loads compiled
 * JavaScript: it never pays for the compiler (about 10 MB of code, 20 MB of heap) unless the dev
 * loop (`c`, `r`), `eval`, or a raw `import()` rewrite asks for it.
 */
import type * as TS from 'typescript';

let loaded: typeof TS | undefined;

export function typescript(): typeof TS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate lazy load
  loaded ??= require('typescript') as typeof TS;
  return loaded;
}
