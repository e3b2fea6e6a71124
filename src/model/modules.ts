/**
 * `lib/<app>-<vsn>/<app>.modules.json`: what the release builder learned about each compiled
 * module, for tools that compare releases (appup generation) without loading code.
 *
 * `hash` is the identity of the compiled code: a sha256 of the emitted JavaScript without its
 * source-map comment, so a rebuild of identical code, another build directory or changed source
 * maps never look like a change, while any change of the code does.
 */
import { z } from 'zod';
import { appName, listOf, moduleId, nonEmptyText, text } from './fields';

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
});

export const modulesFileSchema = z.strictObject({
  app: appName,
  /** Every module of the application, by module id. */
  modules: z.record(moduleId, moduleEntrySchema),
});

export type ModuleEntry = z.output<typeof moduleEntrySchema>;
export type ModulesFile = z.output<typeof modulesFileSchema>;
