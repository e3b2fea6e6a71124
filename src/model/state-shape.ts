/**
 * The JSON form of a declared state shape: what a GenServer (or a GenStatem's data) promises its
 * state looks like, with a default for every field, so that a code change can convert the state
 * by itself (seed 001, "state conversion through code injection", done without code injection).
 *
 * ```json
 * { "fields": { "id": { "default": 0 }, "name": { "default": "" },
 *               "meta": { "shape": { "fields": { "created": { "default": 0 } }, "renamed": {} } } },
 *   "renamed": { "title": "name" } }
 * ```
 *
 * `renamed` maps an older field name to the field that now holds its value (`title` became
 * `name`). The same form is written by the release builder into `<app>.modules.json` (read from
 * the module's `export const stateShape = GenServer.stateShape({...})`), carried by generated
 * appups in an instruction's `extra` (see upgrade-extra.ts), and built at run time by
 * `GenServer.stateShape`.
 */
import { z } from 'zod';
import { json } from './fields';
import type { JsonValue } from './json';

/** One field: a default value, or a nested shape (its value is itself a shaped object). */
export type ShapeField = { default: JsonValue } | { shape: StateShapeSpec };

export interface StateShapeSpec {
  /** Every field of the state, in declaration order. */
  fields: Record<string, ShapeField>;
  /** Older field name -> the field of this shape that took its value. */
  renamed: Record<string, string>;
}

const fieldName = z.string().min(1, { error: 'expected a non-empty field name' });

export const stateShapeSchema: z.ZodType<StateShapeSpec> = z.lazy(() =>
  z
    .strictObject({
      fields: z.record(
        fieldName,
        z.union([z.strictObject({ default: json }), z.strictObject({ shape: stateShapeSchema })], {
          error: () => 'expected {"default": <JSON value>} or {"shape": <nested shape>}',
        }),
      ),
      renamed: z.record(fieldName, fieldName).default({}),
    })
    .superRefine((shape, ctx) => {
      for (const [from, to] of Object.entries(shape.renamed)) {
        if (!(to in shape.fields)) {
          ctx.addIssue({
            code: 'custom',
            path: ['renamed', from],
            message: `"${from}" is renamed to "${to}", which is not a field of the shape (fields: ${Object.keys(shape.fields).join(', ') || 'none'})`,
          });
        }
      }
    }),
) as z.ZodType<StateShapeSpec>;

/** The shape's fields with their defaults, nested shapes expanded: what a fresh state would hold. */
export function shapeDefaults(shape: StateShapeSpec): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [name, field] of Object.entries(shape.fields)) {
    out[name] = 'shape' in field ? shapeDefaults(field.shape) : field.default;
  }
  return out;
}

/** The difference between two shapes, for reports: fields added, removed and renamed (older -> newer). */
export function shapeChanges(
  older: StateShapeSpec | undefined,
  newer: StateShapeSpec,
): { added: string[]; removed: string[]; renamed: [string, string][] } {
  const olderFields = Object.keys(older?.fields ?? {});
  const renamed = Object.entries(newer.renamed).filter(
    ([from, to]) => olderFields.includes(from) && !olderFields.includes(to),
  );
  const renamedTo = new Set(renamed.map(([, to]) => to));
  const renamedFrom = new Set(renamed.map(([from]) => from));
  return {
    added: Object.keys(newer.fields).filter((f) => !olderFields.includes(f) && !renamedTo.has(f)),
    removed: olderFields.filter((f) => !(f in newer.fields) && !renamedFrom.has(f)),
    renamed,
  };
}
