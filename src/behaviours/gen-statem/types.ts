/** The GenStatem callback module and the events it handles. */
import type { ExitReason, Proc } from '../../runtime';
import type { Awaitable } from '../core/awaitable';
import type { From, OldVsn } from '../core/types';
import type { StateShape } from '../core/state-shape';
import type { CodeChangeInfo } from '../gen-server/types';
import type { StatemInitResult, Transition } from './results';

/**
 * OTP's callback modes: one function per state (`module[state](event, data, self)`, states are
 * strings), or one `handleEvent(event, state, data, self)` for all (states of any type). With
 * `state_enter`, each state change (and the initial state) first calls the handler with an
 * `enter` event.
 */
export type CallbackMode =
  | 'state_functions'
  | 'handle_event_function'
  | readonly ['state_functions' | 'handle_event_function', 'state_enter'];

/** An event, as the handler receives it (OTP's `EventType` and `EventContent` in one object). */
export type StatemEvent<C = unknown, R = unknown, K = unknown> =
  | { readonly type: 'call'; readonly content: C; readonly from: From<R> }
  | { readonly type: 'cast'; readonly content: K }
  | { readonly type: 'info'; readonly content: unknown }
  | { readonly type: 'state_timeout'; readonly content: unknown }
  | { readonly type: 'timeout'; readonly content: unknown }
  | { readonly type: 'generic_timeout'; readonly name: string; readonly content: unknown }
  | { readonly type: 'internal'; readonly content: unknown }
  | { readonly type: 'enter'; readonly oldState: unknown };

/** What `formatStatus` receives and returns. */
export interface StatemStatusInfo<S = unknown, D = unknown> {
  state: S;
  data: D;
  message?: unknown;
  reason?: ExitReason;
}

/** What `codeChange` returns: the converted state and data. */
export interface StatemConverted<S, D> {
  readonly state: S;
  readonly data: D;
}

/**
 * A GenStatem callback module. Called through the module object for every event, so an
 * upgraded facade takes effect at the next event. `callbackMode` is read at start and again
 * after each code change (as OTP does).
 *
 * Type parameters: `A` init argument, `S` state, `D` data, `C` calls, `R` replies, `K` casts.
 */
export interface GenStatemModule<A = never, S = unknown, D = unknown, C = unknown, R = unknown, K = unknown> {
  callbackMode(): CallbackMode;
  init(args: A, self: Proc): Awaitable<StatemInitResult<S, D>>;
  /** The handler in `handle_event_function` mode. */
  handleEvent?(event: StatemEvent<C, R, K>, state: S, data: D, self: Proc): Awaitable<Transition<S, D>>;
  terminate?(reason: ExitReason, state: S, data: D, self: Proc): unknown;
  /**
   * Converts state and data for new code (while suspended); `oldVsn` is `{down: vsn}` on a
   * downgrade. Throw to refuse (nothing changes). Without it, both are kept. When the module
   * declares a `dataShape`, `data` has already been converted to it; `migration.original` is
   * the data as it was.
   */
  codeChange?(
    oldVsn: OldVsn,
    state: unknown,
    data: unknown,
    extra: unknown,
    migration: CodeChangeInfo,
  ): Awaitable<StatemConverted<S, D>>;
  /** The data's declared shape (`GenStatem.dataShape({...})`), converted automatically at code change. */
  readonly dataShape?: StateShape;
  formatStatus?(status: StatemStatusInfo<S, D>): StatemStatusInfo<unknown, unknown>;
}

/**
 * The handler of one state in `state_functions` mode: the module exports it under the state's
 * name.
 */
export type StateFunction<D = unknown, C = unknown, R = unknown, K = unknown, S = string> = (
  event: StatemEvent<C, R, K>,
  data: D,
  self: Proc,
) => Awaitable<Transition<S, D>>;

/** A GenStatem module with its types erased, as the process sees it. */
export type AnyGenStatemModule = GenStatemModule<unknown, unknown, unknown, unknown, unknown, unknown> &
  Record<string, unknown>;
