/**
 * Release roots for release handler tests, written as `hotrel release` lays them out: each
 * application's TypeScript sources compiled to `lib/<app>-<vsn>/*.js` + maps + `<app>.app.json`,
 * `releases/<vsn>/{release,config,relup}.json`, and for the first release `RELEASES.json` and
 * `start.json`. Relups come from the real relup compiler, from appups; upgrade packages are
 * written in the format of src/model/package-manifest.ts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { compileModule } from '../../src/code';
import {
  layout,
  type App,
  type AppupInput,
  type JsonValue,
  type PackageManifest,
  type Release,
  type ReleaseConfig,
  type Relup,
  type StartType,
} from '../../src/model';
import { makeRelup } from '../../src/release/relup';
import { tarGzOf, type TarEntry } from './tar-writer';

export const NODE = process.versions.node;

export interface AppDef {
  name: string;
  vsn: string;
  /** Module sources by relpath (`kv_server` -> TypeScript). */
  modules: Record<string, string>;
  /** The application callback module's relpath. */
  mod?: string;
  env?: Record<string, JsonValue>;
  applications?: string[];
  registered?: string[];
  appup?: AppupInput;
}

export interface ReleaseDef {
  name: string;
  vsn: string;
  apps: Array<{ app: AppDef; type?: StartType }>;
  config?: ReleaseConfig;
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

function json(file: string, value: unknown): void {
  write(file, `${JSON.stringify(value, null, 2)}\n`);
}

export function appJson(def: AppDef): App {
  return {
    name: def.name,
    vsn: def.vsn,
    description: `${def.name} ${def.vsn}`,
    modules: Object.keys(def.modules).map((m) => `${def.name}:${m}`),
    registered: def.registered ?? [],
    applications: def.applications ?? [],
    includedApplications: [],
    optionalApplications: [],
    ...(def.mod === undefined ? {} : { mod: { module: `${def.name}:${def.mod}`, args: [] } }),
    env: def.env ?? {},
  };
}

/** Compiles an application into `lib/<app>-<vsn>/` (sources kept under `src/` beside the root). */
export function writeApp(root: string, def: AppDef): void {
  const lib = layout.libDir(root, def.name, def.vsn);
  if (fs.existsSync(path.join(lib, `${def.name}.app.json`))) return;
  const srcDir = path.join(root, '..', 'src', `${def.name}-${def.vsn}`);
  for (const [rel, source] of Object.entries(def.modules)) {
    const tsFile = path.join(srcDir, `${rel}.ts`);
    write(tsFile, source);
    const out = compileModule(source, tsFile);
    const errors = out.diagnostics.filter((d) => d.category === 'error');
    if (errors.length > 0) throw new Error(`${def.name}:${rel}: ${JSON.stringify(errors)}`);
    const jsFile = path.join(lib, `${rel}.js`);
    const map = JSON.parse(out.map) as { sources: string[] };
    map.sources = [path.relative(path.dirname(jsFile), tsFile)];
    write(jsFile, out.code);
    write(`${jsFile}.map`, JSON.stringify(map));
  }
  json(layout.appFile(root, def.name, def.vsn), appJson(def));
  if (def.appup !== undefined) json(layout.appupFile(root, def.name, def.vsn), def.appup);
}

export function releaseJson(def: ReleaseDef): Release {
  return {
    name: def.name,
    vsn: def.vsn,
    node: NODE,
    hotrel: '0.1.0',
    apps: def.apps.map(({ app, type }) => ({ name: app.name, vsn: app.vsn, type: type ?? 'permanent' })),
    dependencies: {},
  };
}

/**
 * Writes a release (its applications, release.json, config.json) into `root`. The first release
 * of a root also gets RELEASES.json (permanent) and start.json.
 */
export function writeRelease(root: string, def: ReleaseDef): Release {
  for (const { app } of def.apps) writeApp(root, app);
  const release = releaseJson(def);
  json(layout.releaseFile(root, def.vsn), release);
  json(layout.configFile(root, def.vsn), def.config ?? {});
  if (!fs.existsSync(layout.releasesFile(root))) {
    json(layout.releasesFile(root), {
      releases: [
        {
          name: def.name,
          vsn: def.vsn,
          node: NODE,
          libs: def.apps.map(({ app }) => ({
            app: app.name,
            vsn: app.vsn,
            dir: `lib/${app.name}-${app.vsn}`,
          })),
          status: 'permanent',
        },
      ],
    });
    json(layout.startFile(root), { node: NODE, vsn: def.vsn });
  }
  return release;
}

/**
 * Compiles and writes `releases/<target>/relup.json` from the target's appups, up from and down
 * to each of `bases` (all written to `root` already).
 */
export function writeRelup(root: string, target: ReleaseDef, bases: ReleaseDef[]): Relup {
  const all = [target, ...bases];
  const apps = all.flatMap((r) => r.apps.map(({ app }) => appJson(app)));
  const unique = [...new Map(apps.map((a) => [`${a.name}@${a.vsn}`, a])).values()];
  const appups = Object.fromEntries(
    target.apps
      .filter(({ app }) => app.appup !== undefined)
      .map(({ app }) => [app.name, { appup: app.appup! }]),
  );
  const { relup } = makeRelup({
    target: releaseJson(target),
    upFrom: bases.map((b) => ({ release: releaseJson(b) })),
    downTo: bases.map((b) => ({ release: releaseJson(b) })),
    apps: unique,
    appups,
  });
  json(layout.relupFile(root, target.vsn), relup);
  return relup;
}

/** Writes a hand-made relup. */
export function writeRelupJson(root: string, relup: Relup): void {
  json(layout.relupFile(root, relup.vsn), relup);
}

const sha = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

/** The files of release `vsn` in `buildRoot`, root-relative, for a package. */
export function releaseFiles(buildRoot: string, vsn: string, onlyApps?: readonly string[]): string[] {
  const release = JSON.parse(fs.readFileSync(layout.releaseFile(buildRoot, vsn), 'utf8')) as Release;
  const dirs = [
    `releases/${vsn}`,
    ...release.apps
      .filter((a) => onlyApps === undefined || onlyApps.includes(a.name))
      .map((a) => `lib/${a.name}-${a.vsn}`),
  ];
  const out: string[] = [];
  const walk = (rel: string): void => {
    const abs = path.join(buildRoot, rel);
    if (!fs.existsSync(abs)) return;
    for (const e of fs
      .readdirSync(abs, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  for (const d of dirs) walk(d);
  return out;
}

export interface PackageOptions {
  /** Only these applications (a slim package); the others' directories are listed as required. */
  onlyApps?: string[];
  bases?: string[];
  /** Changes the entries before they are archived (tampering tests). */
  tamper?: (entries: TarEntry[], manifest: PackageManifest) => void;
}

/**
 * Writes the upgrade package of release `vsn` of `buildRoot` to `<to>/releases/<name>-<vsn>.tar.gz`
 * and returns its path.
 */
export function writePackage(
  buildRoot: string,
  vsn: string,
  to: string,
  options: PackageOptions = {},
): string {
  const release = JSON.parse(fs.readFileSync(layout.releaseFile(buildRoot, vsn), 'utf8')) as Release;
  const files = releaseFiles(buildRoot, vsn, options.onlyApps);
  const contents = files.map((f) => fs.readFileSync(path.join(buildRoot, f)));
  const manifest: PackageManifest = {
    format: 1,
    name: release.name,
    vsn,
    full: options.onlyApps === undefined,
    bases: options.bases ?? [],
    requires:
      options.onlyApps === undefined
        ? []
        : release.apps
            .filter((a) => !options.onlyApps!.includes(a.name))
            .map((a) => `lib/${a.name}-${a.vsn}`),
    files: Object.fromEntries(files.map((f, i) => [f, sha(contents[i]!)])),
    hotrel: '0.1.0',
  };
  const entries: TarEntry[] = files.map((f, i) => ({ path: f, content: contents[i]! }));
  options.tamper?.(entries, manifest);
  const file = layout.packageFile(to, release.name, vsn);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    tarGzOf([{ path: 'MANIFEST.json', content: JSON.stringify(manifest, null, 2) }, ...entries]),
  );
  return file;
}
