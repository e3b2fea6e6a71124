/** A library module added in 1.0.2 (relapp_m2). */
export function test(): 'ok from m2' {
  return 'ok from m2';
}
