/** Writes release roots (lib/, releases/) on disk for CLI tests. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App, AppupInput, Release } from '../../src/model';

export interface RootSpec {
  releases: Release[];
  apps: App[];
  /** Appups by `<app>-<vsn>` (raw values: they may be invalid on purpose). */
  appups?: Record<string, AppupInput | string>;
}

const write = (file: string, value: unknown): void => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof value === 'string' ? value : `${JSON.stringify(value, null, 2)}\n`);
};

export function writeRoot(root: string, spec: RootSpec): string {
  for (const r of spec.releases) write(path.join(root, 'releases', r.vsn, 'release.json'), r);
  for (const a of spec.apps) write(path.join(root, 'lib', `${a.name}-${a.vsn}`, `${a.name}.app.json`), a);
  for (const [key, appup] of Object.entries(spec.appups ?? {})) {
    const name = key.slice(0, key.lastIndexOf('-'));
    write(path.join(root, 'lib', key, `${name}.appup.json`), appup);
  }
  return root;
}

/** Every file under `dir` with its content, to check that a failed command changed nothing. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}
