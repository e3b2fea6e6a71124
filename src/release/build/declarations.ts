/**
 * The module-level declarations tools read at build time, without running the module (Erlang's
 * module attributes):
 *
 * - `export const behaviour = 'gen_server' | 'gen_statem' | 'supervisor' | 'application' | 'none'`
 *   states the behaviour when the builder's rules would guess wrong (OTP's `-behaviour(...)`);
 * - `export const upgrade = { priority, extra, depends, timeout, purge, apply }`: knit's upgrade
 *   attributes (seed 000), see model/upgrade-attributes.ts;
 * - `export const stateShape = GenServer.stateShape({ field: default, ... }, { renamed })`
 *   (GenStatem: `dataShape`): the state's fields with their defaults, for automatic state
 *   migration (model/state-shape.ts).
 *
 * Each must be a literal the builder can read; otherwise the build fails and says what to write.
 */
import ts from 'typescript';
import { BEHAVIOURS, type Behaviour } from '../../model/modules';
import type { JsonValue } from '../../model/json';
import { stateShapeSchema, type StateShapeSpec } from '../../model/state-shape';
import { upgradeAttributesSchema, type UpgradeAttributes } from '../../model/upgrade-attributes';
import { formatPath } from '../../model/validate';
import { evaluateLiteral, unwrap, where, type Literal } from './literal';

/** A declaration the builder cannot read; the message says where and what to write. */
export class DeclarationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeclarationError';
  }
}

export interface Declarations {
  behaviour: Behaviour | undefined;
  upgrade: UpgradeAttributes | undefined;
  stateShape: StateShapeSpec | undefined;
  /** The export name the shape was declared under (`stateShape` or `dataShape`). */
  shapeExport: string | undefined;
}

/** Names of the exported shape declarations, and of the helpers that build a shape. */
export const SHAPE_EXPORTS = ['stateShape', 'dataShape'] as const;

/** The top-level `export const <name> = <initializer>` declarations of a file. */
export function exportedConsts(sf: ts.SourceFile): Map<string, ts.Expression> {
  const out = new Map<string, ts.Expression>();
  for (const stmt of sf.statements) {
    if (!ts.isVariableStatement(stmt)) continue;
    const exported = (ts.getModifiers(stmt) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    for (const d of stmt.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.initializer !== undefined) out.set(d.name.text, d.initializer);
    }
  }
  return out;
}

export function readDeclarations(sf: ts.SourceFile, fileName: string): Declarations {
  const consts = exportedConsts(sf);
  const result: Declarations = {
    behaviour: undefined,
    upgrade: undefined,
    stateShape: undefined,
    shapeExport: undefined,
  };

  const behaviourInit = consts.get('behaviour');
  if (behaviourInit !== undefined) {
    const value = literal(behaviourInit, fileName, 'behaviour');
    if (typeof value !== 'string' || !BEHAVIOURS.includes(value as Behaviour)) {
      throw new DeclarationError(
        `${where(behaviourInit, fileName)}: export const behaviour must be one of ${BEHAVIOURS.map((b) => `'${b}'`).join(', ')}; got ${JSON.stringify(value)}`,
      );
    }
    result.behaviour = value as Behaviour;
  }

  const upgradeInit = consts.get('upgrade');
  if (upgradeInit !== undefined) {
    const value = literal(upgradeInit, fileName, 'upgrade');
    const parsed = upgradeAttributesSchema.safeParse(value, { reportInput: true });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const at = formatPath(issue.path as PropertyKey[]);
      throw new DeclarationError(
        `${where(upgradeInit, fileName)}: export const upgrade${at ? `.${at}` : ''}: ${issue.message}`,
      );
    }
    result.upgrade = parsed.data;
  }

  for (const name of SHAPE_EXPORTS) {
    const init = consts.get(name);
    if (init === undefined) continue;
    if (result.stateShape !== undefined) {
      throw new DeclarationError(
        `${where(init, fileName)}: a module declares one shape: it has both ${result.shapeExport} and ${name}`,
      );
    }
    if (!isShapeCall(unwrap(init))) {
      throw new DeclarationError(
        `${where(init, fileName)}: export const ${name} must be built with ${name === 'stateShape' ? 'GenServer.stateShape' : 'GenStatem.dataShape'}({ field: default, ... }) so that its fields can be read at build time`,
      );
    }
    result.stateShape = readShape(unwrap(init) as ts.CallExpression, fileName, name);
    result.shapeExport = name;
  }
  return result;
}

