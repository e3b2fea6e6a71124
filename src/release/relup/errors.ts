/**
 * Errors and warnings of the relup compiler. Every error carries a `kind` that mirrors the atom
 * OTP's systools returns for the same situation (semantics.md §4.7, §4.2, §5), and a message that
 * says what is wrong and what to do.
 */
import { INSTRUCTION_ERROR_KINDS } from '../../model/instructions';

/** The error atoms of systools_rc, systools_relup and systools_make, plus hotrel's own. */
export const RELUP_ERROR_KINDS = [
  // systools_rc: syntax (check_op)
  ...INSTRUCTION_ERROR_KINDS,
  'not_yet_implemented',
  // systools_rc: structure
  'too_many_point_of_no_return',
  'bad_op_before_point_of_no_return',
  'no_object_code',
  'suspended_not_resumed',
  'resumed_not_suspended',
  'start_not_stop',
  'stop_not_start',
  'no_such_application',
  'removed_application_present',
  'conflicting_versions',
  'no_such_module',
  'undef_module',
  'muldef_module',
  // systools_relup
  'no_relup',
  'file_problem',
  'warnings_treated_as_errors',
  // systools_make (start order of a release)
  'undefined_applications',
  'circular_dependencies',
  // hotrel: inconsistent input that a release root built by hotrel never holds
  'app_not_found',
  'duplicate_release',
] as const;
export type RelupErrorKind = (typeof RELUP_ERROR_KINDS)[number];

/** Where an error happened: which base release and which direction. */
export interface RelupErrorContext {
  direction: 'up' | 'down';
  /** The base release: the from-version (up) or the to-version (down). */
  base: string;
}

export class RelupError extends Error {
  /** Set by makeRelup when the error belongs to one up or down section. */
  context?: RelupErrorContext;

  constructor(
    readonly kind: RelupErrorKind,
    message: string,
    /** The subject of the error, as OTP's error term carries it (a module, a list, an instruction...). */
    readonly detail: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'RelupError';
  }

  /** Records the section the error belongs to and says so in the message. */
  within(context: RelupErrorContext): this {
    if (this.context === undefined) {
      this.context = context;
      const where =
        context.direction === 'up' ? `upgrade from ${context.base}` : `downgrade to ${context.base}`;
      this.message = `${where}: ${this.message}`;
    }
    return this;
  }
}

export type RelupWarning =
  | { kind: 'bad_vsn'; message: string; app: string; appupVsn: string; appVsn: string }
  | {
      kind: 'node_vsn_changed';
      message: string;
      from: ReleaseRef & { node: string };
      to: ReleaseRef & { node: string };
    }
  | {
      kind: 'hotrel_vsn_changed';
      message: string;
      from: ReleaseRef & { hotrel: string };
      to: ReleaseRef & { hotrel: string };
    }
  | {
      kind: 'dependencies_changed';
      message: string;
      from: ReleaseRef;
      to: ReleaseRef;
      changes: DependencyChange[];
    }
  | { kind: 'code_change_not_suspended'; message: string; modules: string[] }
  | { kind: 'uncovered_release'; message: string; direction: 'up' | 'down'; base: string; app: string };

export interface ReleaseRef {
  name: string;
  vsn: string;
}

export interface DependencyChange {
  package: string;
  from: string | null;
  to: string | null;
}

/** `"a:m1", "a:m2"` for messages. */
export function quoteList(items: readonly unknown[]): string {
  return items.map((i) => (typeof i === 'string' ? JSON.stringify(i) : JSON.stringify(i))).join(', ');
}
