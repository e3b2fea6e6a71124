/**
 * Reads a project: its applications (packages with a `hotrel.app` section: the root package of a
 * single-application project, or the npm workspaces of a monorepo) and its release description
 * (`hotrel.release` in the root package, with defaults taken from the root package).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isAppName, isVersion, type JsonValue, type StartType } from '../../model';
import { hotrelSectionSchema, type AppSection, type ReleaseSection } from './schema';

export interface AppSource {
  name: string;
  vsn: string;
  description: string;
  /** The package's directory (holds package.json, and `<app>.appup.ts` if any). */
  packageDir: string;
  /** Absolute source root. */
  srcDir: string;
  main: string;
  /** Whether `main` was set in package.json (else it is the default, `index`, and may not exist). */
  mainExplicit: boolean;
  /** Callback module (module id) and start argument. */
  mod: { module: string; args: JsonValue } | undefined;
  registered: string[];
  env: Record<string, JsonValue>;
  /** Required applications: the project's applications among its dependencies, plus explicit ones. */
  applications: string[];
  includedApplications: string[];
  optionalApplications: string[];
  /** Third-party dependencies from package.json (name -> range); other applications and hotrel excluded. */
  packages: Record<string, string>;
  exclude: string[];
}

export interface ReleaseDescription {
  name: string;
  vsn: string;
  apps: Array<{ name: string; type: StartType }>;
  config: Record<string, Record<string, JsonValue>>;
  /** Absolute output directory for releases (`<output>/<name>` is the release root). */
  output: string;
}

export interface Project {
  root: string;
  release: ReleaseDescription;
  apps: AppSource[];
}

/** A problem with the project's description; the message names the file and what to change. */
export class ProjectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectError';
  }
}

interface PackageJson {
  name?: unknown;
  version?: unknown;
  description?: unknown;
  dependencies?: Record<string, string>;
  workspaces?: unknown;
  hotrel?: unknown;
}

export function describeProject(dir: string): Project {
  const root = path.resolve(dir);
  const rootPkg = readPackage(root);
  const rootSection = parseSection(root, rootPkg);
  const packageDirs = [root, ...workspaceDirs(root, rootPkg)];
  const sections = packageDirs.map((d) => ({ dir: d, pkg: d === root ? rootPkg : readPackage(d) }));
  const withApp = sections
    .map(({ dir: d, pkg }) => ({ dir: d, pkg, app: (d === root ? rootSection : parseSection(d, pkg)).app }))
    .filter((s): s is { dir: string; pkg: PackageJson; app: AppSection } => s.app !== undefined);
  if (withApp.length === 0) {
    throw new ProjectError(
      `${path.join(root, 'package.json')}: no application found; add a "hotrel": {"app": {}} section to the ` +
        `package (or to the workspaces of a monorepo)`,
    );
  }
  const names = new Set(withApp.map(({ dir: d, pkg, app }) => appNameOf(d, pkg, app)));
  const apps = withApp.map(({ dir: d, pkg, app }) => toAppSource(d, pkg, app, names));
  const release = toRelease(root, rootPkg, rootSection.release, apps);
  return { root, release, apps };
}

