/**
 * What GenServer callbacks return: OTP's result tuples as small tagged objects, built with
 * helper constructors.
 *
 * | OTP                                   | hotrel                                   |
 * |---------------------------------------|------------------------------------------|
 * | `{ok, State}`                         | `ok(state)`                              |
 * | `{ok, State, {continue, C}}`          | `ok(state, { continue: c })`             |
 * | `{ok, State, Timeout}`                | `ok(state, { timeout: ms })`             |
 * | `ignore`                              | `ignore()`                               |
 * | `{stop, Reason}` (init)               | `stop(reason)`                           |
 * | `{reply, Reply, State}`               | `reply(value, state)`                    |
 * | `{reply, Reply, State, Next}`         | `reply(value, state, next)`              |
 * | `{noreply, State}` / `..., Next}`     | `noreply(state)` / `noreply(state, next)`|
 * | `{stop, Reason, State}`               | `stop(reason, state)`                    |
 * | `{stop, Reason, Reply, State}`        | `stop(reason, state, { reply: value })`  |
 *
 * `Next` is `{ continue: arg }` (run `handleContinue(arg)` before any other message) or
 * `{ timeout: ms }` (if no message arrives within `ms`, `handleInfo` gets the runtime's
 * `TIMEOUT` symbol, as OTP's `timeout` message). OTP's `hibernate` has no equivalent.
 */
import type { ExitReason } from '../../runtime';

/** What to do after a callback: continue with `handleContinue`, or time out when idle. */
export type Next = { readonly continue: unknown } | { readonly timeout: number };

export interface Ok<S> {
  readonly kind: 'ok';
  readonly state: S;
  readonly next?: Next;
}

export interface Ignore {
  readonly kind: 'ignore';
}

export interface Reply<R, S> {
  readonly kind: 'reply';
  readonly reply: R;
  readonly state: S;
  readonly next?: Next;
}

export interface NoReply<S> {
  readonly kind: 'noreply';
  readonly state: S;
  readonly next?: Next;
}

/**
 * Stop the process with `reason` (after its `terminate` callback). Without `state`, the current
 * state is kept for `terminate`. With `reply` (calls only), the caller gets it after `terminate`.
 */
export interface Stop<S = unknown, R = never> {
  readonly kind: 'stop';
  readonly reason: ExitReason;
  readonly state?: S;
  readonly reply?: R;
  readonly hasReply: boolean;
}

/** What `init` returns. */
export type InitResult<S> = Ok<S> | Ignore | Stop<S>;
/** What `handleCall` returns. */
export type CallResult<R, S> = Reply<R, S> | NoReply<S> | Stop<S, R>;
/** What `handleCast`, `handleInfo` and `handleContinue` return. */
export type HandleResult<S> = NoReply<S> | Stop<S>;

/** `init` succeeded with `state`. */
export function ok<S>(state: S, next?: Next): Ok<S> {
  return next === undefined ? { kind: 'ok', state } : { kind: 'ok', state, next };
}

const IGNORE: Ignore = Object.freeze({ kind: 'ignore' });

/** `init` declines to start; `start` returns `{kind: 'ignore'}` and the process exits normally. */
export function ignore(): Ignore {
  return IGNORE;
}

/** Reply `value` to the caller and go on with `state`. */
export function reply<R, S>(value: R, state: S, next?: Next): Reply<R, S> {
  return next === undefined
    ? { kind: 'reply', reply: value, state }
    : { kind: 'reply', reply: value, state, next };
}

/** Go on with `state` (a call's caller then waits for `GenServer.reply(from, value)`). */
export function noreply<S>(state: S, next?: Next): NoReply<S> {
  return next === undefined ? { kind: 'noreply', state } : { kind: 'noreply', state, next };
}

/** Stop with `reason`; see {@link Stop}. */
export function stop<S = never, R = never>(
  reason: ExitReason,
  state?: S,
  options?: { reply: R },
): Stop<S, R> {
  const result: { kind: 'stop'; reason: ExitReason; state?: S; reply?: R; hasReply: boolean } = {
    kind: 'stop',
    reason,
    hasReply: options !== undefined,
  };
  if (arguments.length >= 2) result.state = state;
  if (options !== undefined) result.reply = options.reply;
  return result;
}
