/**
 * Type-checks the project before a release is built: a release is what runs in production, so
 * it is built only from code that compiles cleanly. Uses the project's own tsconfig.json (or
 * strict defaults on the applications' sources when there is none).
 */
import path from 'node:path';
import ts from 'typescript';

export function typecheck(projectRoot: string, files: string[]): string[] {
  const configFile = ts.findConfigFile(projectRoot, ts.sys.fileExists, 'tsconfig.json');
  let options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ['node'],
  };
  let rootNames = files;
  if (configFile !== undefined && path.dirname(configFile) === projectRoot) {
    const parsed = ts.getParsedCommandLineOfConfigFile(
      configFile,
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        },
      },
    );
    if (parsed !== undefined) {
      // Only checking: emit settings (rootDir, outDir, declarations) cannot matter and may not fit.
      const {
        rootDir: _r,
        outDir: _o,
        declaration: _d,
        declarationMap: _dm,
        composite: _c,
        ...checkOnly
      } = parsed.options;
      options = { ...checkOnly, noEmit: true };
      rootNames = [...new Set([...parsed.fileNames, ...files])];
    }
  }
  const program = ts.createProgram({ rootNames, options });
  const wanted = new Set(files.map((f) => path.resolve(f)));
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .filter((d) => d.file === undefined || wanted.has(path.resolve(d.file.fileName)))
    .map((d) => {
      const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (d.file === undefined || d.start === undefined) return msg;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${path.relative(projectRoot, d.file.fileName)}:${line + 1}:${character + 1}: ${msg}`;
    });
}
