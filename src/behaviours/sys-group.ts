/**
 * sys for many processes at once (hotrel's, beyond OTP): what the release handler uses to suspend
 * a whole dependency group, convert it and resume it in one pass, so that clients see one short
 * pause instead of N sequential ones (OTP's release_handler suspends, converts and resumes one
 * process at a time, each with a system message and a reply).
 *
 * A process idle in its loop's receive is suspended, converted and resumed without any message:
 * in a single-threaded node nothing else runs while the handler flips it, so the effect is the
 * same as `sys.suspend` / `sys.changeCode` / `sys.resume` handled between two of its messages.
 * A process that is busy (in the middle of an async handler) is marked suspended, so it stops
 * before taking its next ordinary message, and acknowledges with a system message once it has
 * finished the one in hand; it is waited for up to the timeout. Supervisors are converted with
 * a system message (their code change starts and stops children from inside their process).
 *
 * Queued ordinary messages stay in each mailbox, in order: none is lost, none is reordered.
 */
import { lookupProcess, type Pid } from '../runtime';
import { isThenable } from './core/awaitable';
import { request } from './core/call';
import { BehaviourRecord } from './core/record';
import { SYSTEM } from './core/request';
import type { ChangeCodeResult } from './core/system';
import { CallExitError, CallTimeoutError } from './errors';

/** The outcome of {@link suspendMany}. */
export interface SuspendManyResult {
  /** Suspended now: they take only system messages until resumed. */
  readonly suspended: Pid[];
  /** Not alive (or not behaviour processes): nothing to suspend. */
  readonly gone: Pid[];
  /**
   * Did not suspend within the timeout (busy in a handler) or failed: their suspend may still be
   * pending, so resume them ({@link resumeMany}) if the group is given up.
   */
  readonly failed: Array<{ readonly pid: Pid; readonly reason: unknown }>;
}

/** One process's outcome in {@link changeCodeMany}. */
export interface ChangedCode {
  readonly pid: Pid;
  readonly result: ChangeCodeResult;
  /** What {@link restoreMany} needs to undo the change (taken when asked for). */
  readonly snapshot?: unknown;
}

const DEFAULT_TIMEOUT = 5000;

function recordOf(pid: Pid): BehaviourRecord | undefined {
  const record = lookupProcess(pid)?.behaviour;
  return record instanceof BehaviourRecord ? record : undefined;
}

function system(pid: Pid, msg: object, timeout: number): Promise<unknown> {
  return request(pid, SYSTEM, msg, timeout, `sys.${(msg as { op: string }).op}`);
}

/** A finite timeout in ms for a request, or Infinity. */
function checkTimeout(timeout: number | undefined): number {
  const t = timeout ?? DEFAULT_TIMEOUT;
  if (!(t > 0)) throw new RangeError(`timeout must be > 0 ms (or Infinity), got ${String(timeout)}`);
  return t;
}

/**
 * Suspends every process together. Idle ones are suspended at once; busy ones are marked so that
 * they stop before their next ordinary message, and are waited for (concurrently) up to `timeout`
 * ms (default 5000). Idempotent, like `sys.suspend`.
 */
export async function suspendMany(
  pids: readonly Pid[],
  options: { timeout?: number } = {},
): Promise<SuspendManyResult> {
  const timeout = checkTimeout(options.timeout);
  const suspended: Pid[] = [];
  const gone: Pid[] = [];
  const failed: Array<{ pid: Pid; reason: unknown }> = [];
  const waits: Array<Promise<void>> = [];
  for (const pid of pids) {
    const record = recordOf(pid);
    if (record === undefined) {
      gone.push(pid);
      continue;
    }
    if (record.suspendIfIdle()) {
      suspended.push(pid);
      continue;
    }
    // Busy: stop it before its next ordinary message (queued ones wait until the resume), and
    // learn when it got there from its answer to a suspend.
    record.suspended = true;
    waits.push(
      system(pid, { op: 'suspend' }, timeout).then(
        () => void suspended.push(pid),
        (err: unknown) => {
          if (err instanceof CallExitError && !lookupProcess(pid)) gone.push(pid);
          else failed.push({ pid, reason: err instanceof CallTimeoutError ? 'timeout' : err });
        },
      ),
    );
  }
  if (waits.length > 0) await Promise.all(waits);
  return { suspended, gone, failed };
}

/**
 * Converts the state of every (suspended) process for new code, as `sys.changeCode` does each:
 * the callback module's `codeChange(oldVsn, state, extra)`. Conversions run concurrently; each
 * process's result says whether it converted (a failed one keeps its state). With `snapshot`,
 * each result carries what {@link restoreMany} needs to put the old state back.
 */
