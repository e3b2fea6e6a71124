/** The hotrel package that is building the release: it goes into the release as its runtime. */
import fs from 'node:fs';
import path from 'node:path';

export interface HotrelPackage {
  root: string;
  version: string;
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
        if (!fs.existsSync(path.join(dir, 'dist', 'index.js'))) {
          throw new Error(
            `hotrel's compiled code is missing (${path.join(dir, 'dist')}); run: npm run build in ${dir}`,
          );
        }
        cached = { root: dir, version: m.version ?? '0.0.0' };
        return cached;
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find hotrel's package.json above ${__dirname}`);
    dir = path.dirname(dir);
  }
}
