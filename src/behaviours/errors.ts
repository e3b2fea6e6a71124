/**
 * Errors the behaviours throw at their callers, and the exit reasons they give their processes.
 * Each message says what happened and what to do.
 */
import { formatReason, NOPROC, type ExitReason, type Pid } from '../runtime';

/** A short rendering of a request or message for error messages (long terms are cut). */
export function formatTerm(term: unknown, max = 200): string {
  let text: string;
  if (typeof term === 'symbol') text = term.toString();
  else if (typeof term === 'function') text = `[function ${term.name || 'anonymous'}]`;
  else text = formatReason(term);
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** How a server is named in messages: its registered name or its pid. */
export type ServerLabel = Pid | string;

/**
 * A call got no reply within its timeout. The request may still be handled later; its reply is
 * then dropped (never delivered to anyone).
 */
export class CallTimeoutError extends Error {
  constructor(
    readonly server: ServerLabel,
    readonly request: unknown,
    readonly timeout: number,
  ) {
    super(
      `call to ${String(server)} timed out after ${timeout} ms (request: ${formatTerm(request)}); ` +
        'the server is busy, suspended or stuck: pass a longer timeout, or check it with sys.getStatus',
    );
    this.name = 'CallTimeoutError';
  }
}

/**
 * The server exited before replying (or was not alive: `reason` is `'noproc'`). `reason` is its
 * exit reason, as OTP's `{Reason, {gen_server, call, ...}}`.
 */
export class CallExitError extends Error {
  constructor(
    readonly server: ServerLabel,
    readonly request: unknown,
    readonly reason: ExitReason,
  ) {
    super(
      reason === NOPROC
        ? `call to ${String(server)} failed: no such process (noproc); start it first or check its name`
        : `call to ${String(server)} failed: the server exited with reason ${formatTerm(reason)} ` +
            `while handling or before handling the request ${formatTerm(request)}`,
    );
    this.name = 'CallExitError';
  }
}

/** A process called itself: it would wait for its own reply forever. */
export class CallingSelfError extends Error {
  constructor(readonly server: ServerLabel) {
    super(`${String(server)} called itself; a process cannot wait for its own reply (OTP's calling_self)`);
    this.name = 'CallingSelfError';
  }
}

/** A callback module lacks a callback that a message needs. Used as the process's exit reason. */
export class UndefinedCallbackError extends Error {
  constructor(
    readonly module: string,
    readonly callback: string,
    readonly what: string,
  ) {
    super(`${module} received ${what} but exports no ${callback}; add ${callback} to the module`);
    this.name = 'UndefinedCallbackError';
  }
}

/** A callback returned something that is not one of its documented results. Used as exit reason. */
export class BadReturnError extends Error {
  constructor(
    readonly module: string,
    readonly callback: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`${module}.${callback} returned ${formatTerm(value)}; expected ${expected}`);
    this.name = 'BadReturnError';
  }
}

/** A `sys.replaceState` function (or a behaviour's state callback) threw; the state is unchanged. */
export class CallbackFailedError extends Error {
  constructor(
    readonly server: ServerLabel,
    readonly operation: string,
    override readonly cause: unknown,
  ) {
    super(`${operation} on ${String(server)} failed and the state is unchanged: ${formatTerm(cause)}`);
    this.name = 'CallbackFailedError';
  }
}

/** `GenServer.stop` (and friends) saw the process exit with another reason than asked for. */
export class StopError extends Error {
  constructor(
    readonly server: ServerLabel,
    readonly reason: ExitReason,
  ) {
    super(
      reason === NOPROC
        ? `cannot stop ${String(server)}: no such process (noproc)`
        : `${String(server)} exited with reason ${formatTerm(reason)} while being stopped`,
    );
    this.name = 'StopError';
  }
}

/** A start result that was not `ok` where the caller needed a pid (see `pidOf`). */
export class StartError extends Error {
  constructor(
    readonly what: string,
    readonly reason: ExitReason,
  ) {
    super(
      reason === 'ignore'
        ? `${what} did not start: its init returned ignore`
        : `${what} failed to start: ${formatTerm(reason)}`,
    );
    this.name = 'StartError';
  }
}
