/**
 * Declared state shapes and automatic state migration (seed 001's "state conversion through
 * code injection", done without injecting code).
 *
 * A GenServer module declares its state's fields with their defaults:
 *
 * ```ts
 * export const stateShape = GenServer.stateShape(
 *   { id: 0, name: '', meta: GenServer.stateShape({ created: 0 }) },
 *   { renamed: { title: 'name' } }, // `title` (an older version's field) is now `name`
 * );
 * export type State = GenServer.StateOf<typeof stateShape>;
 * ```
 *
 * At a code change (`{advanced, Extra}` update) the behaviour converts the state **before** the
 * module's own `codeChange` sees it: fields the target shape keeps are copied (the values
 * themselves, not copies), new fields take their defaults (a fresh copy each time), fields it
 * no longer has are dropped, renamed fields follow the annotation, nested shapes are converted
 * the same way. Upgrading, the target is the new module's shape. Downgrading, OTP runs the
 * conversion in the *newer* code before the older code is loaded, so the target is the older
 * version's shape, which the generated appup carries in the instruction's extra
 * (model/upgrade-extra.ts); renames are applied backwards. The user's `codeChange` still runs
 * afterwards, with the converted state and its own extra, and may read the state as it was.
 *
 * The release builder reads the same declaration statically (`<app>.modules.json`), so defaults
 * must be literal JSON values.
 */
import { isJsonValue, type JsonValue } from '../../model/json';
import { unwrapExtra } from '../../model/upgrade-extra';
import type { ShapeField, StateShapeSpec } from '../../model/state-shape';

const SHAPE: unique symbol = Symbol.for('hotrel.stateShape') as never;

/** A declared shape: its JSON form, branded (and carrying its state type for `StateOf`). */
export interface StateShape<T = unknown> extends StateShapeSpec {
  readonly [SHAPE]: true;
  /** Type-level only: the state type the shape describes. */
  readonly __state?: T;
}

/** A field's default (a JSON value) or a nested shape. */
export type FieldInput = JsonValue | StateShape<unknown>;

/** The state type of a set of fields. */
export type ShapeState<F> = { [K in keyof F]: F[K] extends StateShape<infer T> ? T : F[K] };

/** The state type a shape describes: `type State = GenServer.StateOf<typeof stateShape>`. */
export type StateOf<S> = S extends StateShape<infer T> ? T : never;

export interface StateShapeOptions<F> {
  /** Older field name -> the field that now holds its value. */
  renamed?: Record<string, keyof F & string>;
}

/**
 * Declares a state shape (see the module comment). Throws a TypeError for a default that is not
 * a JSON value or a rename to a field the shape does not have.
 */
export function stateShape<F extends Record<string, FieldInput>>(
  fields: F,
  options: StateShapeOptions<F> = {},
): StateShape<ShapeState<F>> {
  const specFields: Record<string, ShapeField> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (isStateShape(value)) specFields[name] = { shape: toSpec(value) };
    else if (isJsonValue(value)) specFields[name] = { default: structuredClone(value) };
    else {
      throw new TypeError(
        `stateShape: the default of "${name}" must be a JSON value (null, boolean, number, string, array or plain object) or a nested stateShape(...)`,
      );
    }
  }
  const renamed = { ...(options.renamed ?? {}) } as Record<string, string>;
  for (const [from, to] of Object.entries(renamed)) {
    if (!(to in specFields))
      throw new TypeError(`stateShape: "${from}" is renamed to "${to}", which is not a field of the shape`);
  }
  const shape = { fields: specFields, renamed };
  Object.defineProperty(shape, SHAPE, { value: true });
  return Object.freeze(shape) as unknown as StateShape<ShapeState<F>>;
}

export function isStateShape(value: unknown): value is StateShape {
  return typeof value === 'object' && value !== null && (value as { [SHAPE]?: unknown })[SHAPE] === true;
}

function toSpec(shape: StateShapeSpec): StateShapeSpec {
  return { fields: shape.fields, renamed: shape.renamed };
}

/** A module's declared shape under `name`, if it has one (a removed export's stub is not a shape). */
export function declaredShape(module: object, name: 'stateShape' | 'dataShape'): StateShape | undefined {
  const value = (module as Record<string, unknown>)[name];
  return isStateShape(value) ? value : undefined;
}

/** Whether `value` is a plain object (the only kind of state a shape can describe). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A fresh default value for a field (never shared between states). */
function fresh(field: ShapeField): unknown {
  if ('shape' in field) return freshState(field.shape);
  return structuredClone(field.default);
}

/** A state holding every default of `shape`. */
export function freshState(shape: StateShapeSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(shape.fields)) out[name] = fresh(field);
  return out;
}

export type Direction = 'up' | 'down';

/** Thrown when a state cannot be converted; the code change then fails and nothing changes. */
export class StateMigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateMigrationError';
  }
}

