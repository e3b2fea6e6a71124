/** Errors the code server throws. Each message says what happened and what to do. */
import type { CompileDiagnostic } from './compile';
import type { CodeHolder } from './holders';

/**
 * Why a code server operation failed: OTP's `code:load_file/1` error reasons, plus the ones a
 * TypeScript loader needs.
 *
 * - `badarg`: a malformed argument (a module id without `<app>:`, an unknown application).
 * - `nofile`: no file for the module in its application's directory.
 * - `badfile`: the file does not compile or is not loadable (syntax error, top-level await,
 *   `export =` of a function).
 * - `on_load_failure`: evaluating the module body threw; the module's previous code is untouched.
 * - `not_purged`: old code exists and could not be purged (soft purge refused), or `purge: 'none'`
 *   was asked for while old code exists (`erlang:load_module/2`).
 * - `not_loaded`: the operation needs a loaded module.
 */
export type CodeErrorReason =
  'badarg' | 'nofile' | 'badfile' | 'on_load_failure' | 'not_purged' | 'not_loaded';

export class CodeError extends Error {
  readonly reason: CodeErrorReason;
  /** The module concerned, when there is one. */
  readonly module: string | undefined;
  /** Compiler diagnostics (reason `badfile`). */
  readonly diagnostics: readonly CompileDiagnostic[];
  /** Processes that still run or hold old code (reason `not_purged`). */
  readonly holders: readonly CodeHolder[];

  constructor(
    reason: CodeErrorReason,
    message: string,
    details: {
      module?: string;
      cause?: unknown;
      diagnostics?: readonly CompileDiagnostic[];
      holders?: readonly CodeHolder[];
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'CodeError';
    this.reason = reason;
    this.module = details.module;
    this.diagnostics = details.diagnostics ?? [];
    this.holders = details.holders ?? [];
  }
}

/**
 * Thrown by a call to a function the current version of a module does not export (Erlang's
 * `undef`): the function was removed by an upgrade, or the module was deleted.
 */
export class UndefError extends Error {
  /** Always `'undef'`, like the Erlang error atom. */
  readonly code = 'undef';
  /** The module called. */
  readonly module: string;
  /** The function called. */
  readonly fn: string;
  constructor(module: string, fn: string, detail: string) {
    super(`undef: ${module}.${fn} is not defined: ${detail}`);
    this.name = 'UndefError';
    this.module = module;
    this.fn = fn;
  }
}
