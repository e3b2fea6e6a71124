/**
 * The application controller's tables: loaded applications (spec and env) and running ones (in
 * start order), per node, as OTP's `ac_tab`. Only the controller writes them.
 */
import type { Pid } from '../../runtime';
import type { ApplicationSpec, StartType } from './spec';

export interface LoadedApplication {
  spec: ApplicationSpec;
  /** The current configuration (spec env, then config overrides, then `setEnv`). */
  readonly env: Map<string, unknown>;
}

export interface RunningApplication {
  readonly name: string;
  readonly type: StartType;
  /** The application master (absent for a library application). */
  readonly master: Pid | undefined;
  /** The top supervisor (absent for a library application). */
  readonly top: Pid | undefined;
  /** Set while `stop` runs, so its exit is not taken for a crash. */
  stopping: boolean;
  /** Cancels the watch on the master. */
  unwatch: (() => void) | undefined;
}

export const loaded = new Map<string, LoadedApplication>();
/** In start order (a Map keeps insertion order). */
export const running = new Map<string, RunningApplication>();

/** An application that is not loaded, for errors. */
export class NotLoadedError extends Error {
  constructor(readonly application: string) {
    super(`application ${application} is not loaded; call Application.load(spec) first`);
    this.name = 'NotLoadedError';
  }
}

export function loadedOrThrow(name: string): LoadedApplication {
  const app = loaded.get(name);
  if (app === undefined) throw new NotLoadedError(name);
  return app;
}
