/**
 * The generator's small parts on their own: --purge specs, the module order (callee first,
 * priorities, cycles), and pre/post file matching (rebar3_appup_plugin's eunit cases, with
 * hotrel's version keys instead of its dotted globs).
 */
import { describe, expect, it } from 'vitest';
import type { AppupHooks, AppupInstruction } from '../../src/model';
import { hookInstructions } from '../../src/release/appup-gen/hooks';
import { orderModules } from '../../src/release/appup-gen/order';
import { parsePurgeSpec, purgeFor, PurgeSpecError } from '../../src/release/appup-gen/purge-spec';
import { describeInstruction } from '../../src/release/appup-gen/format';

describe('--purge specs', () => {
  it('reads module=method, pre/post pairs, a default, bare and qualified names', () => {
    const spec = parsePurgeSpec(' relapp_m1=soft ; kvapp:kv=soft/brutal;default=brutal ');
    expect(purgeFor(spec, 'relapp:relapp_m1')).toEqual({ prePurge: 'soft_purge', postPurge: 'soft_purge' });
    expect(purgeFor(spec, 'kvapp:kv')).toEqual({ prePurge: 'soft_purge', postPurge: 'brutal_purge' });
    expect(purgeFor(spec, 'otherapp:kv')).toBeUndefined();
    expect(spec.default).toEqual({ prePurge: 'brutal_purge', postPurge: 'brutal_purge' });
  });

  it('refuses what it cannot read, naming the entry', () => {
    expect(() => parsePurgeSpec('')).toThrow(PurgeSpecError);
    expect(() => parsePurgeSpec('m=soft;m=brutal')).toThrow(/"m" is given twice/);
    expect(() => parsePurgeSpec('=soft')).toThrow(/is not module=method/);
    expect(() => parsePurgeSpec('m=soft/')).toThrow(/"m=soft\/": the purge method must be soft or brutal/);
  });
});

describe('module order', () => {
  const deps = new Map<string, string[]>([
    ['srv', ['m1', 'util']],
    ['m1', ['util']],
    ['util', []],
    ['other', []],
  ]);

  it('puts callees before callers, and orders the rest by priority then name', () => {
    expect(orderModules(['srv', 'm1', 'util', 'other'], deps, () => 0).order).toEqual([
      'other',
      'util',
      'm1',
      'srv',
    ]);
    expect(orderModules(['srv', 'm1', 'util', 'other'], deps, (m) => (m === 'srv' ? 9 : 0)).order).toEqual([
      'other',
      'util',
      'm1',
      'srv',
    ]);
    expect(orderModules(['srv', 'm1', 'util', 'other'], deps, (m) => (m === 'util' ? 9 : 0)).order).toEqual([
      'util',
      'm1',
      'other',
      'srv',
    ]);
    // Only deps inside the set count.
    expect(orderModules(['srv', 'other'], deps, () => 0).order).toEqual(['other', 'srv']);
  });

  it('breaks a cycle at its best-ranked module and says so', () => {
    const cyclic = new Map([
      ['a', ['b']],
      ['b', ['a']],
      ['c', ['a']],
    ]);
    expect(orderModules(['a', 'b', 'c'], cyclic, () => 0)).toEqual({ order: ['a', 'b', 'c'], cycles: ['a'] });
    expect(orderModules(['a', 'b', 'c'], cyclic, (m) => (m === 'b' ? 1 : 0))).toEqual({
      order: ['b', 'a', 'c'],
      cycles: ['b'],
    });
  });
});

describe('pre/post files', () => {
  const say = (what: string): AppupInstruction => ({
    op: 'apply',
    module: 'log',
    function: 'say',
    args: [what],
  });
  const hooks = (vsn: string, up: Record<string, string[]>): AppupHooks => ({
    vsn,
    up: Object.fromEntries(Object.entries(up).map(([k, v]) => [k, v.map(say)])),
    down: {},
  });

  it('with exact versions', () => {
    expect(hookInstructions(hooks('1.0.1', { '1.0.0': ['a'] }), '1.0.1', 'up', '1.0.0')).toEqual([say('a')]);
    expect(hookInstructions(hooks('1.0.1', { '1.0.0': ['a'] }), '1.0.1', 'up', '0.9.0')).toEqual([]);
  });

  it('when the new version is a pattern', () => {
    const h = hooks('/1\\..*/', { '1.0.0': ['a'] });
    expect(hookInstructions(h, '1.0.7', 'up', '1.0.0')).toEqual([say('a')]);
    expect(hookInstructions(h, '2.0.0', 'up', '1.0.0')).toEqual([]);
  });

  it('when both are patterns: every matching entry, in file order', () => {
    const h = hooks('semver:^1.0.0', {
      '/1\\..*/': ['any 1.x'],
      '1.0.33': ['exact'],
      'semver:<1.0.10': ['old'],
    });
    expect(hookInstructions(h, '1.0.34', 'up', '1.0.33')).toEqual([say('any 1.x'), say('exact')]);
    expect(hookInstructions(h, '1.0.34', 'up', '1.0.2')).toEqual([say('any 1.x'), say('old')]);
    expect(hookInstructions(h, '1.0.34', 'down', '1.0.33')).toEqual([]);
  });

  it('drops a file whose version does not match the new version', () => {
    expect(hookInstructions(hooks('1.0.33', { '/.*/': ['a'] }), '1.0.34', 'up', '1.0.0')).toEqual([]);
    expect(hookInstructions(undefined, '1.0.34', 'up', '1.0.0')).toEqual([]);
  });
});

describe('report lines', () => {
  it('shows an instruction compactly', () => {
    expect(
      describeInstruction({ op: 'update', module: 'kv', change: { advanced: [] }, deps: ['util'] }),
    ).toBe('update kv change={"advanced":[]} deps=["util"]');
    expect(describeInstruction({ op: 'apply', module: 'kv', function: 'warm', args: [1, 'a'] })).toBe(
      'apply kv.warm(1, "a")',
    );
    expect(describeInstruction({ op: 'restart_application', application: 'kvapp' })).toBe(
      'restart_application kvapp',
    );
  });
});