function literal(node: ts.Expression, fileName: string, what: string): JsonValue {
  const value = evaluateLiteral(node);
  if (!value.ok) {
    throw new DeclarationError(
      `${where(value.node, fileName)}: export const ${what} must be a literal value read at build time: ${value.reason}`,
    );
  }
  return value.value;
}

/** `stateShape(...)`, `dataShape(...)`, `X.stateShape(...)`, `X.dataShape(...)`. */
function isShapeCall(e: ts.Expression): e is ts.CallExpression {
  if (!ts.isCallExpression(e)) return false;
  const callee = e.expression;
  const name = ts.isIdentifier(callee)
    ? callee.text
    : ts.isPropertyAccessExpression(callee)
      ? callee.name.text
      : undefined;
  return name === 'stateShape' || name === 'dataShape';
}

const SHAPE_MARK = '\u0000shape';

/** Reads a shape call's fields and options; nested shape calls become nested shapes. */
function readShape(call: ts.CallExpression, fileName: string, what: string): StateShapeSpec {
  const [fieldsArg, optionsArg] = call.arguments;
  if (fieldsArg === undefined || !ts.isObjectLiteralExpression(unwrap(fieldsArg))) {
    throw new DeclarationError(
      `${where(call, fileName)}: ${what}: the first argument must be an object literal of fields and their defaults`,
    );
  }
  // Nested shape calls are evaluated into a marked object, turned into {shape} below.
  const special = (e: ts.Expression): Literal | undefined => {
    if (!isShapeCall(e)) return undefined;
    const nested = readShape(e, fileName, what);
    return { ok: true, value: { [SHAPE_MARK]: nested as unknown as JsonValue } };
  };
  const fields = evaluateLiteral(fieldsArg, special);
  if (!fields.ok) {
    throw new DeclarationError(
      `${where(fields.node, fileName)}: ${what}: field defaults must be literal JSON values read at build time: ${fields.reason}`,
    );
  }
  let renamed: JsonValue = {};
  if (optionsArg !== undefined) {
    const options = evaluateLiteral(optionsArg);
    if (!options.ok) {
      throw new DeclarationError(
        `${where(options.node, fileName)}: ${what}: the options must be a literal such as { renamed: { oldName: 'newName' } }: ${options.reason}`,
      );
    }
    const o = options.value as Record<string, JsonValue> | null;
    if (
      o === null ||
      typeof o !== 'object' ||
      Array.isArray(o) ||
      Object.keys(o).some((k) => k !== 'renamed')
    ) {
      throw new DeclarationError(
        `${where(optionsArg, fileName)}: ${what}: the only option is { renamed: { oldName: 'newName' } }`,
      );
    }
    renamed = o.renamed ?? {};
  }
  const spec = {
    fields: Object.fromEntries(
      Object.entries(fields.value as Record<string, JsonValue>).map(([name, value]) => {
        const marked =
          typeof value === 'object' && value !== null && !Array.isArray(value) && SHAPE_MARK in value;
        return [
          name,
          marked ? { shape: (value as Record<string, JsonValue>)[SHAPE_MARK] } : { default: value },
        ];
      }),
    ),
    renamed,
  };
  const parsed = stateShapeSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DeclarationError(
      `${where(call, fileName)}: ${what}: ${formatPath(issue.path as PropertyKey[])}: ${issue.message}`,
    );
  }
  return parsed.data;
}
