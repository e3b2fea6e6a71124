/**
 * What a module imports and exports, read from its TypeScript source (no code is run): the
 * module manifest's `imports`, `packages`, `exports` and `vsn`. The same resolution rules as the
 * code server's loader: relative specifiers are modules of the same application, an application's
 * name (or `name/relpath`) is that application's module, Node built-ins and `hotrel` are neither.
 *
 * Also what appup generation needs to know about the module: its behaviour (behaviour.ts), its
 * declarations (declarations.ts: behaviour, upgrade attributes, state shape) and the types its
 * state type is made of (state-type.ts, resolved across modules by the caller).
 */
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import type { Behaviour } from '../../model/modules';
import type { StateShapeSpec } from '../../model/state-shape';
import type { UpgradeAttributes } from '../../model/upgrade-attributes';
import { detectBehaviour, type ChildFact } from './behaviour';
import { readDeclarations } from './declarations';
import { collectTypeFacts, type TypeFacts } from './state-type';

export interface ModuleFacts {
  imports: string[];
  packages: string[];
  exports: string[];
  vsn: string | undefined;
  behaviour: Behaviour;
  /** Supervisor children, when their ids are literal. */
  children: ChildFact[] | undefined;
  upgrade: UpgradeAttributes | undefined;
  stateShape: StateShapeSpec | undefined;
  /** Type declarations and imports, for resolving the state type across modules. */
  types: TypeFacts;
}

export interface ResolveContext {
  app: string;
  /** This module's relpath (`workers/pool`). */
  relpath: string;
  /** Every relpath of the application. */
  modules: ReadonlySet<string>;
  /** Other applications of the project, with their main relpath. */
  apps: ReadonlyMap<string, string>;
  /** The application's callback module (`hotrel.app.mod`), as a relpath. */
  appCallback?: string | undefined;
}

const builtins = new Set(builtinModules);

export function analyzeModule(source: string, fileName: string, ctx: ResolveContext): ModuleFacts {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const specifiers: string[] = [];
  const exports = new Set<string>();
  let vsn: string | undefined;

  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined
    ) {
      if (ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const e = node.moduleReference.expression;
      if (ts.isStringLiteral(e)) specifiers.push(e.text);
    } else if (ts.isCallExpression(node)) {
      const arg = node.arguments[0];
      const isImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if ((isImport || isRequire) && arg !== undefined && ts.isStringLiteralLike(arg))
        specifiers.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);

  for (const stmt of sf.statements) {
    const exported = ts.canHaveModifiers(stmt)
      ? (ts.getModifiers(stmt) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
      : false;
    const isDefault =
      ts.canHaveModifiers(stmt) &&
      (ts.getModifiers(stmt) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
    if (ts.isVariableStatement(stmt) && exported) {
      for (const d of stmt.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) continue;
        exports.add(d.name.text);
        if (d.name.text === 'vsn' && d.initializer !== undefined && ts.isStringLiteralLike(d.initializer)) {
          vsn = d.initializer.text;
        }
      }
    } else if (
      exported &&
      (ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isEnumDeclaration(stmt))
    ) {
      if (isDefault) exports.add('default');
      else if (stmt.name !== undefined) exports.add(stmt.name.text);
    } else if (ts.isExportAssignment(stmt)) {
      exports.add('default');
    } else if (ts.isExportDeclaration(stmt) && !stmt.isTypeOnly) {
      if (stmt.exportClause !== undefined && ts.isNamedExports(stmt.exportClause)) {
        for (const e of stmt.exportClause.elements) if (!e.isTypeOnly) exports.add(e.name.text);
      } else if (stmt.exportClause !== undefined && ts.isNamespaceExport(stmt.exportClause)) {
        exports.add(stmt.exportClause.name.text);
      }
    }
  }

  const imports = new Set<string>();
  const packages = new Set<string>();
  for (const spec of specifiers) {
    const r = resolveSpecifier(spec, ctx);
    if (r.kind === 'module') imports.add(r.id);
    else if (r.kind === 'package') packages.add(r.name);
  }
  const declarations = readDeclarations(sf, fileName);
  const moduleOf = (spec: string): string | undefined => {
    const r = resolveSpecifier(spec, ctx);
    return r.kind === 'module' ? r.id : undefined;
  };
  const imported = importedModules(sf, moduleOf);
  const { behaviour, children } = detectBehaviour(
    sf,
    exports,
    declarations.behaviour,
    ctx.appCallback === ctx.relpath,
    (name) => imported.get(name),
  );
  const types = collectTypeFacts(sf, behaviour, moduleOf);
  return {
    imports: [...imports].sort(),
    packages: [...packages].sort(),
    exports: [...exports].sort(),
    vsn,
    behaviour,
    children,
    upgrade: declarations.upgrade,
    stateShape: declarations.stateShape,
    types,
  };
}

/** Local names bound to a whole project module: `import * as X from './x'` and `import X from './x'`. */
function importedModules(
  sf: ts.SourceFile,
  moduleOf: (spec: string) => string | undefined,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const stmt of sf.statements) {
    if (!ts.isImportDeclaration(stmt) || !ts.isStringLiteral(stmt.moduleSpecifier)) continue;
    const module = moduleOf(stmt.moduleSpecifier.text);
    const clause = stmt.importClause;
    if (module === undefined || clause === undefined) continue;
    if (clause.name !== undefined) out.set(clause.name.text, module);
    if (clause.namedBindings !== undefined && ts.isNamespaceImport(clause.namedBindings))
      out.set(clause.namedBindings.name.text, module);
  }
  return out;
}

type Resolved = { kind: 'module'; id: string } | { kind: 'package'; name: string } | { kind: 'other' };

export function resolveSpecifier(spec: string, ctx: ResolveContext): Resolved {
  if (spec.startsWith('.')) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(ctx.relpath), spec));
    const bare = target.replace(/\.(ts|js|cjs|mjs|tsx)$/, '');
    if (ctx.modules.has(bare)) return { kind: 'module', id: `${ctx.app}:${bare}` };
    if (ctx.modules.has(`${bare}/index`)) return { kind: 'module', id: `${ctx.app}:${bare}/index` };
    return { kind: 'other' };
  }
  if (spec.startsWith('node:') || builtins.has(spec)) return { kind: 'other' };
  const [first, second] = spec.split('/');
  const pkgName = spec.startsWith('@') ? `${first}/${second}` : first!;
  if (pkgName === 'hotrel') return { kind: 'other' };
  const main = ctx.apps.get(pkgName);
  if (main !== undefined) {
    const sub = spec.slice(pkgName.length + 1);
    return { kind: 'module', id: `${pkgName}:${sub === '' ? main : sub.replace(/\.(ts|js)$/, '')}` };
  }
  return { kind: 'package', name: pkgName };
}
