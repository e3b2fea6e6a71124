/**
 * `hotrel release`: builds the project's release into `<output>/<name>/` (DESIGN.md §6).
 *
 * Applications go to `lib/<app>-<vsn>/`, third-party packages (hotrel itself among them) to
 * `lib/deps-<hash>/node_modules`, the release description, its config and (first release only)
 * `RELEASES.json` and `start.json` to `releases/`, and the launcher to `bin/`. Building another
 * version puts it beside the ones already there. A version is immutable: an application or
 * release version that exists with different content is an error unless `force` is set.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { layout, sortApplications, type App, type Release, type ReleaseConfig } from '../../model';
import { writeJsonAtomic } from '../../model/files';
import { describeProject, type Project } from '../project/describe';
import { BuildError, compileApp } from './compile-app';
import { hotrelPackage } from './hotrel-package';
import { jsLauncher, shellLauncher } from './launch-scripts';
import { copyPackages, planPackages } from './packages';
import { listSources } from './sources';
import { typecheck } from './typecheck';

export interface BuildOptions {
  /** The project directory (holding the root package.json). */
  project: string;
  /** Type-check first (default true). */
  typecheck?: boolean;
  /** Replace an existing version with different content. */
  force?: boolean;
  /** Copy this Node.js binary into the release (`node/<version>/bin/node`). */
  includeNode?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface BuildResult {
  root: string;
  release: Release;
  /** Applications compiled anew, and those whose version was already there unchanged. */
  built: string[];
  unchanged: string[];
}

export { BuildError };

export async function buildRelease(options: BuildOptions): Promise<BuildResult> {
  const log = options.log ?? (() => {});
  const project = describeProject(options.project);
  const root = path.join(project.release.output, project.release.name);

  if (options.typecheck !== false) {
    const files = project.apps.flatMap((a) =>
      listSources(a.srcDir, a.exclude).map((rel) => path.join(a.srcDir, `${rel}.ts`)),
    );
    log(`type-checking ${files.length} modules`);
    const errors = typecheck(project.root, files);
    if (errors.length > 0) {
      const shown = errors.slice(0, 30).join('\n');
      throw new BuildError(
        `the project does not type-check (${errors.length} errors); fix them or pass --no-typecheck:\n${shown}`,
      );
    }
  }

  // A first build that fails leaves nothing behind: the next one must not find a half release.
  const fresh = !fs.existsSync(root);
  try {
    return await writeRelease(project, root, options, log);
  } catch (err) {
    if (fresh) fs.rmSync(root, { recursive: true, force: true });
    throw err;
  }
}

