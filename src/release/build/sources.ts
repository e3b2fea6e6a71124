/** The modules of an application: its `.ts` files, minus declarations, tests and exclusions. */
import fs from 'node:fs';
import path from 'node:path';

const TEST = /(^|\/)(__tests__|__mocks__)\/|\.(test|spec)\.tsx?$/;

/** A tiny glob: `*` within a segment, `**` across segments, `?` one character. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Relpaths (no extension) of the application's modules, sorted. */
export function listSources(srcDir: string, exclude: readonly string[]): string[] {
  const patterns = exclude.map(globToRegExp);
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(full);
        continue;
      }
      if (!e.name.endsWith('.ts') || e.name.endsWith('.d.ts')) continue;
      const rel = path.relative(srcDir, full).split(path.sep).join('/');
      if (TEST.test(rel) || patterns.some((p) => p.test(rel))) continue;
      out.push(rel.slice(0, -3));
    }
  };
  walk(srcDir);
  return out.sort();
}