export async function changeCodeMany(
  pids: readonly Pid[],
  module: unknown,
  oldVsn: unknown,
  extra: unknown,
  options: { timeout?: number; snapshot?: boolean } = {},
): Promise<ChangedCode[]> {
  const timeout = checkTimeout(options.timeout);
  const withSnapshot = options.snapshot === true;
  const results = new Array<ChangedCode>(pids.length);
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < pids.length; i++) {
    const pid = pids[i]!;
    const record = recordOf(pid);
    if (record === undefined || !record.suspended) {
      results[i] = { pid, result: record === undefined ? NOPROC_RESULT : NOT_SUSPENDED_RESULT };
      continue;
    }
    if (!record.parked || record.behaviour === 'supervisor') {
      // Through the process: a supervisor's code change starts and stops children from inside it.
      pending.push(changeThroughProcess(pid, module, oldVsn, extra, timeout, withSnapshot, results, i));
      continue;
    }
    // Parked in its loop, it runs nothing else: convert it here, as its system message would.
    const snapshot = withSnapshot ? record.systemSnapshot() : undefined;
    let out: unknown;
    try {
      out = record.systemCodeChange(module, oldVsn, extra);
    } catch (reason) {
      results[i] = { pid, result: { kind: 'error', reason }, snapshot };
      continue;
    }
    if (!isThenable(out)) {
      results[i] = withSnapshot ? { pid, result: OK_RESULT, snapshot } : { pid, result: OK_RESULT };
      continue;
    }
    pending.push(
      withTimeout(Promise.resolve(out), timeout).then(
        () => void (results[i] = { pid, result: OK_RESULT, snapshot }),
        (reason: unknown) => void (results[i] = { pid, result: { kind: 'error', reason }, snapshot }),
      ),
    );
  }
  if (pending.length > 0) await Promise.all(pending);
  return results;
}

const OK_RESULT: ChangeCodeResult = Object.freeze({ kind: 'ok' });
const NOPROC_RESULT: ChangeCodeResult = Object.freeze({ kind: 'error', reason: 'noproc' });
const NOT_SUSPENDED_RESULT: ChangeCodeResult = Object.freeze({
  kind: 'error',
  reason: Object.freeze({ unknownSystemMsg: 'changeCode', hint: 'the process is not suspended' }),
});

async function changeThroughProcess(
  pid: Pid,
  module: unknown,
  oldVsn: unknown,
  extra: unknown,
  timeout: number,
  withSnapshot: boolean,
  results: ChangedCode[],
  i: number,
): Promise<void> {
  let snapshot: unknown;
  try {
    if (withSnapshot) snapshot = await system(pid, { op: 'getState' }, timeout);
    const result = (await system(
      pid,
      { op: 'changeCode', module, oldVsn, extra },
      timeout,
    )) as ChangeCodeResult;
    results[i] = withSnapshot ? { pid, result, snapshot } : { pid, result };
  } catch (reason) {
    results[i] = { pid, result: { kind: 'error', reason }, snapshot };
  }
}

/**
 * Puts back the states {@link changeCodeMany} snapshotted (a rolled-back upgrade). The processes
 * must still be suspended. A snapshot taken through `sys.getState` is put back with
 * `sys.replaceState`.
 */
export async function restoreMany(
  entries: ReadonlyArray<{ readonly pid: Pid; readonly snapshot: unknown }>,
  options: { timeout?: number } = {},
): Promise<void> {
  const timeout = checkTimeout(options.timeout);
  const pending: Array<Promise<unknown>> = [];
  for (const { pid, snapshot } of entries) {
    const record = recordOf(pid);
    if (record === undefined) continue;
    if (record.parked && record.behaviour !== 'supervisor') record.systemRestore(snapshot);
    else pending.push(system(pid, { op: 'replaceState', fn: () => snapshot }, timeout));
  }
  if (pending.length > 0) await Promise.all(pending);
}

/**
 * Resumes every process together: those parked in their loop at once, in order, each taking its
 * queued messages as it would after `sys.resume`; others with `sys.resume` (queued after their
 * pending suspend, if any). Dead processes are skipped.
 */
export async function resumeMany(pids: readonly Pid[], options: { timeout?: number } = {}): Promise<void> {
  const timeout = checkTimeout(options.timeout);
  const waits: Array<Promise<unknown>> = [];
  for (const pid of pids) {
    const record = recordOf(pid);
    if (record === undefined || record.resumeIfParked()) continue;
    waits.push(system(pid, { op: 'resume' }, timeout).catch(() => undefined));
  }
  if (waits.length > 0) await Promise.all(waits);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  if (ms === Infinity) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`codeChange did not finish within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
