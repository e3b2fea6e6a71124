/**
 * Pre/post instruction files (`<app>.appup.pre.json`, `<app>.appup.post.json`, see
 * model/appup.ts `appupHooksSchema`): the instructions they add to a generated appup for one
 * from-version. The file applies when its `vsn` key matches the new version; then every entry of
 * the direction whose key matches the other version contributes, in file order.
 */
import { appupEntries, type AppupHooks } from '../../model/appup';
import type { AppupInstruction } from '../../model/instructions';
import { parseVersionKey, versionKeyMatches } from '../../model/version-key';

export function hookInstructions(
  hooks: AppupHooks | undefined,
  newVsn: string,
  direction: 'up' | 'down',
  otherVsn: string,
): AppupInstruction[] {
  if (hooks === undefined || !versionKeyMatches(parseVersionKey(hooks.vsn), newVsn)) return [];
  return appupEntries(hooks[direction])
    .filter((entry) => versionKeyMatches(entry.key, otherVsn))
    .flatMap((entry) => entry.value);
}
