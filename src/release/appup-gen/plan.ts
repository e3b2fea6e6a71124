/**
 * The generated upgrade of one application from one older version: which modules get which
 * instruction and why, their dependencies and order, and the downgrade (docs/appup-generation.md).
 *
 * - **Which modules**: added, removed and changed ones by code identity (diff.ts); and an
 *   unchanged supervisor whose `init` may read a changed plain module it imports (its children
 *   may differ though its own code does not).
 * - **Which instruction**, by the module's behaviour in the new version: GenServer/GenStatem ->
 *   `update` with `{advanced: extra}` (suspended, converted, resumed); Supervisor -> a static
 *   `update` whose extra asks the supervisor to reconcile its children by id (start the added,
 *   stop the removed); anything else -> `load_module`; new -> `add_module`; gone ->
 *   `delete_module`.
 * - **deps**: what the module imports, intersected with the modules this upgrade changes (in its
 *   application, and in other upgraded applications whose appups are generated), plus its
 *   `upgrade.depends`; a supervisor's only the new modules it starts.
 * - **Order**: callee before caller (order.ts), deletions last (after the supervisors that stop
 *   their processes); pre-file instructions first, then `apply` attributes of phase `first`,
 *   the modules (each followed by its `immediate` applies), `last` applies, post-file ones.
 * - **Downgrade**: each instruction inverted (add <-> delete), in reverse order. Its deps leave
 *   out modules added or deleted by the upgrade: an edge to them would merge them into one
 *   suspend/load block where, going down, a supervisor's code change (static: after the loads)
 *   would come after the deletion of the module whose process it stops, and a restored module
 *   would load after its callers.
 */
import type { ModuleEntry } from '../../model/modules';
import { parseModuleId, qualifyModule } from '../../model/names';
import { collectApplies, hooked, phase } from './applies';
import { diffModules } from './diff';
import { instruction, inverseWhy } from './instruction';
import { childrenNote, stateNotes } from './notes';
import { orderModules } from './order';
import { short, type AppUpgrade, type ModulePlan, type PlanContext } from './plan-types';
import type { AppVersion, Explained } from './types';

export type { PlanContext, AppUpgrade } from './plan-types';

const PROCESS_BEHAVIOURS = new Set(['gen_server', 'gen_statem']);

/** The module ids an application's modules.json entry says a supervisor may read children from. */
function plainImports(
  entry: ModuleEntry | undefined,
  newer: AppVersion,
  changed: ReadonlySet<string>,
): string[] {
  return (entry?.imports ?? []).filter((m) => {
    if (!changed.has(m)) return false;
    const b = newer.modules[m]?.behaviour;
    return b === undefined || b === 'none' || b === 'application';
  });
}

