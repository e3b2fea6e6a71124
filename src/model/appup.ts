/**
 * `lib/<app>-<vsn>/<app>.appup.json`: how to move one application to this version from older
 * ones (`up`) and back (`down`); OTP's `{Vsn, [{UpFrom, Instrs}], [{DownTo, Instrs}]}`.
 *
 * ```json
 * { "vsn": "2.0.0",
 *   "up":   { "1.0.0": [{ "op": "update", "module": "kv_worker", "change": { "advanced": [] } }],
 *             "/1\\.1\\.[0-9]+/": [{ "op": "load_module", "module": "kv_util" }] },
 *   "down": { "1.0.0": [{ "op": "update", "module": "kv_worker", "change": { "advanced": [] } }] } }
 * ```
 *
 * Keys are exact versions, `/regex/` patterns or `semver:<range>` (see version-key.ts); entries are
 * tried in file order and the first match wins.
 */
import { z } from 'zod';
import { leaf, version } from './fields';
import { appupInstruction, type AppupInstruction, type AppupInstructionInput } from './instructions';
import { show } from './json';
import { isVersion } from './names';
import { isIntegerLikeKey, parseVersionKey, type VersionKey } from './version-key';

const instructionList = z.array(appupInstruction, {
  error: (issue) => `expected a list of instructions, got ${show(issue.input)}`,
});

const entries = z
  .record(z.string(), instructionList, {
    error: () => 'expected an object mapping from-versions to instruction lists, e.g. {"1.0.0": [...]}',
  })
  .superRefine((value, ctx) => {
    const keys = Object.keys(value);
    for (const key of keys) {
      let parsed: VersionKey;
      try {
        parsed = parseVersionKey(key);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `version key ${JSON.stringify(key)}: ${(error as Error).message}`,
        });
        continue;
      }
      if (parsed.kind === 'exact' && !isVersion(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `version key ${JSON.stringify(key)}: expected an exact version (letters, digits, ".", "_", "+", "~" or "-"), a pattern "/regex/" or a range "semver:<range>"`,
        });
      }
    }
    const integerKeys = keys.filter(isIntegerLikeKey);
    const patternKeys = keys.filter((k) => k.startsWith('/') || k.startsWith('semver:'));
    if (integerKeys.length > 0 && patternKeys.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: [integerKeys[0]!],
        message:
          `version key ${JSON.stringify(integerKeys[0])} sits beside the pattern ${JSON.stringify(patternKeys[0])}: ` +
          'JSON objects list integer-like keys first, so the file order (first match wins) cannot be kept; ' +
          `write it as the pattern "/${integerKeys[0]}/", which matches exactly that version`,
      });
    }
  });

export const appupSchema = z.strictObject({
  vsn: version,
  up: entries,
  down: entries,
  generated: leaf<true>('true (or leave the field out)', (v) => v === true).optional(),
});

export interface Appup {
  /**
   * Written by `hotrel appup generate`, which may replace it on its next run. An appup without it
   * is hand-written (or a generated one the user took over by removing the flag) and is never
   * replaced: it wins over generation.
   */
  generated?: true | undefined;
  /** The application version this appup upgrades to (a mismatch with app.json only warns, as in OTP). */
  vsn: string;
  /** From-version key -> instructions to upgrade from a matching version. */
  up: Record<string, AppupInstruction[]>;
  /** To-version key -> instructions to downgrade to a matching version. */
  down: Record<string, AppupInstruction[]>;
}

/** An appup as an author writes it (defaults left out). */
export interface AppupInput {
  vsn: string;
  generated?: true;
  up: Record<string, AppupInstructionInput[]>;
  down: Record<string, AppupInstructionInput[]>;
}

/** The entries of one direction as ordered (key, instructions) pairs. */
export function appupEntries(
  section: Record<string, AppupInstruction[]>,
): { key: VersionKey; value: AppupInstruction[] }[] {
  return Object.entries(section).map(([text, value]) => ({ key: parseVersionKey(text), value }));
}

const versionKeyText = leaf<string>(
  'a version key: an exact version, a pattern "/regex/" or a range "semver:<range>"',
  (v) => {
    if (typeof v !== 'string') return false;
    try {
      parseVersionKey(v);
      return true;
    } catch {
      return false;
    }
  },
);

/**
 * `<app>.appup.pre.json` and `<app>.appup.post.json`: instructions put before (pre) or after
 * (post) the generated instructions of an application (rebar3_appup_plugin's `.appup.pre.src`
 * and `.appup.post.src`, with hotrel's version keys instead of its dotted globs). `vsn` selects
 * the new versions the file applies to (default: all); under `up` and `down` **every** entry
 * whose key matches the other version contributes, in file order (not only the first, unlike an
 * appup). Hand-written appups are used as they are: the files only extend generated ones.
 *
 * ```json
 * { "vsn": "semver:^1.0.0",
 *   "up":   { "/.*\/": [{ "op": "apply", "module": "kv_log", "function": "upgradeStarted" }] },
 *   "down": { "1.0.33": [{ "op": "apply", "module": "kv_log", "function": "downgradeStarted" }] } }
 * ```
 */
export const appupHooksSchema = z.strictObject({
  vsn: versionKeyText.default('/.*/'),
  up: entries.default({}),
  down: entries.default({}),
});

export interface AppupHooks {
  vsn: string;
  up: Record<string, AppupInstruction[]>;
  down: Record<string, AppupInstruction[]>;
}

// Compile-time proof that the documented interface is exactly what the schema produces.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _appupTypesAgree: Same<z.output<typeof appupSchema>, Appup> = true;
const _hooksTypesAgree: Same<z.output<typeof appupHooksSchema>, AppupHooks> = true;
