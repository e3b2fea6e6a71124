/**
 * Every error kind of the relup compiler (OTP's atoms of semantics.md §4.7, §4.2 and §5, plus
 * hotrel's), each from a scenario that produces it, with the message a user sees.
 */
import { describe, expect, it } from 'vitest';
import {
  RELUP_ERROR_KINDS,
  RelupError,
  translateScripts,
  type AppRecord,
  type RelupErrorKind,
} from '../../src/release/relup';
import { app, appupOf, release, relupOf, type World } from '../helpers/releases';

const A2: AppRecord = { name: 'a', vsn: '2', type: 'permanent', modules: ['a:m1', 'a:m2'] };
const A1: AppRecord = { name: 'a', vsn: '1', type: 'permanent', modules: ['a:m1', 'a:m2'] };
const C1: AppRecord = { name: 'c', vsn: '1', type: 'permanent', modules: ['c:c1'] };

/** Translates one raw script (qualified names) as the upgrade a-1 -> a-2 with c-1 removed. */
const translate =
  (...script: unknown[]) =>
  (): unknown =>
    translateScripts('up', [script as never[]], [A2], [A1, C1]);

function world(): World {
  return {
    releases: [release('1', [['a', '1']]), release('2', [['a', '2']])],
    apps: [app('a', '1', ['m1', 'm2']), app('a', '2', ['m1', 'm2'])],
    appups: { a: appupOf({ vsn: '2', up: { '1': [{ op: 'load_module', module: 'm1' }] }, down: {} }) },
  };
}

const PONR = { op: 'point_of_no_return' };
const load = { op: 'load_module', module: 'a:m1' };

