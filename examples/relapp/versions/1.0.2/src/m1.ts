/** relapp_m1, 1.0.2: `test()` becomes `test(arg)` (relapp1 1.0.13 -> 1.0.14). */
export function test<T>(arg: T): { ok: T } {
  return { ok: arg };
}
