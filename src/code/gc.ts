/**
 * A full garbage collection on demand, without starting Node with `--expose-gc`.
 *
 * Whether an old version is still referenced is only known after a full GC (its sentinel's
 * WeakRef is cleared). `v8.setFlagsFromString('--expose-gc')` makes the next context created get
 * a `gc` global (loading.md §4.4). A full GC pauses the event loop (15-28 ms on a 17 MB heap,
 * more on bigger ones), so the code server runs one per purge, not one per module.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let gcFunction: (() => void) | undefined;

/** Runs a full, synchronous garbage collection. */
export function fullGc(): void {
  gcFunction ??= obtainGc();
  gcFunction();
}

/**
 * Waits for the current job to end (so that objects a `WeakRef.deref()` kept alive for it are
 * released, and killed processes' last microtasks have run), then collects.
 */
export async function collectGarbage(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  fullGc();
}

function obtainGc(): () => void {
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return existing as () => void;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}
