/**
 * Reading a literal value from TypeScript source without running it: what the builder needs for
 * module declarations that tools read at build time (`export const upgrade = {...}`, state
 * shapes), as Erlang tools read `-attribute(...)` terms from a beam without loading it.
 *
 * Accepted: strings (and templates without substitutions), numbers (with a sign), booleans,
 * `null`, array and object literals of those (plain keys, no spreads, computed keys or methods),
 * through parentheses, `as`, `satisfies` and `!`. Anything else is refused with the place and the
 * reason, so the build can say what to write instead.
 */
import ts from 'typescript';
import type { JsonValue } from '../../model/json';

export type Literal = { ok: true; value: JsonValue } | { ok: false; node: ts.Node; reason: string };

/** Strips the wrappers that do not change a value (parentheses, type assertions, `!`). */
export function unwrap(node: ts.Expression): ts.Expression {
  let e = node;
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
    else if (ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e))
      e = e.expression;
    else return e;
  }
}

/** The name of an object literal's property, if it is a plain one (`a`, `'a'`, `1`). */
export function propertyName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  if (ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  return undefined;
}

/**
 * Evaluates `node` as a literal. `special` may take over a sub-expression (e.g. a nested
 * `stateShape(...)` call) by returning a result; returning undefined lets the default rules apply.
 */
export function evaluateLiteral(
  node: ts.Expression,
  special?: (node: ts.Expression) => Literal | undefined,
): Literal {
  const e = unwrap(node);
  const taken = special?.(e);
  if (taken !== undefined) return taken;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return { ok: true, value: e.text };
  if (ts.isNumericLiteral(e)) return { ok: true, value: Number(e.text) };
  if (
    ts.isPrefixUnaryExpression(e) &&
    (e.operator === ts.SyntaxKind.MinusToken || e.operator === ts.SyntaxKind.PlusToken) &&
    ts.isNumericLiteral(unwrap(e.operand))
  ) {
    const n = Number((unwrap(e.operand) as ts.NumericLiteral).text);
    return { ok: true, value: e.operator === ts.SyntaxKind.MinusToken ? -n : n };
  }
  if (e.kind === ts.SyntaxKind.TrueKeyword) return { ok: true, value: true };
  if (e.kind === ts.SyntaxKind.FalseKeyword) return { ok: true, value: false };
  if (e.kind === ts.SyntaxKind.NullKeyword) return { ok: true, value: null };
  if (ts.isArrayLiteralExpression(e)) {
    const out: JsonValue[] = [];
    for (const element of e.elements) {
      if (ts.isSpreadElement(element) || ts.isOmittedExpression(element)) {
        return { ok: false, node: element, reason: 'spreads and holes are not literal values' };
      }
      const item = evaluateLiteral(element, special);
      if (!item.ok) return item;
      out.push(item.value);
    }
    return { ok: true, value: out };
  }
  if (ts.isObjectLiteralExpression(e)) {
    const out: Record<string, JsonValue> = {};
    for (const prop of e.properties) {
      if (!ts.isPropertyAssignment(prop)) {
        return {
          ok: false,
          node: prop,
          reason: 'only plain `key: value` properties are literal (no spreads, shorthands or methods)',
        };
      }
      const key = propertyName(prop.name);
      if (key === undefined) return { ok: false, node: prop.name, reason: 'computed keys are not literal' };
      const item = evaluateLiteral(prop.initializer, special);
      if (!item.ok) return item;
      out[key] = item.value;
    }
    return { ok: true, value: out };
  }
  if (ts.isIdentifier(e) && e.text === 'undefined') {
    return {
      ok: false,
      node: e,
      reason: '`undefined` is not a JSON value (leave the field out, or use null)',
    };
  }
  return {
    ok: false,
    node: e,
    reason: 'it is computed (a reference, call or expression); only literal values can be read at build time',
  };
}

/** `file:line:column` of a node, for build errors. */
export function where(node: ts.Node, fileName: string): string {
  const sf = node.getSourceFile();
  const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return `${fileName}:${line + 1}:${character + 1}`;
}
