/** A library module (relapp_m1). */
export function test(): 'ok' {
  return 'ok';
}
