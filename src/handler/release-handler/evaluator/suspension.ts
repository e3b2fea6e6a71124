/**
 * `suspend`, `code_change` and `resume`: the processes of a dependency group are suspended
 * together, converted together and resumed together (sys's `suspendMany`, `changeCodeMany`,
 * `resumeMany`), so their clients see one short pause instead of OTP's N sequential ones.
 *
 * Beyond OTP:
 * - a process that does not suspend in time fails the install (and the install is rolled back),
 *   instead of being skipped and later running new code on an unconverted state (OTP #11001);
 * - behaviour processes outside any supervision tree are suspended and converted too;
 * - each conversion keeps the state it replaced, so a failure restores the exact old states of
 *   the processes still suspended; processes already resumed are converted back by the newer
 *   code (`{down: vsn}` going up, the plain version going down).
 *
 * Everything here runs while clients wait, so it works on plain arrays of pids, without an
 * object per process.
 */
import { behaviourOf } from '../../../behaviours/core/record';
import {
  changeCodeMany,
  ProcessGroup,
  restoreMany,
  resumeMany,
  suspendMany,
} from '../../../behaviours/sys-group';
import type { Op, RelupInstruction, Timeout } from '../../../model';
import type { Pid } from '../../../runtime';
import { describeError, ReleaseHandlerError } from '../errors';
import { DEFAULT_SYS_TIMEOUT, type EvalContext } from './context';
import type { Journal } from './journal';
import { findUsers } from './processes';
import type { EvalState } from './state';

/** Timing of the suspended window, for reports and benchmarks. */
export interface SuspensionClock {
  /** When the first process of the install was suspended (performance.now()), if any was. */
  firstSuspend: number | undefined;
  /** When the last one was resumed. */
  lastResume: number | undefined;
  /** Processes suspended by the install. */
  count: number;
  /** Processes suspended right now by the install. */
  held: number;
}

function timeoutMs(t: Timeout | undefined): number {
  if (t === undefined || t === 'default') return DEFAULT_SYS_TIMEOUT;
  return t === 'infinity' ? Infinity : t;
}

function label(pid: Pid): string {
  const name = behaviourOf(pid)?.name;
  return name === undefined ? String(pid) : `${String(pid)} (${name})`;
}

/** Members once each, in first-seen order (one group is returned as it is). */
function uniqueGroup(groups: readonly ProcessGroup[]): ProcessGroup {
  if (groups.length === 1) return groups[0]!;
  const seen = new Set<number>();
  const pids: Pid[] = [];
  for (const g of groups) {
    for (const pid of g.pids) {
      if (seen.has(pid.id)) continue;
      seen.add(pid.id);
      pids.push(pid);
    }
  }
  return ProcessGroup.of(pids);
}

/** Pids once each, in first-seen order. */
function unique(lists: ReadonlyArray<readonly Pid[]>): Pid[] {
  if (lists.length === 1) return [...lists[0]!];
  const seen = new Set<number>();
  const out: Pid[] = [];
  for (const list of lists) {
    for (const pid of list) {
      if (seen.has(pid.id)) continue;
      seen.add(pid.id);
      out.push(pid);
    }
  }
  return out;
}

