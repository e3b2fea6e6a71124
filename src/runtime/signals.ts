/**
 * Messages and exit signals between processes, exactly as OTP defines them.
 *
 * - A message to a live process goes to its mailbox, or straight to its pending receive when it
 *   matches. Messages to dead processes are dropped.
 * - An exit signal `(from, reason)` arriving at a process:
 *     `kill` sent with `exit/2`           -> the process dies with `killed`, even when trapping;
 *     the receiver traps exits           -> it gets `{type: 'EXIT', from, reason}`;
 *     `normal`                           -> ignored (unless a process sent it to itself);
 *     anything else                      -> the process dies with the same reason.
 * - When a process dies, its links get an exit signal with its reason and its monitors get
 *   `DOWN`. `kill` received over a link is an ordinary reason (OTP's `exit(kill)` quirk).
 *
 * Signals are processed iteratively from one queue, so a chain of a million linked processes
 * dies without deep recursion, and signals keep their causal order.
 */
import { logger } from './log';
import { matches, type Pattern } from './match';
import { Mailbox, NOTHING } from './mailbox';
import { makeRef, Pid, type Ref } from './pid';
import {
  KILL,
  KILLED,
  NOPROC,
  NORMAL,
  formatReason,
  isDownMessage,
  type DownMessage,
  type ExitMessage,
  type ExitReason,
} from './reason';
import { wakeWith } from './scheduler';
import { lookupProcess, remove } from './table';
import type { Proc } from './process';

/** The sender of signals that come from outside any process (a test, a socket handler, main). */
export const NOBODY = new Pid(0);

/** Delivers a message to a live process; no effect on a dead one. */
export function deliver(proc: Proc, msg: unknown): void {
  if (!proc.alive) return;
  const resolve = proc.waitResolve;
  if (resolve !== null && matches(proc.waitPattern, msg)) {
    proc.waitResolve = null;
    proc.waitPattern = undefined;
    if (proc.waitTimer !== undefined) {
      clearTimeout(proc.waitTimer);
      proc.waitTimer = undefined;
    }
    wakeWith(resolve, msg);
    return;
  }
  (proc.mailbox ??= new Mailbox()).push(msg);
}

/**
 * @internal Changes what a process parked in `receive` is waiting for, without a message: if a
 * queued message matches `pattern` the receive takes it now (the first one, in order), otherwise
 * the process keeps waiting for one that does. The behaviours layer suspends and resumes many
 * idle processes at once this way (an upgrade's group suspension), instead of a system message
 * and a wake-up each.
 *
 * Returns false, changing nothing, when the process is not parked in a plain receive: no receive
 * pending (it is running, or awaiting something else), an `after` timer armed (its timeout would
 * apply to the new pattern), or a probeable process (its receive loops on its own pattern).
 */
export function rearmReceive(proc: Proc, pattern: Pattern): boolean {
  const resolve = proc.waitResolve;
  if (!proc.alive || resolve === null || proc.waitTimer !== undefined || proc.probeable) return false;
  const queued = proc.mailbox === null || proc.mailbox.length === 0 ? NOTHING : proc.mailbox.take(pattern);
  if (queued === NOTHING) {
    proc.waitPattern = pattern;
    return true;
  }
  proc.waitResolve = null;
  proc.waitPattern = undefined;
  wakeWith(resolve, queued);
  return true;
}

interface PendingSignal {
  target: Proc;
  from: Pid;
  reason: ExitReason;
  /** true for link propagation, false for `exit/2`. */
  viaLink: boolean;
}

const queue: PendingSignal[] = [];
let draining = false;

/** Sends an exit signal (`exit/2` when `viaLink` is false). */
export function sendExitSignal(target: Proc, from: Pid, reason: ExitReason, viaLink: boolean): void {
  queue.push({ target, from, reason, viaLink });
  if (!draining) drain();
}

function drain(): void {
  draining = true;
  try {
    for (let i = 0; i < queue.length; i++) handleSignal(queue[i]!);
  } finally {
    queue.length = 0;
    draining = false;
  }
}

function handleSignal({ target, from, reason, viaLink }: PendingSignal): void {
  if (!target.alive) return;
  if (reason === KILL && !viaLink) {
    terminate(target, KILLED, false);
  } else if (target.trapping) {
    const msg: ExitMessage = { type: 'EXIT', from, reason };
    deliver(target, msg);
  } else if (reason === NORMAL) {
    if (!viaLink && from.id === target.pid.id) terminate(target, NORMAL, false);
  } else {
    terminate(target, reason, false);
  }
}

/**
 * Ends a process: its mailbox and pending receive are dropped (the suspended async function is
 * never resumed and gets collected), its name released, its timers cancelled, then links and
 * monitors are told. `crashed` marks an uncaught exception, which is logged like OTP's
 * "Error in process" report unless the process opted out.
 */
