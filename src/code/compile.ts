/**
 * The application compiler: one `.ts` file in, CommonJS + source map out.
 *
 * Each file is compiled on its own (no bundling: the module boundary is what makes per-module
 * upgrades possible) with the TypeScript compiler's `transpileModule`. tsc's CommonJS emit reads
 * an imported binding at every use (`(0, other_1.f)(x)`), which is what turns an import into
 * Erlang's fully-qualified call through the imported module's facade.
 *
 * This is a pure function of (source, file name): the code server uses it in the dev loop and the
 * release builder uses it at build time. Type-checking is the release builder's job.
 */
import type ts from 'typescript';
import { typescript } from './typescript';

/** A problem found while compiling, positioned in the source file (1-based line and column). */
export interface CompileDiagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
  /** TypeScript's diagnostic code, or a `hotrel-*` code for hotrel's own checks. */
  code: string;
  category: 'error' | 'warning';
}

export interface CompileOutput {
  /** CommonJS JavaScript, ending with a `//# sourceMappingURL=<name>.js.map` comment. */
  code: string;
  /** Source map (v3) as JSON text; its `sources` name the `.ts` file relative to the `.js` file. */
  map: string;
  /** Errors and warnings; the output must not be loaded when any error is present. */
  diagnostics: CompileDiagnostic[];
}

/** The compiler options every hot-loadable module is compiled with (tsconfig.json form). */
export const COMPILER_OPTIONS = Object.freeze({
  module: 'commonjs',
  target: 'es2022',
  esModuleInterop: true,
  isolatedModules: true,
  sourceMap: true,
  inlineSources: false,
  importHelpers: false,
  alwaysStrict: true,
  verbatimModuleSyntax: false,
});

/**
 * Compiles one TypeScript module to CommonJS with a source map.
 *
 * Reports syntax errors, and refuses (as errors) what cannot be hot-loaded: top-level `await`
 * (a CommonJS module body is synchronous) and `import.meta` (no ES module record exists).
 */
export function compileModule(source: string, fileName: string): CompileOutput {
  const ts = typescript();
  const output = ts.transpileModule(source, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: compilerOptions(),
  });
  const diagnostics = (output.diagnostics ?? []).map((d) => fromTsDiagnostic(d, fileName));
  diagnostics.push(...findUnloadableSyntax(source, fileName));
  return { code: output.outputText, map: output.sourceMapText ?? '', diagnostics };
}

/** Whether any diagnostic is an error. */
export function hasErrors(diagnostics: readonly CompileDiagnostic[]): boolean {
  return diagnostics.some((d) => d.category === 'error');
}

/** `file:line:column: message` lines, for error messages and logs. */
export function formatDiagnostics(diagnostics: readonly CompileDiagnostic[]): string {
  return diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.category}: ${d.message}`).join('\n');
}

let converted: ts.CompilerOptions | undefined;

function compilerOptions(): ts.CompilerOptions {
  converted ??= typescript().convertCompilerOptionsFromJson(COMPILER_OPTIONS, '').options;
  return { ...converted };
}

function fromTsDiagnostic(d: ts.Diagnostic, fileName: string): CompileDiagnostic {
  const ts = typescript();
  const position =
    d.file !== undefined && d.start !== undefined
      ? d.file.getLineAndCharacterOfPosition(d.start)
      : { line: 0, character: 0 };
  return {
    file: d.file?.fileName ?? fileName,
    line: position.line + 1,
    column: position.character + 1,
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    code: `TS${d.code}`,
    category: d.category === ts.DiagnosticCategory.Error ? 'error' : 'warning',
  };
}

/**
 * Finds top-level `await` (including `for await` and `await using`) and `import.meta`. A
 * function body starts a new scope for `await`, so the walk does not descend into functions for
 * that check; `import.meta` is refused anywhere.
 */
function findUnloadableSyntax(source: string, fileName: string): CompileDiagnostic[] {
  const ts = typescript();
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: CompileDiagnostic[] = [];
  const report = (node: ts.Node, code: string, message: string): void => {
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    found.push({ file: fileName, line: line + 1, column: character + 1, message, code, category: 'error' });
  };
  const visit = (node: ts.Node, topLevel: boolean): void => {
    if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) {
      report(
        node,
        'hotrel-import-meta',
        'import.meta is not available in a hot-loadable module (it is compiled to CommonJS); use __filename and __dirname instead',
      );
    }
    if (topLevel) {
      if (ts.isAwaitExpression(node)) {
        report(node, 'hotrel-top-level-await', TOP_LEVEL_AWAIT);
      } else if (ts.isForOfStatement(node) && node.awaitModifier !== undefined) {
        report(node, 'hotrel-top-level-await', TOP_LEVEL_AWAIT);
      } else if (ts.isVariableDeclarationList(node) && isAwaitUsing(node)) {
        report(node, 'hotrel-top-level-await', TOP_LEVEL_AWAIT);
      }
    }
    const inner = topLevel && !ts.isFunctionLike(node) && !ts.isClassStaticBlockDeclaration(node);
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  visit(sf, true);
  return found;
}

const TOP_LEVEL_AWAIT =
  'top-level await is not allowed in a hot-loadable module: a module body must run synchronously. ' +
  'Move the awaited work into a function (for example a process or an init callback), or preload an ' +
  'async dependency at boot';

function isAwaitUsing(list: ts.VariableDeclarationList): boolean {
  const ts = typescript();
  // `await using x = ...` (TypeScript >= 5.2): NodeFlags.AwaitUsing = Const | Using.
  const flags = list.flags & ts.NodeFlags.BlockScoped;
  return flags === ts.NodeFlags.AwaitUsing;
}
