/** How the CLI shows a path: relative to the current directory when under it, else absolute. */
import * as path from 'node:path';

export function showPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  if (rel === '') return '.';
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}
