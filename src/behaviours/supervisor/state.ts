/** The supervisor's state: its flags, its children in start order, and its restart history. */
import { markInternalClasses } from '../../runtime';
import type { Pid, Proc } from '../../runtime';
import type { Awaitable } from '../core/awaitable';
import type { Ignore } from '../gen-server/results';
import type { ChildId, NormalizedFlags, NormalizedSpec, SupervisorInit } from './spec';

/** A supervisor callback module: `init` returns flags and child specs (or `ignore()`). */
export interface SupervisorModule<A = never> {
  /**
   * Returns the supervisor's flags and child specs. It is called again by a code change to
   * re-read them, so it must not have side effects.
   */
  init(args: A): Awaitable<SupervisorInit | Ignore>;
}

/** A child of a static (not `simple_one_for_one`) supervisor. */
export class StaticChild {
  pid: Pid | undefined = undefined;
  /** A restart failed and is being retried (`which_children` shows `restarting`). */
  restarting = false;
  constructor(public spec: NormalizedSpec) {}

  get id(): ChildId {
    return this.spec.id;
  }
}

/** A child of a `simple_one_for_one` supervisor (its spec is the supervisor's template). */
export class DynamicChild {
  restarting = false;
  constructor(
    public pid: Pid,
    /** The full start arguments (template's + `startChild`'s); empty for temporary children. */
    readonly args: readonly unknown[],
  ) {}
}

export class SupervisorState {
  /** Restart times (ms, `performance.now()`) within the current period, newest last. */
  restarts: number[] = [];
  children: StaticChild[] = [];
  /** The single child spec of a `simple_one_for_one` supervisor. */
  template: NormalizedSpec | undefined = undefined;
  /** `simple_one_for_one` children by pid id. */
  readonly dynamic = new Map<number, DynamicChild>();
  /** How many dynamic children are waiting for a restart retry. */
  dynamicRestarts = 0;

  constructor(
    /** The supervisor's own process (it starts and stops children from its callbacks). */
    readonly self: Proc,
    readonly module: SupervisorModule<unknown>,
    /** `init`'s argument, kept to re-read the specs at a code change. */
    readonly args: unknown,
    /** How reports name this supervisor. */
    readonly label: string,
    public flags: NormalizedFlags,
  ) {}

  get simple(): boolean {
    return this.flags.strategy === 'simple_one_for_one';
  }

  findById(id: ChildId): StaticChild | undefined {
    return this.children.find((c) => c.spec.id === id);
  }

  findByPid(pid: Pid): StaticChild | undefined {
    return this.children.find((c) => c.pid !== undefined && c.pid.id === pid.id);
  }

  /** Forgets a child's process after it ended: a temporary child's spec goes with it. */
  childEnded(child: StaticChild): void {
    if (child.spec.restart === 'temporary') this.remove(child);
    else {
      child.pid = undefined;
      child.restarting = false;
    }
  }

  remove(child: StaticChild): void {
    const i = this.children.indexOf(child);
    if (i >= 0) this.children.splice(i, 1);
  }

  /** A copy for a code change: new flags and children, same history and dynamic children. */
  withSpecs(
    flags: NormalizedFlags,
    children: StaticChild[],
    template: NormalizedSpec | undefined,
  ): SupervisorState {
    const next = new SupervisorState(this.self, this.module, this.args, this.label, flags);
    next.restarts = this.restarts;
    next.children = children;
    next.template = template;
    for (const [id, child] of this.dynamic) next.dynamic.set(id, child);
    next.dynamicRestarts = this.dynamicRestarts;
    return next;
  }
}

// hotrel's own classes: the code server's old-code walk need not enter their prototypes.
markInternalClasses(StaticChild, DynamicChild, SupervisorState);
