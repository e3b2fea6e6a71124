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

/**
 * Processes with their behaviour records looked up once: what {@link suspendMany} returns as
 * `held`, to hand to {@link changeCodeMany}, {@link restoreMany} and {@link resumeMany} so that
 * each pass over 100,000 processes does not look each of them up again.
 */
export class ProcessGroup {
  /** @internal */
  constructor(
    readonly pids: readonly Pid[],
    /** @internal */ readonly records: ReadonlyArray<BehaviourRecord | undefined>,
  ) {}

  /** A group of the given processes (their records looked up now). */
  static of(pids: readonly Pid[]): ProcessGroup {
    return new ProcessGroup(pids, pids.map(recordOf));
  }

  get size(): number {
    return this.pids.length;
  }

  /** The members `keep` accepts, in order. */
  filter(keep: (pid: Pid) => boolean): ProcessGroup {
    const pids: Pid[] = [];
    const records: Array<BehaviourRecord | undefined> = [];
    this.pids.forEach((pid, i) => {
      if (!keep(pid)) return;
      pids.push(pid);
      records.push(this.records[i]);
    });
    return new ProcessGroup(pids, records);
  }
}

function groupOf(target: readonly Pid[] | ProcessGroup): ProcessGroup {
  return target instanceof ProcessGroup ? target : ProcessGroup.of(target);
}

/** The record of a live member (a dead process's record outlives it). */
function live(record: BehaviourRecord | undefined): BehaviourRecord | undefined {
  return record !== undefined && record.proc !== null && !record.proc.isAlive ? undefined : record;
}

/** The outcome of {@link suspendMany}. */
export interface SuspendManyResult {
  /** Suspended now: they take only system messages until resumed. */
  readonly suspended: Pid[];
  /** The same, as a group for the next passes (the processes suspended at once come first). */
  readonly held: ProcessGroup;
  /** Not alive (or not behaviour processes): nothing to suspend. */
  readonly gone: Pid[];
  /**
   * Did not suspend within the timeout (busy in a handler) or failed: their suspend may still be
   * pending, so resume them ({@link resumeMany}) if the group is given up.
   */
  readonly failed: Array<{ readonly pid: Pid; readonly reason: unknown }>;
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
  target: readonly Pid[] | ProcessGroup,
  options: { timeout?: number } = {},
): Promise<SuspendManyResult> {
  const timeout = checkTimeout(options.timeout);
  const { pids, records } = target instanceof ProcessGroup ? target : { pids: target, records: undefined };
  const suspended: Pid[] = [];
  const heldRecords: BehaviourRecord[] = [];
  const gone: Pid[] = [];
  const failed: Array<{ pid: Pid; reason: unknown }> = [];
  const waits: Array<Promise<void>> = [];
  for (let i = 0; i < pids.length; i++) {
    const pid = pids[i]!;
    const record = live(records === undefined ? recordOf(pid) : records[i]);
    if (record === undefined) {
      gone.push(pid);
      continue;
    }
    if (record.suspendIfIdle()) {
      suspended.push(pid);
      heldRecords.push(record);
      continue;
    }
    // Busy: stop it before its next ordinary message (queued ones wait until the resume), and
    // learn when it got there from its answer to a suspend.
    record.suspended = true;
    waits.push(
      system(pid, { op: 'suspend' }, timeout).then(
        () => {
          suspended.push(pid);
          heldRecords.push(record);
        },
        (err: unknown) => {
          if (err instanceof CallExitError && !lookupProcess(pid)) gone.push(pid);
          else failed.push({ pid, reason: err instanceof CallTimeoutError ? 'timeout' : err });
        },
      ),
    );
  }
  if (waits.length > 0) await Promise.all(waits);
  return { suspended, held: new ProcessGroup(suspended, heldRecords), gone, failed };
}

/** The outcome of {@link changeCodeMany}. */
export interface ChangedCode {
  /** How many processes converted. */
  readonly converted: number;
  /** Those that did not (they keep their state): the conversion threw, or they were not suspended or alive. */
  readonly failed: Array<{ readonly pid: Pid; readonly reason: unknown }>;
  /**
   * With `snapshot`: for each process given (same order), what {@link restoreMany} needs to undo
   * its conversion (`undefined` for those that did not convert).
   */
  readonly snapshots: unknown[] | undefined;
}

const NOT_SUSPENDED = Object.freeze({
  unknownSystemMsg: 'changeCode',
  hint: 'the process is not suspended: sys.changeCode is accepted only while suspended',
});

/**
 * Converts the state of every (suspended) process for new code, as `sys.changeCode` does each:
 * the callback module's `codeChange(oldVsn, state, extra)` (a supervisor's re-reads its specs).
 * Asynchronous conversions run concurrently. A process whose conversion fails keeps its state.
 * With `snapshot`, the result carries what {@link restoreMany} needs to put the old states back.
 */
