/**
 * From-version keys of an appup (the `UpFromVsn`/`DownToVsn` of OTP's `.appup`).
 *
 * - `"1.0.0"`: an exact version (OTP's string key).
 * - `"/1\\.0\\.[0-9]+/"`: a regular expression (OTP's binary key). OTP runs it unanchored and
 *   accepts the version only if the **first** match is the whole version string
 *   (`systools_relup:appup_search_for_version/2`), so an earlier partial match can hide a later
 *   full one; hotrel keeps that rule.
 * - `"semver:^1.2.0"`: a semver range (hotrel's addition), tested with the `semver` package;
 *   versions that are not valid semver never match a range.
 *
 * Entries are tried in order and the first that matches wins.
 */
import semver from 'semver';

export type VersionKey =
  | { kind: 'exact'; text: string; version: string }
  | { kind: 'regex'; text: string; regex: RegExp }
  | { kind: 'semver'; text: string; range: string };

const SEMVER_PREFIX = 'semver:';

/** Parses a key; throws an Error whose message says what is wrong with it. */
export function parseVersionKey(text: string): VersionKey {
  if (text.startsWith('/')) {
    if (text.length < 2 || !text.endsWith('/')) {
      throw new Error(
        'a regular expression key must be written between slashes, e.g. "/1\\\\.0\\\\.[0-9]+/"',
      );
    }
    const source = text.slice(1, -1);
    if (source.length === 0) throw new Error('the regular expression between the slashes is empty');
    try {
      return { kind: 'regex', text, regex: new RegExp(source) };
    } catch (error) {
      throw new Error(`invalid regular expression: ${(error as Error).message}`, { cause: error });
    }
  }
  if (text.startsWith(SEMVER_PREFIX)) {
    const range = text.slice(SEMVER_PREFIX.length).trim();
    if (range.length === 0 || semver.validRange(range) === null) {
      throw new Error(
        `"${range}" is not a valid semver range (e.g. "semver:^1.2.0" or "semver:>=1.0.0 <2.0.0")`,
      );
    }
    return { kind: 'semver', text, range };
  }
  if (text.length === 0) throw new Error('a version key cannot be empty');
  return { kind: 'exact', text, version: text };
}

/** True if `key` selects `vsn` under OTP's rules (see the module comment). */
export function versionKeyMatches(key: VersionKey, vsn: string): boolean {
  switch (key.kind) {
    case 'exact':
      return key.version === vsn;
    case 'regex': {
      // A fresh, non-global regex: exec finds the leftmost match, as re:run does.
      const match = new RegExp(key.regex.source, key.regex.flags.replace('g', '')).exec(vsn);
      return match !== null && match[0] === vsn;
    }
    case 'semver':
      return semver.valid(vsn) !== null && semver.satisfies(vsn, key.range);
  }
}

/** The first entry whose key matches `vsn`, as `appup_search_for_version/2`. */
export function findVersionEntry<T>(
  entries: readonly { key: VersionKey; value: T }[],
  vsn: string,
): { key: VersionKey; value: T } | undefined {
  return entries.find((entry) => versionKeyMatches(entry.key, vsn));
}

/**
 * JavaScript objects list integer-like keys ("1", "2") before all others, whatever the order in
 * the file. Exact keys never compete with each other, so that only matters when such a key sits
 * beside a pattern that could also match it.
 */
export function isIntegerLikeKey(text: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(text) && Number(text) < 2 ** 32 - 1;
}

/** Builds the key text for a regular expression (flags are not supported, as in OTP). */
export function regexKey(pattern: RegExp | string): string {
  if (pattern instanceof RegExp) {
    if (pattern.flags.replace(/[gy]/g, '') !== '') {
      throw new Error(`appup version patterns take no flags, got /${pattern.source}/${pattern.flags}`);
    }
    return `/${pattern.source}/`;
  }
  return `/${pattern}/`;
}

/** Builds the key text for a semver range. */
export function semverKey(range: string): string {
  return `${SEMVER_PREFIX}${range}`;
}