async function writeRelease(
  project: Project,
  root: string,
  options: BuildOptions,
  log: (line: string) => void,
): Promise<BuildResult> {
  const hotrel = hotrelPackage();
  fs.mkdirSync(path.join(root, 'lib'), { recursive: true });
  const apps = new Map<string, App>();
  const built: string[] = [];
  const unchanged: string[] = [];
  const inRelease = new Set(project.release.apps.map((a) => a.name));
  for (const source of project.apps.filter((a) => inRelease.has(a.name))) {
    const final = layout.libDir(root, source.name, source.vsn);
    const staging = path.join(root, 'lib', `.staging-${source.name}-${source.vsn}-${process.pid}`);
    fs.rmSync(staging, { recursive: true, force: true });
    try {
      const out = await compileApp(source, project.apps, staging);
      apps.set(source.name, out.app);
      if (!fs.existsSync(final)) {
        fs.renameSync(staging, final);
        built.push(`${source.name}-${source.vsn}`);
      } else if (sameTree(staging, final, generatedAppup(final, source.name))) {
        unchanged.push(`${source.name}-${source.vsn}`);
      } else if (options.force === true) {
        fs.rmSync(final, { recursive: true });
        fs.renameSync(staging, final);
        built.push(`${source.name}-${source.vsn}`);
      } else {
        throw new BuildError(
          `${path.relative(process.cwd(), final)} already exists with different code: bump ${source.name}'s version ` +
            `in ${path.join(source.packageDir, 'package.json')} (upgrades tell versions apart by number), or pass ` +
            `--force to replace it`,
        );
      }
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    log(
      `${source.name} ${source.vsn}: ${built.includes(`${source.name}-${source.vsn}`) ? 'built' : 'unchanged'}`,
    );
  }

  const plan = planPackages(
    project.apps
      .filter((a) => inRelease.has(a.name))
      .map((a) => ({ fromDir: a.packageDir, dependencies: a.packages, requiredBy: a.name })),
    [
      {
        name: 'hotrel',
        version: hotrel.version,
        from: hotrel.root,
        to: 'hotrel',
        only: ['package.json', 'dist'],
      },
    ],
  );
  const dependencies = Object.fromEntries(plan.map((p) => [p.to, p.version]));
  const hash = crypto
    .createHash('sha256')
    .update(plan.map((p) => `${p.to}@${p.version}`).join('\n'))
    .update(`\nhotrel dist ${hotrel.digest}`)
    .digest('hex')
    .slice(0, 12);
  const depsDir = layout.depsDir(root, hash);
  const complete = path.join(depsDir, '.complete');
  if (!fs.existsSync(complete)) {
    log(`copying ${plan.length} packages to ${path.relative(root, depsDir)}`);
    fs.rmSync(depsDir, { recursive: true, force: true });
    copyPackages(plan, depsDir);
    fs.writeFileSync(complete, '');
  }

  const release = releaseDescription(project, [...apps.values()], dependencies, `deps-${hash}`);
  writeReleaseFiles(root, release, releaseConfig(project), options.force === true);
  writeLaunchers(root, project.release.name);
  if (options.includeNode === true) includeNodeBinary(root);
  log(`release ${release.name} ${release.vsn} in ${root}`);
  return { root, release, built, unchanged };
}

function releaseDescription(
  project: Project,
  apps: App[],
  dependencies: Record<string, string>,
  depsDir: string,
): Release {
  const types = new Map(project.release.apps.map((a) => [a.name, a.type]));
  const ordered = sortApplications(apps);
  return {
    name: project.release.name,
    vsn: project.release.vsn,
    node: process.versions.node,
    hotrel: hotrelPackage().version,
    apps: ordered.map((a) => ({ name: a.name, vsn: a.vsn, type: types.get(a.name) ?? 'permanent' })),
    dependencies,
    depsDir,
  };
}

function releaseConfig(project: Project): ReleaseConfig {
  return project.release.config;
}

function writeReleaseFiles(root: string, release: Release, config: ReleaseConfig, force: boolean): void {
  const file = layout.releaseFile(root, release.vsn);
  if (fs.existsSync(file) && !force) {
    const existing = fs.readFileSync(file, 'utf8');
    if (existing !== JSON.stringify(release, null, 2) + '\n') {
      throw new BuildError(
        `release ${release.vsn} already exists in ${root} with other contents: bump the release version, or pass --force`,
      );
    }
  }
  fs.mkdirSync(layout.releaseDir(root, release.vsn), { recursive: true });
  writeJsonAtomic(file, release);
  writeJsonAtomic(layout.configFile(root, release.vsn), config);
  if (!fs.existsSync(layout.releasesFile(root))) {
    writeJsonAtomic(layout.releasesFile(root), {
      releases: [
        {
          name: release.name,
          vsn: release.vsn,
          node: release.node,
          libs: release.apps.map((a) => ({ app: a.name, vsn: a.vsn, dir: `lib/${a.name}-${a.vsn}` })),
          status: 'permanent',
        },
      ],
    });
    writeJsonAtomic(layout.startFile(root), { node: release.node, vsn: release.vsn });
  }
}

function writeLaunchers(root: string, name: string): void {
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, name), shellLauncher(name), { mode: 0o755 });
  fs.chmodSync(path.join(bin, name), 0o755);
  fs.writeFileSync(path.join(bin, 'hotrel-launch.js'), jsLauncher(), { mode: 0o755 });
}

function includeNodeBinary(root: string): void {
  const dest = path.join(root, 'node', process.versions.node, 'bin', 'node');
  if (fs.existsSync(dest)) return;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(process.execPath, dest);
  fs.chmodSync(dest, 0o755);
}

/**
 * The appup `hotrel appup generate` wrote into an application version (`"generated": true`), if
 * any: not part of what the build produces, so a rebuild of the same code is still "unchanged".
 */
function generatedAppup(libDir: string, app: string): string | undefined {
  const name = `${app}.appup.json`;
  try {
    const value = JSON.parse(fs.readFileSync(path.join(libDir, name), 'utf8')) as { generated?: unknown };
    return value.generated === true ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Whether two directories hold the same files; `extraInB`, if given, is a file of `b` to leave out. */
function sameTree(a: string, b: string, extraInB?: string): boolean {
  const list = (dir: string): string[] =>
    fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
      .filter((f) => dir !== b || f !== extraInB || fs.existsSync(path.join(a, f)))
      .sort();
  const fa = list(a);
  const fb = list(b);
  if (fa.length !== fb.length || fa.some((f, i) => f !== fb[i])) return false;
  return fa.every((f) => fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))));
}
