/**
 * Splitting scripts at the point of no return and merging several applications' scripts into one
 * (systools_rc: split_instrs, split_script, merge_scripts; semantics.md §4.1 steps 2 and 5).
 */
import type { RelupInstruction } from '../../model/instructions';
import { RelupError } from './errors';
import type { Instr } from './expanded';

export const PONR: RelupInstruction = { op: 'point_of_no_return' };

const isPonr = (i: Instr): boolean => i.op === 'point_of_no_return';

/** Splits at the first point_of_no_return (everything is "after" if there is none). */
export function splitInstrs(script: readonly Instr[]): { before: Instr[]; after: Instr[] } {
  const at = script.findIndex(isPonr);
  if (at < 0) return { before: [], after: [...script] };
  const after = script.slice(at + 1);
  if (after.some(isPonr)) {
    throw new RelupError(
      'too_many_point_of_no_return',
      'a script has more than one point_of_no_return; keep a single one (after it nothing can be undone)',
    );
  }
  return { before: script.slice(0, at), after };
}

/**
 * Splits a script and checks that only load_object_code and apply precede the point of no return;
 * load_object_code found after it moves before it (reading code is harmless).
 */
export function splitScript(script: readonly Instr[]): { before: Instr[]; after: Instr[] } {
  const { before, after } = splitInstrs(script);
  for (const instr of before) {
    if (instr.op !== 'load_object_code' && instr.op !== 'apply') {
      throw new RelupError(
        'bad_op_before_point_of_no_return',
        `${JSON.stringify(instr)} comes before point_of_no_return, where only load_object_code and apply ` +
          'are allowed (nothing may change the running code before it); move it after point_of_no_return',
        { instruction: instr },
      );
    }
  }
  const found = after.filter((i) => i.op === 'load_object_code');
  const rest = after.filter((i) => i.op !== 'load_object_code');
  return { before: [...before, ...found], after: rest };
}

/** Concatenates every script's before-part, then a single point_of_no_return, then every after-part. */
export function mergeScripts(scripts: readonly (readonly Instr[])[]): Instr[] {
  const befores: Instr[] = [];
  const afters: Instr[] = [];
  for (const script of scripts) {
    const { before, after } = splitScript(script);
    befores.push(...before);
    afters.push(...after);
  }
  return [...befores, PONR, ...afters];
}

/** OTP's lists difference as systools_rc defines it: items of `a` not in `b`, order and repeats kept. */
export function difference<T>(a: readonly T[], b: readonly T[]): T[] {
  const exclude = new Set(b);
  return a.filter((x) => !exclude.has(x));
}
