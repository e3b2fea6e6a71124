/** The hotrel package that is building the release: it goes into the release as its runtime. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface HotrelPackage {
  root: string;
  version: string;
  /**
   * A digest of its compiled code: a development build of hotrel changes without its version
   * changing, and a release must never reuse a stale copy of it.
   */
  digest: string;
}

let cached: HotrelPackage | undefined;

/** hotrel's package root (found from this file), checked to hold its compiled code. */
export function hotrelPackage(): HotrelPackage {
  if (cached !== undefined) return cached;
  let dir = __dirname;
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      const m = JSON.parse(fs.readFileSync(pj, 'utf8')) as { name?: string; version?: string };
      if (m.name === 'hotrel') {
        if (!fs.existsSync(path.join(dir, 'dist', 'cli', 'launcher.js'))) {
          throw new Error(
            `hotrel's compiled code is missing (${path.join(dir, 'dist')}); run: npm run build in ${dir}`,
          );
        }
        cached = { root: dir, version: m.version ?? '0.0.0', digest: digestOf(path.join(dir, 'dist')) };
        return cached;
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find hotrel's package.json above ${__dirname}`);
    dir = path.dirname(dir);
  }
}

function digestOf(dir: string): string {
  const hash = crypto.createHash('sha256');
  const files = fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  for (const f of files) hash.update(path.relative(dir, f)).update('\0').update(fs.readFileSync(f));
  return hash.digest('hex');
}
