/**
 * Third-party packages a release needs, and where they go in it.
 *
 * Starting from the applications' production dependencies (and hotrel's own), each package is
 * resolved the way Node resolves it from its dependent (`node_modules` of the directory and its
 * parents) and placed in the release's `lib/deps-<hash>/node_modules` so that Node, resolving
 * from the same places, finds the same versions: at the top when that name is free there (or
 * holds the same version), else under its dependent's `node_modules`.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface PackageToCopy {
  name: string;
  version: string;
  /** Where it is installed now. */
  from: string;
  /** Where it goes, relative to `node_modules` of the release's deps directory (`pino`, `a/node_modules/b`). */
  to: string;
  /** Copy only these entries of the package directory (hotrel itself: package.json and dist). */
  only?: string[];
}

export class PackageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageError';
  }
}

interface Manifest {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Node's lookup: `<dir>/node_modules/<name>`, then each parent's. */
function locate(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export interface Root {
  /** Where its dependencies are resolved from (the application's package directory). */
  fromDir: string;
  /** Which: the application's production dependencies (name -> range). */
  dependencies: Record<string, string>;
  /** Who asks (for error messages). */
  requiredBy: string;
}

/**
 * Every package reachable from `roots` (plus `extra`, placed first: hotrel itself), with its place
 * in the release. Deterministic: the same installed tree gives the same plan.
 */
export function planPackages(roots: Root[], extra: PackageToCopy[] = []): PackageToCopy[] {
  const placed = new Map<string, PackageToCopy>(); // by `to`
  const done = new Set<string>(); // `${from}\0${to}` already expanded
  const queue: Array<{ pkgDir: string; target: string; who: string }> = [];

  for (const e of extra) {
    placed.set(e.to, e);
    queue.push({ pkgDir: e.from, target: e.to, who: e.name });
  }
  // What Node would find for `name` from a package placed at `target` (or the top level).
  const visible = (name: string, target: string | undefined): PackageToCopy | undefined => {
    let t = target;
    while (t !== undefined) {
      const hit = placed.get(`${t}/node_modules/${name}`);
      if (hit !== undefined) return hit;
      const up = t.lastIndexOf('/node_modules/');
      t = up < 0 ? undefined : t.slice(0, up);
    }
    return placed.get(name);
  };
  const place = (
    name: string,
    fromDir: string,
    dependentTarget: string | undefined,
    who: string,
    optional: boolean,
  ) => {
    const dir = locate(name, fromDir);
    if (dir === undefined) {
      if (optional) return;
      throw new PackageError(
        `${who} depends on "${name}", which is not installed (looked in node_modules from ${fromDir}); run npm install`,
      );
    }
    const m = readManifest(dir);
    const version = m.version ?? '0.0.0';
    const seen = visible(name, dependentTarget);
    if (seen !== undefined && seen.version === version) return;
    const to = !placed.has(name) ? name : `${dependentTarget}/node_modules/${name}`;
    if (dependentTarget === undefined && placed.has(name)) {
      throw new PackageError(
        `two versions of "${name}" are needed at the top level (${placed.get(name)!.version} and ${version}); ` +
          `align the applications' dependencies on one version`,
      );
    }
    placed.set(to, { name, version, from: dir, to });
    queue.push({ pkgDir: dir, target: to, who: `${name}@${version}` });
  };

  for (const r of roots) {
    for (const name of Object.keys(r.dependencies).sort())
      place(name, r.fromDir, undefined, r.requiredBy, false);
  }
  while (queue.length > 0) {
    const { pkgDir, target, who } = queue.shift()!;
    const key = `${pkgDir}\0${target}`;
    if (done.has(key)) continue;
    done.add(key);
    const m = readManifest(pkgDir);
    for (const name of Object.keys(m.dependencies ?? {}).sort()) place(name, pkgDir, target, who, false);
    for (const name of Object.keys(m.optionalDependencies ?? {}).sort())
      place(name, pkgDir, target, who, true);
  }
  return [...placed.values()].sort((a, b) => a.to.localeCompare(b.to));
}

/** Copies the planned packages under `<depsDir>/node_modules` (skipping nested node_modules). */
export function copyPackages(plan: PackageToCopy[], depsDir: string): void {
  for (const p of plan) {
    const dest = path.join(depsDir, 'node_modules', ...p.to.split('/'));
    fs.mkdirSync(dest, { recursive: true });
    const entries = p.only ?? fs.readdirSync(p.from).filter((e) => e !== 'node_modules');
    for (const e of entries) {
      const src = path.join(p.from, e);
      if (!fs.existsSync(src)) throw new PackageError(`${p.name}: ${src} is missing (is the package built?)`);
      fs.cpSync(src, path.join(dest, e), { recursive: true, dereference: true });
    }
  }
}
