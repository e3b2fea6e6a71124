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
 *   `upgrade.depends`.
 * - **Order**: callee before caller (order.ts), deletions last (after the supervisors that stop
 *   their processes); pre-file instructions first, then `apply` attributes of phase `first`,
 *   the modules (each followed by its `immediate` applies), `last` applies, post-file ones.
 * - **Downgrade**: each instruction inverted (add <-> delete), in reverse order. Its deps leave
 *   out modules added or deleted by the upgrade: an edge to them would merge them into one
 *   suspend/load block where, going down, a supervisor's code change (static: after the loads)
 *   would come after the deletion of the module whose process it stops, and a restored module
 *   would load after its callers.
 */
import type { PurgeMethod } from '../../model/fields';
import type { JsonValue } from '../../model/json';
import type { AppupInstructionInput } from '../../model/instructions';
import type { ModuleEntry } from '../../model/modules';
import { parseModuleId, qualifyModule } from '../../model/names';
import { shapeChanges } from '../../model/state-shape';
import type { ApplyAttribute, UpgradeAttributes } from '../../model/upgrade-attributes';
import { RECONCILE_CHILDREN_EXTRA, wrapExtra } from '../../model/upgrade-extra';
import { diffModules } from './diff';
import { hookInstructions } from './hooks';
import { orderModules } from './order';
import { purgeFor, type PurgePair } from './purge-spec';
import type { AppVersion, Explained, GenerateOptions } from './types';

export interface PlanContext {
  older: AppVersion;
  newer: AppVersion;
  /** Modules of other applications this upgrade changes with generated instructions (deps may name them). */
  foreign: ReadonlySet<string>;
  options: GenerateOptions;
  warn(message: string): void;
  note(message: string): void;
}

export interface AppUpgrade {
  up: Explained[];
  down: Explained[];
}

type Kind = 'add_module' | 'delete_module' | 'update' | 'supervisor' | 'load_module';

