/**
 * The declared type of a GenServer's state (a GenStatem's data), as text, so that two versions
 * can be compared without running them: if the text differs, the state changed shape, and an
 * upgrade that neither converts it (`codeChange`) nor declares its shape deserves a warning.
 *
 * Which type: the module's `State` type (GenStatem: `Data`), a type alias or interface by that
 * name; otherwise the annotation of the state parameter of its callbacks (`handleCall`'s third,
 * `handleCast`/`handleInfo`/`handleContinue`'s second; GenStatem `handleEvent`'s third; `unknown`
 * and `any` do not count). The text
 * is the declaration printed without comments, followed by every type it refers to that the
 * application itself declares (in the same module or imported from another module of the
 * project), transitively; library and built-in types (`Map`, `Date`) are compared by name.
 */
import ts from 'typescript';
import type { Behaviour } from '../../model/modules';

/** A top-level type declaration: its printed text and the type names it refers to. */
export interface TypeDecl {
  text: string;
  refs: string[];
}

export interface TypeFacts {
  /** Top-level type aliases, interfaces, enums and classes, by name. */
  decls: Record<string, TypeDecl>;
  /** Imported names that come from the project's modules: local name -> module id and exported name (`*` for a namespace). */
  imports: Record<string, { module: string; name: string }>;
  /** The state type of a GenServer/GenStatem (a reference to a declaration, or an inline type). */
  state: TypeDecl | undefined;
}

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

/** The type names a node refers to (`Item`, `T.Item`), excluding its own type parameters. */
function typeRefs(node: ts.Node, ownParams: ReadonlySet<string> = new Set()): string[] {
  const refs = new Set<string>();
  const nameOf = (n: ts.EntityName | ts.Expression): string | undefined => {
    if (ts.isIdentifier(n)) return n.text;
    if (ts.isQualifiedName(n)) {
      const left = nameOf(n.left);
      return left === undefined ? undefined : `${left}.${n.right.text}`;
    }
    if (ts.isPropertyAccessExpression(n)) {
      const left = nameOf(n.expression);
      return left === undefined ? undefined : `${left}.${n.name.text}`;
    }
    return undefined;
  };
  const visit = (n: ts.Node): void => {
    let name: string | undefined;
    if (ts.isTypeReferenceNode(n)) name = nameOf(n.typeName);
    else if (ts.isExpressionWithTypeArguments(n)) name = nameOf(n.expression);
    if (name !== undefined && !ownParams.has(name)) refs.add(name);
    ts.forEachChild(n, visit);
  };
  visit(node);
  return [...refs].sort();
}

function print(node: ts.Node, sf: ts.SourceFile): string {
  return printer.printNode(ts.EmitHint.Unspecified, node, sf).replace(/\s+/g, ' ').trim();
}

/**
 * Collects a module's type declarations and imports, and the node of its state type.
 * `resolve` maps an import specifier to a project module id (undefined for packages).
 */
export function collectTypeFacts(
  sf: ts.SourceFile,
  behaviour: Behaviour,
  resolve: (specifier: string) => string | undefined,
): TypeFacts {
  const decls: Record<string, TypeDecl> = {};
  const imports: TypeFacts['imports'] = {};
  for (const stmt of sf.statements) {
    if (
      (ts.isTypeAliasDeclaration(stmt) ||
        ts.isInterfaceDeclaration(stmt) ||
        ts.isEnumDeclaration(stmt) ||
        ts.isClassDeclaration(stmt)) &&
      stmt.name !== undefined
    ) {
      const params = new Set(
        ((stmt as ts.DeclarationWithTypeParameterChildren).typeParameters ?? []).map((p) => p.name.text),
      );
      // Interfaces may be declared in several parts: their texts add up.
      const prev = decls[stmt.name.text];
      const text = print(stmt, sf);
      decls[stmt.name.text] = {
        text: prev === undefined ? text : `${prev.text} ${text}`,
        refs: [...new Set([...(prev?.refs ?? []), ...typeRefs(stmt, params)])].sort(),
      };
    } else if (ts.isImportDeclaration(stmt) && ts.isStringLiteral(stmt.moduleSpecifier)) {
      const module = resolve(stmt.moduleSpecifier.text);
      const clause = stmt.importClause;
      if (module === undefined || clause === undefined) continue;
      if (clause.name !== undefined) imports[clause.name.text] = { module, name: 'default' };
      const bindings = clause.namedBindings;
      if (bindings !== undefined && ts.isNamespaceImport(bindings)) {
        imports[bindings.name.text] = { module, name: '*' };
      } else if (bindings !== undefined) {
        for (const el of bindings.elements) {
          imports[el.name.text] = { module, name: (el.propertyName ?? el.name).text };
        }
      }
    }
  }
  return { decls, imports, state: stateType(sf, behaviour, decls) };
}

