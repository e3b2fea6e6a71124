/**
 * `hotrel appup generate` end to end on a real release root (relapp 1.0.20 and 1.0.21 built
 * under `_build/rel` of a project directory): what it writes and prints, that it regenerates its
 * own appups but never replaces a hand-written one, and every error path: a clear message, exit
 * status 1, nothing written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAppupGenerate, type AppupGenerateOptions } from '../../src/cli/commands/appup';
import { parseModel } from '../../src/model';
import { captured, hotrel, treeState } from '../helpers/cli';
import { buildRelapp, removeRelappDirs, tempDir } from '../helpers/relapp';

let cwd: string;
let root: string;
const appupFile = (): string => path.join(root, 'lib', 'relapp-1.0.21', 'relapp.appup.json');

beforeAll(async () => {
  cwd = tempDir('appup-cli');
  root = await buildRelapp(['1.0.20', '1.0.21'], path.join(cwd, '_build', 'rel'));
}, 120_000);
afterAll(removeRelappDirs);

/** Runs the command in this process; returns its exit code and output. */
function run(options: AppupGenerateOptions, at = cwd) {
  const out = captured();
  const code = runAppupGenerate(options, at, out);
  return { code, stdout: out.stdout.join('\n'), stderr: out.stderr.join('\n') };
}

