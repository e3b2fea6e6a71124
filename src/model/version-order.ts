/**
 * Ordering release versions, to pick the newest release and the older ones. Versions that are
 * valid semver compare by semver; otherwise by a natural order (numbers numerically, so "1.10"
 * comes after "1.9"), the way OTP-style versions such as "1", "2.1" or "P1G" are usually meant.
 */
import semver from 'semver';

export function compareVersions(a: string, b: string): number {
  if (semver.valid(a) !== null && semver.valid(b) !== null) return semver.compare(a, b);
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return Math.sign(d);
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}
