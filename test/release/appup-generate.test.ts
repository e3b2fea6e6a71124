/**
 * Appup generation on real built releases: relapp (test/fixtures/relapp, hotrel's port of
 * rebar3_appup_plugin's regression application relapp1) is built at every version into one
 * release root, and each hop of relapp1's suite (appup-tools.md §1.8, §2) is generated and its
 * plan asserted, up and down.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppupInstructionInput } from '../../src/model';
import { makeRelup } from '../../src/release/relup';
import {
  generateAppups,
  parsePurgeSpec,
  readReleaseSet,
  type GenerateOptions,
  type GenerateResult,
} from '../../src/release/appup-gen';
import { buildRelease } from '../../src/release/build/release';
import { buildRelapp, materialise, overlayVersions, removeRelappDirs, tempDir } from '../helpers/relapp';

let root: string;

beforeAll(async () => {
  root = await buildRelapp(['1.0.0', '1.0.1', ...overlayVersions().slice(1)]);
}, 120_000);
afterAll(removeRelappDirs);

function generate(target: string, from?: string, options: GenerateOptions = {}, at = root): GenerateResult {
  const set = readReleaseSet(at);
  return generateAppups({ current: set, previous: set, target, previousVersion: from, options });
}

/** The generated relapp plan of one hop: up and down instruction lists, warnings and notes. */
function hop(target: string, from: string, options: GenerateOptions = {}) {
  const result = generate(target, from, options);
  const relapp = result.apps.find((a) => a.app === 'relapp')!;
  return {
    result,
    relapp,
    up: relapp.appup?.up[from] as AppupInstructionInput[] | undefined,
    down: relapp.appup?.down[from] as AppupInstructionInput[] | undefined,
  };
}

const RECONCILE = { advanced: { reconcileChildren: true } };
const sup = (module: string, deps?: string[]): AppupInstructionInput => ({
  op: 'update',
  module,
  modType: 'static',
  change: RECONCILE,
  ...(deps === undefined ? {} : { deps }),
});
const advanced = (module: string, extra: unknown = [], more: object = {}): AppupInstructionInput =>
  ({ op: 'update', module, change: { advanced: extra }, ...more }) as AppupInstructionInput;
const add = (module: string, deps?: string[]): AppupInstructionInput => ({
  op: 'add_module',
  module,
  ...(deps === undefined ? {} : { deps }),
});
const del = (module: string): AppupInstructionInput => ({ op: 'delete_module', module });
const load = (module: string, more: object = {}): AppupInstructionInput =>
  ({ op: 'load_module', module, ...more }) as AppupInstructionInput;
const announce = (what: string): AppupInstructionInput => ({
  op: 'apply',
  module: 'relapp_m1',
  function: 'announce',
  args: [what],
});

