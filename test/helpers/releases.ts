/** Small builders of model values for relup tests. */
import type { App, AppupInput, Release, StartType } from '../../src/model';
import { makeRelup, type AppupSource, type RelupOptions, type RelupResult } from '../../src/release/relup';

export function app(name: string, vsn: string, modules: string[], extra: Partial<App> = {}): App {
  return {
    name,
    vsn,
    description: `${name} ${vsn}`,
    modules: modules.map((m) => (m.includes(':') ? m : `${name}:${m}`)),
    registered: [],
    applications: [],
    includedApplications: [],
    optionalApplications: [],
    env: {},
    ...extra,
  };
}

export type AppSpec = [name: string, vsn: string, type?: StartType];

export function release(vsn: string, apps: AppSpec[], extra: Partial<Release> = {}): Release {
  return {
    name: 'rel',
    vsn,
    node: '20.20.2',
    hotrel: '0.1.0',
    apps: apps.map(([name, v, type]) => ({ name, vsn: v, type: type ?? 'permanent' })),
    dependencies: {},
    ...extra,
  };
}

export interface World {
  releases: Release[];
  apps: App[];
  appups: Record<string, AppupSource>;
}

/** Runs makeRelup with target `vsn` from/to the given base versions of `world`. */
export function relupOf(
  world: World,
  target: string,
  bases: { up?: string[]; down?: string[] },
  options: RelupOptions = {},
): RelupResult {
  const find = (v: string): Release => {
    const r = world.releases.find((x) => x.vsn === v);
    if (r === undefined) throw new Error(`no release ${v} in the test world`);
    return r;
  };
  return makeRelup({
    target: find(target),
    upFrom: (bases.up ?? []).map((v) => ({ release: find(v) })),
    downTo: (bases.down ?? []).map((v) => ({ release: find(v) })),
    apps: world.apps,
    appups: world.appups,
    options,
  });
}

export function appupOf(appup: AppupInput, file?: string): AppupSource {
  return file === undefined ? { appup } : { appup, file };
}
