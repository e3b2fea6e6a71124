/**
 * What the evaluator needs to know about the install it runs: the release being installed (its
 * libraries, applications and configuration), the options, and where progress goes.
 */
import type { App, JsonValue } from '../../../model';

export interface EvalOptions {
  /**
   * How long each process may take to suspend, in ms (`Infinity` for no limit). Overrides the
   * timeouts of suspend instructions, as OTP's `suspend_timeout` does. Default: the
   * instruction's, else 5000.
   */
  suspendTimeout?: number;
  /** How long each code change may take, in ms (OTP's `code_change_timeout`; default 5000). */
  codeChangeTimeout?: number;
}

/** One library (application directory) of the release being installed. */
export interface TargetLib {
  vsn: string;
  /** Absolute directory. */
  dir: string;
}

export interface EvalContext {
  /** The release root. */
  readonly root: string;
  /** The version being installed. */
  readonly target: string;
  /** Its libraries, by application (OTP's `LibDirs`). */
  readonly libs: ReadonlyMap<string, TargetLib>;
  /** Applications whose version differs from the running release's (OTP's `NewLibs`). */
  readonly newLibs: ReadonlySet<string>;
  /** Where the release's third-party packages are resolved from (`lib/deps-<hash>`). */
  readonly packagesFrom: string | undefined;
  /** The release's application descriptions (for applications the script loads or starts). */
  readonly apps: ReadonlyMap<string, App>;
  /** The release's configuration, by application. */
  readonly config: Readonly<Record<string, Readonly<Record<string, JsonValue>>>>;
  readonly options: EvalOptions;
  /** A progress line for whoever asked for the install (the control socket prints them). */
  progress(line: string): void;
}

export const DEFAULT_SYS_TIMEOUT = 5000;
