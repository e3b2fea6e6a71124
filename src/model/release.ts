/**
 * `releases/<vsn>/release.json`: one release, OTP's `.rel` (semantics.md §2.3). Node.js plays
 * erts's role (`node`), and the hotrel version is recorded because hotrel's runtime is to a
 * release what kernel/stdlib/sasl are in OTP: changing either needs a new node process.
 */
import { z } from 'zod';
import {
  appName,
  leaf,
  listOf,
  nonEmptyText,
  releaseName,
  startType,
  version,
  type StartType,
} from './fields';

export const releaseAppSchema = z.strictObject({
  name: appName,
  vsn: version,
  /** How the application is started at boot (OTP's `Type`, default permanent). */
  type: startType.default('permanent'),
  /** Overrides the application's own includedApplications (OTP's `IncApps`). */
  includedApplications: listOf(appName, 'a list of application names').optional(),
});

const dependencies = z.record(
  z.string(),
  leaf<string>('a version string', (v) => typeof v === 'string' && v.length > 0),
  { error: () => 'expected an object mapping package names to versions, e.g. {"pino": "10.4.0"}' },
);

export const releaseSchema = z
  .strictObject({
    name: releaseName,
    vsn: version,
    /** The Node.js version the release runs on (`process.versions.node`), erts's role. */
    node: nonEmptyText,
    /** The hotrel version the release was built with. */
    hotrel: nonEmptyText,
    /** Applications in start order (dependencies first), as the release builder sorts them. */
    apps: listOf(releaseAppSchema, 'a list of {"name", "vsn", "type"} objects'),
    /** Third-party production packages (node_modules) and their exact versions. */
    dependencies: dependencies.default({}),
    /**
     * The directory under `lib/` holding those packages (`deps-<hash>`, shared by releases with
     * the same set), hotrel's own runtime among them.
     */
    depsDir: leaf<string>(
      'a directory name such as "deps-1a2b3c4d5e6f"',
      (v) => typeof v === 'string' && /^deps-[0-9a-f]+$/.test(v),
    ).optional(),
  })
  .superRefine((release, ctx) => {
    const seen = new Map<string, number>();
    release.apps.forEach((app, i) => {
      const first = seen.get(app.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['apps', i, 'name'],
          message: `application ${JSON.stringify(app.name)} is already listed at apps[${first}]; a release holds one version of each application`,
        });
      } else seen.set(app.name, i);
    });
  });

export interface ReleaseApp {
  name: string;
  vsn: string;
  type: StartType;
  includedApplications?: string[] | undefined;
}

export interface Release {
  name: string;
  vsn: string;
  node: string;
  hotrel: string;
  apps: ReleaseApp[];
  dependencies: Record<string, string>;
  depsDir?: string | undefined;
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _releaseTypesAgree: Same<z.output<typeof releaseSchema>, Release> = true;