export function planUpgrade(ctx: PlanContext): AppUpgrade {
  const { older, newer } = ctx;
  const app = newer.name;
  if (ctx.options.restart?.includes(app)) {
    const restart: Explained = {
      instruction: { op: 'restart_application', application: app },
      why: 'restarted as a whole (--restart): stopped, every module replaced, started again',
    };
    return { up: [restart], down: [restart] };
  }
  for (const v of [older, newer]) {
    if (v.modulesProblem !== undefined) {
      ctx.warn(`${app} ${v.vsn}: ${v.modulesProblem}; every module of it counts as changed`);
    }
  }
  const diff = diffModules(older, newer);
  const changedIds = new Set(diff.changed.keys());

  // Unchanged supervisors whose init may read a changed plain module.
  const forced = new Map<string, string>();
  for (const id of newer.app.modules) {
    const entry = newer.modules[id];
    if (entry?.behaviour !== 'supervisor' || changedIds.has(id) || diff.added.includes(id)) continue;
    const read = plainImports(entry, newer, changedIds);
    if (read.length > 0) {
      forced.set(
        id,
        `unchanged Supervisor callback module, but it imports ${read.map((m) => short(m, app)).join(', ')}, which changed: ` +
          'its init is read again and its children reconciled in case they depend on it',
      );
    }
  }

  const instructed = new Set([...diff.added, ...changedIds, ...forced.keys()]);
  const reachable = new Set([...instructed, ...ctx.foreign]);
  const plans = new Map<string, ModulePlan>();
  // The order follows every dependency, including those left out of a supervisor's deps.
  const orderDeps = new Map<string, string[]>();
  for (const id of [...instructed].sort()) {
    const entry = newer.modules[id];
    let deps = dependencies(id, entry, reachable, ctx);
    orderDeps.set(id, deps);
    // A supervisor passes the modules it imports to its children's start; it does not call their
    // new code. Depending on a changed worker would only suspend the supervisor with it (knit's
    // warning about DepMods); it depends on the modules it starts that are new, which must be
    // loaded before its code change starts them.
    if (entry?.behaviour === 'supervisor') deps = deps.filter((d) => diff.added.includes(d));
    if (diff.added.includes(id)) {
      plans.set(id, { id, kind: 'add_module', why: `new module${describeBehaviour(entry)}`, deps, entry });
      continue;
    }
    const oldEntry = older.modules[id];
    const because = forced.get(id) ?? diff.changed.get(id)!;
    const behaviour = entry?.behaviour;
    if (oldEntry?.behaviour !== undefined && behaviour !== undefined && oldEntry.behaviour !== behaviour) {
      ctx.note(
        `${short(id, app)} was ${oldEntry.behaviour} in ${older.vsn} and is ${behaviour} now: its instruction follows the new version`,
      );
    }
    if (behaviour === undefined && newer.modulesProblem === undefined) {
      ctx.warn(
        `${short(id, app)}: its modules.json entry records no behaviour (built by an older hotrel?): loaded with load_module; rebuild the release to have it recognised`,
      );
    }
    if (behaviour !== undefined && PROCESS_BEHAVIOURS.has(behaviour)) {
      plans.set(id, {
        id,
        kind: 'update',
        why: `${because}; ${behaviour === 'gen_server' ? 'GenServer' : 'GenStatem'} callback module: its processes are suspended, converted by code change, resumed${stateNotes(id, oldEntry, entry!, ctx)}`,
        deps,
        entry,
      });
    } else if (behaviour === 'supervisor') {
      plans.set(id, {
        id,
        kind: 'supervisor',
        why: `${because}; Supervisor callback module: its code change reads init again and reconciles the children by id${childrenNote(oldEntry, entry!)}`,
        deps,
        entry,
      });
    } else {
      plans.set(id, {
        id,
        kind: 'load_module',
        why: `${because}${behaviour === 'application' ? '; application callback module' : ''}: loaded (no process is suspended)`,
        deps,
        entry,
      });
    }
  }
  for (const id of diff.removed) {
    plans.set(id, { id, kind: 'delete_module', why: 'removed module', deps: [], entry: older.modules[id] });
  }

  // A child that runs a supervisor must say so, or the release handler will not look under it.
  for (const p of plans.values()) {
    if (p.kind !== 'supervisor' && !(p.kind === 'add_module' && p.entry?.behaviour === 'supervisor'))
      continue;
    for (const child of p.entry?.children ?? []) {
      if (child.module === undefined || child.type === 'supervisor') continue;
      if (newer.modules[child.module]?.behaviour !== 'supervisor') continue;
      ctx.warn(
        `${short(p.id, app)}: child ${child.id} starts the supervisor ${short(child.module, app)} but its spec has no type: 'supervisor'; ` +
          'the processes under it will not be found for suspension and code change; add the type (supavisor #850)',
      );
    }
  }

  const priorities = (id: string): number => newer.modules[id]?.upgrade?.priority ?? 0;
  const { order, cycles } = orderModules([...instructed], orderDeps, priorities);
  if (cycles.length > 0) {
    ctx.note(
      `a dependency cycle among ${app}'s modules was broken at ${cycles.map((m) => short(m, app)).join(', ')} (higher priority first, then by name)`,
    );
  }
  const sequence = [...order, ...diff.removed].map((id) => plans.get(id)!);
  const addedOrRemoved = new Set([...diff.added, ...diff.removed]);
  // Only the modules this upgrade loads run their upgrade.apply calls.
  const applies = collectApplies(newer).filter((a) => instructed.has(a.owner));

  const up: Explained[] = [
    ...hooked(newer.pre, newer.vsn, 'up', older.vsn, 'pre'),
    ...phase(applies, 'first', 'up'),
  ];
  for (const p of sequence) {
    up.push({ instruction: instruction(p, 'up', ctx, addedOrRemoved), why: p.why });
    up.push(...phase(applies, 'immediate', 'up', p.id));
  }
  up.push(...phase(applies, 'last', 'up'), ...hooked(newer.post, newer.vsn, 'up', older.vsn, 'post'));

  const down: Explained[] = [
    ...hooked(newer.pre, newer.vsn, 'down', older.vsn, 'pre'),
    ...phase(applies, 'first', 'down'),
  ];
  for (const p of [...sequence].reverse()) {
    down.push({ instruction: instruction(p, 'down', ctx, addedOrRemoved), why: inverseWhy(p, older) });
    down.push(...phase(applies, 'immediate', 'down', p.id));
  }
  down.push(...phase(applies, 'last', 'down'), ...hooked(newer.post, newer.vsn, 'down', older.vsn, 'post'));
  return { up, down };
}

function describeBehaviour(entry: ModuleEntry | undefined): string {
  const b = entry?.behaviour;
  return b === undefined || b === 'none' ? '' : ` (${b})`;
}

/** Qualified deps of `id`: its imports and `upgrade.depends` that this upgrade also changes. */
function dependencies(
  id: string,
  entry: ModuleEntry | undefined,
  reachable: ReadonlySet<string>,
  ctx: PlanContext,
): string[] {
  const app = ctx.newer.name;
  const out = new Set<string>();
  for (const m of entry?.imports ?? []) if (reachable.has(m) && m !== id) out.add(m);
  for (const d of entry?.upgrade?.depends ?? []) {
    const q = qualifyModule(d, app);
    const { app: owner } = parseModuleId(q);
    const exists = owner === app ? ctx.newer.app.modules.includes(q) : true;
    if (!exists) {
      ctx.warn(
        `${short(id, app)}: upgrade.depends names ${d}, which is not a module of ${app} ${ctx.newer.vsn}; ignored`,
      );
    } else if (reachable.has(q)) {
      out.add(q);
    } else {
      ctx.note(
        `${short(id, app)}: upgrade.depends names ${d}, which this upgrade does not change; left out of its deps`,
      );
    }
  }
  return [...out].sort();
}
