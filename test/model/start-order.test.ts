/** Start order of a release's applications, by OTP's systools_make:sort_appls rule. */
import { describe, expect, it } from 'vitest';
import { sortApplications, StartOrderError, type OrderedApp } from '../../src/model';

const a = (
  name: string,
  applications: string[] = [],
  includedApplications: string[] = [],
  optionalApplications: string[] = [],
): OrderedApp => ({
  name,
  applications,
  includedApplications,
  optionalApplications,
});
const names = (apps: OrderedApp[]): string[] => sortApplications(apps).map((x) => x.name);

describe('sortApplications', () => {
  it('keeps the release order when it already respects dependencies', () => {
    expect(names([a('logger'), a('db', ['logger']), a('web', ['db', 'logger'])])).toEqual([
      'logger',
      'db',
      'web',
    ]);
  });

  it('moves required and included applications before their users, in the order they are named', () => {
    expect(names([a('web', ['db', 'logger']), a('logger'), a('db', ['logger']), a('tools')])).toEqual([
      'logger',
      'db',
      'web',
      'tools',
    ]);
    expect(names([a('top', [], ['inc']), a('inc')])).toEqual(['inc', 'top']);
  });

  it('allows "Y includes X, X uses Y"', () => {
    expect(names([a('y', [], ['x']), a('x', ['y'])])).toEqual(['x', 'y']);
    expect(names([a('x', ['y']), a('y', [], ['x'])])).toEqual(['x', 'y']);
  });

  it('skips optional applications that the release does not hold', () => {
    expect(names([a('web', ['metrics'], [], ['metrics'])])).toEqual(['web']);
  });

  it('fails on missing and circular dependencies', () => {
    expect(() => sortApplications([a('web', ['db'])])).toThrow(
      expect.objectContaining({ kind: 'undefined_applications', applications: ['db'] }),
    );
    let error: unknown;
    try {
      sortApplications([a('a', ['b']), a('b', ['c']), a('c', ['a'])]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StartOrderError);
    expect((error as StartOrderError).kind).toBe('circular_dependencies');
    // Like OTP, the names reported are those where the cycle was noticed.
    expect((error as StartOrderError).applications.length).toBeGreaterThan(0);
    expect((error as StartOrderError).applications.every((n) => ['a', 'b', 'c'].includes(n))).toBe(true);
  });
});
