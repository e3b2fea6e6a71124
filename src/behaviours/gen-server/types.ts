/** The GenServer callback module. */
import type { ExitReason, Proc } from '../../runtime';
import type { Awaitable } from '../core/awaitable';
import type { From, OldVsn } from '../core/types';
import type { StateShape } from '../core/state-shape';
import type { CallResult, HandleResult, InitResult } from './results';

/** What `codeChange` receives besides the (converted) state and the extra. */
export interface CodeChangeInfo {
  /** The state before any automatic conversion (the same as `state` without a declared shape). */
  readonly original: unknown;
}

/** What `formatStatus` receives and returns (OTP 25's `format_status/1` map). */
export interface StatusInfo<S = unknown> {
  state: S;
  /** The message being handled (crash reports only). */
  message?: unknown;
  /** The termination reason (crash reports only). */
  reason?: ExitReason;
}

/**
 * A GenServer callback module: an object (in a release, the module's facade) exporting these
 * functions. Only `init` is required; the server calls the others through the module object on
 * every message, so after an upgrade the next message runs the new code.
 *
 * Every callback receives the server's own process handle `self` last (there is no implicit
 * current process): use it for timers, monitors, links, `trapExit`, or to pass as `caller`.
 *
 * Type parameters: `A` init argument, `S` state, `C` calls, `R` replies, `K` casts, `I` infos.
 */
export interface GenServerModule<A = never, S = unknown, C = unknown, R = unknown, K = unknown, I = unknown> {
  /** Sets up the state; may be async. The starter waits for it. */
  init(args: A, self: Proc): Awaitable<InitResult<S>>;
  /** A call; reply with `reply(value, state)`, or later with `GenServer.reply(from, value)`. */
  handleCall?(request: C, from: From<R>, state: S, self: Proc): Awaitable<CallResult<R, S>>;
  /** A cast. Required if the server gets casts. */
  handleCast?(message: K, state: S, self: Proc): Awaitable<HandleResult<S>>;
  /** Any other message (including trapped `EXIT`s, `DOWN`s, and `TIMEOUT` after `{timeout}`). */
  handleInfo?(message: I, state: S, self: Proc): Awaitable<HandleResult<S>>;
  /** Runs after a callback returned `{ continue: arg }`, before any other message. */
  handleContinue?(arg: unknown, state: S, self: Proc): Awaitable<HandleResult<S>>;
  /**
   * Called when the server stops (a `stop` result, a callback that threw, `GenServer.stop`, or
   * its parent's exit signal when it traps exits). Not called when it is killed.
   */
  terminate?(reason: ExitReason, state: S, self: Proc): unknown;
  /**
   * Converts the state for new code during an upgrade (`sys.changeCode`, while suspended):
   * `oldVsn` is the old module's vsn, or `{down: vsn}` when downgrading. Return the new state;
   * throw to refuse (the old state is kept and the upgrade fails). Without `codeChange` the
   * state is kept as is (Elixir's default; OTP fails with `undef`).
   *
   * When the module declares a `stateShape`, `state` has already been converted to the target
   * shape (see `stateShape`); `migration.original` is the state as it was before.
   */
  codeChange?(oldVsn: OldVsn, state: unknown, extra: unknown, migration: CodeChangeInfo): Awaitable<S>;
  /**
   * The state's declared shape (`GenServer.stateShape({...})`): the state is converted to it
   * automatically at code change, in both directions.
   */
  readonly stateShape?: StateShape;
  /** Formats the state for `sys.getStatus` and crash reports (hide secrets, shrink big state). */
  formatStatus?(status: StatusInfo<S>): StatusInfo<unknown>;
}

/** A GenServer module with its types erased, as the server process sees it. */
export type AnyGenServerModule = GenServerModule<unknown, unknown, unknown, unknown, unknown, unknown>;
