/** Types shared by the behaviours' public APIs. */
import type { ExitReason, Pid } from '../../runtime';

declare const REPLY_TYPE: unique symbol;
declare const PROTOCOL: unique symbol;

/**
 * The caller of a call, as handed to `handleCall`: pass it to `GenServer.reply(from, value)` to
 * answer later (or from another process). `R` is the reply type the caller expects.
 */
export interface From<R = unknown> {
  /** Type-level only: the reply type. */
  readonly [REPLY_TYPE]?: (reply: R) => void;
}

/** The message types a server accepts, carried at type level by its pid or name. */
export interface Protocol<C, R, K> {
  readonly call: C;
  readonly reply: R;
  readonly cast: K;
}

/**
 * A pid that knows, at type level, which calls (`C`), replies (`R`) and casts (`K`) its server
 * accepts, so `call` and `cast` are type-checked. At run time it is a plain `Pid`.
 */
export type ServerRef<C = unknown, R = unknown, K = unknown> = Pid & {
  readonly [PROTOCOL]?: Protocol<C, R, K>;
};

/** A registered name with the same type-level protocol (see `GenServer.named`). */
export type ServerName<C = unknown, R = unknown, K = unknown> = string & {
  readonly [PROTOCOL]?: Protocol<C, R, K>;
};

/** How a server can be addressed: its pid or its registered name. */
export type Server<C = unknown, R = unknown, K = unknown> = ServerRef<C, R, K> | ServerName<C, R, K>;

/**
 * What `start`/`startLink` of every behaviour resolve to (OTP's `{ok, Pid} | ignore |
 * {error, Reason}`). A name already taken gives `{kind: 'error', reason: {alreadyStarted: pid}}`.
 */
export type StartResult<P = Pid> =
  | { readonly kind: 'ok'; readonly pid: P }
  | { readonly kind: 'ignore' }
  | { readonly kind: 'error'; readonly reason: ExitReason };

/** Options of `start`/`startLink`. */
export interface StartOptions {
  /** Register the process under this name (fails with `{alreadyStarted: pid}` if taken). */
  name?: string;
  /**
   * Milliseconds `init` may take (default `Infinity`); on expiry the process is killed and the
   * start fails with reason `'timeout'`.
   */
  timeout?: number;
}

/** The old version in `codeChange`: the old module's vsn on upgrade, `{down: vsn}` on downgrade. */
export type OldVsn = unknown;
