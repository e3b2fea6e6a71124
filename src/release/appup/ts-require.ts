/**
 * Requiring TypeScript at build time, for `<app>.appup.ts` and the project modules it imports.
 *
 * Why this way: the `typescript` package is already a dependency (its `transpileModule` is the
 * compiler the project type-checks with, so the syntax it accepts is the project's), and Node 20
 * offers no scoped hook for CommonJS `require`. A hook on `.ts`/`.cts`/`.tsx` is installed for the
 * duration of one evaluation and removed afterwards, with everything it loaded dropped from the
 * require cache, so the host process is left as it was and a second evaluation sees fresh code.
 * Evaluations are serialised because the hook is process-wide while installed.
 *
 * Imports written with `.js` specifiers (`./versions.js`, the node16 style) resolve to the `.ts`
 * file beside them. Code is compiled as CommonJS: top-level `await` is not supported, as in
 * hot-loadable modules (DESIGN.md §5).
 */
import * as fs from 'node:fs';
import Module from 'node:module';

type Loader = (module: NodeJS.Module, filename: string) => void;
type Resolver = (request: string, parent: NodeJS.Module | undefined, ...rest: unknown[]) => string;
interface ModuleInternals {
  _extensions: Record<string, Loader | undefined>;
  _resolveFilename: Resolver;
  _cache: Record<string, unknown>;
}

const TS_EXTENSIONS = ['.ts', '.cts', '.tsx'];
const internals = Module as unknown as ModuleInternals;
let queue: Promise<unknown> = Promise.resolve();

/** Thrown for a syntax error in a TypeScript file loaded during an evaluation. */
export class TypeScriptSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TypeScriptSyntaxError';
  }
}

/**
 * Runs `body` with a `require` (anchored at `anchor`) that can load TypeScript; the hook stays
 * installed until the promise `body` returns has settled.
 */
export function withTypeScriptRequire<T>(
  anchor: string,
  body: (require: NodeJS.Require) => Promise<T> | T,
): Promise<T> {
  const run = queue.then(() => evaluate(anchor, body));
  queue = run.catch(() => undefined);
  return run;
}

async function evaluate<T>(anchor: string, body: (require: NodeJS.Require) => Promise<T> | T): Promise<T> {
  const ts = await import('typescript');
  const saved = new Map(TS_EXTENSIONS.map((ext) => [ext, internals._extensions[ext]]));
  const savedResolve = internals._resolveFilename;
  const cached = new Set(Object.keys(internals._cache));

  const compile: Loader = (module, filename) => {
    const source = fs.readFileSync(filename, 'utf8');
    const output = ts.transpileModule(source, {
      fileName: filename,
      reportDiagnostics: true,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        isolatedModules: true,
        inlineSourceMap: true,
        inlineSources: true,
        jsx: ts.JsxEmit.React,
      },
    });
    const errors = (output.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (errors.length > 0) {
      throw new TypeScriptSyntaxError(
        errors
          .map((d) => {
            const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
            if (d.file === undefined || d.start === undefined) return `${filename}: ${text}`;
            const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
            return `${filename}:${line + 1}:${character + 1}: ${text}`;
          })
          .join('\n'),
      );
    }
    (module as unknown as { _compile(code: string, filename: string): void })._compile(
      output.outputText,
      filename,
    );
  };

  function resolveTs(
    this: unknown,
    request: string,
    parent: NodeJS.Module | undefined,
    ...rest: unknown[]
  ): string {
    try {
      return savedResolve.call(this, request, parent, ...rest);
    } catch (error) {
      // `./x.js` written in TypeScript source means `./x.ts` when only that exists.
      const fromTs = parent?.filename !== undefined && /\.[cm]?tsx?$/.test(parent.filename);
      if (!fromTs || !request.startsWith('.') || !/\.[cm]?js$/.test(request)) throw error;
      for (const ext of ['.ts', '.tsx', '.cts']) {
        try {
          return savedResolve.call(this, request.replace(/\.[cm]?js$/, ext), parent, ...rest);
        } catch {
          // try the next extension
        }
      }
      throw error;
    }
  }

  for (const ext of TS_EXTENSIONS) internals._extensions[ext] = compile;
  internals._resolveFilename = resolveTs;
  try {
    return await body(Module.createRequire(anchor));
  } finally {
    for (const [ext, loader] of saved) {
      if (loader === undefined) delete internals._extensions[ext];
      else internals._extensions[ext] = loader;
    }
    internals._resolveFilename = savedResolve;
    for (const key of Object.keys(internals._cache)) if (!cached.has(key)) delete internals._cache[key];
  }
}