describe('relapp1 hops: generated plans', () => {
  it('1.0.0 -> 1.0.1, a version bump only: an empty plan both ways (the appup still exists)', () => {
    const { relapp, up, down, result } = hop('1.0.1', '1.0.0');
    expect(relapp.action).toBe('generated');
    expect(up).toEqual([]);
    expect(down).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it('1.0.1 -> 1.0.2, a supervisor change without child change: a supervisor update both ways', () => {
    const { up, down, relapp } = hop('1.0.2', '1.0.1');
    expect(up).toEqual([sup('relapp_sup')]);
    expect(down).toEqual([sup('relapp_sup')]);
    expect(relapp.from[0]!.up[0]!.why).toMatch(/Supervisor callback module.*same children/);
  });

  it('1.0.2 -> 1.0.3, a new server with its child: added before the supervisor that starts it', () => {
    const { up, down, relapp } = hop('1.0.3', '1.0.2');
    expect(up).toEqual([add('relapp_srv'), sup('relapp_sup', ['relapp_srv'])]);
    expect(down).toEqual([sup('relapp_sup'), del('relapp_srv')]);
    expect(relapp.from[0]!.up[1]!.why).toMatch(/children added: relapp_srv \(started\)/);
    expect(relapp.from[0]!.down[0]!.why).toMatch(/children removed: relapp_srv \(stopped\)/);
  });

  it('1.0.3 -> 1.0.4, a state change without codeChange: update advanced, and a warning', () => {
    const { up, down, result } = hop('1.0.4', '1.0.3');
    expect(up).toEqual([advanced('relapp_srv')]);
    expect(down).toEqual([advanced('relapp_srv')]);
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /relapp_srv: its state type changed between 1\.0\.3 and 1\.0\.4, but it has no codeChange/,
      ),
    ]);
  });

  it('1.0.4 -> 1.0.5, a state change converted by codeChange: no warning', () => {
    const { up, result, relapp } = hop('1.0.5', '1.0.4');
    expect(up).toEqual([advanced('relapp_srv')]);
    expect(result.warnings).toEqual([]);
    expect(relapp.from[0]!.up[0]!.why).toMatch(/its state type changed: its codeChange converts it/);
  });

  it('1.0.5 -> 1.0.8 and 1.0.8 -> 1.0.9: an added and a removed dependency application', () => {
    const added = hop('1.0.8', '1.0.5');
    expect(added.up).toEqual([]);
    expect(added.down).toEqual([]);
    expect(added.result.apps.find((a) => a.app === 'depapp')).toMatchObject({
      action: 'added',
      vsn: '1.0.0',
    });
    const removed = hop('1.0.9', '1.0.8');
    expect(removed.up).toEqual([]);
    expect(removed.result.apps.find((a) => a.app === 'depapp')).toMatchObject({ action: 'removed' });

    // The relup compiler takes it from there: it starts depapp going up to 1.0.8 and stops it going down.
    const set = readReleaseSet(root);
    const relup = makeRelup({
      target: set.releases.get('1.0.8')!,
      upFrom: [{ release: set.releases.get('1.0.5')! }],
      downTo: [{ release: set.releases.get('1.0.5')! }],
      apps: appsOf(set, ['1.0.8', '1.0.5']),
      appups: { relapp: { appup: added.relapp.appup as never, file: 'relapp.appup.json' } },
    }).relup;
    expect(relup.up[0]!.instructions).toContainEqual({
      op: 'apply',
      module: 'application',
      function: 'start',
      args: ['depapp', 'permanent'],
    });
    expect(relup.down[0]!.instructions).toContainEqual({
      op: 'apply',
      module: 'application',
      function: 'stop',
      args: ['depapp'],
    });
  });

  it('1.0.11 -> 1.0.12: a declared state shape travels in the extra, with the older shape for the downgrade', () => {
    const { up, down, relapp, result } = hop('1.0.12', '1.0.11');
    const extra = { $hotrel: { stateShape: { fields: { id: { default: 0 } }, renamed: {} } }, extra: [] };
    expect(up).toEqual([advanced('relapp_srv2', extra)]);
    expect(down).toEqual([advanced('relapp_srv2', extra)]);
    expect(relapp.from[0]!.up[0]!.why).toMatch(
      /declared state shape: added name, description \(converted automatically both ways\)/,
    );
    expect(result.warnings).toEqual([]);
  });

  it('1.0.12 -> 1.0.13, an added module; and its removal going down', () => {
    const { up, down } = hop('1.0.13', '1.0.12');
    expect(up).toEqual([add('relapp_m1')]);
    expect(down).toEqual([del('relapp_m1')]);
  });

  it('1.0.13 -> 1.0.14, dependency order: the callee is loaded before the server that calls it', () => {
    const { up, down } = hop('1.0.14', '1.0.13');
    expect(up).toEqual([load('relapp_m1'), advanced('relapp_srv', [], { deps: ['relapp_m1'] })]);
    expect(down).toEqual([advanced('relapp_srv', [], { deps: ['relapp_m1'] }), load('relapp_m1')]);
  });

  it('1.0.15 -> 1.0.16 with --purge relapp_m1=brutal, =soft, and pre/post with a default', () => {
    const brutal = hop('1.0.16', '1.0.15', { purge: parsePurgeSpec('relapp_m1=brutal') });
    const bp = { prePurge: 'brutal_purge', postPurge: 'brutal_purge' };
    expect(brutal.up).toEqual([load('relapp_m1', bp)]);
    expect(brutal.down).toEqual([load('relapp_m1', bp)]);
    const soft = hop('1.0.16', '1.0.15', { purge: parsePurgeSpec('relapp_m1=soft') });
    const sp = { prePurge: 'soft_purge', postPurge: 'soft_purge' };
    expect(soft.up).toEqual([load('relapp_m1', sp)]);
    expect(soft.down).toEqual([load('relapp_m1', sp)]);
    const mixed = hop('1.0.16', '1.0.15', {
      purge: parsePurgeSpec('default=soft;relapp:relapp_m1=soft/brutal'),
    });
    expect(mixed.up).toEqual([load('relapp_m1', { prePurge: 'soft_purge', postPurge: 'brutal_purge' })]);
    expect(hop('1.0.16', '1.0.15').up).toEqual([load('relapp_m1')]);
  });

  it('1.0.16 -> 1.0.17, a scripted relapp.appup.ts that calls project code: it wins, and is checked', () => {
    const { relapp, result } = hop('1.0.17', '1.0.16');
    expect(relapp.action).toBe('hand-written');
    const up = [
      { op: 'load_module', module: 'relapp_m1', deps: ['relapp_srv2'] },
      { op: 'update', module: 'relapp_srv', change: { advanced: [] }, deps: ['relapp_m1'] },
      { op: 'update', module: 'relapp_srv2', change: { advanced: [] } },
    ];
    expect(relapp.appup).toMatchObject({
      vsn: '1.0.17',
      up: { '1.0.16': up },
      down: { '1.0.16': [...up].reverse() },
    });
    expect(relapp.appup!.generated).toBeUndefined();
    // It leaves out the module added beside it, which the generator points out.
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /names no instruction for relapp_versions, added, changed or removed since 1\.0\.16/,
      ),
    ]);
  });

  it('1.0.17 -> 1.0.18, upgrade attributes: the extra and the suspend timeout', () => {
    const { up } = hop('1.0.18', '1.0.17');
    expect(up).toEqual([advanced('relapp_srv', { arg: 'upgrade' }, { timeout: 10000 })]);
  });

  it('1.0.18 -> 1.0.20 and 1.0.20 -> 1.0.21, an added and a removed supervisor worker', () => {
    const added = hop('1.0.20', '1.0.18');
    expect(added.up).toEqual([add('relapp_srv3'), sup('relapp_sup', ['relapp_srv3'])]);
    expect(added.down).toEqual([sup('relapp_sup'), del('relapp_srv3')]);
    const removed = hop('1.0.21', '1.0.20');
    // The supervisor stops the child before its module goes, and going down the module is back
    // before the supervisor starts the child again.
    expect(removed.up).toEqual([sup('relapp_sup'), del('relapp_srv3')]);
    expect(removed.down).toEqual([add('relapp_srv3'), sup('relapp_sup')]);
  });

  it('1.0.21 -> 1.0.22, restart_application from a pattern from-version (a hand-written appup)', () => {
    const { relapp, result } = hop('1.0.22', '1.0.21');
    expect(relapp.action).toBe('hand-written');
    expect(relapp.appup).toMatchObject({
      up: { '/.*/': [{ op: 'restart_application', application: 'relapp' }] },
      down: { '/.*/': [{ op: 'restart_application', application: 'relapp' }] },
    });
    expect(result.warnings).toEqual([]);
  });

  it('--restart: restart_application both ways, generated', () => {
    const { up, down } = hop('1.0.20', '1.0.18', { restart: ['relapp'] });
    expect(up).toEqual([{ op: 'restart_application', application: 'relapp' }]);
    expect(down).toEqual([{ op: 'restart_application', application: 'relapp' }]);
  });

  it('1.0.23 -> 1.0.26, a new child supervisor with its own worker; 1.0.27 changes it', () => {
    const { up, down } = hop('1.0.26', '1.0.23');
    expect(up).toEqual([
      add('relapp_worker'),
      add('relapp_app_sup', ['relapp_worker']),
      sup('relapp_sup', ['relapp_app_sup']),
    ]);
    expect(down).toEqual([sup('relapp_sup'), del('relapp_app_sup'), del('relapp_worker')]);
    const changed = hop('1.0.27', '1.0.26');
    expect(changed.up).toEqual([sup('relapp_app_sup')]);
    expect(changed.down).toEqual([sup('relapp_app_sup')]);
  });

  it('1.0.27 -> 1.0.28, a module name with capitals and hyphens', () => {
    const { up, down } = hop('1.0.28', '1.0.27');
    expect(up).toEqual([add('RELAPP-CAPITAL-TEST_m2')]);
    expect(down).toEqual([del('RELAPP-CAPITAL-TEST_m2')]);
  });

  it('1.0.28 -> 1.0.30, comments and layout only: no instruction', () => {
    const { up, down } = hop('1.0.30', '1.0.28');
    expect(up).toEqual([]);
    expect(down).toEqual([]);
  });

  it('1.0.30 -> 1.0.33, knit attributes: priority, purge and apply phases', () => {
    const { up, down } = hop('1.0.33', '1.0.30');
    const sp = { prePurge: 'soft_purge', postPurge: 'soft_purge' };
    const warm = { op: 'apply', module: 'relapp_m1', function: 'warm', args: [] };
    // relapp_m1 (priority 5) before the capital module, which would come first by name.
    expect(up).toEqual([
      load('relapp_m1', sp),
      warm,
      load('RELAPP-CAPITAL-TEST_m2'),
      announce('relapp_m1 upgraded'),
    ]);
    expect(down).toEqual([
      announce('relapp_m1 about to go down'),
      load('RELAPP-CAPITAL-TEST_m2'),
      load('relapp_m1', sp),
    ]);
  });

  it('1.0.33 -> 1.0.34, pre/post files: every matching entry, in file order, around the generated body', () => {
    const { up, down } = hop('1.0.34', '1.0.33');
    expect(up).toEqual([
      announce('started from 1.*'),
      announce('started from 1.0.33'),
      announce('finished from 1.*'),
      announce('finished from 1.0.33'),
    ]);
    expect(down).toEqual([
      announce('started to .*'),
      announce('started to 1.0.33'),
      announce('finished to .*'),
      announce('finished to 1.0.33'),
    ]);
  });

  it('three releases present: --previous-version picks one; by default every older release is a from-version', () => {
    const one = hop('1.0.36', '1.0.35');
    const sp = { prePurge: 'soft_purge', postPurge: 'soft_purge' };
    expect(one.up).toEqual([
      announce('started from 1.*'),
      load('relapp_m1', sp),
      { op: 'apply', module: 'relapp_m1', function: 'warm', args: [] },
      announce('relapp_m1 upgraded'),
    ]);
    expect(Object.keys(one.relapp.appup!.up)).toEqual(['1.0.35']);

    const all = generate('1.0.36');
    const relapp = all.apps.find((a) => a.app === 'relapp')!;
    const older = overlayVersions()
      .filter((v) => v !== '1.0.36')
      .concat('1.0.1');
    expect(Object.keys(relapp.appup!.up).sort()).toEqual(older.sort());
    expect(Object.keys(relapp.appup!.down).sort()).toEqual(older.sort());
    expect(all.bases).toHaveLength(older.length);
    // Each from-version has its own plan: from 1.0.34 nothing but relapp_m1 changed.
    expect(relapp.appup!.up['1.0.34']).toEqual(one.up);
    expect((relapp.appup!.up['1.0.0'] as AppupInstructionInput[]).map((i) => i.op)).toContain('add_module');
  });
});

