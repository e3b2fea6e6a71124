/**
 * The `hotrel` section of a package.json: how a package becomes an application, and (in the
 * project's root package) how the applications become a release.
 *
 * ```json
 * "hotrel": {
 *   "app": {
 *     "src": "src",              // source root (default "src")
 *     "main": "index",           // what `import 'this-app'` resolves to (default "index")
 *     "mod": "app",              // application callback module (a relpath), if any
 *     "args": [],                // its start argument
 *     "registered": ["kv"],      // names its processes register
 *     "env": { "port": 8080 },   // default configuration
 *     "applications": []         // required applications besides its dependencies
 *   },
 *   "release": {
 *     "name": "myservice",       // default: the root package's name
 *     "version": "1.0.0",        // default: the root package's version
 *     "apps": [{ "name": "kvapp", "type": "permanent" }],  // default: every application, permanent
 *     "config": { "kvapp": { "port": 9000 } },              // per-release configuration
 *     "output": "_build/rel"     // where releases are written
 *   }
 * }
 * ```
 */
import { z } from 'zod';
import { appName, json, leaf, listOf, oneOf, text, version } from '../../model/fields';
import { START_TYPES, isModulePath } from '../../model';

const relpath = leaf<string>(
  'a module path relative to the source root, such as "app" or "workers/pool"',
  (v) => (typeof v === 'string' ? isModulePath(v) : false),
);

export const appSectionSchema = z.strictObject({
  name: appName.optional(),
  description: text.optional(),
  src: text.default('src'),
  main: relpath.optional(),
  mod: relpath.optional(),
  args: json.default([]),
  registered: listOf(text, 'a list of registered names').default([]),
  env: z.record(z.string(), json).default({}),
  applications: listOf(appName, 'a list of application names').default([]),
  includedApplications: listOf(appName, 'a list of application names').default([]),
  optionalApplications: listOf(appName, 'a list of application names').default([]),
  /** Source files that are not modules of the application (tests are always excluded). */
  exclude: listOf(text, 'a list of path patterns').default([]),
});

export const releaseSectionSchema = z.strictObject({
  name: appName.optional(),
  version: version.optional(),
  apps: listOf(
    z.strictObject({ name: appName, type: oneOf(START_TYPES).default('permanent') }),
    'a list of {"name", "type"} objects',
  ).optional(),
  config: z.record(appName, z.record(z.string(), json)).default({}),
  output: text.default('_build/rel'),
});

export const hotrelSectionSchema = z.strictObject({
  app: appSectionSchema.optional(),
  release: releaseSectionSchema.optional(),
});

export type AppSection = z.output<typeof appSectionSchema>;
export type ReleaseSection = z.output<typeof releaseSectionSchema>;
