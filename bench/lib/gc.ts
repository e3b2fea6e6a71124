/** Forced garbage collection and settled heap measurements, with or without --expose-gc. */
import v8 from 'node:v8';
import vm from 'node:vm';

let gcFn: (() => void) | undefined;

export function gc(): void {
  if (gcFn === undefined) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (typeof g === 'function') gcFn = g;
    else {
      v8.setFlagsFromString('--expose-gc');
      gcFn = vm.runInNewContext('gc') as () => void;
    }
  }
  gcFn();
}

/** Heap used after several full GCs separated by turns of the event loop. */
export async function settledHeap(): Promise<number> {
  for (let k = 0; k < 4; k++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}
