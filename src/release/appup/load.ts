/**
 * Reading an application's appup from its source: `<app>.appup.json`, or `<app>.appup.ts`
 * evaluated at build time. An `.appup.ts` default-exports an appup or a function of the build
 * context returning one (possibly async); it may import the project's own code, as rebar3's
 * `.appup.src` may call project modules. The result is validated like a JSON appup, with errors
 * that name the `.appup.ts` file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Appup } from '../../model/appup';
import { ModelError, parseModel, parseModelText } from '../../model/validate';
import type { AppupContext } from './builders';
import { withTypeScriptRequire } from './ts-require';

/** The source of an appup could not be evaluated (as opposed to evaluating to an invalid appup). */
export class AppupSourceError extends Error {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
    this.name = 'AppupSourceError';
  }
}

/**
 * Loads the appup in `file` (`.json`, `.ts`, `.cts`, `.js` or `.cjs`) for application `app` at
 * version `vsn`. Throws ModelError for an invalid appup, AppupSourceError if the code fails.
 */
export async function loadAppup(
  file: string,
  context: { app: string; vsn: string },
  label = file,
): Promise<Appup> {
  const absolute = path.resolve(file);
  if (file.endsWith('.json')) {
    let text: string;
    try {
      text = fs.readFileSync(absolute, 'utf8');
    } catch (error) {
      throw new AppupSourceError(label, `cannot read the appup: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return parseModelText('appup', text, label);
  }
  if (!/\.(c?ts|tsx|c?js)$/.test(file)) {
    throw new AppupSourceError(label, 'an appup is a .json file or a .ts/.js module');
  }
  if (!fs.existsSync(absolute)) throw new AppupSourceError(label, 'file not found');
  const full: AppupContext = { ...context, file: absolute };
  const value = await withTypeScriptRequire(absolute, async (req) => {
    let exported: unknown;
    try {
      const loaded = req(absolute) as { default?: unknown; __esModule?: boolean } | undefined;
      // An ES module (compiled TypeScript) is read through its default export; a CommonJS
      // module (`module.exports = {...}` in a .js/.cjs appup) is the appup itself.
      exported = loaded?.__esModule === true ? loaded.default : loaded;
    } catch (error) {
      throw new AppupSourceError(label, `evaluating the appup failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (typeof exported === 'function') {
      try {
        return (await (exported as (c: AppupContext) => unknown)(full)) as unknown;
      } catch (error) {
        throw new AppupSourceError(label, `the appup function failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    if (exported === undefined) {
      throw new AppupSourceError(
        label,
        'the appup must be the default export: `export default defineAppup({...})` or a function returning the appup',
      );
    }
    return exported;
  });
  return parseModel('appup', value, label);
}

export { ModelError };
