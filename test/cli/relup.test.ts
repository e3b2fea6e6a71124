/**
 * `hotrel relup` end to end: the CLI runs as a real child process on real release roots in a
 * temporary directory; it writes relup.json only on success.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseModel, type AppupInput } from '../../src/model';
import { snapshot, writeRoot, type RootSpec } from '../helpers/release-root';
import { app, release } from '../helpers/releases';

const MAIN = path.resolve(__dirname, '../../src/cli/main.ts');
const TSX = require.resolve('tsx/cjs');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tmpdir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hotrel-cli-'));
  dirs.push(d);
  return d;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
function hotrel(cwd: string, ...args: string[]): Run {
  const r = spawnSync(process.execPath, ['-r', TSX, MAIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const kvUp: AppupInput = {
  vsn: '1.1.0',
  up: {
    '1.0.0': [
      { op: 'add_module', module: 'kv_store' },
      { op: 'update', module: 'kv_worker', change: { advanced: [] }, deps: ['kv_store'] },
    ],
  },
  down: {
    '1.0.0': [
      { op: 'update', module: 'kv_worker', change: { advanced: [] } },
      { op: 'delete_module', module: 'kv_store' },
    ],
  },
};

/** kvrel 1.0.0 -> 1.1.0: kvapp gains kv_store and converts kv_worker's state; metrics is added. */
function kvrel(): RootSpec {
  return {
    releases: [
      release('1.0.0', [['kvapp', '1.0.0']], { name: 'kvrel' }),
      release(
        '1.1.0',
        [
          ['kvapp', '1.1.0'],
          ['metrics', '1.0.0'],
        ],
        { name: 'kvrel' },
      ),
    ],
    apps: [
      app('kvapp', '1.0.0', ['kv_sup', 'kv_worker']),
      app('kvapp', '1.1.0', ['kv_sup', 'kv_worker', 'kv_store']),
      app('metrics', '1.0.0', ['counter']),
    ],
    appups: { 'kvapp-1.1.0': kvUp },
  };
}

/** A project directory with the release under _build/rel/kvrel. */
function project(spec: RootSpec = kvrel()): { cwd: string; root: string } {
  const cwd = tmpdir();
  const root = writeRoot(path.join(cwd, '_build', 'rel', 'kvrel'), spec);
  return { cwd, root };
}

const relupFile = (root: string, vsn: string): string => path.join(root, 'releases', vsn, 'relup.json');