/**
 * Converts `state` to `target`. `source` is the shape the state has now (for nested shapes and,
 * going down, for renames; it may be unknown going up). Going up, `target.renamed` maps older
 * names to its fields; going down, `source.renamed` (the newer shape's) is read backwards.
 */
export function migrateState(
  state: unknown,
  target: StateShapeSpec,
  source: StateShapeSpec | undefined,
  direction: Direction,
  where = 'state',
): Record<string, unknown> {
  if (!isPlainObject(state)) {
    throw new StateMigrationError(
      `cannot convert the ${where} to its declared shape: a state shape describes a plain object, but the ${where} is ${describe(state)}`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(target.fields)) {
    const from = [name, ...aliases(name, target, source, direction)].find((n) => Object.hasOwn(state, n));
    if (from === undefined) {
      out[name] = fresh(field);
      continue;
    }
    const value = state[from];
    if ('shape' in field) {
      const before = source?.fields[from];
      out[name] = isPlainObject(value)
        ? migrateState(
            value,
            field.shape,
            before !== undefined && 'shape' in before ? before.shape : undefined,
            direction,
            `${where}.${name}`,
          )
        : fresh(field);
    } else {
      out[name] = value;
    }
  }
  return out;
}

/** The other names a target field's value may be found under in the source state. */
function aliases(
  name: string,
  target: StateShapeSpec,
  source: StateShapeSpec | undefined,
  direction: Direction,
): string[] {
  if (direction === 'up') {
    return Object.entries(target.renamed)
      .filter(([, to]) => to === name)
      .map(([from]) => from);
  }
  const renamedTo = source?.renamed[name];
  return renamedTo === undefined ? [] : [renamedTo];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an instance of ${(value as object).constructor?.name ?? 'a class'}`;
  return `a ${typeof value}`;
}

/** `{down: vsn}`: the oldVsn of a downgrade. */
export function isDowngrade(oldVsn: unknown): boolean {
  return typeof oldVsn === 'object' && oldVsn !== null && 'down' in oldVsn;
}

/**
 * What a behaviour's code change hands to the module's `codeChange`: the state converted to the
 * declared shape (when the module declares one), and the user's part of the extra.
 *
 * - no declared shape: the state as it is;
 * - the state is not a plain object and the module has its own `codeChange`: as it is (that
 *   `codeChange` converts it, e.g. from a Map an older version kept);
 * - upgrade: converted to the module's shape;
 * - downgrade: converted to the older version's shape from the extra; when the extra carries
 *   none (a hand-written appup) the state is left as it is and a warning is logged, and when the
 *   older version declared no shape (`null`), it is left to `codeChange`.
 */
export function prepareCodeChange(
  module: object,
  shapeExport: 'stateShape' | 'dataShape',
  value: unknown,
  oldVsn: unknown,
  extra: unknown,
  hasOwnCodeChange: boolean,
  warn: (message: string) => void,
): { value: unknown; extra: unknown } {
  const { envelope, user } = unwrapExtra(extra);
  const shape = declaredShape(module, shapeExport);
  const what = shapeExport === 'stateShape' ? 'state' : 'data';
  if (shape === undefined) return { value, extra: user };
  if (!isPlainObject(value) && hasOwnCodeChange) return { value, extra: user };
  if (!isDowngrade(oldVsn)) {
    return { value: migrateState(value, shape, envelope?.stateShape ?? undefined, 'up', what), extra: user };
  }
  const older = envelope?.stateShape;
  if (older === undefined) {
    warn(
      `downgrade: the ${what} was not converted to the older version's shape, because the instruction's extra does not carry it; generate the appup with \`hotrel appup generate\` (or convert it in codeChange)`,
    );
    return { value, extra: user };
  }
  if (older === null) return { value, extra: user };
  return { value: migrateState(value, older, shape, 'down', what), extra: user };
}

/**
 * What is wrong with a fresh state for the module's declared shape, if anything: fields the shape
 * does not declare are dropped at the next code change, so a declaration that forgets one would
 * lose data silently. Checked once, when the process starts.
 */
export function shapeMismatch(
  module: object,
  shapeExport: 'stateShape' | 'dataShape',
  value: unknown,
): string | undefined {
  const shape = declaredShape(module, shapeExport);
  if (shape === undefined) return undefined;
  const what = shapeExport === 'stateShape' ? 'state' : 'data';
  if (!isPlainObject(value)) {
    return `its declared ${shapeExport} describes a plain object, but its initial ${what} is ${describe(value)}: the ${what} cannot be converted automatically`;
  }
  const extra = Object.keys(value).filter((k) => !(k in shape.fields));
  const missing = Object.keys(shape.fields).filter((k) => !Object.hasOwn(value, k));
  if (extra.length === 0 && missing.length === 0) return undefined;
  return [
    extra.length > 0
      ? `its initial ${what} has fields its ${shapeExport} does not declare (${extra.join(', ')}): they would be dropped at the next code change`
      : '',
    missing.length > 0 ? `it lacks declared fields (${missing.join(', ')})` : '',
  ]
    .filter((s) => s !== '')
    .join('; ');
}
