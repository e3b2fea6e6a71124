/**
 * makeRelup: systools_relup's per-release work (semantics.md §5, OTP's systools_SUITE relup
 * cases): which appups are used, added and removed applications, node restarts, several base
 * releases, warnings.
 */
import { describe, expect, it } from 'vitest';
import type { RelupInstruction } from '../../src/model';
import { RelupError, makeRelup } from '../../src/release/relup';
import { app, appupOf, release, relupOf, type World } from '../helpers/releases';

const PONR: RelupInstruction = { op: 'point_of_no_return' };
const load = (module: string): RelupInstruction => ({
  op: 'load',
  module,
  prePurge: 'brutal_purge',
  postPurge: 'brutal_purge',
});
const apply = (fn: string, ...args: string[]): RelupInstruction => ({
  op: 'apply',
  module: 'application',
  function: fn,
  args,
});

/** db changes 1.0 -> 2.0; web stays; legacy is removed; metrics is added. */
function world(): World {
  return {
    releases: [
      release('1', [
        ['db', '1.0'],
        ['web', '1.0'],
        ['legacy', '1.0'],
      ]),
      release('2', [
        ['db', '2.0'],
        ['web', '1.0'],
        ['metrics', '1.0', 'transient'],
      ]),
    ],
    apps: [
      app('db', '1.0', ['srv', 'store']),
      app('db', '2.0', ['srv', 'store', 'cache']),
      app('web', '1.0', ['handler'], { applications: ['db'] }),
      app('legacy', '1.0', ['old']),
      app('metrics', '1.0', ['counter']),
    ],
    appups: {
      db: appupOf(
        {
          vsn: '2.0',
          up: {
            '1.0': [
              { op: 'add_module', module: 'cache' },
              { op: 'update', module: 'srv', change: { advanced: [] }, deps: ['cache'] },
            ],
          },
          down: {
            '1.0': [
              { op: 'update', module: 'srv', change: { advanced: [] } },
              { op: 'delete_module', module: 'cache' },
            ],
          },
        },
        'lib/db-2.0/db.appup.json',
      ),
    },
  };
}

