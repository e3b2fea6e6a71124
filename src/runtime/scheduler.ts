/**
 * Fairness between processes and I/O.
 *
 * Processes run as promise continuations, i.e. microtasks. Two processes passing messages back
 * and forth would otherwise run forever inside one macrotask and starve sockets and timers (the
 * BEAM avoids this by preempting after a reduction budget). Every wake-up of a process costs one
 * reduction; once a turn has used its budget, further wake-ups queue (in order) and are released
 * one budget per `setImmediate`, which lets the event loop poll I/O and run timers in between.
 */

/** Wake-ups allowed before the scheduler yields to the event loop. */
export const REDUCTIONS_PER_TURN = 4000;

let used = 0;
/** Pending wake-ups as flat pairs [resolve, value, resolve, value, ...], consumed from `head`. */
let deferred: unknown[] = [];
let head = 0;
let flushScheduled = false;

/**
 * Resolves a pending receive with `value` now if the budget allows, otherwise after the event
 * loop has had a turn. (A pair, not a closure: this is on the path of every message.)
 */
export function wakeWith<T>(resolve: (value: T) => void, value: T): void {
  if (used < REDUCTIONS_PER_TURN && head === deferred.length) {
    used++;
    resolve(value);
    return;
  }
  deferred.push(resolve, value);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

/** A promise of `value` that counts against the budget like any other wake-up. */
export function resolved<T>(value: T): Promise<T> {
  if (used < REDUCTIONS_PER_TURN && head === deferred.length) {
    used++;
    return Promise.resolve(value);
  }
  return new Promise((resolve) => wakeWith(resolve, value));
}

function flush(): void {
  flushScheduled = false;
  used = 0;
  const queue = deferred;
  while (head < queue.length && used < REDUCTIONS_PER_TURN) {
    const resolve = queue[head] as (value: unknown) => void;
    const value = queue[head + 1];
    queue[head] = queue[head + 1] = undefined;
    head += 2;
    used++;
    resolve(value);
  }
  if (head < queue.length) {
    flushScheduled = true;
    setImmediate(flush);
  } else {
    deferred = [];
    head = 0;
  }
}

/** Resets the budget at the start of a macrotask the runtime knows about (timers it owns). */
export function newTurn(): void {
  if (!flushScheduled) used = 0;
}
