/**
 * Builds one application into `lib/<app>-<vsn>/`: each module compiled on its own to CommonJS
 * with its source map (never bundled: the module boundary is what makes per-module upgrades
 * possible), `<app>.app.json`, `<app>.modules.json` (code identities, imports, exports),
 * `<app>.appup.json` when the package has an appup, and the package's `priv/` directory.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { compileModule, formatDiagnostics, hasErrors } from '../../code/compile';
import type { App, Appup, ModulesFile } from '../../model';
import { loadAppup } from '../appup';
import { analyzeModule } from './analyze';
import type { AppSource } from '../project/describe';
import { listSources } from './sources';

export class BuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildError';
  }
}

export interface BuiltApp {
  app: App;
  modules: ModulesFile;
  appup: Appup | undefined;
  /** Relpaths of the files written (relative to the lib directory), for comparing two builds. */
  files: Map<string, string>;
}

const MAP_COMMENT = /\n?\/\/# sourceMappingURL=.*\s*$/;

/** The identity of compiled code: insensitive to source-map comments and build paths. */
export function codeHash(code: string): string {
  return `sha256:${crypto.createHash('sha256').update(code.replace(MAP_COMMENT, '')).digest('hex')}`;
}

/**
 * Compiles `source` into `outDir` (which must be empty or absent). Returns what was written;
 * throws BuildError listing every compile error of the application.
 */
export async function compileApp(
  source: AppSource,
  allApps: readonly AppSource[],
  outDir: string,
): Promise<BuiltApp> {
  const relpaths = listSources(source.srcDir, source.exclude);
  if (relpaths.length === 0) {
    throw new BuildError(`${source.name}: no TypeScript modules under ${source.srcDir}`);
  }
  const moduleSet = new Set(relpaths);
  for (const [field, rel] of [
    ['main', source.mainExplicit ? source.main : undefined],
    ['mod', source.mod?.module.split(':')[1]],
  ] as const) {
    if (rel !== undefined && !moduleSet.has(rel)) {
      throw new BuildError(
        `${source.name}: hotrel.app.${field} is "${rel}", but ${path.join(source.srcDir, `${rel}.ts`)} does not exist`,
      );
    }
  }
  const apps = new Map(allApps.map((a) => [a.name, a.main]));
  const files = new Map<string, string>();
  const modules: ModulesFile = { app: source.name, modules: {} };
  const errors: string[] = [];
  fs.mkdirSync(outDir, { recursive: true });

  for (const rel of relpaths) {
    const tsFile = path.join(source.srcDir, `${rel}.ts`);
    const text = fs.readFileSync(tsFile, 'utf8');
    // Named relative to the package: stack traces read `lib/kvapp-1.0.1/src/kv.ts:12`.
    const logical = path.relative(source.packageDir, tsFile).split(path.sep).join('/');
    const out = compileModule(text, logical);
    if (hasErrors(out.diagnostics)) {
      errors.push(formatDiagnostics(out.diagnostics.filter((d) => d.category === 'error')));
      continue;
    }
    const jsRel = `${rel}.js`;
    const base = path.posix.basename(jsRel);
    const code = out.code.replace(MAP_COMMENT, '') + `\n//# sourceMappingURL=${base}.map\n`;
    const map = JSON.parse(out.map) as { sources?: string[]; file?: string };
    map.file = base;
    map.sources = [path.posix.relative(path.posix.dirname(jsRel), logical)];
    const mapText = JSON.stringify(map);
    fs.mkdirSync(path.dirname(path.join(outDir, jsRel)), { recursive: true });
    fs.writeFileSync(path.join(outDir, jsRel), code);
    fs.writeFileSync(path.join(outDir, `${jsRel}.map`), mapText);
    files.set(jsRel, code);
    files.set(`${jsRel}.map`, mapText);
    const facts = analyzeModule(text, logical, { app: source.name, relpath: rel, modules: moduleSet, apps });
    modules.modules[`${source.name}:${rel}`] = {
      file: jsRel,
      hash: codeHash(code),
      ...(facts.vsn === undefined ? {} : { vsn: facts.vsn }),
      imports: facts.imports,
      packages: facts.packages,
      exports: facts.exports,
    };
  }
  if (errors.length > 0) throw new BuildError(`${source.name} does not compile:\n${errors.join('\n')}`);

  const app: App = {
    name: source.name,
    vsn: source.vsn,
    description: source.description,
    modules: Object.keys(modules.modules),
    registered: source.registered,
    applications: source.applications,
    includedApplications: source.includedApplications,
    optionalApplications: source.optionalApplications,
    main: source.main,
    ...(source.mod === undefined ? {} : { mod: source.mod }),
    env: source.env,
  };
  const write = (name: string, value: unknown): void => {
    const text = JSON.stringify(value, null, 2) + '\n';
    fs.writeFileSync(path.join(outDir, name), text);
    files.set(name, text);
  };
  write(`${source.name}.app.json`, app);
  write(`${source.name}.modules.json`, modules);

  let appup: Appup | undefined;
  for (const ext of ['ts', 'json']) {
    const file = path.join(source.packageDir, `${source.name}.appup.${ext}`);
    if (!fs.existsSync(file)) continue;
    appup = await loadAppup(file, { app: source.name, vsn: source.vsn });
    write(`${source.name}.appup.json`, appup);
    break;
  }
  const priv = path.join(source.packageDir, 'priv');
  if (fs.existsSync(priv)) fs.cpSync(priv, path.join(outDir, 'priv'), { recursive: true, dereference: true });
  return { app, modules, appup, files };
}
