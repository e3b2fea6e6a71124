/**
 * What the evaluation of one script knows and has done (OTP's `eval_state`, otp/semantics.md
 * §6.1): the code read by load_object_code, the processes suspended per module, the children
 * stopped per module, the modules whose old code may still be in use, and the versions.
 */
import type { PreparedModule } from '../../../code';
import type { PurgeMethod } from '../../../model';
import type { Pid } from '../../../runtime';
import type { ProcessGroup } from '../../../behaviours/sys-group';
import type { ChildId } from '../../../behaviours/supervisor/spec';

/** A module read by load_object_code and not loaded yet. */
export interface ReadModule {
  prepared: PreparedModule;
  app: string;
  appVsn: string;
}

/** The versions of a module in this script: OTP's `{Mod, OldVsn, NewVsn}`. */
export interface ModuleVersions {
  /** The vsn of the code running before the script (`undefined` if the module was not loaded). */
  oldVsn: string | undefined;
  /** The vsn of the code read by load_object_code. */
  newVsn: string;
}

export class EvalState {
  /** Code read and prepared, not yet loaded (OTP's `bins`). */
  readonly read = new Map<string, ReadModule>();
  /** Module versions (OTP's `vsns`). */
  readonly vsns = new Map<string, ModuleVersions>();
  /** Processes suspended, by the module they were suspended for (OTP's `suspended`). */
  readonly suspended = new Map<string, ProcessGroup>();
  /**
   * The groups of processes resumed by this script, in order (a rollback suspends them again and
   * converts them back: their states went on after the conversion).
   */
  readonly resumed: ProcessGroup[] = [];
  /** Children stopped, by module (OTP's `stopped`). */
  readonly stopped = new Map<string, Array<{ supervisor: Pid; id: ChildId }>>();
  /** Modules loaded or removed whose old code may still be in use, with their post-purge method. */
  readonly unpurged = new Map<string, PurgeMethod>();
  /** Applications whose directory moved at the point of no return: app -> directory before. */
  readonly movedLibs = new Map<string, string>();
  /** Applications registered with the code server by this script (new applications). */
  readonly addedApps = new Set<string>();
  /** Modules loaded by this script, in order. */
  readonly loaded: string[] = [];
  /** Whether the point of no return was passed. */
  pastPointOfNoReturn = false;
}