const STATE_PARAMS: Record<string, Record<string, number>> = {
  gen_server: { handleCall: 2, handleCast: 1, handleInfo: 1, handleContinue: 1, terminate: 1 },
  gen_statem: { handleEvent: 2, terminate: 2 },
};

function stateType(
  sf: ts.SourceFile,
  behaviour: Behaviour,
  decls: Record<string, TypeDecl>,
): TypeDecl | undefined {
  if (behaviour !== 'gen_server' && behaviour !== 'gen_statem') return undefined;
  const named = behaviour === 'gen_server' ? 'State' : 'Data';
  if (decls[named] !== undefined) return { text: named, refs: [named] };
  for (const [fn, index] of Object.entries(STATE_PARAMS[behaviour]!)) {
    const param = parameterType(sf, fn, index);
    if (param !== undefined) return { text: print(param, sf), refs: typeRefs(param) };
  }
  return undefined;
}

function parameterType(sf: ts.SourceFile, name: string, index: number): ts.TypeNode | undefined {
  for (const stmt of sf.statements) {
    let fn: ts.SignatureDeclaration | undefined;
    if (ts.isFunctionDeclaration(stmt) && stmt.name?.text === name) fn = stmt;
    else if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer !== undefined) {
          const init = d.initializer;
          if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) fn = init;
        }
      }
    }
    const type = fn?.parameters[index]?.type;
    // `unknown` and `any` say nothing about the state's shape.
    if (
      type !== undefined &&
      type.kind !== ts.SyntaxKind.UnknownKeyword &&
      type.kind !== ts.SyntaxKind.AnyKeyword
    )
      return type;
  }
  return undefined;
}

/**
 * The state type of `module` as one text: its own text, then every project type it reaches,
 * as `<module>#<name> = <declaration>` lines in name order. Cycles and unknown names are fine.
 */
export function resolveStateType(module: string, all: ReadonlyMap<string, TypeFacts>): string | undefined {
  const root = all.get(module)?.state;
  if (root === undefined) return undefined;
  const found = new Map<string, string>();
  const queue: Array<[string, string]> = root.refs.map((r) => [module, r]);
  while (queue.length > 0) {
    const [mod, ref] = queue.shift()!;
    const facts = all.get(mod);
    if (facts === undefined) continue;
    const dot = ref.indexOf('.');
    if (dot > 0) {
      // `T.Item` through `import * as T from './types'`.
      const ns = facts.imports[ref.slice(0, dot)];
      if (ns?.name === '*') queue.push([ns.module, ref.slice(dot + 1)]);
      continue;
    }
    const key = `${mod}#${ref}`;
    if (found.has(key)) continue;
    const decl = facts.decls[ref];
    if (decl !== undefined) {
      found.set(key, decl.text);
      for (const r of decl.refs) queue.push([mod, r]);
      continue;
    }
    const imported = facts.imports[ref];
    if (imported !== undefined && imported.name !== '*') queue.push([imported.module, imported.name]);
  }
  const lines = [...found.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, t]) => `${k} = ${t}`);
  return [root.text, ...lines].join('\n');
}
