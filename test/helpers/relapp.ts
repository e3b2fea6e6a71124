/**
 * The relapp fixture project (test/fixtures/relapp, hotrel's port of relapp1): materialises a
 * version of it as a real project directory and builds it with the release builder, so that
 * tests compare real built application versions. See test/fixtures/relapp/README.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRelease } from '../../src/release/build/release';
import { compareVersions } from '../../src/model/version-order';

export const RELAPP = path.resolve(__dirname, '../fixtures/relapp');
const REPO = path.resolve(__dirname, '../..');

const made: string[] = [];

/** A new temporary directory, removed by `removeRelappDirs`. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hotrel-${prefix}-`));
  made.push(dir);
  return dir;
}

export function removeRelappDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** The versions that have an overlay directory, in order (1.0.0 first). */
export function overlayVersions(): string[] {
  return fs
    .readdirSync(RELAPP, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort(compareVersions);
}

/**
 * Writes relapp `vsn` into `dir` (which must not exist or be empty): 1.0.0, then every overlay up
 * to `vsn`, with `vsn` as the package version and `output` as the release output directory. A
 * `node_modules/hotrel` link to this repository lets `hotrel/appup` resolve for `.appup.ts`.
 */
export function materialise(vsn: string, dir: string, output: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const overlay of overlayVersions().filter((v) => compareVersions(v, vsn) <= 0)) {
    const from = path.join(RELAPP, overlay);
    const deleted = path.join(from, 'DELETE');
    if (fs.existsSync(deleted)) {
      for (const rel of fs
        .readFileSync(deleted, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')) {
        fs.rmSync(path.join(dir, rel.trim()), { recursive: true, force: true });
      }
    }
    fs.cpSync(from, dir, { recursive: true, filter: (src) => path.basename(src) !== 'DELETE' });
  }
  const pkgFile = path.join(dir, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as {
    version: string;
    hotrel: { release: { output: string } };
  };
  pkg.version = vsn;
  pkg.hotrel.release.output = output;
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  fs.symlinkSync(REPO, path.join(dir, 'node_modules', 'hotrel'), 'dir');
}

/**
 * Builds the relapp versions given, in order, into one release root under `output`
 * (`<output>/relapp`), each from a fresh project directory. Returns the release root.
 */
export async function buildRelapp(
  versions: readonly string[],
  output = tempDir('relapp-out'),
): Promise<string> {
  for (const vsn of versions) {
    const project = tempDir(`relapp-${vsn}`);
    materialise(vsn, project, output);
    await buildRelease({ project, typecheck: false });
  }
  return path.join(output, 'relapp');
}
