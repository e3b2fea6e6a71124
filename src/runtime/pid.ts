/**
 * Process identifiers and references.
 *
 * A `Pid` names a process for its whole life and after it: holding a pid never keeps a process
 * (or its code) alive, so pids can sit in any state. Two `Pid` objects with the same `id` are
 * the same process; compare with {@link Pid.equals} or by `id`.
 */
import { markDataClasses } from './internal-classes';

/** A process identifier. Printed as Erlang prints pids: `<0.42.0>`. */
export class Pid {
  /** @internal */
  constructor(readonly id: number) {}

  equals(other: unknown): boolean {
    return other instanceof Pid && other.id === this.id;
  }

  toString(): string {
    return `<0.${this.id}.0>`;
  }

  toJSON(): string {
    return this.toString();
  }

  /** Parses the printed form `<0.N.0>` back into a pid (for control-socket and JSON input). */
  static parse(text: string): Pid {
    const m = /^<0\.(\d+)\.0>$/.exec(text.trim());
    if (!m) throw new TypeError(`not a pid: ${JSON.stringify(text)} (expected the form <0.N.0>)`);
    return new Pid(Number(m[1]));
  }
}

/** A unique reference (Erlang's `make_ref()`), used for monitors, timers and call tags. */
export class Ref {
  /** @internal */
  constructor(readonly id: number) {}

  equals(other: unknown): boolean {
    return other instanceof Ref && other.id === this.id;
  }

  toString(): string {
    return `#Ref<0.${this.id}>`;
  }

  toJSON(): string {
    return this.toString();
  }
}

let nextRef = 1;

/** Returns a reference unique within this node. */
export function makeRef(): Ref {
  return new Ref(nextRef++);
}

export function isPid(value: unknown): value is Pid {
  return value instanceof Pid;
}

export function isRef(value: unknown): value is Ref {
  return value instanceof Ref;
}

markDataClasses(Pid, Ref);