export function terminate(proc: Proc, reason: ExitReason, crashed: boolean): void {
  if (!proc.alive) return;
  proc.alive = false;
  proc.exitReason = reason;
  proc.waitResolve = null;
  proc.waitPattern = undefined;
  if (proc.waitTimer !== undefined) clearTimeout(proc.waitTimer);
  proc.mailbox = null;
  remove(proc);
  if (proc.timers !== null) {
    for (const t of proc.timers) {
      clearTimeout(t.handle);
      t.done = true;
    }
    proc.timers = null;
  }

  if (proc.monitors !== null) {
    for (const [id, target] of proc.monitors) target.monitoredBy?.delete(id);
    proc.monitors = null;
  }
  if (proc.monitoredBy !== null) {
    const entries = proc.monitoredBy;
    proc.monitoredBy = null;
    for (const [id, m] of entries) {
      m.watcher.monitors?.delete(id);
      const down: DownMessage = { type: 'DOWN', ref: m.ref, target: m.target, pid: proc.pid, reason };
      deliver(m.watcher, down);
    }
  }
  if (proc.links !== null) {
    const links = proc.links;
    proc.links = null;
    for (const other of links) {
      other.links?.delete(proc);
      sendExitSignal(other, proc.pid, reason, true);
    }
  }
  if (crashed && proc.crashReport) {
    logger().error(
      {
        err: reason instanceof Error ? reason : undefined,
        pid: String(proc.pid),
        initialCall: proc.initialCall,
      },
      `Error in process ${proc.pid} with exit value: ${formatReason(reason)}`,
    );
  }
  if (proc.watchers !== null) {
    const watchers = proc.watchers;
    proc.watchers = null;
    for (const w of watchers) runWatcher(w, reason);
  }
  for (const hook of exitHooks) runWatcher(() => hook(proc, reason), reason);
}

function runWatcher(w: (reason: ExitReason) => void, reason: ExitReason): void {
  try {
    w(reason);
  } catch (err) {
    logger().error({ err }, 'an exit watcher threw; it was ignored');
  }
}

const exitHooks: Array<(proc: Proc, reason: ExitReason) => void> = [];

/** @internal Lets a higher layer (the code server) learn of every process exit. */
export function onAnyExit(hook: (proc: Proc, reason: ExitReason) => void): void {
  exitHooks.push(hook);
}

/** Links two processes; linking to a dead one sends `noproc` to the caller, as in OTP. */
export function link(self: Proc, target: Pid): void {
  if (target.id === self.pid.id) return;
  const other = lookupProcess(target);
  if (other === undefined) {
    sendExitSignal(self, target, NOPROC, true);
    return;
  }
  (self.links ??= new Set()).add(other);
  (other.links ??= new Set()).add(self);
}

export function unlink(self: Proc, target: Pid): void {
  const other = lookupProcess(target);
  if (other === undefined) return;
  self.links?.delete(other);
  other.links?.delete(self);
}

/** @internal A monitor held on a process. */
export interface MonitorEntry {
  readonly watcher: Proc;
  readonly ref: Ref;
  readonly target: Pid | string;
}

/** Monitors a pid or a registered name; a missing target yields an immediate `noproc` DOWN. */
export function monitor(self: Proc, target: Pid | string): Ref {
  const ref = makeRef();
  const proc = lookupProcess(target);
  if (proc === undefined) {
    const down: DownMessage = {
      type: 'DOWN',
      ref,
      target,
      pid: target instanceof Pid ? target : undefined,
      reason: NOPROC,
    };
    deliver(self, down);
    return ref;
  }
  (proc.monitoredBy ??= new Map()).set(ref.id, { watcher: self, ref, target });
  (self.monitors ??= new Map()).set(ref.id, proc);
  return ref;
}

/** Removes a monitor; with `flush`, also a DOWN for it already in the mailbox. */
export function demonitor(self: Proc, ref: Ref, flush: boolean): boolean {
  const proc = self.monitors?.get(ref.id);
  const active = proc !== undefined;
  if (active) {
    self.monitors!.delete(ref.id);
    proc.monitoredBy?.delete(ref.id);
  }
  if (flush && self.mailbox !== null) {
    self.mailbox.removeAll((m: unknown) => isDownMessage(m) && m.ref.id === ref.id);
  }
  return active;
}

/**
 * Calls `onExit(reason)` once when the process exits (`noproc`, on the next microtask, if it is
 * already gone). For code outside processes that must learn of an exit (a pending call from a
 * socket handler, a test). Returns a function that cancels the watch.
 */
export function watch(pid: Pid, onExit: (reason: ExitReason) => void): () => void {
  const proc = lookupProcess(pid);
  if (proc === undefined) {
    let cancelled = false;
    queueMicrotask(() => {
      if (!cancelled) onExit(NOPROC);
    });
    return () => {
      cancelled = true;
    };
  }
  (proc.watchers ??= new Set()).add(onExit);
  return () => {
    proc.watchers?.delete(onExit);
  };
}
