/**
 * The syntax check of every instruction (systools_rc:check_syntax/check_op, semantics.md §4.7),
 * done with the model's schema so that there is one definition of what is valid. Errors carry
 * the OTP atom of the offending field.
 */
import { instructionErrorKind, qualifiedInstruction } from '../../model/instructions';
import { formatPath } from '../../model/validate';
import { RelupError } from './errors';
import { expand, type Instr } from './expanded';

/**
 * Checks one instruction and returns it with the low-level defaults filled in. `validated`: the
 * instruction comes from an appup the model's schema already accepted (only what the schema lets
 * through, mnesia_backup, is left to refuse).
 */
export function checkOp(instr: Instr, validated = false): Instr {
  if (typeof instr === 'object' && instr !== null && instr.op === 'mnesia_backup') {
    throw new RelupError(
      'not_yet_implemented',
      'mnesia_backup is not implemented (neither by OTP nor by hotrel); remove it from the appup',
      { instruction: instr },
    );
  }
  if (validated) return instr;
  const result = qualifiedInstruction.safeParse(instr, { reportInput: true });
  if (result.success) return expand(result.data);
  const issue = result.error.issues[0]!;
  const op = typeof instr === 'object' && instr !== null ? (instr as { op?: unknown }).op : undefined;
  const kind = instructionErrorKind(typeof op === 'string' ? op : undefined, issue.path);
  const where = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
  throw new RelupError(
    kind,
    `invalid instruction ${JSON.stringify(instr) ?? String(instr)}: ${where}${issue.message}`,
    {
      instruction: instr,
    },
  );
}

export function checkSyntax(script: readonly Instr[], validated = false): Instr[] {
  return script.map((instr) => checkOp(instr, validated));
}
