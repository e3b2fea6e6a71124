/**
 * `import()` in compiled application code.
 *
 * tsc's CommonJS emit turns `import('./m')` into a `require`, so compiled TypeScript never needs
 * this. Code that keeps a raw `import()` (hand-written JavaScript, other compilers) would need
 * `vm.compileFunction`'s `importModuleDynamically` callback, which Node 20 only honours under
 * `--experimental-vm-modules`. Instead, the loader renames each `import(` call to a function of
 * its own, `_$imp$(`, before compiling: the same length, so columns and source maps stay right.
 */
import type ts from 'typescript';
import { typescript } from './typescript';

/** The wrapper parameter raw `import()` calls are renamed to (6 characters, like `import`). */
export const IMPORT_PARAMETER = '_$imp$';

/** The code with every `import(...)` call renamed to {@link IMPORT_PARAMETER}. */
export function rewriteDynamicImports(code: string, fileName: string): string {
  if (!/\bimport\s*\(/.test(code)) return code;
  const ts = typescript();
  const sf = ts.createSourceFile(fileName, code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
  const starts: number[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      starts.push(node.expression.getStart(sf));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (starts.length === 0) return code;
  let out = '';
  let at = 0;
  for (const start of starts.sort((a, b) => a - b)) {
    out += code.slice(at, start) + IMPORT_PARAMETER;
    at = start + 'import'.length;
  }
  return out + code.slice(at);
}