describe('hotrel appup generate', () => {
  it('writes the appup of every changed application and prints every instruction with its reason', () => {
    const r = hotrel(cwd, 'appup', 'generate');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('appups of relapp 1.0.21, from release 1.0.20:');
    expect(r.stdout).toContain('relapp 1.0.21: generated lib/relapp-1.0.21/relapp.appup.json');
    expect(r.stdout).toMatch(
      /1\. update relapp_sup .*\n\s+its code changed; Supervisor callback module.*children removed: relapp_srv3 \(stopped\)/,
    );
    expect(r.stdout).toContain('2. delete_module relapp_srv3');
    expect(r.stdout).toMatch(/wrote 1 appup: _build\/rel\/relapp\/lib\/relapp-1\.0\.21\/relapp\.appup\.json/);
    const appup = parseModel('appup', JSON.parse(fs.readFileSync(appupFile(), 'utf8')), 'appup');
    expect(appup.generated).toBe(true);
    expect(Object.keys(appup.up)).toEqual(['1.0.20']);
    expect(appup.up['1.0.20']!.map((i) => i.op)).toEqual(['update', 'delete_module']);

    // Its own appup is regenerated (the same), and --json says what it did.
    const before = fs.readFileSync(appupFile(), 'utf8');
    const again = run({ json: true });
    expect(again.code).toBe(0);
    const json = JSON.parse(again.stdout) as {
      written: string[];
      apps: { action: string }[];
      target: string;
    };
    expect(json.target).toBe('1.0.21');
    expect(json.written).toEqual(['_build/rel/relapp/lib/relapp-1.0.21/relapp.appup.json']);
    expect(json.apps[0]!.action).toBe('generated');
    expect(fs.readFileSync(appupFile(), 'utf8')).toBe(before);
  });

  it('keeps a hand-written appup and checks it against the diff', () => {
    const saved = fs.existsSync(appupFile()) ? fs.readFileSync(appupFile()) : undefined;
    const hand = { vsn: '1.0.21', up: { '1.0.20': [] }, down: { '1.0.20': [] } };
    fs.writeFileSync(appupFile(), JSON.stringify(hand));
    try {
      const r = run({});
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('hand-written appup lib/relapp-1.0.21/relapp.appup.json kept');
      expect(r.stdout).toContain('wrote 0 appups');
      expect(r.stderr).toMatch(/warning: .*names no instruction for relapp_sup, relapp_srv3/);
      expect(JSON.parse(fs.readFileSync(appupFile(), 'utf8'))).toEqual(hand);
    } finally {
      if (saved === undefined) fs.rmSync(appupFile());
      else fs.writeFileSync(appupFile(), saved);
    }
  });

  it('--dry-run prints and writes nothing', () => {
    const before = treeState(root);
    const r = run({ dryRun: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('dry run: nothing written (1 appup would be)');
    expect(treeState(root)).toEqual(before);
  });
});

describe('hotrel appup generate: errors say what to do, exit 1, and write nothing', () => {
  function fails(options: AppupGenerateOptions, kind: string, message: RegExp, at = cwd): void {
    const before = treeState(root);
    const r = run(options, at);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^hotrel appup generate: error \\(${kind}\\): `));
    expect(r.stderr).toMatch(message);
    expect(treeState(root)).toEqual(before);
  }

  it('cannot find the release root', () => {
    fails(
      { current: path.join(cwd, 'nowhere') },
      'no_release_root',
      /is not a release root .*pass the directory that holds lib\/ and releases\//,
    );
    fails(
      {},
      'no_release_root',
      /no release under .*_build\/rel: build one with `hotrel release`/,
      tempDir('empty'),
    );
    fails({ name: 'other' }, 'no_release_root', /no release "other" under/);
  });

  it('has nothing to upgrade from, or is told an unknown release', () => {
    fails(
      { target: '1.0.20' },
      'no_previous_release',
      /release 1\.0\.20 has nothing to upgrade from: it is the oldest release under/,
    );
    fails(
      { target: '2.0.0' },
      'no_such_release',
      /no release 2\.0\.0 under .* \(there are: 1\.0\.20, 1\.0\.21\); name one of those/,
    );
    fails(
      { previousVersion: '1.0.19' },
      'no_such_release',
      /--previous-version 1\.0\.19: no such release .*there are: 1\.0\.20, 1\.0\.21/,
    );
    fails(
      { previousVersion: '1.0.21' },
      'same_version',
      /--previous-version 1\.0\.21 is the target release itself/,
    );
  });

  it('gets a bad --purge or --restart', () => {
    fails(
      { purge: 'relapp_sup=gentle' },
      'bad_purge_spec',
      /"relapp_sup=gentle": the purge method must be soft or brutal/,
    );
    fails({ purge: 'relapp_sup' }, 'bad_purge_spec', /"relapp_sup" is not module=method/);
    fails({ purge: 'relapp_sup=soft/brutal/soft' }, 'bad_purge_spec', /write pre\/post as soft\/brutal/);
    fails(
      { purge: 'relapp_sub=soft' },
      'bad_purge_spec',
      /--purge names relapp_sub, which is not a module of release 1\.0\.21/,
    );
    fails(
      { restart: ['kvapp'] },
      'no_such_application',
      /--restart kvapp: release 1\.0\.21 has no application kvapp \(it has relapp\)/,
    );
  });

  it('is pointed at older releases of another release, or finds broken files', () => {
    const other = tempDir('other-root');
    fs.mkdirSync(path.join(other, 'releases', '1.0.0'), { recursive: true });
    fs.writeFileSync(
      path.join(other, 'releases', '1.0.0', 'release.json'),
      JSON.stringify({ name: 'kvrel', vsn: '1.0.0', node: '20.0.0', hotrel: '0.1.0', apps: [] }),
    );
    fails(
      { previous: other },
      'release_name_mismatch',
      /the previous releases are of kvrel, the target is relapp 1\.0\.21/,
    );

    const release = path.join(root, 'releases', '1.0.20', 'release.json');
    const savedRelease = fs.readFileSync(release);
    fs.writeFileSync(release, '{ "name": "relapp", ');
    try {
      fails(
        {},
        'invalid_file',
        /releases\/1\.0\.20\/release\.json: invalid JSON.*\nfix the file and run again/s,
      );
    } finally {
      fs.writeFileSync(release, savedRelease);
    }

    const lib = path.join(root, 'lib', 'relapp-1.0.20');
    fs.renameSync(lib, `${lib}.moved`);
    try {
      fails(
        {},
        'missing_app',
        /release 1\.0\.20 contains relapp 1\.0\.20, but lib\/relapp-1\.0\.20\/relapp\.app\.json is missing/,
      );
    } finally {
      fs.renameSync(`${lib}.moved`, lib);
    }

    const pre = path.join(root, 'lib', 'relapp-1.0.21', 'relapp.appup.pre.json');
    fs.writeFileSync(pre, JSON.stringify({ up: { '1.0.20': [{ op: 'apply', module: 'm' }] } }));
    try {
      fails(
        {},
        'invalid_file',
        /relapp\.appup\.pre\.json: up\["1\.0\.20"\]\[0\]\.function: expected a function name/,
      );
    } finally {
      fs.rmSync(pre);
    }
  });

  it("exits 1 with commander's message for an unknown option (the real binary)", () => {
    const before = treeState(root);
    const r = hotrel(cwd, 'appup', 'generate', '--previos', '1.0.20');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown option '--previos'/);
    expect(treeState(root)).toEqual(before);
  });
});
