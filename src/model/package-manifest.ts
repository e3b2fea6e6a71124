/**
 * `MANIFEST.json`, the first entry of an upgrade package `releases/<rel>-<vsn>.tar.gz`: what the
 * package holds and what it needs on the target. OTP's packages carry no such thing (and always
 * hold the whole release); hotrel's may be slim — only what changed — so the target must be told
 * which files it should already have, and every file is checksummed so that a truncated,
 * corrupted or tampered package is refused before anything is written.
 *
 * Paths are relative to the release root, `/`-separated, never absolute, never with `..`.
 */
import { z } from 'zod';
import { leaf, listOf, nonEmptyText, releaseName, version } from './fields';

const relPath = leaf<string>(
  'a relative path inside the release root, such as "lib/kvapp-1.0.1/kv.js"',
  (v) =>
    typeof v === 'string' &&
    v.length > 0 &&
    !v.startsWith('/') &&
    !v.includes('\\') &&
    v.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..'),
);

const sha256 = leaf<string>(
  'a sha256 hex digest (64 hex digits)',
  (v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v),
);

export const packageManifestSchema = z.strictObject({
  format: z.literal(1, { error: () => 'expected format 1 (this hotrel reads version 1 packages)' }),
  name: releaseName,
  vsn: version,
  /** A full package holds every file of the release; a slim one only what its bases lack. */
  full: z.boolean(),
  /**
   * The release versions this package can be unpacked over (its relup's up-from versions). A
   * slim package is refused on a node that has none of them.
   */
  bases: listOf(version, 'a list of release versions'),
  /** Directories the target must already have (slim packages: unchanged applications, dependencies). */
  requires: listOf(relPath, 'a list of relative directory paths'),
  /** Every file in the package but this manifest, with its sha256. */
  files: z.record(relPath, sha256),
  /** The hotrel version that made the package. */
  hotrel: nonEmptyText,
});

export type PackageManifest = z.output<typeof packageManifestSchema>;

/** The package file name for a release version, as the release handler looks for it. */
export function packageFileName(name: string, vsn: string): string {
  return `${name}-${vsn}.tar.gz`;
}