describe('older releases in another release root (--previous DIR)', () => {
  it('takes the from-versions from there, and writes the appup into the current root', async () => {
    const previous = await buildRelapp(['1.0.35']);
    const current = await buildRelapp(['1.0.36']);
    const result = generateAppups({ current: readReleaseSet(current), previous: readReleaseSet(previous) });
    expect(result.bases).toEqual(['1.0.35']);
    const relapp = result.apps.find((a) => a.app === 'relapp')!;
    expect(Object.keys(relapp.appup!.up)).toEqual(['1.0.35']);
    expect(relapp.appup!.up['1.0.35']).toEqual(hop('1.0.36', '1.0.35').up);
  });
});

describe('supervisor checks', () => {
  it('warns when a child runs a supervisor but its spec does not say type: supervisor', async () => {
    const output = tempDir('untyped-out');
    for (const vsn of ['1.0.23', '1.0.26']) {
      const project = path.join(tempDir(`untyped-${vsn}`), 'relapp');
      materialise(vsn, project, output);
      const sup = path.join(project, 'src', 'relapp_sup.ts');
      fs.writeFileSync(sup, fs.readFileSync(sup, 'utf8').replace("type: 'supervisor' as const,", ''));
      await buildRelease({ project, typecheck: false });
    }
    const result = generate('1.0.26', '1.0.23', {}, path.join(output, 'relapp'));
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /relapp_sup: child relapp_app_sup starts the supervisor relapp_app_sup but its spec has no type: 'supervisor'/,
      ),
    ]);
    expect(hop('1.0.26', '1.0.23').result.warnings).toEqual([]);
  });
});

