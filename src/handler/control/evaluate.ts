/**
 * Evaluates TypeScript typed at a running node (`bin/<rel> eval '<expr>'`): an expression, or
 * statements whose last expression is the result. `await` is allowed at the top. Names in
 * `scope` (hotrel's helpers) are in scope. TypeScript is loaded on first use only: a node that
 * is never asked to evaluate never pays for the compiler.
 */
import vm from 'node:vm';

import { typescript as compiler } from '../../code/typescript';

export class EvalSyntaxError extends Error {
  readonly code = 'syntax';
  constructor(message: string) {
    super(message);
    this.name = 'EvalSyntaxError';
  }
}

/** Rewrites `a; b; c` into a function body that returns `c` (when `c` is an expression). */
function asFunctionBody(source: string): string {
  const t = compiler();
  const file = t.createSourceFile('eval.ts', source, t.ScriptTarget.ES2022, true, t.ScriptKind.TS);
  const diagnostics =
    (file as unknown as { parseDiagnostics?: import('typescript').Diagnostic[] }).parseDiagnostics ?? [];
  if (diagnostics.length > 0) {
    const d = diagnostics[0]!;
    throw new EvalSyntaxError(
      `cannot parse the expression: ${t.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    );
  }
  const last = file.statements.at(-1);
  if (last === undefined) return 'return undefined;';
  if (!t.isExpressionStatement(last)) return source;
  return `${source.slice(0, last.getStart(file))}return (${last.expression.getText(file)});`;
}

/** Evaluates `source` with `scope`'s names bound; resolves with its (awaited) value. */
export async function evaluate(source: string, scope: Record<string, unknown>): Promise<unknown> {
  const t = compiler();
  const body = asFunctionBody(source);
  const js = t.transpileModule(`(async () => {\n${body}\n})`, {
    compilerOptions: { target: t.ScriptTarget.ES2022, module: t.ModuleKind.None, removeComments: false },
    reportDiagnostics: false,
  }).outputText;
  const names = Object.keys(scope);
  // compileFunction, not vm.Script: V8's compilation cache would keep every evaluated string.
  const factory = vm.compileFunction(`return ${js}`, names, { filename: 'eval' });
  const run = factory(...names.map((n) => scope[n])) as () => Promise<unknown>;
  return run();
}