export async function suspend(
  instr: Op<RelupInstruction, 'suspend'>,
  ctx: EvalContext,
  state: EvalState,
  journal: Journal,
  clock: SuspensionClock,
): Promise<void> {
  const entries = instr.modules.map((e) =>
    typeof e === 'string' ? { module: e, timeout: 'default' as Timeout } : e,
  );
  const modules = entries.map((e) => e.module);
  const scan = await findUsers(modules);
  if (scan.suspendedSupervisors.length > 0) {
    throw new ReleaseHandlerError(
      'suspended_supervisor',
      `cannot find the processes using ${modules.join(', ')}: supervisor(s) ` +
        `${scan.suspendedSupervisors.map(String).join(', ')} are suspended and cannot be asked for their children ` +
        '(resume them with sys.resume, then install again)',
      { supervisors: scan.suspendedSupervisors.map(String) },
    );
  }
  const users = entries.map((e) => (scan.byModule.get(e.module) ?? []).map((u) => u.pid));
  // Processes an earlier suspend of this script holds already: theirs is the resume (and undo).
  const alreadyHeld = heldBy(state);
  // One group per timeout (usually one): a process used by several modules waits the longest.
  const timeouts = entries.map((e) => ctx.options.suspendTimeout ?? timeoutMs(e.timeout));
  const groups = new Map<number, Pid[]>();
  const fresh = (list: readonly Pid[]): Pid[] =>
    alreadyHeld === undefined ? [...list] : list.filter((p) => !alreadyHeld.has(p.id));
  if (new Set(timeouts).size <= 1) groups.set(timeouts[0] ?? DEFAULT_SYS_TIMEOUT, fresh(unique(users)));
  else {
    const longest = new Map<number, { pid: Pid; t: number }>();
    users.forEach((list, i) => {
      for (const pid of fresh(list)) {
        const known = longest.get(pid.id);
        if (known === undefined || known.t < timeouts[i]!) longest.set(pid.id, { pid, t: timeouts[i]! });
      }
    });
    for (const { pid, t } of longest.values()) {
      const g = groups.get(t);
      if (g === undefined) groups.set(t, [pid]);
      else g.push(pid);
    }
  }
  // The scan was long work on a large node: let clients be served once more before the pause.
  if (clock.held === 0) await new Promise((resolve) => setImmediate(resolve));
  const started = performance.now();
  const results = await Promise.all([...groups].map(([timeout, pids]) => suspendMany(pids, { timeout })));
  const held = results.length === 1 ? results[0]!.held : uniqueGroup(results.map((r) => r.held));
  const suspended = held.pids;
  const failed = results.flatMap((r) => r.failed);
  if (suspended.length > 0 || failed.length > 0) {
    clock.firstSuspend ??= started;
    clock.count += suspended.length;
    clock.held += suspended.length;
    // Resuming is the undo, for the failed ones too (their suspend may still be pending).
    const all = failed.length === 0 ? held : [...suspended, ...failed.map((f) => f.pid)];
    journal.record(`suspend of ${modules.join(', ')}`, () => resumeMany(all));
  }
  if (failed.length > 0) {
    const first = failed[0]!;
    const timeout = [...groups].find(([, pids]) => pids.includes(first.pid))?.[0];
    throw new ReleaseHandlerError(
      'suspend_failed',
      `${failed.length} process(es) did not suspend: ${label(first.pid)} ` +
        `${first.reason === 'timeout' ? `was still busy after ${timeout} ms` : `failed: ${describeError(first.reason)}`}. ` +
        'The install was rolled back; retry when it is less busy, or give it more time with --suspend-timeout',
      { pids: failed.map((f) => String(f.pid)), reason: failed.map((f) => describeError(f.reason)) },
    );
  }
  // What each module's code_change and resume will work on (the processes actually suspended).
  const gone = results.reduce((n, r) => n + r.gone.length, 0);
  if (entries.length === 1 && gone === 0 && alreadyHeld === undefined && results.length === 1) {
    // The common case: one module, all suspended at once; its group needs no second look-up.
    const known = state.suspended.get(entries[0]!.module);
    state.suspended.set(entries[0]!.module, known === undefined ? held : uniqueGroup([known, held]));
  } else {
    const ok = new Set([...suspended.map((p) => p.id), ...(alreadyHeld ?? [])]);
    entries.forEach((e, i) => {
      const group = ProcessGroup.of(users[i]!.filter((p) => ok.has(p.id)));
      const known = state.suspended.get(e.module);
      state.suspended.set(e.module, known === undefined ? group : uniqueGroup([known, group]));
    });
  }
  ctx.progress(
    `suspended ${suspended.length} process(es) using ${modules.join(', ')} in ${(performance.now() - started).toFixed(1)} ms`,
  );
}

/** Ids of the processes this script holds suspended now (undefined: none). */
function heldBy(state: EvalState): Set<number> | undefined {
  if (state.suspended.size === 0) return undefined;
  const ids = new Set<number>();
  for (const group of state.suspended.values()) for (const p of group.pids) ids.add(p.id);
  return ids;
}

