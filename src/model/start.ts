/**
 * `releases/start.json`: which release the node boots, OTP's `start_erl.data` ("ErtsVsn RelVsn",
 * semantics.md §2.6). Emulator restarts write `releases/new_start.json` with the same shape so
 * that only that one reboot uses the new release.
 */
import { z } from 'zod';
import { nonEmptyText, version } from './fields';

export const startSchema = z.strictObject({
  /** The Node.js version to boot with. */
  node: nonEmptyText,
  /** The release version to boot. */
  vsn: version,
});

export type Start = z.output<typeof startSchema>;
