/**
 * `lib/<app>-<vsn>/<app>.modules.json`: what the release builder learned about each compiled
 * module, for tools that compare releases (appup generation) without loading code.
 *
 * `hash` is the identity of the compiled code: a sha256 of the emitted JavaScript without its
 * source-map comment, so a rebuild of identical code, another build directory or changed source
 * maps never look like a change, while any change of the code does.
 */
import { z } from 'zod';
import { appName, choices, leaf, listOf, moduleId, nonEmptyText, text } from './fields';
import { stateShapeSchema } from './state-shape';
import { upgradeAttributesSchema } from './upgrade-attributes';

/**
 * The behaviour a module implements, recognised statically by the release builder (rules in
 * docs/appup-generation.md): what decides its instruction in a generated appup.
 */
export const BEHAVIOURS = ['gen_server', 'gen_statem', 'supervisor', 'application', 'none'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];
export const behaviour = leaf<Behaviour>(choices(BEHAVIOURS), (v) => BEHAVIOURS.includes(v as Behaviour));

const childEntry = z.strictObject({
  id: text,
  module: moduleId.optional(),
  type: leaf<'worker' | 'supervisor'>(
    '"worker" or "supervisor"',
    (v) => v === 'worker' || v === 'supervisor',
  ).optional(),
});

export const moduleEntrySchema = z.strictObject({
  /** The compiled file, relative to the application's lib directory (`kv_worker.js`). */
  file: nonEmptyText,
  /** `sha256:<hex>` of the compiled code (see above). */
  hash: nonEmptyText,
  /** `export const vsn` when the module declares one. */
  vsn: text.optional(),
  /** Application modules it imports (static and dynamic), as module ids. */
  imports: listOf(moduleId, 'a list of module ids'),
  /** Third-party packages it imports (bare specifiers, Node built-ins excluded). */
  packages: listOf(nonEmptyText, 'a list of package names'),
  /** Names it exports. */
  exports: listOf(nonEmptyText, 'a list of export names'),
  /** Its behaviour (absent in manifests of older builders: the generator then says it cannot tell). */
  behaviour: behaviour.optional(),
  /**
   * GenServer/GenStatem: the declared type of its state (data), as normalised TypeScript text with
   * the local and application types it refers to; a change of it is a change of the state's shape.
   */
  stateType: text.optional(),
  /** GenServer/GenStatem: its declared state shape (`export const stateShape = GenServer.stateShape(...)`). */
  stateShape: stateShapeSchema.optional(),
  /** Its upgrade attributes (`export const upgrade = {...}`), as written. */
  upgrade: upgradeAttributesSchema.optional(),
  /**
   * Supervisor: the children its `init` lists, when their ids are literals: each id, the module
   * it starts (`start: { module: X }` with `X` an imported module of the project) and its `type`
   * as written (absent: a worker).
   */
  children: listOf(childEntry, 'a list of {"id", "module"?, "type"?} objects').optional(),
});

export const modulesFileSchema = z.strictObject({
  app: appName,
  /** Every module of the application, by module id. */
  modules: z.record(moduleId, moduleEntrySchema),
});

export type ModuleEntry = z.output<typeof moduleEntrySchema>;
export type ModulesFile = z.output<typeof modulesFileSchema>;
