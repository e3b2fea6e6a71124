/**
 * Builds one application into `lib/<app>-<vsn>/`: each module compiled on its own to CommonJS
 * with its source map (never bundled: the module boundary is what makes per-module upgrades
 * possible), `<app>.app.json`, `<app>.modules.json` (code identities, imports, exports),
 * `<app>.appup.json` when the package has an appup, and the package's `priv/` directory.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { compileModule, formatDiagnostics, hasErrors } from '../../code/compile';
import type { App, Appup, ModulesFile } from '../../model';
import { readModelFile } from '../../model/files';
import { ModelError } from '../../model/validate';
import { loadAppup } from '../appup';
import { analyzeModule, type ModuleFacts } from './analyze';
import { DeclarationError } from './declarations';
import { resolveStateType, type TypeFacts } from './state-type';
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
const codePrinter = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

/**
 * The identity of compiled code: a hash of the emitted JavaScript parsed and printed again
 * without comments and in one fixed layout (every block, object and array literal on several
 * lines, no trailing commas, one quote style), so that comments (which tsc keeps), formatting,
 * source maps and build paths never count as a change (knit's `beam_lib:md5` rule), while any
 * change of the code does. The JavaScript is parsed, not scanned, so text inside strings,
 * templates and regular expressions is code.
 */
export function codeHash(code: string): string {
  const sf = ts.createSourceFile('m.js', code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
  const normalise = (node: ts.Node): void => {
    if ('multiLine' in node) (node as { multiLine?: boolean }).multiLine = true;
    ts.forEachChild(node, normalise, (list) => {
      (list as unknown as { hasTrailingComma: boolean }).hasTrailingComma = false;
      list.forEach(normalise);
    });
  };
  normalise(sf);
  return `sha256:${crypto.createHash('sha256').update(codePrinter.printFile(sf)).digest('hex')}`;
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
  const facts = new Map<string, ModuleFacts>();
  const errors: string[] = [];
  const appCallback = source.mod?.module.split(':')[1];
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
    let found: ModuleFacts;
    try {
      found = analyzeModule(text, logical, {
        app: source.name,
        relpath: rel,
        modules: moduleSet,
        apps,
        appCallback,
      });
    } catch (error) {
      if (!(error instanceof DeclarationError)) throw error;
      errors.push(error.message);
      continue;
    }
    const id = `${source.name}:${rel}`;
    facts.set(id, found);
    modules.modules[id] = {
      file: jsRel,
      hash: codeHash(code),
      ...(found.vsn === undefined ? {} : { vsn: found.vsn }),
      imports: found.imports,
      packages: found.packages,
      exports: found.exports,
      behaviour: found.behaviour,
      ...(found.children === undefined ? {} : { children: found.children }),
      ...(found.upgrade === undefined ? {} : { upgrade: found.upgrade }),
      ...(found.stateShape === undefined ? {} : { stateShape: found.stateShape }),
    };
  }
  if (errors.length > 0) throw new BuildError(`${source.name} does not compile:\n${errors.join('\n')}`);
  // State types may be made of types other modules declare: resolved once every module is read.
  const types = new Map<string, TypeFacts>([...facts].map(([id, f]) => [id, f.types]));
  for (const id of facts.keys()) {
    const stateType = resolveStateType(id, types);
    if (stateType !== undefined) modules.modules[id]!.stateType = stateType;
  }

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
  // Instructions to put around generated appups (`hotrel appup generate`), checked now.
  for (const part of ['pre', 'post']) {
    const name = `${source.name}.appup.${part}.json`;
    const file = path.join(source.packageDir, name);
    if (!fs.existsSync(file)) continue;
    try {
      const rel = path.relative(process.cwd(), file);
      write(name, readModelFile('appupHooks', file, rel.startsWith('..') ? file : rel));
    } catch (error) {
      if (error instanceof ModelError) throw new BuildError(error.message);
      throw error;
    }
  }
  const priv = path.join(source.packageDir, 'priv');
  if (fs.existsSync(priv)) fs.cpSync(priv, path.join(outDir, 'priv'), { recursive: true, dereference: true });
  return { app, modules, appup, files };
}
