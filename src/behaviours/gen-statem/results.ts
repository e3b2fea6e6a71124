/**
 * What GenStatem callbacks return (OTP's `event_handler_result`) and the transition actions,
 * as tagged objects built by helper constructors:
 *
 * | OTP                                          | hotrel                                      |
 * |----------------------------------------------|---------------------------------------------|
 * | `{next_state, S, D, Actions}`                | `nextState(s, d, actions?)`                 |
 * | `{keep_state, D, Actions}`                   | `keepState(d, actions?)`                    |
 * | `keep_state_and_data` / `{.., Actions}`      | `keepStateAndData(actions?)`                |
 * | `{repeat_state, D, Actions}`                 | `repeatState(d, actions?)`                  |
 * | `repeat_state_and_data` / `{.., Actions}`    | `repeatStateAndData(actions?)`              |
 * | `{stop, Reason}` / `{stop, Reason, D}`       | `stop(reason)` / `stop(reason, d)`          |
 * | `{stop_and_reply, Reason, Replies, D}`       | `stopAndReply(reason, replies, d?)`         |
 * | `postpone`                                   | `postpone()`                                |
 * | `{reply, From, Reply}`                       | `replyAction(from, value)`                  |
 * | `{next_event, Type, Content}`                | `nextEvent(content)` (an `internal` event)  |
 * | `{state_timeout, T, Msg}`                    | `stateTimeout(ms, content?)`                |
 * | `{timeout, T, Msg}` (event timeout)          | `eventTimeout(ms, content?)`                |
 * | `{{timeout, Name}, T, Msg}` (generic)        | `genericTimeout(name, ms, content?)`        |
 *
 * A timeout of `Infinity` cancels that timer. `init` returns `nextState(state, data, actions?)`,
 * `ignore()` or `stop(reason)`.
 */
import type { ExitReason } from '../../runtime';
import type { From } from '../core/types';

export type Action =
  | { readonly action: 'postpone' }
  | { readonly action: 'reply'; readonly from: From<never>; readonly value: unknown }
  | { readonly action: 'next_event'; readonly content: unknown }
  | { readonly action: 'state_timeout'; readonly ms: number; readonly content: unknown }
  | { readonly action: 'event_timeout'; readonly ms: number; readonly content: unknown }
  | {
      readonly action: 'generic_timeout';
      readonly name: string;
      readonly ms: number;
      readonly content: unknown;
    };

export interface NextState<S, D> {
  readonly kind: 'next_state';
  readonly state: S;
  readonly data: D;
  readonly actions?: readonly Action[];
}

export interface KeepState<D> {
  readonly kind: 'keep_state';
  readonly data: D;
  readonly actions?: readonly Action[];
}

export interface KeepStateAndData {
  readonly kind: 'keep_state_and_data';
  readonly actions?: readonly Action[];
}

export interface RepeatState<D> {
  readonly kind: 'repeat_state';
  readonly data: D;
  readonly actions?: readonly Action[];
}

export interface RepeatStateAndData {
  readonly kind: 'repeat_state_and_data';
  readonly actions?: readonly Action[];
}

export interface StopAndReply<D> {
  readonly kind: 'stop_and_reply';
  readonly reason: ExitReason;
  readonly replies: readonly Action[];
  readonly data?: D;
}

/** The shared `stop(reason, data?)` result (`state` holds the new data). */
export interface StatemStop<D> {
  readonly kind: 'stop';
  readonly reason: ExitReason;
  readonly state?: D;
}

/** What an event handler returns. */
export type Transition<S, D> =
  | NextState<S, D>
  | KeepState<D>
  | KeepStateAndData
  | RepeatState<D>
  | RepeatStateAndData
  | StopAndReply<D>
  | StatemStop<D>;

/** What `init` returns. */
export type StatemInitResult<S, D> = NextState<S, D> | { readonly kind: 'ignore' } | StatemStop<D>;

export function nextState<S, D>(state: S, data: D, actions?: readonly Action[]): NextState<S, D> {
  return actions === undefined
    ? { kind: 'next_state', state, data }
    : { kind: 'next_state', state, data, actions };
}

export function keepState<D>(data: D, actions?: readonly Action[]): KeepState<D> {
  return actions === undefined ? { kind: 'keep_state', data } : { kind: 'keep_state', data, actions };
}

export function keepStateAndData(actions?: readonly Action[]): KeepStateAndData {
  return actions === undefined ? { kind: 'keep_state_and_data' } : { kind: 'keep_state_and_data', actions };
}

/** Keep the state but run its state enter call again (with `state_enter`). */
export function repeatState<D>(data: D, actions?: readonly Action[]): RepeatState<D> {
  return actions === undefined ? { kind: 'repeat_state', data } : { kind: 'repeat_state', data, actions };
}

export function repeatStateAndData(actions?: readonly Action[]): RepeatStateAndData {
  return actions === undefined
    ? { kind: 'repeat_state_and_data' }
    : { kind: 'repeat_state_and_data', actions };
}

/** Send `replies` (reply actions), then stop with `reason`. */
export function stopAndReply<D>(reason: ExitReason, replies: readonly Action[], data?: D): StopAndReply<D> {
  return data === undefined
    ? { kind: 'stop_and_reply', reason, replies }
    : { kind: 'stop_and_reply', reason, replies, data };
}

const POSTPONE: Action = Object.freeze({ action: 'postpone' });

/** Keep this event until the state changes, then handle it again (before newer events). */
export function postpone(): Action {
  return POSTPONE;
}

/** Reply to a call as part of the transition. */
export function replyAction<R>(from: From<R>, value: R): Action {
  return { action: 'reply', from: from as From<never>, value };
}

/** Handle `content` as an `internal` event next, before any queued event. */
export function nextEvent(content: unknown): Action {
  return { action: 'next_event', content };
}

/** A timeout cancelled by a state change: delivers a `state_timeout` event after `ms`. */
export function stateTimeout(ms: number, content?: unknown): Action {
  return { action: 'state_timeout', ms, content };
}

/** A timeout cancelled by any event: delivers a `timeout` event if nothing happens for `ms`. */
export function eventTimeout(ms: number, content?: unknown): Action {
  return { action: 'event_timeout', ms, content };
}

/** A named timeout, cancelled only by setting it again (`Infinity` cancels). */
export function genericTimeout(name: string, ms: number, content?: unknown): Action {
  return { action: 'generic_timeout', name, ms, content };
}