interface ModulePlan {
  id: string;
  kind: Kind;
  why: string;
  /** Qualified ids. */
  deps: string[];
  entry: ModuleEntry | undefined;
}

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
  for (const id of [...instructed].sort()) {
    const entry = newer.modules[id];
    const deps = dependencies(id, entry, reachable, ctx);
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
  const ownDeps = new Map([...plans.values()].map((p) => [p.id, p.deps]));
  const { order, cycles } = orderModules([...instructed], ownDeps, priorities);
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

/** `kvapp:kv_store` as written in kvapp's appup: `kv_store`. */
function short(id: string, app: string): string {
  return id.startsWith(`${app}:`) ? id.slice(app.length + 1) : id;
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

function purgeOf(p: ModulePlan, ctx: PlanContext): PurgePair | undefined {
  const fromSpec = purgeFor(ctx.options.purge, p.id);
  if (fromSpec !== undefined) return fromSpec;
  const attr = p.entry?.upgrade?.purge;
  if (attr !== undefined) {
    const m = (v: 'soft' | 'brutal' | undefined): PurgeMethod =>
      v === 'soft' ? 'soft_purge' : 'brutal_purge';
    return typeof attr === 'string'
      ? { prePurge: m(attr), postPurge: m(attr) }
      : { prePurge: m(attr.pre), postPurge: m(attr.post) };
  }
  return ctx.options.purge?.default;
}

/** The user's extra: `upgrade.extra`, or OTP's default `[]`. */
function userExtra(p: ModulePlan): JsonValue {
  return (p.entry?.upgrade?.extra as JsonValue | undefined) ?? [];
}

function instruction(
  p: ModulePlan,
  direction: 'up' | 'down',
  ctx: PlanContext,
  addedOrRemoved: ReadonlySet<string>,
): AppupInstructionInput {
  const app = ctx.newer.name;
  const module = short(p.id, app);
  const deps = (direction === 'up' ? p.deps : p.deps.filter((d) => !addedOrRemoved.has(d))).map((d) =>
    short(d, app),
  );
  const withDeps = deps.length > 0 ? { deps } : {};
  const upgrade: UpgradeAttributes | undefined = p.entry?.upgrade;
  switch (p.kind) {
    case 'add_module':
      return direction === 'up' ? { op: 'add_module', module, ...withDeps } : { op: 'delete_module', module };
    case 'delete_module':
      return direction === 'up' ? { op: 'delete_module', module } : { op: 'add_module', module };
    case 'load_module':
      return { op: 'load_module', module, ...(purgeOf(p, ctx) ?? {}), ...withDeps };
    case 'supervisor':
      if (upgrade?.extra !== undefined && direction === 'up') {
        ctx.note(
          `${module}: upgrade.extra is ignored for a supervisor (its extra asks it to reconcile its children)`,
        );
      }
      return {
        op: 'update',
        module,
        modType: 'static',
        change: { advanced: { ...RECONCILE_CHILDREN_EXTRA } },
        ...(upgrade?.timeout === undefined ? {} : { timeout: upgrade.timeout }),
        ...(purgeOf(p, ctx) ?? {}),
        ...withDeps,
      };
    case 'update': {
      const user = userExtra(p);
      const shape = p.entry?.stateShape;
      const extra =
        shape === undefined
          ? user
          : wrapExtra(user, { stateShape: ctx.older.modules[p.id]?.stateShape ?? null });
      return {
        op: 'update',
        module,
        change: { advanced: extra },
        ...(upgrade?.timeout === undefined ? {} : { timeout: upgrade.timeout }),
        ...(purgeOf(p, ctx) ?? {}),
        ...withDeps,
      };
    }
  }
}

function inverseWhy(p: ModulePlan, older: AppVersion): string {
  if (p.kind === 'add_module') return 'added going up: deleted going down';
  if (p.kind === 'delete_module') return 'removed going up: restored going down';
  if (p.kind === 'update') return 'converted back by the newer code before the older code is loaded';
  if (p.kind === 'supervisor')
    return `the older init is read again and the children reconciled back${childrenNote(p.entry, older.modules[p.id])}`;
  return 'older code loaded back';
}

/** Notes on a GenServer's state across the upgrade; warnings where hotrel cannot be sure. */
function stateNotes(
  id: string,
  oldEntry: ModuleEntry | undefined,
  entry: ModuleEntry,
  ctx: PlanContext,
): string {
  const m = short(id, ctx.newer.name);
  const hasCodeChange = entry.exports.includes('codeChange');
  const what = entry.behaviour === 'gen_statem' ? 'data' : 'state';
  if (entry.stateShape !== undefined) {
    const older = oldEntry?.stateShape;
    if (older === undefined) {
      if (!hasCodeChange) {
        ctx.warn(
          `${m}: ${ctx.older.vsn} declared no ${what} shape, and ${ctx.newer.vsn} has no codeChange: going up the ${what} is converted to the new shape by field name, ` +
            `but a downgrade to ${ctx.older.vsn} leaves it in the new shape; add a codeChange handling {down: '${ctx.older.vsn}'}`,
        );
      }
      return `; its declared ${what} shape is new: the ${what} is converted to it by field name going up (going down: its codeChange)`;
    }
    const c = shapeChanges(older, entry.stateShape);
    const parts = [
      c.added.length > 0 ? `added ${c.added.join(', ')}` : '',
      c.removed.length > 0 ? `removed ${c.removed.join(', ')}` : '',
      c.renamed.length > 0 ? `renamed ${c.renamed.map(([a, b]) => `${a} -> ${b}`).join(', ')}` : '',
    ].filter((s) => s !== '');
    return parts.length === 0
      ? `; declared ${what} shape unchanged`
      : `; declared ${what} shape: ${parts.join('; ')} (converted automatically both ways)`;
  }
  const before = oldEntry?.stateType;
  const after = entry.stateType;
  if (before !== undefined && after !== undefined) {
    if (before === after) return `; ${what} type unchanged`;
    if (hasCodeChange) return `; its ${what} type changed: its codeChange converts it`;
    ctx.warn(
      `${m}: its ${what} type changed between ${ctx.older.vsn} and ${ctx.newer.vsn}, but it has no codeChange and declares no ${what} shape: ` +
        `running processes keep their ${what} in the old shape; add codeChange, or declare the shape with ${entry.behaviour === 'gen_statem' ? 'GenStatem.dataShape' : 'GenServer.stateShape'}`,
    );
    return `; its ${what} type changed without a conversion (see the warning)`;
  }
  if (hasCodeChange) return '; its codeChange converts the state';
  ctx.warn(
    `${m}: cannot tell whether its ${what} changed shape (no ${entry.behaviour === 'gen_statem' ? 'Data' : 'State'} type found in ${before === undefined ? ctx.older.vsn : ctx.newer.vsn}) and it has no codeChange; ` +
      `declare a type ${entry.behaviour === 'gen_statem' ? 'Data' : 'State'}, a ${what} shape, or a codeChange`,
  );
  return '';
}

function childrenNote(oldEntry: ModuleEntry | undefined, entry: ModuleEntry | undefined): string {
  const before = oldEntry?.children?.map((c) => c.id);
  const after = entry?.children?.map((c) => c.id);
  if (before === undefined || after === undefined) return '';
  const added = after.filter((c) => !before.includes(c));
  const removed = before.filter((c) => !after.includes(c));
  if (added.length === 0 && removed.length === 0) return '; same children';
  return `; children ${[
    added.length > 0 ? `added: ${added.join(', ')} (started)` : '',
    removed.length > 0 ? `removed: ${removed.join(', ')} (stopped)` : '',
  ]
    .filter((s) => s !== '')
    .join('; ')}`;
}

interface PlannedApply {
  owner: string;
  attr: ApplyAttribute;
}

function collectApplies(newer: AppVersion): PlannedApply[] {
  const out: PlannedApply[] = [];
  for (const id of [...newer.app.modules].sort()) {
    const spec = newer.modules[id]?.upgrade?.apply;
    if (spec === undefined) continue;
    for (const attr of Array.isArray(spec) ? spec : [spec]) out.push({ owner: id, attr });
  }
  return out;
}

function phase(
  applies: readonly PlannedApply[],
  which: 'first' | 'immediate' | 'last',
  direction: 'up' | 'down',
  owner?: string,
): Explained[] {
  return applies
    .filter(
      (a) =>
        a.attr.phase === which &&
        (a.attr.when === 'both' || a.attr.when === direction) &&
        (owner === undefined || a.owner === owner),
    )
    .sort((a, b) => a.attr.priority - b.attr.priority)
    .map((a) => {
      const app = parseModuleId(a.owner).app;
      const module = a.attr.module ?? short(a.owner, app);
      return {
        instruction: { op: 'apply', module, function: a.attr.function, args: [...a.attr.args] },
        why: `upgrade.apply of ${short(a.owner, app)} (phase ${which})`,
      };
    });
}

function hooked(
  hooks: AppVersion['pre'],
  newVsn: string,
  direction: 'up' | 'down',
  otherVsn: string,
  part: 'pre' | 'post',
): Explained[] {
  return hookInstructions(hooks, newVsn, direction, otherVsn).map((instruction) => ({
    instruction,
    why: `from the ${part} file`,
  }));
}
