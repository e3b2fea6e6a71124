/**
 * OTP's old-process check (`check_old_processes(Script, soft_purge)`): for every `load` or
 * `remove` whose pre-purge is `soft_purge`, if the module already has old code, is any process
 * still using it? OTP looks at stacks only (funs are ignored since ERTS 9.0, and such a process
 * later dies with `badfun`); the code server here also finds closures, bound functions and class
 * instances of that code in process state, mailboxes and dictionaries, and names where.
 */
import { checkOldCode, describeHolders, findOldCode, type CodeHolder } from '../../../code';
import type { RelupInstruction } from '../../../model';

export interface OldProcesses {
  /** The first module (in script order) whose old code is in use. */
  module: string;
  holders: CodeHolder[];
  /** One line per holder. */
  text: string;
}

export async function oldProcesses(script: readonly RelupInstruction[]): Promise<OldProcesses | undefined> {
  const soft = script
    .filter((i) => (i.op === 'load' || i.op === 'remove') && i.prePurge === 'soft_purge')
    .map((i) => (i as { module: string }).module)
    .filter((m) => checkOldCode(m));
  if (soft.length === 0) return undefined;
  const reports = await findOldCode();
  for (const module of soft) {
    const holders = reports.flatMap((r) => r.holders.filter((h) => h.module === module));
    if (holders.length > 0) return { module, holders, text: describeHolders(holders) };
  }
  return undefined;
}