function readPackage(dir: string): PackageJson {
  const file = path.join(dir, 'package.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ProjectError(
      `${file}: not found; run hotrel in the project's root directory (or pass --project)`,
    );
  }
  try {
    return JSON.parse(text) as PackageJson;
  } catch (err) {
    throw new ProjectError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

function parseSection(dir: string, pkg: PackageJson): { app?: AppSection; release?: ReleaseSection } {
  if (pkg.hotrel === undefined) return {};
  const result = hotrelSectionSchema.safeParse(pkg.hotrel);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = ['hotrel', ...issue.path]
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('');
  throw new ProjectError(`${path.join(dir, 'package.json')}: ${where.slice(1)}: ${issue.message}`);
}

/** The directories of npm workspaces (`"workspaces": ["apps/*", "lib"]`). */
function workspaceDirs(root: string, pkg: PackageJson): string[] {
  const ws = Array.isArray(pkg.workspaces)
    ? pkg.workspaces
    : ((pkg.workspaces as { packages?: unknown } | undefined)?.packages ?? []);
  if (!Array.isArray(ws)) return [];
  const dirs: string[] = [];
  for (const pattern of ws) {
    if (typeof pattern !== 'string') continue;
    if (pattern.endsWith('/*')) {
      const base = path.join(root, pattern.slice(0, -2));
      if (!fs.existsSync(base)) continue;
      for (const e of fs
        .readdirSync(base, { withFileTypes: true })
        .sort((a, b) => a.name.localeCompare(b.name))) {
        if (e.isDirectory() && fs.existsSync(path.join(base, e.name, 'package.json')))
          dirs.push(path.join(base, e.name));
      }
    } else if (fs.existsSync(path.join(root, pattern, 'package.json'))) {
      dirs.push(path.join(root, pattern));
    }
  }
  return dirs;
}

function appNameOf(dir: string, pkg: PackageJson, app: AppSection): string {
  const name = app.name ?? pkg.name;
  if (!isAppName(name)) {
    throw new ProjectError(
      `${path.join(dir, 'package.json')}: the package name ${JSON.stringify(pkg.name)} cannot be an application ` +
        `name (letters, digits, "_", "." or "-"); set "hotrel": {"app": {"name": "..."}}`,
    );
  }
  return name;
}

function toAppSource(dir: string, pkg: PackageJson, app: AppSection, projectApps: Set<string>): AppSource {
  const name = appNameOf(dir, pkg, app);
  const file = path.join(dir, 'package.json');
  if (!isVersion(pkg.version)) {
    throw new ProjectError(
      `${file}: "version" must be a version such as "1.0.0"; it is the application's version`,
    );
  }
  const srcDir = path.resolve(dir, app.src);
  if (!fs.existsSync(srcDir)) {
    throw new ProjectError(`${file}: hotrel.app.src: the source root ${srcDir} does not exist`);
  }
  const deps = pkg.dependencies ?? {};
  const appDeps = Object.keys(deps).filter((d) => projectApps.has(d));
  const packages = Object.fromEntries(
    Object.entries(deps).filter(([d]) => !projectApps.has(d) && d !== 'hotrel'),
  );
  return {
    name,
    vsn: pkg.version,
    description: app.description ?? (typeof pkg.description === 'string' ? pkg.description : ''),
    packageDir: dir,
    srcDir,
    main: app.main ?? 'index',
    mainExplicit: app.main !== undefined,
    mod: app.mod === undefined ? undefined : { module: `${name}:${app.mod}`, args: app.args },
    registered: app.registered,
    env: app.env,
    applications: [...new Set([...appDeps, ...app.applications])],
    includedApplications: app.includedApplications,
    optionalApplications: app.optionalApplications,
    packages,
    exclude: app.exclude,
  };
}

function toRelease(
  root: string,
  pkg: PackageJson,
  section: ReleaseSection | undefined,
  apps: AppSource[],
): ReleaseDescription {
  const file = path.join(root, 'package.json');
  const name = section?.name ?? pkg.name;
  if (!isAppName(name)) {
    throw new ProjectError(
      `${file}: the package name ${JSON.stringify(pkg.name)} cannot be a release name; set "hotrel": {"release": {"name": "..."}}`,
    );
  }
  const vsn = section?.version ?? pkg.version;
  if (!isVersion(vsn)) {
    throw new ProjectError(
      `${file}: set "version" (or hotrel.release.version) to the release's version, e.g. "1.0.0"`,
    );
  }
  const known = new Set(apps.map((a) => a.name));
  const listed = section?.apps ?? apps.map((a) => ({ name: a.name, type: 'permanent' as StartType }));
  for (const a of listed) {
    if (!known.has(a.name)) {
      throw new ProjectError(
        `${file}: hotrel.release.apps names "${a.name}", which is not an application of the project ` +
          `(known: ${[...known].join(', ')})`,
      );
    }
  }
  for (const app of Object.keys(section?.config ?? {})) {
    if (!known.has(app)) {
      throw new ProjectError(`${file}: hotrel.release.config.${app}: no application "${app}" in the project`);
    }
  }
  return {
    name,
    vsn,
    apps: listed,
    config: section?.config ?? {},
    output: path.resolve(root, section?.output ?? '_build/rel'),
  };
}
