/**
 * Whether a callback module defines an optional callback.
 *
 * `typeof module.f === 'function'` is not enough in a release: when a new version of a module no
 * longer exports `f`, the code server leaves a stub on the facade that throws `undef` (a facade
 * property is never deleted). The stub is a function, so an upgrade that removed `codeChange`
 * would call it and fail. The stub carries the code server's `UNDEF_STUB` mark; a callback is
 * defined when the property is a function without it (`erlang:function_exported/3`).
 */
import { UNDEF_STUB } from '../../code/module-record';

export function hasCallback(module: object, name: string): boolean {
  const f = (module as Record<string, unknown>)[name];
  return typeof f === 'function' && (f as { [UNDEF_STUB]?: unknown })[UNDEF_STUB] !== true;
}
