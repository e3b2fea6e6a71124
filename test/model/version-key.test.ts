/** From-version keys of appups: OTP's exact and regex rules, plus semver ranges. */
import { describe, expect, it } from 'vitest';
import { findVersionEntry, parseVersionKey, versionKeyMatches } from '../../src/model';

const matches = (key: string, vsn: string): boolean => versionKeyMatches(parseVersionKey(key), vsn);

describe('version keys', () => {
  it('exact keys match only the same string', () => {
    expect(matches('1.0.0', '1.0.0')).toBe(true);
    expect(matches('1.0.0', '1.0.0+build')).toBe(false);
  });

  it('patterns match when the first match is the whole version (OTP, otp_10463)', () => {
    expect(matches('/1(\\.[0-9]+)*/', '1.1')).toBe(true);
    expect(matches('/1\\.[0-9]+/', '1.10')).toBe(true);
    expect(matches('/1\\.[0-9]/', '1.10')).toBe(false);
    expect(matches('/1\\.[0-9]+/', '21.1')).toBe(false);
    // Unanchored, but "1" is found first in "1.1": not the whole version.
    expect(matches('/1|1\\.1/', '1.1')).toBe(false);
    expect(matches('/.*/', 'anything')).toBe(true);
  });

  it('semver ranges match valid semver versions only', () => {
    expect(matches('semver:^1.2.0', '1.9.3')).toBe(true);
    expect(matches('semver:^1.2.0', '2.0.0')).toBe(false);
    expect(matches('semver:*', '1.2')).toBe(false);
  });

  it('the first matching entry wins', () => {
    const entries = ['/1\\..*/', '1.0.0'].map((k, value) => ({ key: parseVersionKey(k), value }));
    expect(findVersionEntry(entries, '1.0.0')?.value).toBe(0);
    expect(findVersionEntry(entries, '2.0.0')).toBeUndefined();
  });
});
