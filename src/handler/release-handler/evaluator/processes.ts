/**
 * Which processes use which modules (otp/semantics.md §6.2): every process of the running
 * applications' supervision trees whose child spec's `modules` names the module, and, beyond
 * OTP, behaviour processes outside any tree (started by hand, or under a non-OTP parent) whose
 * callback module or `modules` is it. One scan answers for every module of an instruction.
 */
import {
  supervisedProcesses,
  unsupervisedBehaviourProcesses,
  type ModuleUser,
} from '../../../behaviours/application';
import { moduleName } from '../../../behaviours/core/module-name';
import type { Pid } from '../../../runtime';

export interface UsersScan {
  /** For each module asked about, the processes using it (in tree order, then outsiders). */
  readonly byModule: Map<string, ModuleUser[]>;
  /** Supervisors that were suspended, so their subtrees could not be searched. */
  readonly suspendedSupervisors: Pid[];
}

/** The name of one entry of a `modules` list (a facade, or a module id). */
function entryName(entry: unknown): string | undefined {
  return typeof entry === 'string' ? entry : moduleName(entry);
}

export async function findUsers(modules: readonly string[]): Promise<UsersScan> {
  const wanted = new Set(modules);
  const byModule = new Map<string, ModuleUser[]>(modules.map((m) => [m, []]));
  const scan = await supervisedProcesses();
  const known = new Set<number>();
  const add = (p: ModuleUser): void => {
    if (!Array.isArray(p.modules)) return;
    // A simple_one_for_one supervisor's children share one `modules` array: resolve it once.
    let last: unknown = undefined;
    let lastName: string | undefined;
    let matched: string[] | undefined;
    for (const entry of p.modules) {
      const name = entry === last ? lastName : entryName(entry);
      last = entry;
      lastName = name;
      if (name === undefined || !wanted.has(name)) continue;
      // A module named twice in one `modules` list still counts once for that process.
      if (matched?.includes(name) === true) continue;
      (matched ??= []).push(name);
      byModule.get(name)!.push(p);
    }
  };
  for (const p of scan.processes) {
    known.add(p.pid.id);
    add(p);
  }
  // A large node: let its clients be served between the two halves of the scan.
  await new Promise((resolve) => setImmediate(resolve));
  for (const p of unsupervisedBehaviourProcesses(known)) add(p);
  return { byModule, suspendedSupervisors: scan.suspendedSupervisors };
}