const scenarios: Record<RelupErrorKind, { run: () => unknown; says: RegExp }> = {
  bad_instruction: { run: translate({ op: 'foo' }), says: /"op" to be one of/ },
  bad_module: {
    run: translate({ op: 'load_module', module: 'not a module' }),
    says: /module: expected a module/,
  },
  bad_change: {
    run: translate({ op: 'update', module: 'a:m1', change: 'hard' }),
    says: /"soft" or \{"advanced"/,
  },
  bad_mod_type: {
    run: translate({ op: 'update', module: 'a:m1', modType: 'fixed' }),
    says: /"static" or "dynamic"/,
  },
  bad_purge_method: {
    run: translate({ op: 'load_module', module: 'a:m1', prePurge: 'soft' }),
    says: /"soft_purge" or "brutal_purge", got "soft"/,
  },
  bad_list: { run: translate({ op: 'purge', modules: 'a:m1' }), says: /expected a list of module names/ },
  bad_args_list: {
    run: translate({ op: 'apply', module: 'a:m1', function: 'f', args: 'no' }),
    says: /expected a list of arguments/,
  },
  bad_node: { run: translate({ op: 'sync_nodes', id: 1, nodes: [3] }), says: /node name/ },
  bad_application: {
    run: translate({ op: 'remove_application', application: 'no/slash' }),
    says: /application name/,
  },
  bad_start_type: {
    run: translate({ op: 'add_application', application: 'b', type: 'perm' }),
    says: /"permanent", "transient", "temporary", "load" or "none"/,
  },
  bad_func: {
    run: translate({ op: 'apply', module: 'a:m1', function: '1x', args: [] }),
    says: /function name/,
  },
  bad_lib: {
    run: translate({ op: 'load_object_code', app: 'bad app', vsn: '2', modules: [] }),
    says: /application name/,
  },
  bad_lib_vsn: {
    run: translate({ op: 'load_object_code', app: 'a', vsn: 'a b', modules: [] }),
    says: /version string/,
  },
  bad_timeout: { run: translate({ op: 'update', module: 'a:m1', timeout: 0 }), says: /integer > 0/ },
  bad_mode: {
    run: translate({ op: 'code_change', mode: 'sideways', modules: [] }),
    says: /"up" or "down", got "sideways"/,
  },
  bad_code_change: {
    run: translate({ op: 'code_change', modules: [1] }),
    says: /\{"module": <name>, "extra"/,
  },
  not_yet_implemented: { run: translate({ op: 'mnesia_backup' }), says: /mnesia_backup is not implemented/ },
  too_many_point_of_no_return: { run: translate(PONR, PONR), says: /more than one point_of_no_return/ },
  bad_op_before_point_of_no_return: { run: translate(load, PONR), says: /only load_object_code and apply/ },
  no_object_code: {
    run: translate({ op: 'load', module: 'a:m1' }),
    says: /no load_object_code reads its code/,
  },
  suspended_not_resumed: { run: translate({ op: 'suspend', modules: ['a:m1'] }), says: /never resumed/ },
  resumed_not_suspended: { run: translate({ op: 'resume', modules: ['a:m1'] }), says: /never suspended/ },
  start_not_stop: { run: translate({ op: 'start', modules: ['a:m1'] }), says: /started but never stopped/ },
  stop_not_start: { run: translate({ op: 'stop', modules: ['a:m1'] }), says: /stopped but never started/ },
  no_such_application: {
    run: translate({ op: 'add_application', application: 'zz' }),
    says: /"zz" is added but the release being installed does not contain it/,
  },
  removed_application_present: {
    run: translate({ op: 'remove_application', application: 'a' }),
    says: /still contains/,
  },
  conflicting_versions: {
    // A hand-written load_object_code naming the old version of a, beside the translator's own.
    run: translate({ op: 'load_object_code', app: 'a', vsn: '1', modules: ['a:m2'] }, PONR, load),
    says: /two versions, "1" and "2"/,
  },
  no_such_module: {
    run: translate({ op: 'load_module', module: 'a:zz' }),
    says: /no application of the release/,
  },
  undef_module: {
    run: translate({ op: 'load_module', module: 'a:m1', deps: ['a:m2'] }),
    says: /deps may only name modules that this upgrade/,
  },
  muldef_module: {
    run: translate(load, { op: 'update', module: 'a:m1' }),
    says: /has two instructions \(load_module and update\)/,
  },
  no_relup: {
    run: () =>
      relupOf({ ...world(), appups: { a: appupOf({ vsn: '2', up: { '0': [] }, down: {} }) } }, '2', {
        up: ['1'],
      }),
    says: /has no "up" entry for a 1/,
  },
  file_problem: { run: () => relupOf({ ...world(), appups: {} }, '2', { up: ['1'] }), says: /has no appup/ },
  warnings_treated_as_errors: {
    run: () => {
      const w = world();
      w.releases[1]!.hotrel = '9.9.9';
      return relupOf(w, '2', { up: ['1'] }, { warningsAsErrors: true });
    },
    says: /warnings treated as errors:\n {2}- hotrel changes from 0\.1\.0/,
  },
  undefined_applications: {
    run: () => {
      const w = world();
      w.apps[1] = app('a', '2', ['m1', 'm2'], { applications: ['ghost'] });
      return relupOf(w, '2', { up: ['1'] });
    },
    says: /required applications "ghost" are not in the release/,
  },
  circular_dependencies: {
    run: () => {
      const w = world();
      w.releases[1] = release('2', [
        ['a', '2'],
        ['b', '1'],
      ]);
      w.apps[1] = app('a', '2', ['m1', 'm2'], { applications: ['b'] });
      w.apps.push(app('b', '1', ['x'], { applications: ['a'] }));
      return relupOf(w, '2', { up: ['1'] });
    },
    says: /"a", "b" depend on each other in a cycle|"b", "a" depend on each other in a cycle/,
  },
  app_not_found: {
    run: () => relupOf({ ...world(), apps: [app('a', '2', ['m1'])] }, '2', { up: ['1'] }),
    says: /contains a 1, but its app\.json \(lib\/a-1\/a\.app\.json\) was not given/,
  },
  duplicate_release: { run: () => relupOf(world(), '2', { up: ['1', '1'] }), says: /listed twice in upFrom/ },
};

describe('every error kind of the relup compiler', () => {
  it('has a scenario for each kind', () => {
    expect(Object.keys(scenarios).sort()).toEqual([...RELUP_ERROR_KINDS].sort());
  });

  it.each(Object.entries(scenarios))('%s', (kind, { run, says }) => {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RelupError);
    expect((error as RelupError).kind).toBe(kind);
    expect((error as RelupError).message).toMatch(says);
  });
});
