/** The appup instruction of one module, up or down, with its purge, timeout, extra and deps. */
import type { PurgeMethod } from '../../model/fields';
import type { AppupInstructionInput } from '../../model/instructions';
import type { JsonValue } from '../../model/json';
import type { UpgradeAttributes } from '../../model/upgrade-attributes';
import { RECONCILE_CHILDREN_EXTRA, wrapExtra } from '../../model/upgrade-extra';
import { childrenNote } from './notes';
import { short, type ModulePlan, type PlanContext } from './plan-types';
import { purgeFor, type PurgePair } from './purge-spec';
import type { AppVersion } from './types';

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

export function instruction(
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

export function inverseWhy(p: ModulePlan, older: AppVersion): string {
  if (p.kind === 'add_module') return 'added going up: deleted going down';
  if (p.kind === 'delete_module') return 'removed going up: restored going down';
  if (p.kind === 'update') return 'converted back by the newer code before the older code is loaded';
  if (p.kind === 'supervisor')
    return `the older init is read again and the children reconciled back${childrenNote(p.entry, older.modules[p.id])}`;
  return 'older code loaded back';
}
