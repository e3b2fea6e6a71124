/**
 * `lib/<app>-<vsn>/<app>.app.json`: an application's resource description, OTP's `.app`
 * (semantics.md §2.1). Required, as systools requires them: name, vsn, description, modules,
 * registered, applications.
 */
import { z } from 'zod';
import { appName, json, leaf, listOf, moduleId, text, version } from './fields';
import type { JsonValue } from './json';
import { parseModuleId } from './names';

const maxTime = leaf<number | 'infinity'>(
  '"infinity" or an integer >= 0',
  (v) => v === 'infinity' || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0),
);

export const appSchema = z
  .strictObject({
    name: appName,
    vsn: version,
    description: text,
    /** OTP's `id`: free text, e.g. a product number. */
    id: text.optional(),
    /** Every module of the application, as module ids `<app>:<relpath>` of this application. */
    modules: listOf(moduleId, 'a list of module ids'),
    /** Process names the application registers; two applications of a release may not share one. */
    registered: listOf(text, 'a list of registered names'),
    /** Applications that must be started before this one. */
    applications: listOf(appName, 'a list of application names'),
    includedApplications: listOf(appName, 'a list of application names').default([]),
    /** Subset of `applications` that may be missing from a release. */
    optionalApplications: listOf(appName, 'a list of application names').default([]),
    /** hotrel: the module other applications get from `import 'app'` (a relpath; default "index"). */
    main: text.optional(),
    /** The application callback module and its start argument (OTP's `{mod, {Module, StartArgs}}`). */
    mod: z.strictObject({ module: moduleId, args: json.default([]) }).optional(),
    /** Default configuration (OTP's `env`). */
    env: z.record(z.string(), json).default({}),
    startPhases: listOf(
      z.strictObject({ phase: appName, args: json.default([]) }),
      'a list of start phases',
    ).optional(),
    maxT: maxTime.optional(),
    maxP: maxTime.optional(),
  })
  .superRefine((app, ctx) => {
    const seen = new Set<string>();
    app.modules.forEach((id, i) => {
      if (parseModuleId(id).app !== app.name) {
        ctx.addIssue({
          code: 'custom',
          path: ['modules', i],
          message: `expected a module of "${app.name}" ("${app.name}:<relpath>"), got ${JSON.stringify(id)}`,
        });
      }
      if (seen.has(id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['modules', i],
          message: `module ${JSON.stringify(id)} is listed twice`,
        });
      }
      seen.add(id);
    });
    app.optionalApplications.forEach((name, i) => {
      if (!app.applications.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['optionalApplications', i],
          message: `expected an application also listed in "applications", got ${JSON.stringify(name)}`,
        });
      }
    });
  });

export interface App {
  name: string;
  vsn: string;
  description: string;
  id?: string | undefined;
  modules: string[];
  registered: string[];
  applications: string[];
  includedApplications: string[];
  optionalApplications: string[];
  main?: string | undefined;
  mod?: { module: string; args: JsonValue } | undefined;
  env: Record<string, JsonValue>;
  startPhases?: { phase: string; args: JsonValue }[] | undefined;
  maxT?: number | 'infinity' | undefined;
  maxP?: number | 'infinity' | undefined;
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _appTypesAgree: Same<z.output<typeof appSchema>, App> = true;
