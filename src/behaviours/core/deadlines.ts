/**
 * Call timeouts without a timer, or even a clock read, per call.
 *
 * A `setTimeout` per call would cost more than the rest of a round trip, and reading the clock
 * (`performance.now()`, 40-70 ns) would be a fifth of it. Instead, all pending calls with the
 * same timeout `ms` share a timing wheel: `SLOTS + 1` intrusive lists and one interval timer
 * ticking every `ms / SLOTS`. A call joins the current slot; each tick moves the cursor on and
 * expires the slot it lands on, whose calls were added between `SLOTS` and `SLOTS + 1` ticks
 * ago. So a call times out after at least `ms` and at most `ms + ms / SLOTS` (5000 ms -> within
 * 5000..5157 ms). Replies unlink their call in O(1).
 *
 * Ticks are counted in real time, not in timer firings: a tick that comes late (the event loop
 * was busy) moves the cursor by as many slots as ticks have passed, so timeouts do not stretch
 * under load. (Only a call made while the loop is already overdue by more than a tick can time
 * out early, by that excess; the slot of the latest calls is never expired by a catch-up.)
 *
 * The timer keeps Node alive while calls are pending (as a node would) and stops at the first
 * tick that finds none, so an idle program exits at most one tick (`ms / SLOTS`) after its last
 * call. (Toggling `ref`/`unref` on every call instead costs a native call per round trip.)
 */
import { markInternalClasses } from '../../runtime';

/** Ticks per timeout period: the lateness bound is `ms / SLOTS`. */
const SLOTS = 32;

/** What the wheel needs from a pending call. */
export interface Expirable {
  bucket: Bucket | null;
  dprev: Expirable | null;
  dnext: Expirable | null;
  /** @internal the slot of the wheel holding it */
  slot: number;
  /** Called once when the timeout has passed (the entry is already unlinked). */
  expire(): void;
}

/** @internal The pending calls that share one timeout value. */
export class Bucket {
  readonly slots: Array<Expirable | null>;
  cursor = 0;
  pending = 0;
  timer: NodeJS.Timeout | null = null;
  /** When the cursor was last moved (or the timer started), `performance.now()`. */
  moved = 0;
  readonly tick: number;

  constructor(readonly ms: number) {
    const ticks = Math.max(1, Math.min(SLOTS, Math.floor(ms)));
    // Rounded up: `ticks * tick >= ms`, so a call never times out early.
    this.tick = Math.max(1, Math.ceil(ms / ticks));
    this.slots = new Array<Expirable | null>(ticks + 1).fill(null);
  }

  readonly fire = (): void => {
    const now = performance.now();
    const due = Math.floor((now - this.moved) / this.tick);
    const steps = Math.max(1, Math.min(due, this.slots.length - 1));
    this.moved = steps === due ? this.moved + steps * this.tick : now;
    for (let step = 0; step < steps; step++) {
      this.cursor = this.cursor + 1 === this.slots.length ? 0 : this.cursor + 1;
      this.expireSlot(this.cursor);
    }
    if (this.pending === 0) {
      clearInterval(this.timer!);
      this.timer = null;
    }
  };

  private expireSlot(slot: number): void {
    let entry: Expirable | null = this.slots[slot] ?? null;
    this.slots[slot] = null;
    while (entry !== null) {
      const next = entry.dnext;
      entry.bucket = null;
      entry.dprev = null;
      entry.dnext = null;
      this.pending--;
      entry.expire();
      entry = next;
    }
  }
}

const buckets = new Map<number, Bucket>();
/** Most calls use the default timeout: skip the map lookup for the last bucket used. */
let lastBucket: Bucket | null = null;

/** Starts counting down `ms` milliseconds for `entry`. */
export function armDeadline(entry: Expirable, ms: number): void {
  let bucket = lastBucket;
  if (bucket === null || bucket.ms !== ms) {
    bucket = buckets.get(ms) ?? null;
    if (bucket === null) {
      bucket = new Bucket(ms);
      buckets.set(ms, bucket);
    }
    lastBucket = bucket;
  }
  const slot = bucket.cursor;
  const head = bucket.slots[slot]!;
  entry.bucket = bucket;
  entry.slot = slot;
  entry.dprev = null;
  entry.dnext = head;
  if (head !== null) head.dprev = entry;
  bucket.slots[slot] = entry;
  bucket.pending++;
  if (bucket.timer === null) {
    bucket.timer = setInterval(bucket.fire, bucket.tick);
    bucket.moved = performance.now();
  }
}

/** Stops the countdown of `entry` (it was answered); a no-op if it has none. */
export function unlinkDeadline(entry: Expirable): void {
  const bucket = entry.bucket;
  if (bucket === null) return;
  if (entry.dprev === null) bucket.slots[entry.slot] = entry.dnext;
  else entry.dprev.dnext = entry.dnext;
  if (entry.dnext !== null) entry.dnext.dprev = entry.dprev;
  entry.bucket = null;
  entry.dprev = null;
  entry.dnext = null;
  bucket.pending--;
}

/** Throws a clear error for a timeout that is not a number of milliseconds or `Infinity`. */
export function checkTimeout(timeout: unknown, what: string): number {
  if (typeof timeout === 'number' && timeout >= 0 && (Number.isFinite(timeout) || timeout === Infinity))
    return timeout;
  throw new RangeError(
    `${what}: timeout must be a number of milliseconds >= 0 or Infinity, got ${String(timeout)}`,
  );
}

// hotrel's own classes: the code server's old-code walk need not enter their prototypes.
markInternalClasses(Bucket);
