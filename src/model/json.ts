/** JSON values: what every file of the model may hold in its free-form fields (env, args, extra). */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * True if `value` survives a JSON round trip unchanged: no `undefined`, functions, symbols,
 * bigints, non-finite numbers, class instances or cycles. Free-form fields (an `apply`'s args,
 * an `advanced` extra) end up in relup.json, so anything else would be silently altered on disk.
 */
export function isJsonValue(value: unknown): value is JsonValue {
  return check(value, new Set());
}

function check(value: unknown, seen: Set<object>): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (seen.has(value)) return false;
      seen.add(value);
      let ok: boolean;
      if (Array.isArray(value)) {
        ok = value.every((item, i) => i in value && check(item, seen));
      } else {
        const proto: unknown = Object.getPrototypeOf(value);
        ok =
          (proto === Object.prototype || proto === null) &&
          Object.values(value as Record<string, unknown>).every((item) => check(item, seen));
      }
      seen.delete(value);
      return ok;
    }
    default:
      return false;
  }
}

/** Short, readable rendering of any value for error messages (`got ...`). */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `the bigint ${value}n`;
  if (typeof value === 'symbol') return String(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  } catch {
    text = undefined;
  }
  if (text === undefined) return Object.prototype.toString.call(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Structural equality of JSON values (key order ignored), as Erlang's `==` on terms. */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]!))
    );
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => k in b && jsonEqual(a[k]!, b[k]!));
}
