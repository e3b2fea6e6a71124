/**
 * systools_rc:translate_scripts: several applications' appup scripts in, one low-level script
 * out (semantics.md §4.1). Pure.
 */
import type { StartType } from '../../model/fields';
import type { AppupInstruction, AppupInstructionInput, RelupInstruction } from '../../model/instructions';
import { RELUP_OPS } from '../../model/instructions';
import { translateApplicationInstrs } from './applications';
import { checkScript } from './checks';
import { translateDependentInstrs } from './dependent';
import { sortEmulatorRestart } from './emulator';
import { RelupError, type RelupWarning } from './errors';
import { expand, type Instr } from './expanded';
import { mergeLoadObjectCode } from './object-code';
import { PONR, mergeScripts, splitScript } from './script';
import { checkSyntax } from './syntax';

/** `up` installs a newer release, `dn` an older one (systools' atoms). */
export type Mode = 'up' | 'dn';

/** The part of OTP's #application record the translator uses. */
export interface AppRecord {
  name: string;
  vsn: string;
  /** Module ids of the application (its app.json `modules`). */
  modules: readonly string[];
  /** Start type in its release (release.json), used by add/restart_application. */
  type: StartType;
}

export interface Translation {
  script: RelupInstruction[];
  warnings: RelupWarning[];
}

/**
 * Translates appup scripts (one per application, module names already qualified) into one
 * low-level script. `appls` are the applications of the release being installed, `preAppls`
 * those of the release running before it. Throws RelupError.
 */
export function translateScripts(
  mode: Mode,
  scripts: readonly (readonly (AppupInstructionInput | AppupInstruction)[])[],
  appls: readonly AppRecord[],
  preAppls: readonly AppRecord[],
  /** For makeRelup: the scripts come from appups the model's validator accepted. */
  internal: { validated?: boolean } = {},
): Translation {
  if (!Array.isArray(scripts) || scripts.some((s) => !Array.isArray(s))) {
    throw new RelupError('bad_instruction', 'an appup script must be a list of instructions', { scripts });
  }
  const merged = mergeScripts(scripts.map((s) => s.map(expand)));
  const checked = checkSyntax(merged, internal.validated === true);
  const { before, after } = splitScript(checked);
  const warnings = checkScript(before, after);
  const independent = translateApplicationInstrs(after, appls, preAppls);
  const dependent = translateDependentInstrs(mode, before, independent, appls);
  const withCode = mergeLoadObjectCode(dependent.before);
  const sorted = sortEmulatorRestart(mode, withCode, dependent.after);
  const script = [...sorted.before, PONR, ...sorted.after];
  return { script: script.map(assertLowLevel), warnings };
}

/** Everything the translator emits is low-level; anything else would be a bug here, not bad input. */
function assertLowLevel(instr: Instr): RelupInstruction {
  if (!RELUP_OPS.includes(instr.op)) {
    throw new Error(`relup translator produced a non low-level instruction ${JSON.stringify(instr)}`);
  }
  return instr as RelupInstruction;
}