describe('change detection never says "unchanged" for lack of metadata', () => {
  let small: string;
  beforeAll(async () => {
    small = await buildRelapp(['1.0.0', '1.0.1']);
  }, 60_000);

  it('counts every module as changed when the older version has no modules.json, and warns', () => {
    const lib = path.join(small, 'lib', 'relapp-1.0.0');
    const saved = fs.readFileSync(path.join(lib, 'relapp.modules.json'));
    fs.rmSync(path.join(lib, 'relapp.modules.json'));
    try {
      const result = generate('1.0.1', '1.0.0', {}, small);
      const up = result.apps[0]!.appup!.up['1.0.0'] as AppupInstructionInput[];
      expect(up.map((i) => ('module' in i ? i.module : ''))).toEqual(['index', 'relapp_sup', 'relapp_app']);
      expect(result.warnings[0]).toMatch(
        /relapp 1\.0\.0: lib\/relapp-1\.0\.0\/relapp\.modules\.json is missing.*counts as changed/,
      );
    } finally {
      fs.writeFileSync(path.join(lib, 'relapp.modules.json'), saved);
    }
    expect(generate('1.0.1', '1.0.0', {}, small).apps[0]!.appup!.up['1.0.0']).toEqual([]);
  });

  it('counts a module as changed when its compiled file no longer matches its recorded hash', () => {
    const file = path.join(small, 'lib', 'relapp-1.0.1', 'index.js');
    const saved = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, saved.replace("= 'relapp'", "= 'tampered'"));
    try {
      const result = generate('1.0.1', '1.0.0', {}, small);
      expect(result.apps[0]!.from[0]!.up).toEqual([
        {
          instruction: load('index'),
          why: expect.stringMatching(/index\.js does not match the hash its modules\.json records/),
        },
      ]);
    } finally {
      fs.writeFileSync(file, saved);
    }
  });
});

