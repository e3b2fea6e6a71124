/**
 * The translator's working form of instructions: high-level ones with every field explicit
 * (OTP's canonical tuples after `expand_script` and `normalize_instrs`), low-level ones as in
 * relup.json. Expansion applies OTP's defaults exactly as its short forms do (semantics.md §3.1).
 */
import type { AppupInstruction, AppupInstructionInput, RelupInstruction } from '../../model/instructions';
import type { Change, ModType, PurgeMethod, StartType, Timeout } from '../../model/fields';

export interface XUpdate {
  op: 'update';
  module: string;
  modType: ModType;
  timeout: Timeout;
  change: Change;
  prePurge: PurgeMethod;
  postPurge: PurgeMethod;
  deps: string[];
}
export interface XLoadModule {
  op: 'load_module';
  module: string;
  prePurge: PurgeMethod;
  postPurge: PurgeMethod;
  deps: string[];
}
export interface XAddModule {
  op: 'add_module';
  module: string;
  deps: string[];
}
export interface XDeleteModule {
  op: 'delete_module';
  module: string;
  deps: string[];
}
export interface XAddApplication {
  op: 'add_application';
  application: string;
  type: StartType;
}
export interface XRemoveApplication {
  op: 'remove_application';
  application: string;
}
export interface XRestartApplication {
  op: 'restart_application';
  application: string;
}
export interface XMnesiaBackup {
  op: 'mnesia_backup';
}

/** Instructions that take part in dependency sorting (OTP's ?DEP_INSTRS). */
export type Dependent = XUpdate | XLoadModule | XAddModule | XDeleteModule;
export type Instr =
  Dependent | XAddApplication | XRemoveApplication | XRestartApplication | XMnesiaBackup | RelupInstruction;

const DEPENDENT_OPS: ReadonlySet<string> = new Set(['update', 'load_module', 'add_module', 'delete_module']);

export function isDependent(instr: Instr): instr is Dependent {
  return DEPENDENT_OPS.has(instr.op);
}

/**
 * Fills in OTP's defaults. Total: a value that is not a known instruction passes through
 * unchanged, so that the syntax check (which runs after the merge, as in OTP) reports it.
 */
export function expand(instr: AppupInstructionInput | AppupInstruction): Instr {
  const i = instr as AppupInstructionInput;
  if (typeof i !== 'object' || i === null) return i as never;
  switch (i.op) {
    case 'load_module':
      return {
        op: 'load_module',
        module: i.module,
        prePurge: i.prePurge ?? 'brutal_purge',
        postPurge: i.postPurge ?? 'brutal_purge',
        deps: i.deps ?? [],
      };
    case 'update':
      if (i.supervisor === true) {
        // {update, Mod, supervisor}: a supervisor's code_change re-reads its child specs from the
        // *loaded* init/1, so it is static: load before code_change in both directions.
        return {
          op: 'update',
          module: i.module,
          modType: 'static',
          timeout: i.timeout ?? 'default',
          change: { advanced: [] },
          prePurge: i.prePurge ?? 'brutal_purge',
          postPurge: i.postPurge ?? 'brutal_purge',
          deps: i.deps ?? [],
        };
      }
      return {
        op: 'update',
        module: i.module,
        modType: i.modType ?? 'dynamic',
        timeout: i.timeout ?? 'default',
        change: i.change ?? 'soft',
        prePurge: i.prePurge ?? 'brutal_purge',
        postPurge: i.postPurge ?? 'brutal_purge',
        deps: i.deps ?? [],
      };
    case 'add_module':
    case 'delete_module':
      return { op: i.op, module: i.module, deps: i.deps ?? [] };
    case 'add_application':
      return { op: 'add_application', application: i.application, type: i.type ?? 'permanent' };
    default:
      return i as Instr;
  }
}
