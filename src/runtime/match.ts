/**
 * Patterns for selective receive.
 *
 * A pattern is either a predicate `(msg) => boolean`, the wildcard {@link _}, or a value matched
 * structurally: primitives by `Object.is`, arrays element by element (same length), `Pid`/`Ref`
 * by identity of what they name, and plain objects on the keys the pattern lists (extra keys in
 * the message are allowed). Nested patterns may use `_` and predicates anywhere.
 */
import { Pid, Ref } from './pid';

/** Matches anything. */
export const _: unique symbol = Symbol('_');

export type Predicate = (msg: unknown) => boolean;
export type Pattern = Predicate | typeof _ | unknown;

export function matches(pattern: Pattern, value: unknown): boolean {
  if (pattern === _) return true;
  if (typeof pattern === 'function') return (pattern as Predicate)(value) === true;
  if (pattern === null || typeof pattern !== 'object') return Object.is(pattern, value);
  if (pattern instanceof Pid || pattern instanceof Ref) return pattern.equals(value);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(pattern)) {
    if (!Array.isArray(value) || value.length !== pattern.length) return false;
    for (let i = 0; i < pattern.length; i++) if (!matches(pattern[i], value[i])) return false;
    return true;
  }
  for (const key of Object.keys(pattern)) {
    if (!matches((pattern as Record<string, unknown>)[key], (value as Record<string, unknown>)[key]))
      return false;
  }
  return true;
}