describe('errors', () => {
  it('says what to do when there is nothing to upgrade from, or a named release is unknown', () => {
    expect(() => generate('1.0.0')).toThrow(/release 1\.0\.0 has nothing to upgrade from/);
    expect(() => generate('1.0.36', '9.9.9')).toThrow(/--previous-version 9\.9\.9: no such release/);
    expect(() => generate('1.0.36', '1.0.36')).toThrow(/is the target release itself/);
    expect(() => generate('7.0.0')).toThrow(/no release 7\.0\.0 under/);
    expect(() => generate('1.0.36', '1.0.35', { purge: parsePurgeSpec('relapp_mx=soft') })).toThrow(
      /--purge names relapp_mx, which is not a module of release 1\.0\.36/,
    );
    expect(() => generate('1.0.36', '1.0.35', { restart: ['nope'] })).toThrow(
      /--restart nope: release 1\.0\.36 has no application nope/,
    );
    expect(() => readReleaseSet(tempDir('empty'))).toThrow(/is not a release root/);
  });
});

function appsOf(set: ReturnType<typeof readReleaseSet>, versions: string[]) {
  const out = [];
  for (const v of versions) {
    for (const a of set.releases.get(v)!.apps) {
      out.push(
        JSON.parse(
          fs.readFileSync(path.join(set.root, 'lib', `${a.name}-${a.vsn}`, `${a.name}.app.json`), 'utf8'),
        ),
      );
    }
  }
  return out;
}