export async function codeChange(
  instr: Op<RelupInstruction, 'code_change'>,
  ctx: EvalContext,
  state: EvalState,
  journal: Journal,
): Promise<void> {
  for (const { module, extra } of instr.modules) {
    const group = state.suspended.get(module);
    if (group === undefined || group.size === 0) continue; // OTP: no suspended process is a no-op.
    const versions = state.vsns.get(module);
    const vsn = instr.mode === 'up' ? versions?.oldVsn : { down: versions?.newVsn };
    const started = performance.now();
    const timeout = ctx.options.codeChangeTimeout ?? DEFAULT_SYS_TIMEOUT;
    const result = await changeCodeMany(group, module, vsn, extra, { timeout, snapshot: true });
    const snapshots = result.snapshots!;
    // The newer code converts back processes already resumed: it is current when this undo runs
    // if the module was loaded before this code_change going up, or after it going down.
    const newerCodeUndoes = (instr.mode === 'up') === state.loaded.includes(module);
    const back = instr.mode === 'up' ? { down: versions?.oldVsn } : versions?.newVsn;
    const resumedBefore = state.resumed.length;
    journal.record(`code_change of ${module}`, async () => {
      // Resumed since: their states went on; the others still hold exactly the converted state.
      const since = new Set(state.resumed.slice(resumedBefore).flatMap((g) => g.pids.map((p) => p.id)));
      if (since.size === 0) return restoreMany(group, snapshots);
      const held: Pid[] = [];
      const heldSnapshots: unknown[] = [];
      const running: Pid[] = [];
      group.pids.forEach((pid, i) => {
        if (!(i in snapshots)) return; // not converted
        if (since.has(pid.id)) running.push(pid);
        else {
          heldSnapshots[held.length] = snapshots[i];
          held.push(pid);
        }
      });
      await restoreMany(held, heldSnapshots);
      if (running.length === 0) return;
      if (!newerCodeUndoes) {
        throw new Error(
          `${running.length} process(es) of ${module} already run the converted state and only the older code is loaded to convert it back`,
        );
      }
      const again = await changeCodeMany(running, module, back, extra, { timeout });
      const failed = again.failed[0];
      if (failed !== undefined) {
        throw new Error(`${label(failed.pid)} could not be converted back: ${describeError(failed.reason)}`);
      }
    });
    if (result.failed.length > 0) {
      const first = result.failed[0]!;
      throw new ReleaseHandlerError(
        'code_change_failed',
        `codeChange of ${module} failed in ${label(first.pid)}` +
          `${result.failed.length > 1 ? ` (and ${result.failed.length - 1} other process(es))` : ''}: ${describeError(first.reason)}`,
        {
          pid: String(first.pid),
          module,
          vsn: vsn as unknown,
          reason: describeError(first.reason),
          failed: result.failed.length,
        },
        { cause: first.reason },
      );
    }
    ctx.progress(
      `converted ${result.converted} process(es) of ${module} in ${(performance.now() - started).toFixed(1)} ms`,
    );
  }
}

export async function resume(
  instr: Op<RelupInstruction, 'resume'>,
  ctx: EvalContext,
  state: EvalState,
  journal: Journal,
  clock: SuspensionClock,
): Promise<void> {
  const groups = instr.modules.flatMap((m) => {
    const g = state.suspended.get(m);
    return g === undefined || g.size === 0 ? [] : [g];
  });
  for (const m of instr.modules) state.suspended.delete(m);
  if (groups.length === 0) return;
  const group = uniqueGroup(groups);
  const started = performance.now();
  await resumeMany(group);
  clock.lastResume = performance.now();
  clock.held = Math.max(0, clock.held - group.size);
  state.resumed.push(group);
  journal.record(`resume of ${instr.modules.join(', ')}`, async () => {
    const again = await suspendMany(group, { timeout: ctx.options.suspendTimeout ?? DEFAULT_SYS_TIMEOUT });
    if (again.failed.length > 0) {
      await resumeMany(again.failed.map((f) => f.pid));
      throw new Error(`${again.failed.length} resumed process(es) could not be suspended again`);
    }
  });
  ctx.progress(`resumed ${group.size} process(es) in ${(clock.lastResume - started).toFixed(1)} ms`);
}