export async function changeCodeMany(
  target: readonly Pid[] | ProcessGroup,
  module: unknown,
  oldVsn: unknown,
  extra: unknown,
  options: { timeout?: number; snapshot?: boolean } = {},
): Promise<ChangedCode> {
  const timeout = checkTimeout(options.timeout);
  const { pids, records } = groupOf(target);
  const snapshots = options.snapshot === true ? new Array<unknown>(pids.length) : undefined;
  const failed: Array<{ pid: Pid; reason: unknown }> = [];
  const pending: Array<Promise<void>> = [];
  let converted = 0;
  for (let i = 0; i < pids.length; i++) {
    const pid = pids[i]!;
    const record = live(records[i]);
    if (record === undefined || !record.suspended) {
      failed.push({ pid, reason: record === undefined ? 'noproc' : NOT_SUSPENDED });
      continue;
    }
    if (!record.parked || record.behaviour === 'supervisor') {
      // Through the process: a supervisor's code change starts and stops children from inside it.
      pending.push(
        changeThroughProcess(pid, module, oldVsn, extra, timeout, snapshots !== undefined).then((r) => {
          if (r.ok) {
            converted++;
            if (snapshots !== undefined) snapshots[i] = r.snapshot;
          } else failed.push({ pid, reason: r.reason });
        }),
      );
      continue;
    }
    // Parked in its loop, it runs nothing else: convert it here, as its system message would.
    const snapshot = snapshots === undefined ? undefined : record.systemSnapshot();
    let out: unknown;
    try {
      out = record.systemCodeChange(module, oldVsn, extra);
    } catch (reason) {
      failed.push({ pid, reason });
      continue;
    }
    if (!isThenable(out)) {
      converted++;
      if (snapshots !== undefined) snapshots[i] = snapshot;
      continue;
    }
    pending.push(
      withTimeout(Promise.resolve(out), timeout).then(
        () => {
          converted++;
          if (snapshots !== undefined) snapshots[i] = snapshot;
        },
        (reason: unknown) => void failed.push({ pid, reason }),
      ),
    );
  }
  if (pending.length > 0) await Promise.all(pending);
  return { converted, failed, snapshots };
}

async function changeThroughProcess(
  pid: Pid,
  module: unknown,
  oldVsn: unknown,
  extra: unknown,
  timeout: number,
  withSnapshot: boolean,
): Promise<{ ok: true; snapshot: unknown } | { ok: false; reason: unknown }> {
  try {
    const snapshot = withSnapshot ? await system(pid, { op: 'getState' }, timeout) : undefined;
    const result = (await system(
      pid,
      { op: 'changeCode', module, oldVsn, extra },
      timeout,
    )) as ChangeCodeResult;
    return result.kind === 'ok' ? { ok: true, snapshot } : { ok: false, reason: result.reason };
  } catch (reason) {
    return { ok: false, reason };
  }
}

/**
 * Puts back the states a {@link changeCodeMany} with `snapshot` replaced: `snapshots[i]` for
 * `pids[i]` (entries left `undefined` are skipped). The processes must still be suspended.
 */
export async function restoreMany(
  target: readonly Pid[] | ProcessGroup,
  snapshots: readonly unknown[],
  options: { timeout?: number } = {},
): Promise<void> {
  const timeout = checkTimeout(options.timeout);
  const { pids, records } = groupOf(target);
  const pending: Array<Promise<unknown>> = [];
  for (let i = 0; i < pids.length; i++) {
    if (!(i in snapshots)) continue;
    const snapshot = snapshots[i];
    const record = live(records[i]);
    if (record === undefined) continue;
    if (record.parked && record.behaviour !== 'supervisor') record.systemRestore(snapshot);
    else pending.push(system(pids[i]!, { op: 'replaceState', fn: () => snapshot }, timeout));
  }
  if (pending.length > 0) await Promise.all(pending);
}

/**
 * Resumes every process together: those parked in their loop at once, in order, each taking its
 * queued messages as it would after `sys.resume`; others with `sys.resume` (queued after their
 * pending suspend, if any). Dead processes are skipped.
 */
export async function resumeMany(
  target: readonly Pid[] | ProcessGroup,
  options: { timeout?: number } = {},
): Promise<void> {
  const timeout = checkTimeout(options.timeout);
  const { pids, records } = target instanceof ProcessGroup ? target : { pids: target, records: undefined };
  const waits: Array<Promise<unknown>> = [];
  for (let i = 0; i < pids.length; i++) {
    const pid = pids[i]!;
    const record = live(records === undefined ? recordOf(pid) : records[i]);
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
