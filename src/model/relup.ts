/**
 * `releases/<vsn>/relup.json`: the low-level scripts that move a running node to this release
 * from older ones (`up`) and back from this release to them (`down`); OTP's
 * `{Vsn, [{UpFrom, Descr, Instrs}], [{DownTo, Descr, Instrs}]}` (semantics.md §2.4). It lives in
 * the directory of the newer release, for both directions.
 */
import { z } from 'zod';
import { json, listOf, version } from './fields';
import type { JsonValue } from './json';
import { relupInstruction, type RelupInstruction } from './instructions';

const section = z.strictObject({
  /** The other release: the from-version of an upgrade, the to-version of a downgrade. */
  vsn: version,
  /** Free description returned by the install (OTP's `Descr`, default ""). */
  description: json.default(''),
  instructions: listOf(relupInstruction, 'a list of low-level instructions').superRefine(checkScriptShape),
});

/**
 * The structure the release handler relies on: at most one point_of_no_return; before it only
 * load_object_code and apply; restart_new_emulator only first; restart_emulator only last.
 */
function checkScriptShape(script: RelupInstruction[], ctx: z.RefinementCtx): void {
  const ponr = script.findIndex((i) => i.op === 'point_of_no_return');
  script.forEach((instr, i) => {
    const issue = (message: string): void => void ctx.addIssue({ code: 'custom', path: [i], message });
    if (instr.op === 'point_of_no_return' && i !== ponr) {
      issue('expected a single point_of_no_return per script, got a second one');
    } else if (instr.op === 'restart_new_emulator' && i !== 0) {
      issue('expected restart_new_emulator only as the first instruction');
    } else if (instr.op === 'restart_emulator' && i !== script.length - 1) {
      issue('expected restart_emulator only as the last instruction');
    } else if (
      i < ponr &&
      instr.op !== 'load_object_code' &&
      instr.op !== 'apply' &&
      !(instr.op === 'restart_new_emulator' && i === 0)
    ) {
      issue(`expected only load_object_code or apply before point_of_no_return, got "${instr.op}"`);
    } else if ((ponr < 0 || i > ponr) && instr.op === 'load_object_code') {
      issue('expected load_object_code only before point_of_no_return');
    }
  });
}

const sections = listOf(section, 'a list of {"vsn", "description", "instructions"} objects').superRefine(
  (list, ctx) => {
    const seen = new Set<string>();
    list.forEach((s, i) => {
      if (seen.has(s.vsn)) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'vsn'],
          message: `expected each version once, got ${JSON.stringify(s.vsn)} again`,
        });
      }
      seen.add(s.vsn);
    });
  },
);

export const relupSchema = z.strictObject({
  /** The release this relup belongs to (the newer one). */
  vsn: version,
  up: sections,
  down: sections,
});

export interface RelupSection {
  vsn: string;
  description: JsonValue;
  instructions: RelupInstruction[];
}

export interface Relup {
  vsn: string;
  up: RelupSection[];
  down: RelupSection[];
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _relupTypesAgree: Same<z.output<typeof relupSchema>, Relup> = true;
