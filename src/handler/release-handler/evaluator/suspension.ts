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
 */
import { behaviourOf } from '../../../behaviours/core/record';
import { changeCodeMany, restoreMany, resumeMany, suspendMany } from '../../../behaviours/sys-group';
import type { Op, RelupInstruction, Timeout } from '../../../model';
import type { Pid } from '../../../runtime';
import { describeError, ReleaseHandlerError } from '../errors';
import { DEFAULT_SYS_TIMEOUT, type EvalContext } from './context';
import type { Journal } from './journal';
import { findUsers } from './processes';
import type { EvalState, SuspendedProcess } from './state';

/** Timing of the suspended window, for reports and benchmarks. */
export interface SuspensionClock {
  /** When the first process of the install was suspended (performance.now()), if any was. */
  firstSuspend: number | undefined;
  /** When the last one was resumed. */
  lastResume: number | undefined;
  /** Processes that were suspended by the install. */
  count: number;
}

function timeoutMs(t: Timeout | undefined): number {
  if (t === undefined || t === 'default') return DEFAULT_SYS_TIMEOUT;
  return t === 'infinity' ? Infinity : t;
}

function label(p: SuspendedProcess): string {
  return p.name === undefined ? String(p.pid) : `${String(p.pid)} (${p.name})`;
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
  const scan = await findUsers(entries.map((e) => e.module));
  if (scan.suspendedSupervisors.length > 0) {
    throw new ReleaseHandlerError(
      'suspended_supervisor',
      `cannot find the processes using ${entries.map((e) => e.module).join(', ')}: supervisor(s) ` +
        `${scan.suspendedSupervisors.map(String).join(', ')} are suspended and cannot be asked for their children ` +
        '(resume them with sys.resume, then install again)',
      { supervisors: scan.suspendedSupervisors.map(String) },
    );
  }
  // Each process once, with the longest timeout among the modules it is suspended for.
  const byPid = new Map<number, { pid: Pid; timeout: number; modules: string[] }>();
  for (const e of entries) {
    const t = ctx.options.suspendTimeout ?? timeoutMs(e.timeout);
    for (const user of scan.byModule.get(e.module) ?? []) {
      const known = byPid.get(user.pid.id);
      if (known === undefined) byPid.set(user.pid.id, { pid: user.pid, timeout: t, modules: [e.module] });
      else {
        known.timeout = Math.max(known.timeout, t);
        if (!known.modules.includes(e.module)) known.modules.push(e.module);
      }
    }
  }
  const byTimeout = new Map<number, Pid[]>();
  for (const p of byPid.values()) {
    const list = byTimeout.get(p.timeout);
    if (list === undefined) byTimeout.set(p.timeout, [p.pid]);
    else list.push(p.pid);
  }
  const started = performance.now();
  const results = await Promise.all([...byTimeout].map(([timeout, pids]) => suspendMany(pids, { timeout })));
  const suspended = results.flatMap((r) => r.suspended);
  const failed = results.flatMap((r) => r.failed);
  if (suspended.length > 0 || failed.length > 0) {
    clock.firstSuspend ??= started;
    clock.count += suspended.length;
    // Resuming is the undo, for the failed ones too (their suspend may still be pending).
    const all = [...suspended, ...failed.map((f) => f.pid)];
    journal.record(`suspend of ${entries.map((e) => e.module).join(', ')}`, () => resumeMany(all));
  }
  if (failed.length > 0) {
    const first = failed[0]!;
    throw new ReleaseHandlerError(
      'suspend_failed',
      `${failed.length} process(es) did not suspend: ${String(first.pid)}${nameOf(first.pid)} ` +
        `${first.reason === 'timeout' ? `was still busy after ${byPid.get(first.pid.id)?.timeout} ms` : `failed: ${describeError(first.reason)}`}. ` +
        'The install was rolled back; retry when it is less busy, or give it more time with --suspend-timeout',
      { pids: failed.map((f) => String(f.pid)), reason: failed.map((f) => describeError(f.reason)) },
    );
  }
  const suspendedIds = new Set(suspended.map((p) => p.id));
  for (const e of entries) {
    const list = state.suspended.get(e.module) ?? [];
    for (const user of scan.byModule.get(e.module) ?? []) {
      if (suspendedIds.has(user.pid.id) && !list.some((p) => p.pid.id === user.pid.id)) {
        list.push({ pid: user.pid, name: behaviourOf(user.pid)?.name });
      }
    }
    state.suspended.set(e.module, list);
  }
  ctx.progress(
    `suspended ${suspended.length} process(es) using ${entries.map((e) => e.module).join(', ')} in ${(performance.now() - started).toFixed(1)} ms`,
  );
}

