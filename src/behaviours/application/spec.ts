/**
 * Application metadata (OTP's `.app`): what an application is, needs and starts. In a release
 * it comes from the package's `hotrel` section (the model layer); the controller takes it with
 * the callback module already resolved to its facade.
 */
import { z } from 'zod';
import type { App } from '../../model';
import type { Pid, Proc } from '../../runtime';
import type { Awaitable } from '../core/awaitable';
import type { StartResult } from '../core/types';

/** How an application was started, and what its exit means for the node. */
export type StartType = 'permanent' | 'transient' | 'temporary';

/** What an application callback's `start` returns: the top supervisor, and optionally a state. */
export type ApplicationStartReturn =
  Pid | StartResult | { readonly kind: 'ok'; readonly pid: Pid; readonly state: unknown };

/** The application callback module (OTP's `mod`). */
export interface ApplicationModule<A = unknown, S = unknown> {
  /**
   * Starts the application's supervision tree and returns its top supervisor, linked to
   * `master` (the application master): `return Supervisor.startLink(master, TopSup, args)`.
   * `type` is always `'normal'` (OTP's takeover/failover are distributed-only).
   */
  start(type: 'normal', args: A, master: Proc): Awaitable<ApplicationStartReturn>;
  /** Called before the tree is stopped; returns the state passed to `stop`. */
  prepStop?(state: S): Awaitable<S>;
  /** Called after the tree has stopped (also when it died). */
  stop?(state: S): unknown;
  /**
   * Called after an upgrade changed the application's env (OTP's `config_change/3`):
   * `changed` keys with their new values, `added` keys, `removed` keys.
   */
  configChange?(changed: Record<string, unknown>, added: Record<string, unknown>, removed: string[]): unknown;
}

export interface ApplicationSpec {
  readonly name: string;
  readonly vsn: string;
  readonly description: string;
  /** Module ids (`<app>:<relpath>`) of the application. */
  readonly modules: readonly string[];
  /** Names its processes register. */
  readonly registered: readonly string[];
  /** Applications that must be started before it. */
  readonly applications: readonly string[];
  /** Those of `applications` that may be absent (not loaded): then they are not waited for. */
  readonly optionalApplications?: readonly string[];
  /** The callback module and its start argument; absent for a library application. */
  readonly mod?: { readonly module: ApplicationModule; readonly args?: unknown };
  /** Default configuration. */
  readonly env?: Readonly<Record<string, unknown>>;
}

const identifier = z.string().min(1, 'must not be empty');

const schema = z.object({
  name: identifier,
  vsn: identifier,
  description: z.string(),
  modules: z.array(z.string()),
  registered: z.array(z.string()),
  applications: z.array(identifier),
  optionalApplications: z.array(identifier).optional(),
  mod: z
    .object({
      module: z.custom<ApplicationModule>(
        (m) => typeof m === 'object' && m !== null && typeof (m as { start?: unknown }).start === 'function',
        'must be the callback module object, exporting start(type, args, master)',
      ),
      args: z.unknown().optional(),
    })
    .optional(),
  env: z.record(z.string(), z.unknown()).optional(),
});

/** Invalid application metadata; `issues` lists every problem with its path. */
export class ApplicationSpecError extends Error {
  constructor(
    readonly application: string,
    readonly issues: readonly string[],
  ) {
    super(`invalid application spec for ${application}: ${issues.join('; ')}`);
    this.name = 'ApplicationSpecError';
  }
}

/** Validates metadata; throws {@link ApplicationSpecError} naming every problem. */
export function checkSpec(spec: unknown): ApplicationSpec {
  const result = schema.safeParse(spec);
  if (!result.success) {
    const name =
      typeof (spec as { name?: unknown })?.name === 'string' ? (spec as { name: string }).name : '?';
    throw new ApplicationSpecError(
      name,
      result.error.issues.map((i) => `${i.path.join('.') || '(spec)'}: ${i.message}`),
    );
  }
  const checked = spec as ApplicationSpec;
  if (checked.applications.includes(checked.name))
    throw new ApplicationSpecError(checked.name, ['applications: an application cannot require itself']);
  const stray = (checked.optionalApplications ?? []).filter((a) => !checked.applications.includes(a));
  if (stray.length > 0)
    throw new ApplicationSpecError(checked.name, [
      `optionalApplications: ${stray.join(', ')} not listed in applications`,
    ]);
  return checked;
}

/**
 * The controller's spec for an application resource file of the data model (`<app>.app.json`):
 * the same fields, with the callback module id resolved to its module object (in a release, the
 * code server's facade) by `resolve`.
 */
export function specFromApp(app: App, resolve: (moduleId: string) => ApplicationModule): ApplicationSpec {
  return {
    name: app.name,
    vsn: app.vsn,
    description: app.description,
    modules: app.modules,
    registered: app.registered,
    applications: app.applications,
    optionalApplications: app.optionalApplications,
    ...(app.mod === undefined ? {} : { mod: { module: resolve(app.mod.module), args: app.mod.args } }),
    env: app.env,
  };
}