describe('makeRelup', () => {
  it('adds new applications first, then the changed applications, then removes the old ones', () => {
    const { relup, warnings } = relupOf(world(), '2', { up: ['1'], down: ['1'] });
    expect(warnings).toEqual([]);
    expect(relup.vsn).toBe('2');
    expect(relup.up).toEqual([
      {
        vsn: '1',
        description: '',
        instructions: [
          { op: 'load_object_code', app: 'metrics', vsn: '1.0', modules: ['metrics:counter'] },
          { op: 'load_object_code', app: 'db', vsn: '2.0', modules: ['db:srv', 'db:cache'] },
          PONR,
          load('metrics:counter'),
          apply('start', 'metrics', 'transient'),
          { op: 'suspend', modules: ['db:srv'] },
          load('db:cache'),
          load('db:srv'),
          { op: 'code_change', mode: 'up', modules: [{ module: 'db:srv', extra: [] }] },
          { op: 'resume', modules: ['db:srv'] },
          apply('stop', 'legacy'),
          { op: 'remove', module: 'legacy:old', prePurge: 'brutal_purge', postPurge: 'brutal_purge' },
          { op: 'purge', modules: ['legacy:old'] },
          apply('unload', 'legacy'),
        ],
      },
    ]);
    // Down: legacy comes back (its code is the base release's), metrics goes, db converts down first.
    expect(relup.down[0]!.instructions).toEqual([
      { op: 'load_object_code', app: 'legacy', vsn: '1.0', modules: ['legacy:old'] },
      { op: 'load_object_code', app: 'db', vsn: '1.0', modules: ['db:srv'] },
      PONR,
      load('legacy:old'),
      apply('start', 'legacy', 'permanent'),
      { op: 'suspend', modules: ['db:srv'] },
      { op: 'code_change', mode: 'down', modules: [{ module: 'db:srv', extra: [] }] },
      load('db:srv'),
      { op: 'resume', modules: ['db:srv'] },
      { op: 'remove', module: 'db:cache', prePurge: 'brutal_purge', postPurge: 'brutal_purge' },
      { op: 'purge', modules: ['db:cache'] },
      apply('stop', 'metrics'),
      { op: 'remove', module: 'metrics:counter', prePurge: 'brutal_purge', postPurge: 'brutal_purge' },
      { op: 'purge', modules: ['metrics:counter'] },
      apply('unload', 'metrics'),
    ]);
  });

  it('needs no appup for an application whose version did not change', () => {
    const w = world();
    w.releases.push(
      release('1.1', [
        ['db', '2.0'],
        ['web', '1.0'],
        ['legacy', '1.0'],
      ]),
    );
    w.appups = {};
    const { relup } = relupOf(
      {
        ...w,
        releases: [
          ...w.releases,
          release('3', [
            ['db', '2.0'],
            ['web', '1.0'],
            ['legacy', '1.0'],
          ]),
        ],
      },
      '3',
      { up: ['1.1'], down: ['1.1'] },
    );
    expect(relup.up[0]!.instructions).toEqual([PONR]);
    expect(relup.down[0]!.instructions).toEqual([PONR]);
  });

  it('fails with file_problem when a changed application has no appup, and with no_relup when no entry matches', () => {
    const missing = { ...world(), appups: {} };
    expect(() => relupOf(missing, '2', { up: ['1'] })).toThrow(
      expect.objectContaining({ kind: 'file_problem', context: { direction: 'up', base: '1' } }),
    );
    const w = world();
    w.releases.push(
      release('0.9', [
        ['db', '0.9'],
        ['web', '1.0'],
        ['legacy', '1.0'],
      ]),
    );
    w.apps.push(app('db', '0.9', ['srv']));
    let error: unknown;
    try {
      relupOf(w, '2', { up: ['0.9'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RelupError);
    expect(error).toMatchObject({ kind: 'no_relup', detail: { application: 'db', vsn: '0.9' } });
    expect((error as Error).message).toBe(
      'upgrade from 0.9: lib/db-2.0/db.appup.json has no "up" entry for db 0.9 (its "up" keys: "1.0"); ' +
        'add an entry matching 0.9, or do not upgrade from a release with db 0.9',
    );
  });

  it('reads an appup only when it is needed; an unusable one is a file_problem then', () => {
    const w = world();
    w.appups.web = {
      problem: 'lib/web-1.0/web.appup.json: invalid JSON: Unexpected token',
      file: 'lib/web-1.0/web.appup.json',
    };
    expect(() => relupOf(w, '2', { up: ['1'] })).not.toThrow();
    w.appups.db = { problem: 'lib/db-2.0/db.appup.json: invalid JSON: Unexpected token' };
    expect(() => relupOf(w, '2', { up: ['1'] })).toThrow(expect.objectContaining({ kind: 'file_problem' }));
  });

  it('reports an invalid instruction of an appup with its OTP atom and its place in the file', () => {
    const w = world();
    w.appups.db = appupOf(
      {
        vsn: '2.0',
        up: { '1.0': [{ op: 'load_module', module: 'srv', prePurge: 'soft' as never }] },
        down: {},
      },
      'lib/db-2.0/db.appup.json',
    );
    expect(() => relupOf(w, '2', { up: ['1'] })).toThrow(
      expect.objectContaining({
        kind: 'bad_purge_method',
        message:
          'upgrade from 1: lib/db-2.0/db.appup.json: up["1.0"][0].prePurge: expected "soft_purge" or "brutal_purge", got "soft"',
      }),
    );
  });

  it('starts added applications by their start type; load_object_code even for type none', () => {
    const w: World = {
      releases: [
        release('1', [['base', '1']]),
        release('2', [
          ['base', '1'],
          ['p', '1', 'permanent'],
          ['t', '1', 'transient'],
          ['tmp', '1', 'temporary'],
          ['l', '1', 'load'],
          ['n', '1', 'none'],
        ]),
      ],
      apps: ['base', 'p', 't', 'tmp', 'l', 'n'].map((name) => app(name, '1', ['m'])),
      appups: {},
    };
    const { relup } = relupOf(w, '2', { up: ['1'], down: ['1'] });
    const up = relup.up[0]!.instructions;
    expect(up.filter((i) => i.op === 'load_object_code').map((i) => (i as { app: string }).app)).toEqual([
      'p',
      't',
      'tmp',
      'l',
      'n',
    ]);
    expect(up.filter((i) => i.op === 'apply')).toEqual([
      apply('start', 'p', 'permanent'),
      apply('start', 't', 'transient'),
      apply('start', 'tmp', 'temporary'),
      apply('load', 'l'),
    ]);
    // Down: every removed application is stopped and unloaded, whatever its type; nothing is read.
    const down = relup.down[0]!.instructions;
    expect(down.filter((i) => i.op === 'load_object_code')).toEqual([]);
    expect(down.filter((i) => i.op === 'apply')).toEqual(
      ['p', 't', 'tmp', 'l', 'n'].flatMap((n) => [apply('stop', n), apply('unload', n)]),
    );
  });

  it('restart_application starts the application by its start type in the new release', () => {
    const w: World = {
      releases: [release('1', [['a', '1']]), release('2', [['a', '2', 'load']])],
      apps: [app('a', '1', ['x']), app('a', '2', ['x', 'y'])],
      appups: {
        a: appupOf({
          vsn: '2',
          up: { '/.*/': [{ op: 'restart_application', application: 'a' }] },
          down: { '/.*/': [{ op: 'restart_application', application: 'a' }] },
        }),
      },
    };
    const { relup } = relupOf(w, '2', { up: ['1'], down: ['1'] });
    expect(relup.up[0]!.instructions.at(-1)).toEqual(apply('load', 'a'));
    expect(relup.down[0]!.instructions.at(-1)).toEqual(apply('start', 'a', 'permanent'));
  });

  describe('from-version keys', () => {
    const regexWorld = (): World => ({
      releases: [
        release('r2.1', [['db', '2.1']]),
        release('r2.1.1', [['db', '2.1.1']]),
        release('r3.1', [['db', '3.1']]),
      ],
      apps: [app('db', '2.1', ['m']), app('db', '2.1.1', ['m']), app('db', '3.1', ['m'])],
      appups: {
        db: appupOf({
          vsn: '3.1',
          up: {
            '2.1': [{ op: 'load_module', module: 'm' }],
            '/2\\.1\\.[0-9]+/': [{ op: 'load_module', module: 'm' }, { op: 'restart_emulator' }],
          },
          // Unanchored, but the first match must be the whole version: "2.1" in "2.1.1" is not.
          down: { '/2\\.1/': [{ op: 'load_module', module: 'm' }] },
        }),
      },
    });

    it('takes the first entry whose key matches (regexp_relup)', () => {
      const { relup } = relupOf(regexWorld(), 'r3.1', { up: ['r2.1', 'r2.1.1'], down: ['r2.1'] });
      const byVsn = Object.fromEntries(relup.up.map((s) => [s.vsn, s.instructions]));
      expect(byVsn['r2.1']!.at(-1)).toEqual(load('db:m'));
      expect(byVsn['r2.1.1']!.at(-1)).toEqual({ op: 'restart_emulator' });
      expect(() => relupOf(regexWorld(), 'r3.1', { down: ['r2.1.1'] })).toThrow(
        expect.objectContaining({ kind: 'no_relup', context: { direction: 'down', base: 'r2.1.1' } }),
      );
    });

    it('an earlier partial match hides a later full match, as in OTP', () => {
      const w = regexWorld();
      w.appups.db = appupOf({
        vsn: '3.1',
        up: { '/2|2\\.1/': [{ op: 'restart_emulator' }], '2.1': [{ op: 'load_module', module: 'm' }] },
        down: {},
      });
      // "/2|2\.1/" first matches "2" in "2.1": not the whole version, so the exact key wins.
      expect(relupOf(w, 'r3.1', { up: ['r2.1'] }).relup.up[0]!.instructions.at(-1)).toEqual(load('db:m'));
    });

    it('accepts semver ranges', () => {
      const w = regexWorld();
      w.appups.db = appupOf({
        vsn: '3.1',
        up: {
          'semver:>=2.1.1 <3': [{ op: 'restart_emulator' }],
          '/.*/': [{ op: 'load_module', module: 'm' }],
        },
        down: {},
      });
      const { relup } = relupOf(w, 'r3.1', { up: ['r2.1', 'r2.1.1'] });
      const byVsn = Object.fromEntries(relup.up.map((s) => [s.vsn, s.instructions.at(-1)]));
      // "2.1" is not valid semver: only the pattern can match it.
      expect(byVsn).toEqual({ 'r2.1': load('db:m'), 'r2.1.1': { op: 'restart_emulator' } });
    });
  });

  describe('node restarts', () => {
    it('a new Node.js version restarts the node first on the way up and last on the way down, with a warning', () => {
      const w = world();
      w.releases[1] = { ...w.releases[1]!, node: '22.1.0' };
      const { relup, warnings } = relupOf(w, '2', { up: ['1'], down: ['1'] });
      expect(relup.up[0]!.instructions[0]).toEqual({ op: 'restart_new_emulator' });
      expect(relup.up[0]!.instructions.filter((i) => i.op.startsWith('restart'))).toHaveLength(1);
      expect(relup.down[0]!.instructions.at(-1)).toEqual({ op: 'restart_emulator' });
      expect(relup.down[0]!.instructions.filter((i) => i.op.startsWith('restart'))).toHaveLength(1);
      expect(warnings).toEqual([
        expect.objectContaining({
          kind: 'node_vsn_changed',
          from: { name: 'rel', vsn: '1', node: '20.20.2' },
          to: { name: 'rel', vsn: '2', node: '22.1.0' },
        }),
      ]);
    });

    it('a new hotrel version does the same; with both changed there is still one restart', () => {
      const w = world();
      w.releases[1] = { ...w.releases[1]!, hotrel: '0.2.0', node: '22.1.0' };
      const { relup, warnings } = relupOf(w, '2', { up: ['1'] });
      expect(relup.up[0]!.instructions.filter((i) => i.op === 'restart_new_emulator')).toHaveLength(1);
      expect(warnings.map((x) => x.kind)).toEqual(['node_vsn_changed', 'hotrel_vsn_changed']);
    });

    it('changed third-party dependencies append a restart_emulator both ways, with a warning', () => {
      const w = world();
      w.releases[0] = { ...w.releases[0]!, dependencies: { pino: '10.4.0', old: '1.0.0' } };
      w.releases[1] = { ...w.releases[1]!, dependencies: { pino: '10.5.0', fresh: '2.0.0' } };
      const { relup, warnings } = relupOf(w, '2', { up: ['1'], down: ['1'] });
      expect(relup.up[0]!.instructions.at(-1)).toEqual({ op: 'restart_emulator' });
      expect(relup.down[0]!.instructions.at(-1)).toEqual({ op: 'restart_emulator' });
      expect(relup.up[0]!.instructions[0]!.op).toBe('load_object_code');
      expect(warnings).toEqual([
        expect.objectContaining({
          kind: 'dependencies_changed',
          changes: [
            { package: 'fresh', from: null, to: '2.0.0' },
            { package: 'old', from: '1.0.0', to: null },
            { package: 'pino', from: '10.4.0', to: '10.5.0' },
          ],
        }),
      ]);
    });

    it('the restartEmulator option ends both scripts with a restart; with a new Node.js the upgrade restarts twice', () => {
      const w = world();
      const plain = relupOf(w, '2', { up: ['1'], down: ['1'] }, { restartEmulator: true }).relup;
      expect(plain.up[0]!.instructions.at(-1)).toEqual({ op: 'restart_emulator' });
      expect(plain.down[0]!.instructions.at(-1)).toEqual({ op: 'restart_emulator' });
      w.releases[1] = { ...w.releases[1]!, node: '22.1.0' };
      const both = relupOf(w, '2', { up: ['1'], down: ['1'] }, { restartEmulator: true }).relup;
      expect(both.up[0]!.instructions[0]).toEqual({ op: 'restart_new_emulator' });
      expect(both.up[0]!.instructions.at(-1)).toEqual({ op: 'restart_emulator' });
      expect(both.down[0]!.instructions.filter((i) => i.op === 'restart_emulator')).toHaveLength(1);
    });
  });

  it('warnings as errors: fails with warnings_treated_as_errors listing them', () => {
    const w = world();
    w.releases[1] = { ...w.releases[1]!, node: '22.1.0' };
    expect(() => relupOf(w, '2', { up: ['1'] }, { warningsAsErrors: true })).toThrow(
      expect.objectContaining({
        kind: 'warnings_treated_as_errors',
        detail: { warnings: [expect.objectContaining({ kind: 'node_vsn_changed' })] },
      }),
    );
  });

  it('warns when the appup is for another version (bad_vsn) and uses it anyway', () => {
    const w = world();
    const source = w.appups.db as { appup: { vsn: string } };
    source.appup.vsn = '1.9';
    const { relup, warnings } = relupOf(w, '2', { up: ['1'], down: ['1'] });
    expect(relup.up).toHaveLength(1);
    expect(warnings).toEqual([
      {
        kind: 'bad_vsn',
        app: 'db',
        appupVsn: '1.9',
        appVsn: '2.0',
        message:
          'lib/db-2.0/db.appup.json is for version 1.9 but db is at 2.0; it is used anyway (check its "vsn")',
      },
    ]);
  });

  it('visits changed applications in start order, even if the release lists them otherwise', () => {
    const w: World = {
      releases: [
        release('1', [
          ['front', '1'],
          ['back', '1'],
        ]),
        release('2', [
          ['front', '2'],
          ['back', '2'],
        ]),
      ],
      apps: [
        app('front', '1', ['f'], { applications: ['back'] }),
        app('front', '2', ['f'], { applications: ['back'] }),
        app('back', '1', ['b']),
        app('back', '2', ['b']),
      ],
      appups: {
        front: appupOf({ vsn: '2', up: { '1': [{ op: 'apply', module: 'f', function: 'up' }] }, down: {} }),
        back: appupOf({ vsn: '2', up: { '1': [{ op: 'apply', module: 'b', function: 'up' }] }, down: {} }),
      },
    };
    const script = relupOf(w, '2', { up: ['1'] }).relup.up[0]!.instructions;
    expect(script.filter((i) => i.op === 'apply').map((i) => (i as { module: string }).module)).toEqual([
      'back:b',
      'front:f',
    ]);
  });

  it('builds several up and down sections, in reverse order of the lists as systools does', () => {
    const w = world();
    w.releases.push(
      release('1.5', [
        ['db', '1.0'],
        ['web', '1.0'],
        ['metrics', '1.0'],
      ]),
    );
    const { relup } = relupOf(w, '2', { up: ['1', '1.5'], down: ['1.5', '1'] });
    expect(relup.up.map((s) => s.vsn)).toEqual(['1.5', '1']);
    expect(relup.down.map((s) => s.vsn)).toEqual(['1', '1.5']);
    // From 1.5 nothing is added or removed: only db changes.
    expect(relup.up[0]!.instructions.filter((i) => i.op === 'apply')).toEqual([]);
  });

  it('lets a dependency cross applications: both are one component', () => {
    const w: World = {
      releases: [
        release('1', [
          ['lib', '1'],
          ['svc', '1'],
        ]),
        release('2', [
          ['lib', '2'],
          ['svc', '2'],
        ]),
      ],
      apps: [
        app('lib', '1', ['util']),
        app('lib', '2', ['util']),
        app('svc', '1', ['srv']),
        app('svc', '2', ['srv']),
      ],
      appups: {
        lib: appupOf({ vsn: '2', up: { '1': [{ op: 'load_module', module: 'util' }] }, down: {} }),
        svc: appupOf({
          vsn: '2',
          up: { '1': [{ op: 'update', module: 'srv', change: { advanced: 1 }, deps: ['lib:util'] }] },
          down: {},
        }),
      },
    };
    const script = relupOf(w, '2', { up: ['1'] }).relup.up[0]!.instructions;
    expect(script).toEqual([
      { op: 'load_object_code', app: 'svc', vsn: '2', modules: ['svc:srv'] },
      { op: 'load_object_code', app: 'lib', vsn: '2', modules: ['lib:util'] },
      PONR,
      { op: 'suspend', modules: ['svc:srv'] },
      load('lib:util'),
      load('svc:srv'),
      { op: 'code_change', mode: 'up', modules: [{ module: 'svc:srv', extra: 1 }] },
      { op: 'resume', modules: ['svc:srv'] },
    ]);
  });

  it('leaves out a base release no appup covers when asked to (skipUncovered), with a warning', () => {
    const w = world();
    w.releases.push(
      release('0.9', [
        ['db', '0.9'],
        ['web', '1.0'],
        ['legacy', '1.0'],
      ]),
    );
    w.apps.push(app('db', '0.9', ['srv']));
    const { relup, warnings } = relupOf(
      w,
      '2',
      { up: ['0.9', '1'], down: ['0.9', '1'] },
      { skipUncovered: true },
    );
    expect(relup.up.map((s) => s.vsn)).toEqual(['1']);
    expect(relup.down.map((s) => s.vsn)).toEqual(['1']);
    expect(warnings.map((x) => [x.kind, 'direction' in x ? x.direction : undefined])).toEqual([
      ['uncovered_release', 'up'],
      ['uncovered_release', 'down'],
    ]);
  });

  it('resolves the module names of hand-written low-level instructions in an appup', () => {
    const w: World = {
      releases: [
        release('1', [
          ['a', '1'],
          ['b', '1'],
        ]),
        release('2', [
          ['a', '2'],
          ['b', '1'],
        ]),
      ],
      apps: [app('a', '1', ['m', 'sup']), app('a', '2', ['m', 'sup']), app('b', '1', ['x'])],
      appups: {
        a: appupOf({
          vsn: '2',
          up: {
            '1': [
              { op: 'load_object_code', app: 'a', vsn: '2', modules: ['m'] },
              { op: 'apply', module: 'checks', function: 'ready', args: [] },
              { op: 'point_of_no_return' },
              { op: 'suspend', modules: [{ module: 'm', timeout: 'infinity' }] },
              { op: 'load', module: 'm' },
              { op: 'code_change', modules: [{ module: 'm' }] },
              { op: 'resume', modules: ['m'] },
              { op: 'apply', module: 'supervisor', function: 'restart_child', args: ['sup', 'w'] },
              { op: 'apply', module: 'b:x', function: 'refresh' },
              { op: 'sync_nodes', id: 'upgraded', apply: { module: 'cluster', function: 'nodes' } },
            ],
          },
          down: {},
        }),
      },
    };
    expect(relupOf(w, '2', { up: ['1'] }).relup.up[0]!.instructions).toEqual([
      { op: 'load_object_code', app: 'a', vsn: '2', modules: ['a:m'] },
      { op: 'apply', module: 'a:checks', function: 'ready', args: [] },
      PONR,
      { op: 'suspend', modules: [{ module: 'a:m', timeout: 'infinity' }] },
      load('a:m'),
      { op: 'code_change', mode: 'up', modules: [{ module: 'a:m', extra: [] }] },
      { op: 'resume', modules: ['a:m'] },
      { op: 'apply', module: 'supervisor', function: 'restart_child', args: ['sup', 'w'] },
      { op: 'apply', module: 'b:x', function: 'refresh', args: [] },
      { op: 'sync_nodes', id: 'upgraded', apply: { module: 'a:cluster', function: 'nodes', args: [] } },
    ]);
  });

  it('passes descriptions through, and is empty without base releases', () => {
    const w = world();
    expect(relupOf(w, '2', {}).relup).toEqual({ vsn: '2', up: [], down: [] });
    const { relup } = makeRelup({
      target: w.releases[1]!,
      upFrom: [{ release: w.releases[0]!, description: { ticket: 'OPS-1' } }],
      downTo: [{ release: w.releases[0]!, description: 'rollback' }],
      apps: w.apps,
      appups: w.appups,
    });
    expect(relup.up[0]!.description).toEqual({ ticket: 'OPS-1' });
    expect(relup.down[0]!.description).toBe('rollback');
  });
});
