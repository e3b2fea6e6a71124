/** Helpers for code server tests: applications in temporary directories, built from fixtures. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addApplication, compileModule, type ApplicationSpec } from '../../src/code';

export const FIXTURES = path.resolve(__dirname, '../fixtures/code');

const made: string[] = [];

export interface TempApp {
  name: string;
  /** The application's module directory. */
  dir: string;
  /** Writes a module file (path relative to the app dir). */
  write(rel: string, text: string): string;
  /** Copies a fixture file (relative to test/fixtures/code/apps) to `rel` in the app dir. */
  copy(fixture: string, rel: string): string;
}

/**
 * A new application directory in the system's temp dir, registered with the code server.
 * `files` maps relative paths to contents.
 */
export function tempApp(
  name: string,
  files: Record<string, string> = {},
  spec: Partial<ApplicationSpec> = {},
): TempApp {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `hotrel-${name.replace(/[^\w-]/g, '_')}-`));
  made.push(root);
  const dir = path.join(root, 'src');
  fs.mkdirSync(dir);
  const app: TempApp = {
    name,
    dir,
    write(rel, text) {
      const file = path.join(dir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      return file;
    },
    copy(fixture, rel) {
      return app.write(rel, fs.readFileSync(path.join(FIXTURES, 'apps', fixture), 'utf8'));
    },
  };
  for (const [rel, text] of Object.entries(files)) app.write(rel, text);
  addApplication({ name, dir, form: 'ts', packagesFrom: FIXTURES, ...spec });
  return app;
}

/**
 * Compiles TypeScript sources into a release-style directory of `.js` + `.js.map` (as
 * `hotrel release` lays out `lib/<app>-<vsn>/`) and returns it; nothing is registered.
 */
export function compiledLib(app: string, vsn: string, files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `hotrel-lib-${app}-`));
  made.push(root);
  const src = path.join(root, 'apps', app, 'src');
  const lib = path.join(root, 'lib', `${app}-${vsn}`);
  for (const [rel, text] of Object.entries(files)) {
    const tsFile = path.join(src, rel);
    fs.mkdirSync(path.dirname(tsFile), { recursive: true });
    fs.writeFileSync(tsFile, text);
    const out = compileModule(text, tsFile);
    if (out.diagnostics.some((d) => d.category === 'error')) throw new Error(JSON.stringify(out.diagnostics));
    const jsFile = path.join(lib, rel.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(jsFile), { recursive: true });
    const map = JSON.parse(out.map) as { sources: string[] };
    map.sources = [path.relative(path.dirname(jsFile), tsFile)];
    fs.writeFileSync(jsFile, out.code);
    fs.writeFileSync(`${jsFile}.map`, JSON.stringify(map));
  }
  return lib;
}

/** Removes every directory these helpers made (call in afterAll). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
