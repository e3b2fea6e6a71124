/** Values a callback may return either directly or as a promise. */

/** A value or a promise of it: every behaviour callback may be sync or async. */
export type Awaitable<T> = T | PromiseLike<T>;

/**
 * Whether a callback returned a promise (or any thenable). Behaviours only `await` when it did:
 * an `await` on a plain value still costs a microtask turn, and most callbacks are synchronous.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}
