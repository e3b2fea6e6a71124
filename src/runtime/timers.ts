/**
 * Timers that send a message (Erlang's `erlang:send_after/3` and `cancel_timer/1`).
 *
 * A timer started by a process is owned by it and cancelled when it dies, so a dead process
 * never leaves messages in flight behind it. Timers are found by their `Ref` through a WeakMap:
 * a timer nobody can cancel any more costs nothing once it has fired.
 */
import { makeRef, type Pid, type Ref } from './pid';
import { deliver } from './signals';
import { lookupProcess } from './table';
import { newTurn } from './scheduler';
import type { Proc } from './process';

/** @internal */
export interface OwnedTimer {
  handle: NodeJS.Timeout;
  due: number;
  done: boolean;
  owner: Proc | null;
  /** The message it will send (the code server walks it for closures of old code). */
  readonly msg: unknown;
}

const byRef = new WeakMap<Ref, OwnedTimer>();

/**
 * Sends `msg` to `dest` (a pid or a registered name, resolved when the timer fires) after `ms`
 * milliseconds. `owner`, when given, cancels the timer by dying.
 */
export function sendAfter(ms: number, dest: Pid | string, msg: unknown, owner: Proc | null = null): Ref {
  if (!Number.isFinite(ms) || ms < 0)
    throw new RangeError(`sendAfter: delay must be a finite number >= 0, got ${ms}`);
  const ref = makeRef();
  const timer: OwnedTimer = {
    handle: setTimeout(() => {
      timer.done = true;
      timer.owner?.timers?.delete(timer);
      newTurn();
      const target = lookupProcess(dest);
      if (target !== undefined) deliver(target, msg);
    }, ms),
    due: Date.now() + ms,
    done: false,
    owner,
    msg,
  };
  if (owner !== null) (owner.timers ??= new Set()).add(timer);
  byRef.set(ref, timer);
  return ref;
}

/** Cancels a timer: the milliseconds it had left, or `false` if it already fired or was cancelled. */
export function cancelTimer(ref: Ref): number | false {
  const timer = byRef.get(ref);
  if (timer === undefined || timer.done) return false;
  clearTimeout(timer.handle);
  timer.done = true;
  timer.owner?.timers?.delete(timer);
  return Math.max(0, timer.due - Date.now());
}
