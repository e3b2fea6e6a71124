/**
 * Application specs and env during an install (OTP's `change_appl_data`, otp/semantics.md §7.5):
 * every loaded application of the release being installed gets its new description (from its
 * `<app>.app.json`) and env (`app.json` env overridden by the release's `config.json`; values set
 * with `setEnv` are lost, as in OTP).
 *
 * Beyond OTP (whose documentation promises it and whose code does not do it): when the install
 * fails and is rolled back, the specs and env are put back exactly as they were, `setEnv` values
 * included, and no `configChange` callback fires.
 */
import * as Application from '../../behaviours/application';
import { specFromApp, type ApplicationModule, type ApplicationSpec } from '../../behaviours/application';
import { getModule } from '../../code';
import type { App, JsonValue } from '../../model';

export interface AppDataSnapshot {
  readonly specs: ApplicationSpec[];
  readonly env: Record<string, Record<string, unknown>>;
}

/** Installs the new specs and env of the loaded applications; returns what they were. */
export function changeAppData(
  apps: ReadonlyMap<string, App>,
  config: Readonly<Record<string, Readonly<Record<string, JsonValue>>>>,
): AppDataSnapshot {
  const before: ApplicationSpec[] = [];
  const env: Record<string, Record<string, unknown>> = {};
  const next: ApplicationSpec[] = [];
  for (const app of apps.values()) {
    const spec = Application.getSpec(app.name);
    if (spec === undefined) continue; // not loaded: loaded later by the script, from the new files
    before.push(spec);
    env[app.name] = Application.getAllEnv(app.name);
    next.push(specFromApp(app, (id) => getModule(id) as unknown as ApplicationModule));
  }
  Application.changeApplicationData(next, config);
  return { specs: before, env };
}

/** Puts specs and env back as {@link changeAppData} found them. */
export function restoreAppData(snapshot: AppDataSnapshot): void {
  Application.changeApplicationData(snapshot.specs, snapshot.env);
  for (const spec of snapshot.specs) {
    const wanted = snapshot.env[spec.name] ?? {};
    for (const key of Object.keys(Application.getAllEnv(spec.name))) {
      if (!(key in wanted)) Application.unsetEnv(spec.name, key);
    }
  }
}
