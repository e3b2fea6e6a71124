/**
 * `releases/RELEASES.json`: every release the node knows and its status, newest first; OTP's
 * `RELEASES` (semantics.md §2.5). `current` is never written: a node that restarts before
 * make_permanent comes back on the permanent release, which is the rollback model.
 */
import { z } from 'zod';
import { appName, listOf, nonEmptyText, oneOf, releaseName, version } from './fields';

export const RELEASE_STATUSES = ['unpacked', 'permanent', 'old', 'tmp_current'] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

export const releaseEntrySchema = z.strictObject({
  name: releaseName,
  vsn: version,
  /** The Node.js version of the release (OTP's ErtsVsn). */
  node: nonEmptyText,
  /** Each application of the release and the directory holding it (relative to the root or absolute). */
  libs: listOf(
    z.strictObject({ app: appName, vsn: version, dir: nonEmptyText }),
    'a list of {"app", "vsn", "dir"} objects',
  ),
  status: oneOf(RELEASE_STATUSES),
});

export const releasesFileSchema = z
  .strictObject({ releases: listOf(releaseEntrySchema, 'a list of releases, newest first') })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    let permanent: number | undefined;
    file.releases.forEach((r, i) => {
      if (seen.has(r.vsn)) {
        ctx.addIssue({
          code: 'custom',
          path: ['releases', i, 'vsn'],
          message: `expected each release version once, got ${JSON.stringify(r.vsn)} again`,
        });
      }
      seen.add(r.vsn);
      if (r.status === 'permanent') {
        if (permanent !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['releases', i, 'status'],
            message: `expected a single permanent release, but releases[${permanent}] is permanent too`,
          });
        } else permanent = i;
      }
    });
  });

export type ReleaseEntry = z.output<typeof releaseEntrySchema>;
export type ReleasesFile = z.output<typeof releasesFileSchema>;
