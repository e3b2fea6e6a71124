/** Writing the generated appups into their applications' lib directories. */
import path from 'node:path';
import { writeJsonAtomic } from '../../model/files';
import type { GenerateResult } from './types';

/** Writes every generated appup (atomically, one file each); returns the files written. */
export function writeAppups(root: string, result: GenerateResult): string[] {
  const written: string[] = [];
  for (const plan of result.apps) {
    if (plan.action !== 'generated' || plan.appup === undefined || plan.file === undefined) continue;
    const file = path.join(root, plan.file);
    writeJsonAtomic(file, plan.appup);
    written.push(file);
  }
  return written;
}