describe('hotrel relup', () => {
  it('writes the relup of the newest release, up from and down to the older one, and prints it', () => {
    const { cwd, root } = project();
    const r = hotrel(cwd, 'relup');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const relup = parseModel(
      'relup',
      JSON.parse(fs.readFileSync(relupFile(root, '1.1.0'), 'utf8')),
      'relup.json',
    );
    expect(relup.vsn).toBe('1.1.0');
    expect(relup.up.map((s) => s.vsn)).toEqual(['1.0.0']);
    expect(relup.down.map((s) => s.vsn)).toEqual(['1.0.0']);
    expect(relup.up[0]!.instructions).toContainEqual({
      op: 'code_change',
      mode: 'up',
      modules: [{ module: 'kvapp:kv_worker', extra: [] }],
    });
    expect(r.stdout).toContain('relup of kvrel 1.1.0\n  up from 1.0.0:\n');
    expect(r.stdout).toContain('  load kvapp:kv_store (brutal_purge)\n');
    expect(r.stdout).toContain('  apply application.start("metrics", "permanent")\n');
    expect(r.stdout).toContain('  down to 1.0.0:\n');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
      `wrote ${path.join('_build', 'rel', 'kvrel', 'releases', '1.1.0', 'relup.json')} (release root ${path.join('_build', 'rel', 'kvrel')})`,
    );
  });

  it('--dry-run prints the same script and writes nothing', () => {
    const { cwd, root } = project();
    const before = snapshot(cwd);
    const r = hotrel(cwd, 'relup', '--dry-run', '--root', root);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  suspend kvapp:kv_worker\n');
    expect(r.stdout).toContain('dry run: nothing written');
    expect(snapshot(cwd)).toEqual(before);
  });

  it('--json prints the relup, the warnings and the file written', () => {
    const spec = kvrel();
    spec.releases[1] = { ...spec.releases[1]!, node: '22.1.0' };
    const { cwd, root } = project(spec);
    const r = hotrel(cwd, 'relup', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      relup: unknown;
      warnings: { kind: string }[];
      file: string;
      dryRun: boolean;
    };
    expect(out.file).toBe(path.join('_build', 'rel', 'kvrel', 'releases', '1.1.0', 'relup.json'));
    expect(out.dryRun).toBe(false);
    expect(out.warnings.map((w) => w.kind)).toEqual(['node_vsn_changed']);
    expect(out.relup).toEqual(JSON.parse(fs.readFileSync(relupFile(root, '1.1.0'), 'utf8')));
    expect((out.relup as { up: { instructions: { op: string }[] }[] }).up[0]!.instructions[0]).toEqual({
      op: 'restart_new_emulator',
    });
  });

  it('prints warnings on stderr; --warnings-as-errors fails and writes nothing', () => {
    const spec = kvrel();
    spec.releases[1] = { ...spec.releases[1]!, dependencies: { pino: '10.4.0' } };
    const { cwd } = project(spec);
    const before = snapshot(cwd);
    const strict = hotrel(cwd, 'relup', '--warnings-as-errors');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(
      /^hotrel relup: error \(warnings_treated_as_errors\): warnings treated as errors:\n {2}- third-party dependencies differ/,
    );
    expect(snapshot(cwd)).toEqual(before);
    const lenient = hotrel(cwd, 'relup');
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(
      /^warning: third-party dependencies differ between kvrel 1\.0\.0 and 1\.1\.0 \(added pino 10\.4\.0\)/,
    );
  });

  it('several releases: by default every older release, leaving out with a warning one no appup covers', () => {
    const spec = kvrel();
    spec.releases.push(release('0.9.0', [['kvapp', '0.9.0']], { name: 'kvrel' }));
    spec.apps.push(app('kvapp', '0.9.0', ['kv_worker']));
    const { cwd, root } = project(spec);
    const r = hotrel(cwd, 'relup');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'warning: left out the upgrade from 0.9.0: lib/kvapp-1.1.0/kvapp.appup.json has no "up" entry for kvapp 0.9.0',
    );
    const relup = JSON.parse(fs.readFileSync(relupFile(root, '1.1.0'), 'utf8')) as { up: { vsn: string }[] };
    expect(relup.up.map((s) => s.vsn)).toEqual(['1.0.0']);

    // Named explicitly, an uncovered release is an error.
    const explicit = hotrel(cwd, 'relup', '--upfrom', '0.9.0', '--upfrom', '1.0.0');
    expect(explicit.code).toBe(1);
    expect(explicit.stderr).toBe(
      'hotrel relup: error (no_relup): upgrade from 0.9.0: lib/kvapp-1.1.0/kvapp.appup.json has no "up" entry for ' +
        'kvapp 0.9.0 (its "up" keys: "1.0.0"); add an entry matching 0.9.0, or do not upgrade from a release with kvapp 0.9.0\n',
    );
  });

  it('runs with `tsx src/cli/main.ts` in development (what `npx tsx` starts)', () => {
    const { cwd } = project();
    const tsx = path.resolve(__dirname, '../../node_modules/.bin/tsx');
    const r = spawnSync(tsx, [MAIN, 'relup', '--dry-run'], { cwd, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('relup of kvrel 1.1.0');
  });

  it('--target picks an older release: its relup covers the releases older than it', () => {
    const spec = kvrel();
    spec.releases.push(
      release(
        '2.0.0',
        [
          ['kvapp', '1.1.0'],
          ['metrics', '1.0.0'],
        ],
        { name: 'kvrel' },
      ),
    );
    const { cwd, root } = project(spec);
    const r = hotrel(cwd, 'relup', '--target', '1.1.0', '--json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { relup: { vsn: string } }).relup.vsn).toBe('1.1.0');
    expect(fs.existsSync(relupFile(root, '2.0.0'))).toBe(false);
  });

  describe('errors say what to do and change nothing', () => {
    it('an invalid appup instruction names the file, the path and what is allowed', () => {
      const spec = kvrel();
      spec.appups = {
        'kvapp-1.1.0': {
          ...kvUp,
          up: { '1.0.0': [{ op: 'load_module', module: 'kv_worker', prePurge: 'soft' as never }] },
        },
      };
      const { cwd, root } = project(spec);
      fs.mkdirSync(path.dirname(relupFile(root, '1.1.0')), { recursive: true });
      fs.writeFileSync(relupFile(root, '1.1.0'), '{"previous": true}\n');
      const before = snapshot(cwd);
      const r = hotrel(cwd, 'relup');
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        'hotrel relup: error (bad_purge_method): upgrade from 1.0.0: lib/kvapp-1.1.0/kvapp.appup.json: ' +
          'up["1.0.0"][0].prePurge: expected "soft_purge" or "brutal_purge", got "soft"\n',
      );
      expect(snapshot(cwd)).toEqual(before);
    });

    it('a changed application without an appup', () => {
      const spec = kvrel();
      spec.appups = {};
      const { cwd } = project(spec);
      const r = hotrel(cwd, 'relup');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        'error (file_problem): upgrade from 1.0.0: kvapp changes between 1.0.0 and 1.1.0 but has no appup (lib/kvapp-1.1.0/kvapp.appup.json); write one',
      );
    });

    it('an appup that is not JSON', () => {
      const spec = kvrel();
      spec.appups = { 'kvapp-1.1.0': '{"vsn": "1.1.0", ' };
      const { cwd } = project(spec);
      const r = hotrel(cwd, 'relup');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /error \(file_problem\): upgrade from 1\.0\.0: kvapp needs its appup, which cannot be used: lib\/kvapp-1\.1\.0\/kvapp\.appup\.json: invalid JSON/,
      );
    });

    it('an invalid release.json', () => {
      const { cwd, root } = project();
      const file = path.join(root, 'releases', '1.0.0', 'release.json');
      fs.writeFileSync(
        file,
        JSON.stringify({
          ...JSON.parse(fs.readFileSync(file, 'utf8')),
          apps: [{ name: 'kvapp', vsn: '1.0.0', type: 'perm' }],
        }),
      );
      const r = hotrel(cwd, 'relup');
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        'hotrel relup: error (invalid_file): releases/1.0.0/release.json: apps[0].type: expected "permanent", ' +
          '"transient", "temporary", "load" or "none", got "perm"\nfix the file and run again\n',
      );
    });

    it('an app.json that does not match its release', () => {
      const { cwd, root } = project();
      const file = path.join(root, 'lib', 'kvapp-1.0.0', 'kvapp.app.json');
      fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), vsn: '1.0.1' }));
      const r = hotrel(cwd, 'relup');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        'error (no_valid_version): lib/kvapp-1.0.0/kvapp.app.json describes kvapp 1.0.1, but release 1.0.0 lists kvapp 1.0.0',
      );
    });

    it('an unknown release version', () => {
      const { cwd } = project();
      const r = hotrel(cwd, 'relup', '--upfrom', '0.1.0');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /error \(no_such_release\): no release 0\.1\.0 under .*releases \(there are: 1\.0\.0, 1\.1\.0\); name one of those/,
      );
    });

    it('no release root, or an ambiguous one; --name and --root choose', () => {
      const empty = tmpdir();
      const none = hotrel(empty, 'relup');
      expect(none.code).toBe(1);
      expect(none.stderr).toContain('no release under');
      expect(none.stderr).toContain('build one with `hotrel release`, or pass --root DIR');

      const { cwd } = project();
      writeRoot(path.join(cwd, '_build', 'rel', 'other'), {
        releases: [release('1', [], { name: 'other' })],
        apps: [],
      });
      const ambiguous = hotrel(cwd, 'relup');
      expect(ambiguous.code).toBe(1);
      expect(ambiguous.stderr).toContain('several releases under');
      expect(ambiguous.stderr).toContain('(kvrel, other): pass --name NAME to pick one, or --root DIR');
      expect(hotrel(cwd, 'relup', '--name', 'kvrel', '--dry-run').code).toBe(0);
      expect(hotrel(cwd, 'relup', '--root', path.join('_build', 'rel', 'kvrel'), '--dry-run').code).toBe(0);
      const notRoot = hotrel(cwd, 'relup', '--root', '.');
      expect(notRoot.stderr).toContain('is not a release root (it has no releases/ directory)');
    });

    it('a single release: nothing to upgrade from', () => {
      const { cwd } = project({
        releases: [release('1.0.0', [['kvapp', '1.0.0']], { name: 'kvrel' })],
        apps: [app('kvapp', '1.0.0', ['m'])],
      });
      const r = hotrel(cwd, 'relup');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error (nothing_to_do): release 1.0.0 is the oldest');
    });

    it('--json reports the error as JSON', () => {
      const spec = kvrel();
      spec.appups = {};
      const { cwd } = project(spec);
      const r = hotrel(cwd, 'relup', '--json');
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toEqual({
        error: { kind: 'file_problem', message: expect.stringContaining('has no appup') },
      });
    });

    it('an unknown command or option', () => {
      const cwd = tmpdir();
      const unknown = hotrel(cwd, 'relupp');
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr).toContain("error: unknown command 'relupp'");
      const option = hotrel(cwd, 'relup', '--upform', '1');
      expect(option.code).not.toBe(0);
      expect(option.stderr).toContain("error: unknown option '--upform'");
    });
  });
});
