/**
 * Which behaviour a module implements, decided from its source alone (nothing is run: unlike
 * rebar3_appup_plugin, which calls a supervisor's `init/1` at build time with guessed
 * arguments). The rules, first match wins (docs/appup-generation.md):
 *
 * 1. `export const behaviour = '...'` says it.
 * 2. It exports `callbackMode` and `init`: a GenStatem callback module.
 * 3. It exports `init` and one of `handleCall`, `handleCast`, `handleInfo`, `handleContinue`: a
 *    GenServer callback module.
 * 4. It exports `init`, and `init` returns an object literal with a `children` property (or is
 *    declared to return a `SupervisorInit`): a Supervisor callback module. A module that is also
 *    its application's callback module stays a supervisor (relapp1's `relapp_app_sup`).
 * 5. It is its application's callback module (`hotrel.app.mod`): an Application callback module.
 * 6. Otherwise a plain module.
 *
 * For supervisors it also lists the child ids `init` returns when they are literals, for the
 * generator's report.
 */
import ts from 'typescript';
import type { Behaviour } from '../../model/modules';
import { propertyName, unwrap } from './literal';

const SERVER_CALLBACKS = ['handleCall', 'handleCast', 'handleInfo', 'handleContinue'];

/** A supervisor's child as its init lists it. */
export interface ChildFact {
  id: string;
  /** The project module its `start.module` names, when it is an imported module. */
  module?: string;
  type?: 'worker' | 'supervisor';
}

export interface BehaviourFacts {
  behaviour: Behaviour;
  /** Supervisor children, when `init` lists them with literal ids. */
  children: ChildFact[] | undefined;
}

export function detectBehaviour(
  sf: ts.SourceFile,
  exports: ReadonlySet<string>,
  declared: Behaviour | undefined,
  isAppCallback: boolean,
  /** The project module a local name was imported as (`import * as Kv from './kv'`), if any. */
  importedModule: (name: string) => string | undefined = () => undefined,
): BehaviourFacts {
  const init = exports.has('init') ? findFunction(sf, 'init') : undefined;
  const supervisorInit = init === undefined ? undefined : supervisorResult(init);
  const children = supervisorInit === undefined ? undefined : childFacts(supervisorInit, importedModule);
  if (declared !== undefined)
    return { behaviour: declared, children: declared === 'supervisor' ? children : undefined };
  if (exports.has('callbackMode') && exports.has('init'))
    return { behaviour: 'gen_statem', children: undefined };
  if (exports.has('init') && SERVER_CALLBACKS.some((c) => exports.has(c)))
    return { behaviour: 'gen_server', children: undefined };
  if (init !== undefined && (supervisorInit !== undefined || declaresSupervisorInit(init)))
    return { behaviour: 'supervisor', children };
  if (isAppCallback) return { behaviour: 'application', children: undefined };
  return { behaviour: 'none', children: undefined };
}

type FunctionLike = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration;

/** The top-level function called `name`: a function declaration, or a const bound to a function. */
export function findFunction(sf: ts.SourceFile, name: string): FunctionLike | undefined {
  for (const stmt of sf.statements) {
    if (ts.isFunctionDeclaration(stmt) && stmt.name?.text === name && stmt.body !== undefined) return stmt;
    if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || d.name.text !== name || d.initializer === undefined) continue;
        const init = unwrap(d.initializer);
        if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
      }
    }
  }
  return undefined;
}

/** The expressions a function returns (an arrow's expression body, or its return statements). */
function returnedExpressions(fn: FunctionLike): ts.Expression[] {
  if (fn.body === undefined) return [];
  if (!ts.isBlock(fn.body)) return [fn.body];
  const out: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    // Returns of nested functions are theirs, not init's.
    if (ts.isFunctionLike(node) && node !== fn) return;
    if (ts.isReturnStatement(node) && node.expression !== undefined) out.push(node.expression);
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  return out;
}

/** Object literals a returned expression may evaluate to (through `?:`, `await`, wrappers). */
function objectLiterals(e: ts.Expression): ts.ObjectLiteralExpression[] {
  const x = unwrap(e);
  if (ts.isObjectLiteralExpression(x)) return [x];
  if (ts.isConditionalExpression(x)) return [...objectLiterals(x.whenTrue), ...objectLiterals(x.whenFalse)];
  if (ts.isAwaitExpression(x)) return objectLiterals(x.expression);
  return [];
}

function hasProperty(o: ts.ObjectLiteralExpression, name: string): ts.ObjectLiteralElementLike | undefined {
  return o.properties.find(
    (p) =>
      (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && propertyName(p.name) === name,
  );
}

/** The object literal `init` returns that has a `children` property, if any. */
function supervisorResult(init: FunctionLike): ts.ObjectLiteralExpression | undefined {
  for (const e of returnedExpressions(init)) {
    for (const o of objectLiterals(e)) if (hasProperty(o, 'children') !== undefined) return o;
  }
  return undefined;
}

function declaresSupervisorInit(init: FunctionLike): boolean {
  const type = init.type;
  return type !== undefined && /\bSupervisor(Init|Spec)\b/.test(type.getText());
}

/** The string value of an object literal's property, if it is a literal. */
function literalProperty(o: ts.ObjectLiteralExpression, name: string): string | undefined {
  const p = hasProperty(o, name);
  if (p === undefined || !ts.isPropertyAssignment(p)) return undefined;
  const value = unwrap(p.initializer);
  if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value) || ts.isNumericLiteral(value))
    return value.text;
  return undefined;
}

/**
 * The children an init result lists (`children: [{ id: 'kv', start: { module: Kv, ... } }]`),
 * or undefined when one of them has no literal id.
 */
function childFacts(
  result: ts.ObjectLiteralExpression,
  importedModule: (name: string) => string | undefined,
): ChildFact[] | undefined {
  const prop = hasProperty(result, 'children');
  if (prop === undefined || !ts.isPropertyAssignment(prop)) return undefined;
  const list = unwrap(prop.initializer);
  if (!ts.isArrayLiteralExpression(list)) return undefined;
  const out: ChildFact[] = [];
  for (const element of list.elements) {
    const spec = ts.isSpreadElement(element) ? undefined : unwrap(element);
    if (spec === undefined || !ts.isObjectLiteralExpression(spec)) return undefined;
    const id = literalProperty(spec, 'id');
    if (id === undefined) return undefined;
    const fact: ChildFact = { id };
    const start = hasProperty(spec, 'start');
    const startValue =
      start !== undefined && ts.isPropertyAssignment(start) ? unwrap(start.initializer) : undefined;
    if (startValue !== undefined && ts.isObjectLiteralExpression(startValue)) {
      const m = hasProperty(startValue, 'module');
      const ref = m !== undefined && ts.isPropertyAssignment(m) ? unwrap(m.initializer) : undefined;
      const name =
        ref !== undefined && ts.isIdentifier(ref)
          ? ref.text
          : m !== undefined && ts.isShorthandPropertyAssignment(m)
            ? m.name.text
            : undefined;
      const module = name === undefined ? undefined : importedModule(name);
      if (module !== undefined) fact.module = module;
    }
    const type = literalProperty(spec, 'type');
    if (type === 'worker' || type === 'supervisor') fact.type = type;
    out.push(fact);
  }
  return out;
}