function nameOf(pid: Pid): string {
  const name = behaviourOf(pid)?.name;
  return name === undefined ? '' : ` (${name})`;
}

export async function codeChange(
  instr: Op<RelupInstruction, 'code_change'>,
  ctx: EvalContext,
  state: EvalState,
  journal: Journal,
): Promise<void> {
  for (const { module, extra } of instr.modules) {
    const procs = state.suspended.get(module) ?? [];
    if (procs.length === 0) continue; // OTP: a module with no suspended process is a no-op.
    const versions = state.vsns.get(module);
    const vsn = instr.mode === 'up' ? versions?.oldVsn : { down: versions?.newVsn };
    const started = performance.now();
    const results = await changeCodeMany(
      procs.map((p) => p.pid),
      module,
      vsn,
      extra,
      { timeout: ctx.options.codeChangeTimeout ?? DEFAULT_SYS_TIMEOUT, snapshot: true },
    );
    const converted = results.filter((r) => r.result.kind === 'ok');
    // The newer code converts back processes already resumed: it is current when this undo runs
    // if the module was loaded before this code_change going up, or after it going down.
    const newerCodeUndoes = (instr.mode === 'up') === state.loaded.includes(module);
    const back = instr.mode === 'up' ? { down: versions?.oldVsn } : versions?.newVsn;
    journal.record(`code_change of ${module}`, async () => {
      const held = converted.filter((c) => !state.resumed.has(c.pid.id));
      const running = converted.filter((c) => state.resumed.has(c.pid.id));
      await restoreMany(held.map((c) => ({ pid: c.pid, snapshot: c.snapshot })));
      if (running.length === 0) return;
      if (!newerCodeUndoes) {
        throw new Error(
          `${running.length} process(es) of ${module} already run the converted state and only the older code is loaded to convert it back`,
        );
      }
      const again = await changeCodeMany(
        running.map((c) => c.pid),
        module,
        back,
        extra,
        { timeout: ctx.options.codeChangeTimeout ?? DEFAULT_SYS_TIMEOUT },
      );
      const failed = again.find((r) => r.result.kind === 'error');
      if (failed !== undefined && failed.result.kind === 'error') {
        throw new Error(
          `${String(failed.pid)} could not be converted back: ${describeError(failed.result.reason)}`,
        );
      }
    });
    const failures = results.filter((r) => r.result.kind === 'error');
    if (failures.length > 0) {
      const first = failures[0]!;
      const reason = first.result.kind === 'error' ? first.result.reason : undefined;
      const who = procs.find((p) => p.pid.id === first.pid.id);
      throw new ReleaseHandlerError(
        'code_change_failed',
        `codeChange of ${module} failed in ${who === undefined ? String(first.pid) : label(who)}` +
          `${failures.length > 1 ? ` (and ${failures.length - 1} other process(es))` : ''}: ${describeError(reason)}`,
        {
          pid: String(first.pid),
          module,
          vsn: vsn as unknown,
          reason: describeError(reason),
          failed: failures.length,
        },
        { cause: reason },
      );
    }
    ctx.progress(
      `converted ${converted.length} process(es) of ${module} in ${(performance.now() - started).toFixed(1)} ms`,
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
  const seen = new Set<number>();
  const pids: Pid[] = [];
  for (const module of instr.modules) {
    for (const p of state.suspended.get(module) ?? []) {
      if (seen.has(p.pid.id)) continue;
      seen.add(p.pid.id);
      pids.push(p.pid);
    }
    state.suspended.delete(module);
  }
  if (pids.length === 0) return;
  const started = performance.now();
  await resumeMany(pids);
  clock.lastResume = performance.now();
  for (const pid of pids) state.resumed.add(pid.id);
  journal.record(`resume of ${instr.modules.join(', ')}`, async () => {
    const again = await suspendMany(pids, { timeout: ctx.options.suspendTimeout ?? DEFAULT_SYS_TIMEOUT });
    if (again.failed.length > 0) {
      await resumeMany(again.failed.map((f) => f.pid));
      throw new Error(`${again.failed.length} resumed process(es) could not be suspended again`);
    }
  });
  ctx.progress(`resumed ${pids.length} process(es) in ${(clock.lastResume - started).toFixed(1)} ms`);
}
