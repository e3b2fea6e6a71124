/**
 * The undo log of an install after the point of no return. Every effect that can be undone
 * records how (old code made current again, states put back, processes resumed, directories
 * switched back, children restarted); an effect that cannot be undone (an application's own
 * `apply`) marks the install irreversible. A failure then rolls back in process by running the
 * undo steps in reverse order, or, when that is impossible, the handler falls back to OTP's
 * answer: restart the node into the permanent release.
 */
import { logger } from '../../../runtime';
import { describeError } from '../errors';

interface Step {
  readonly what: string;
  readonly undo: () => Promise<void> | void;
}

export type RollbackOutcome =
  { readonly ok: true; readonly steps: string[] } | { readonly ok: false; readonly why: string };

export class Journal {
  private readonly steps: Step[] = [];
  private readonly irreversible: string[] = [];

  /** Records an effect that happened and how to undo it. */
  record(what: string, undo: () => Promise<void> | void): void {
    this.steps.push({ what, undo });
  }

  /** Records an effect that cannot be undone: a failure after it needs a node restart. */
  markIrreversible(what: string): void {
    this.irreversible.push(what);
  }

  /** Why a rollback in process is impossible, if it is. */
  get blocker(): string | undefined {
    return this.irreversible.length === 0 ? undefined : `it cannot undo ${this.irreversible.join('; ')}`;
  }

  /** Undoes every recorded effect, newest first. Stops at the first undo that fails. */
  async rollBack(): Promise<RollbackOutcome> {
    const blocker = this.blocker;
    if (blocker !== undefined) return { ok: false, why: blocker };
    const done: string[] = [];
    for (const step of [...this.steps].reverse()) {
      try {
        await step.undo();
        done.push(step.what);
      } catch (err) {
        logger().error({ step: step.what, err }, `rollback: undoing ${step.what} failed`);
        return { ok: false, why: `undoing ${step.what} failed: ${describeError(err)}` };
      }
    }
    return { ok: true, steps: done };
  }
}
