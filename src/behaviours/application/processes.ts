/**
 * Which processes use a module: what the release handler suspends and converts for an
 * `update` (OTP's `release_handler_1:get_supervised_procs`, otp/semantics.md §6.2), and more.
 *
 * Every running application's tree is walked from its top supervisor: each child's `modules`
 * list says what it uses (`'dynamic'` is answered from the child's own behaviour record instead
 * of a `get_modules` call), supervisors are recursed into, and a suspended supervisor is not
 * queried (that would block) but reported. Beyond OTP, behaviour processes outside any
 * application tree (started by hand, or under a non-OTP parent) are found through the record
 * each one keeps in `proc.behaviour`, so they are not silently left in old code.
 */
import { allProcesses, logger, type Pid } from '../../runtime';
import { CallExitError } from '../errors';
import { sameModule } from '../core/module-name';
import { behaviourOf, BehaviourRecord, type BehaviourKind } from '../core/record';
import * as Supervisor from '../supervisor/api';
import type { ChildId } from '../supervisor/spec';
import { running } from './registry';

/** A process found by the walk. */
export interface ModuleUser {
  readonly pid: Pid;
  /** Its supervisor; `undefined` for a top supervisor or a process outside any tree. */
  readonly supervisor: Pid | undefined;
  /** Its child id (`undefined` for top supervisors, `simple_one_for_one` children, outsiders). */
  readonly id: ChildId | undefined;
  readonly modules: readonly unknown[] | 'dynamic';
  /** The behaviour it runs, if any. */
  readonly behaviour: BehaviourKind | undefined;
  /** The application whose tree holds it. */
  readonly application: string | undefined;
  /** Whether it was found in an application's supervision tree. */
  readonly supervised: boolean;
}

export interface ProcessScan {
  readonly processes: ModuleUser[];
  /** Supervisors that were suspended, so their children could not be listed. */
  readonly suspendedSupervisors: Pid[];
}

/** How long to wait for one supervisor's `whichChildren` (OTP: 5 s for its status check). */
const WHICH_CHILDREN_TIMEOUT = 5000;

/** Every process in the running applications' trees, top supervisors included. */
export async function supervisedProcesses(): Promise<ProcessScan> {
  const processes: ModuleUser[] = [];
  const suspendedSupervisors: Pid[] = [];
  for (const app of running.values()) {
    if (app.top === undefined) continue;
    const topInfo = behaviourOf(app.top);
    processes.push({
      pid: app.top,
      supervisor: undefined,
      id: undefined,
      modules: topInfo?.modules ?? [],
      behaviour: topInfo?.behaviour,
      application: app.name,
      supervised: true,
    });
    if (topInfo?.behaviour !== 'supervisor') {
      logger().error({ application: app.name }, `cannot find top supervisor for application ${app.name}`);
      continue;
    }
    await walk(app.top, app.name, processes, suspendedSupervisors);
  }
  return { processes, suspendedSupervisors };
}

async function walk(sup: Pid, application: string, out: ModuleUser[], suspended: Pid[]): Promise<void> {
  const info = behaviourOf(sup);
  if (info === undefined) return; // died meanwhile (OTP: noproc gives [])
  if (info.suspended) {
    suspended.push(sup);
    return;
  }
  let children;
  try {
    children = await Supervisor.whichChildren(sup, WHICH_CHILDREN_TIMEOUT);
  } catch (err) {
    if (err instanceof CallExitError) return; // exited during the scan
    throw err;
  }
  for (const child of children) {
    if (typeof child.pid !== 'object') continue; // not running, or restarting
    const record = behaviourOf(child.pid);
    out.push({
      pid: child.pid,
      supervisor: sup,
      id: child.id,
      modules: child.modules === 'dynamic' ? (record?.modules ?? 'dynamic') : child.modules,
      behaviour: record?.behaviour,
      application,
      supervised: true,
    });
    if (child.type === 'supervisor') await walk(child.pid, application, out, suspended);
  }
}

/** Behaviour processes that are in no running application's tree. */
export function unsupervisedBehaviourProcesses(known: ReadonlySet<number>): ModuleUser[] {
  const out: ModuleUser[] = [];
  for (const proc of allProcesses()) {
    const record = proc.behaviour;
    if (!(record instanceof BehaviourRecord) || known.has(proc.pid.id)) continue;
    out.push({
      pid: proc.pid,
      supervisor: undefined,
      id: undefined,
      modules: record.modules,
      behaviour: record.behaviour,
      application: undefined,
      supervised: false,
    });
  }
  return out;
}

/**
 * The processes that use `module` (a facade, or a module id): those in the application trees
 * whose `modules` list names it, then behaviour processes outside the trees that use it.
 * `suspendedSupervisors` lists the subtrees that could not be searched.
 */
export async function processesUsing(module: unknown): Promise<ProcessScan> {
  const scan = await supervisedProcesses();
  const known = new Set(scan.processes.map((p) => p.pid.id));
  const uses = (p: ModuleUser): boolean =>
    Array.isArray(p.modules) && p.modules.some((m) => sameModule(m, module));
  return {
    processes: [...scan.processes.filter(uses), ...unsupervisedBehaviourProcesses(known).filter(uses)],
    suspendedSupervisors: scan.suspendedSupervisors,
  };
}
