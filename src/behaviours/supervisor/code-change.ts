/** A supervisor's code change: re-read the specs (OTP), and optionally reconcile the children. */
import { isThenable } from '../core/awaitable';
import { formatTerm } from '../errors';
import { startArgs, startChild } from './child';
import { reportProgress } from './report';
import { terminateGroup } from './restart';
import { checkChildSpecs, checkFlags, SpecError, type SupervisorInit } from './spec';
import { StaticChild, type SupervisorState } from './state';
import type { ReconcileChildren } from './types';

const NO_ARGS: readonly unknown[] = Object.freeze([]);

/**
 * OTP's supervisor `code_change`: call the (new) module's `init` again and take its flags and
 * specs. Existing ids take their new spec and keep their process; new ids are added but not
 * started; ids no longer listed stay, with their old spec and process. With `extra =
 * {reconcileChildren: true}` (beyond OTP), added children are also started and removed ones
 * stopped and deleted; if an added child fails to start, those started are stopped again and the
 * change fails with the state untouched. A `temporary` child the supervisor does not have (one
 * that ended, and so was forgotten) is not added back, as OTP does since PR #287: otherwise a
 * finished temporary task would reappear in the specs, be restarted by a `one_for_all` restart,
 * and, with the reconcile, be started again by the upgrade itself.
 */
export async function codeChange(
  _oldVsn: unknown,
  state: SupervisorState,
  extra: unknown,
): Promise<SupervisorState> {
  let result = state.module.init(state.args) as unknown;
  if (isThenable(result)) result = await result;
  const r = result as (SupervisorInit & { kind?: unknown }) | null;
  if (r?.kind === 'ignore') return state;
  if (r === null || typeof r !== 'object' || !Array.isArray(r.children))
    throw new SpecError(
      'init result',
      result,
      'expected { strategy?, intensity?, period?, children } or ignore()',
    );
  const flags = checkFlags(r);
  if ((flags.strategy === 'simple_one_for_one') !== state.simple)
    throw new SpecError(
      'strategy',
      flags.strategy,
      `cannot change to or from simple_one_for_one (was ${state.flags.strategy})`,
    );
  const checked = checkChildSpecs(r.children);
  if (state.simple) {
    const specs = checked;
    if (specs.length !== 1)
      throw new SpecError(
        'children',
        r.children,
        'a simple_one_for_one supervisor has exactly one child spec',
      );
    return state.withSpecs(flags, state.children, specs[0]);
  }
  const specs = checked.filter(
    (spec) => spec.restart !== 'temporary' || state.findById(spec.id) !== undefined,
  );
  const updated = specs.map((spec) => {
    const child = new StaticChild(spec);
    const old = state.findById(spec.id);
    if (old !== undefined) {
      child.pid = old.pid;
      child.restarting = old.restarting;
    }
    return child;
  });
  const removed = state.children.filter((c) => !specs.some((s) => s.id === c.id));
  const next = state.withSpecs(flags, [...updated, ...removed], undefined);
  if (isReconcile(extra)) {
    const added = updated.filter((c) => state.findById(c.id) === undefined);
    await reconcile(next, added, removed);
  }
  return next;
}

function isReconcile(extra: unknown): extra is ReconcileChildren {
  return (
    typeof extra === 'object' && extra !== null && (extra as ReconcileChildren).reconcileChildren === true
  );
}

async function reconcile(next: SupervisorState, added: StaticChild[], removed: StaticChild[]): Promise<void> {
  const started: StaticChild[] = [];
  for (const child of added) {
    const result = await startChild(next.self, child.spec, startArgs(child.spec, NO_ARGS));
    if (result.kind === 'error') {
      await terminateGroup(next, started);
      throw Object.assign(
        new Error(
          `code change: added child ${String(child.id)} failed to start: ${formatTerm(result.reason)}`,
        ),
        {
          failedToStartChild: child.id,
          reason: result.reason,
        },
      );
    }
    if (result.kind === 'ok') {
      child.pid = result.pid;
      started.push(child);
      reportProgress(next.label, child.spec, result.pid);
    }
  }
  await terminateGroup(next, removed);
  for (const child of removed) next.remove(child);
}
