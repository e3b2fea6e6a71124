/**
 * Resolves the module names of one application's appup script: a bare name means a module of
 * that application (`kv_worker` in kvapp's appup is `kvapp:kv_worker`), a qualified id stays as
 * it is. In a load_object_code, bare names belong to the instruction's own `app`; in an apply,
 * the bare names `application` and `supervisor` are the built-in pseudo-modules.
 */
import type { AppupInstruction } from '../../model/instructions';
import { isBuiltinApplyModule, qualifyModule } from '../../model/names';

export function qualifyScript(script: readonly AppupInstruction[], app: string): AppupInstruction[] {
  return script.map((instr) => qualifyInstruction(instr, app));
}

export function qualifyInstruction(instr: AppupInstruction, app: string): AppupInstruction {
  const q = (name: string): string => qualifyModule(name, app);
  const qApply = (name: string): string => (isBuiltinApplyModule(name) ? name : q(name));
  switch (instr.op) {
    case 'load_module':
    case 'update':
    case 'add_module':
    case 'delete_module':
      return {
        ...instr,
        module: q(instr.module),
        ...(instr.deps !== undefined ? { deps: instr.deps.map(q) } : {}),
      };
    case 'load':
    case 'remove':
      return { ...instr, module: q(instr.module) };
    case 'purge':
    case 'resume':
    case 'stop':
    case 'start':
      return { ...instr, modules: instr.modules.map(q) };
    case 'load_object_code':
      return { ...instr, modules: instr.modules.map((m) => qualifyModule(m, instr.app)) };
    case 'suspend':
      return {
        ...instr,
        modules: instr.modules.map((m) => (typeof m === 'string' ? q(m) : { ...m, module: q(m.module) })),
      };
    case 'code_change':
      return { ...instr, modules: instr.modules.map((m) => ({ ...m, module: q(m.module) })) };
    case 'apply':
      return { ...instr, module: qApply(instr.module) };
    case 'sync_nodes':
      return instr.apply !== undefined
        ? { ...instr, apply: { ...instr.apply, module: qApply(instr.apply.module) } }
        : instr;
    default:
      return instr;
  }
}
