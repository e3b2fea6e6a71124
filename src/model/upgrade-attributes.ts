/**
 * Upgrade attributes a module may declare (knit's module attributes, seed 000), read statically
 * by the release builder from `export const upgrade = {...}` and recorded in
 * `<app>.modules.json`; the appup generator turns them into instruction fields.
 *
 * ```ts
 * export const upgrade = {
 *   priority: 10,                       // ordered before lower priorities where the import graph allows
 *   extra: { from: 1 },                 // the {"advanced": extra} of its update
 *   depends: ['kv_store'],              // more deps besides those found in its imports
 *   timeout: 10000,                     // how long to wait for its processes to suspend
 *   purge: 'soft',                      // or 'brutal', or { pre: 'soft', post: 'brutal' }
 *   apply: { function: 'warmCache', phase: 'last' },   // calls around the upgrade
 * };
 * ```
 */
import { z } from 'zod';
import { args, choices, functionName, json, leaf, listOf, moduleName, timeout } from './fields';

export const PURGE_CHOICES = ['soft', 'brutal'] as const;
export type PurgeChoice = (typeof PURGE_CHOICES)[number];
const purgeChoice = leaf<PurgeChoice>(choices(PURGE_CHOICES), (v) => v === 'soft' || v === 'brutal');

export const APPLY_PHASES = ['first', 'immediate', 'last'] as const;
export type ApplyPhase = (typeof APPLY_PHASES)[number];

export const APPLY_DIRECTIONS = ['up', 'down', 'both'] as const;
export type ApplyDirection = (typeof APPLY_DIRECTIONS)[number];

export const applyAttributeSchema = z.strictObject({
  /** The module to call (default: the declaring module). */
  module: moduleName.optional(),
  function: functionName,
  args: args.default([]),
  /**
   * `first`: before every instruction of the application; `immediate`: right after this module's
   * own instruction; `last` (default): after every instruction of the application.
   */
  phase: leaf<ApplyPhase>(choices(APPLY_PHASES), (v) => APPLY_PHASES.includes(v as ApplyPhase)).default(
    'last',
  ),
  /** Order within a phase, lowest first (knit's rule for applies). */
  priority: z.number().int().default(0),
  /** Which script runs it: `up` (default), `down` or `both`. */
  when: leaf<ApplyDirection>(choices(APPLY_DIRECTIONS), (v) =>
    APPLY_DIRECTIONS.includes(v as ApplyDirection),
  ).default('up'),
});

export const upgradeAttributesSchema = z.strictObject({
  /** Order among modules the import graph leaves unordered: higher first (knit's rule). */
  priority: z
    .number({ error: () => 'expected an integer' })
    .int()
    .optional(),
  /** The extra of its `{"advanced": extra}` update (GenServer and GenStatem modules). */
  extra: json.optional(),
  /** Modules whose new code it needs, besides those it imports. */
  depends: listOf(moduleName, 'a list of module names').optional(),
  /** Its update's suspend timeout. */
  timeout: timeout.optional(),
  /** Its purge methods: one for both, or `{pre, post}`. */
  purge: z
    .union([purgeChoice, z.strictObject({ pre: purgeChoice.optional(), post: purgeChoice.optional() })], {
      error: () => 'expected "soft", "brutal" or {"pre": "soft"|"brutal", "post": "soft"|"brutal"}',
    })
    .optional(),
  /** Calls to make around the upgrade: one, or a list. */
  apply: z
    .union([applyAttributeSchema, z.array(applyAttributeSchema)], {
      error: () =>
        'expected {"function", "args"?, "module"?, "phase"?, "priority"?, "when"?} or a list of them',
    })
    .optional(),
});

export type UpgradeAttributes = z.output<typeof upgradeAttributesSchema>;
export type ApplyAttribute = z.output<typeof applyAttributeSchema>;
