/**
 * What generated appup instructions carry in their `extra` (`{"advanced": extra}`) for the
 * behaviours to act on, beside the user's own extra. Shared by the appup generator (which writes
 * it) and the behaviours (which read it at code change), so both agree on one form. Plain
 * TypeScript, no schema library: the behaviours read it on a live node.
 *
 * - A supervisor update carries {@link RECONCILE_CHILDREN_EXTRA}: its code change also starts the
 *   children its new `init` adds and stops the ones it drops (the Supervisor behaviour's
 *   `RECONCILE_CHILDREN`).
 * - A GenServer (or GenStatem) that declares a state shape gets an envelope
 *   `{"$hotrel": {"stateShape": <the older version's shape, or null>}, "extra": <user extra>}`.
 *   On a downgrade OTP converts the state in the *newer* code (its `code_change({down, Vsn})`
 *   runs before the older code is loaded), so the newer code must be told the older shape; the
 *   generator knows both versions and puts it here. `null` means the older version declared no
 *   shape. The user's `codeChange` receives only the inner `extra`.
 */
import type { JsonValue } from './json';
import type { StateShapeSpec } from './state-shape';

/** The extra of a supervisor update that reconciles the children (equal to Supervisor.RECONCILE_CHILDREN). */
export const RECONCILE_CHILDREN_EXTRA = Object.freeze({ reconcileChildren: true as const });

/** The envelope's key: a name no user extra is expected to use. */
export const ENVELOPE_KEY = '$hotrel';

export interface UpgradeEnvelope {
  /** The shape of the state in the older version (null: it declared none). */
  stateShape: StateShapeSpec | null;
}

/** Wraps a user extra with what the behaviour needs to migrate the state. */
export function wrapExtra(user: JsonValue, envelope: UpgradeEnvelope): JsonValue {
  return { [ENVELOPE_KEY]: envelope as unknown as JsonValue, extra: user };
}

/**
 * Splits an extra into the envelope (if any) and the user's extra. Anything that is not exactly
 * an envelope is the user's extra as it is.
 */
export function unwrapExtra(extra: unknown): { envelope: UpgradeEnvelope | undefined; user: unknown } {
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
    return { envelope: undefined, user: extra };
  }
  const keys = Object.keys(extra);
  const record = extra as Record<string, unknown>;
  const inner = record[ENVELOPE_KEY];
  if (
    keys.length !== 2 ||
    !keys.includes('extra') ||
    typeof inner !== 'object' ||
    inner === null ||
    !('stateShape' in inner)
  ) {
    return { envelope: undefined, user: extra };
  }
  return { envelope: inner as UpgradeEnvelope, user: record.extra };
}
