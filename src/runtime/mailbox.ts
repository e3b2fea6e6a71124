/**
 * A process mailbox: FIFO with removal anywhere (selective receive).
 *
 * Messages are appended at the tail and taken from the first position that matches. The common
 * case (take the head) is O(1) through a moving head index; the array is compacted when the
 * dead prefix dominates, so a long-lived process never holds consumed messages.
 */
import { matches, type Pattern } from './match';

export class Mailbox {
  private items: unknown[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(msg: unknown): void {
    this.items.push(msg);
  }

  /** Removes and returns the first message matching `pattern`; `NOTHING` when none does. */
  take(pattern: Pattern): unknown {
    const items = this.items;
    for (let i = this.head; i < items.length; i++) {
      const msg = items[i];
      if (!matches(pattern, msg)) continue;
      if (i === this.head) {
        items[i] = undefined;
        this.head++;
        this.compact();
      } else {
        items.splice(i, 1);
      }
      return msg;
    }
    return NOTHING;
  }

  /** Removes every message matching `pattern` (used by `demonitor(ref, {flush: true})`). */
  removeAll(pattern: Pattern): number {
    const before = this.length;
    const kept = this.snapshot().filter((m) => !matches(pattern, m));
    this.items = kept;
    this.head = 0;
    return before - kept.length;
  }

  /** A copy of the queued messages, oldest first. */
  snapshot(): unknown[] {
    return this.items.slice(this.head);
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/** Returned by {@link Mailbox.take} when no message matches (messages may be `undefined`). */
export const NOTHING: unique symbol = Symbol('nothing');
