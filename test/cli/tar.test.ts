/**
 * `hotrel tar` end to end: the slim package of relapp 1.0.21 (an upgrade from 1.0.20 that
 * changes one application) holds only that application's new version, the release files and
 * the relup, with MANIFEST.json first and right; the full package holds everything; the same
 * release gives the same bytes whatever the files' times and modes; the slim package is a small
 * fraction of the full one (the figure is printed); and every error path writes nothing.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appupGenerate } from '../../src/cli/commands/appup';
import { runRelup } from '../../src/cli/commands/relup';
import { runTar, type TarOptions } from '../../src/cli/commands/tar';
import { parseModel, type PackageManifest } from '../../src/model';
import { captured, hotrel, treeState } from '../helpers/cli';
import { buildRelapp, removeRelappDirs, tempDir } from '../helpers/relapp';

let cwd: string;
let root: string;

beforeAll(async () => {
  cwd = tempDir('tar-cli');
  root = await buildRelapp(['1.0.20', '1.0.21'], path.join(cwd, '_build', 'rel'));
  appupGenerate({}, cwd);
  expect(runRelup({}, cwd, { out: () => {}, err: () => {} })).toBe(0);
}, 120_000);
afterAll(removeRelappDirs);

interface Entry {
  path: string;
  mode: number;
  mtime: Date | undefined;
  uid: number | undefined;
  uname: string | undefined;
  body: Buffer;
}

async function entries(file: string): Promise<Entry[]> {
  const out: Entry[] = [];
  await tar.t({
    file,
    onReadEntry: (e) => {
      const chunks: Buffer[] = [];
      e.on('data', (c: Buffer) => chunks.push(c));
      e.on('end', () =>
        out.push({
          path: e.path,
          mode: e.mode ?? 0,
          mtime: e.mtime,
          uid: e.uid,
          uname: e.uname,
          body: Buffer.concat(chunks),
        }),
      );
    },
  });
  return out;
}

async function run(options: TarOptions) {
  const out = captured();
  const code = await runTar(options, cwd, out);
  return { code, stdout: out.stdout.join('\n'), stderr: out.stderr.join('\n') };
}

const sha = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

describe('hotrel tar', () => {
  it('makes a slim package: MANIFEST.json first, only what the base lacks, a sha256 per file', async () => {
    const r = hotrel(cwd, 'tar');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^wrote _build\/rel\/relapp\/releases\/relapp-1\.0\.21\.tar\.gz: slim package of relapp 1\.0\.21 for release 1\.0\.20 \(20 files, /,
    );
    const file = path.join(root, 'releases', 'relapp-1.0.21.tar.gz');
    const list = await entries(file);
    expect(list[0]!.path).toBe('MANIFEST.json');
    const manifest: PackageManifest = parseModel(
      'manifest',
      JSON.parse(list[0]!.body.toString('utf8')),
      'MANIFEST.json',
    );
    const deps = fs.readdirSync(path.join(root, 'lib')).find((d) => d.startsWith('deps-'))!;
    expect(manifest).toMatchObject({
      format: 1,
      name: 'relapp',
      vsn: '1.0.21',
      full: false,
      bases: ['1.0.20'],
    });
    expect(manifest.requires).toEqual([`lib/${deps}`]);
    const paths = list.slice(1).map((e) => e.path);
    expect(paths).toEqual(Object.keys(manifest.files).sort());
    expect(paths).toContain('releases/1.0.21/relup.json');
    expect(paths).toContain('releases/1.0.21/release.json');
    expect(paths).toContain('lib/relapp-1.0.21/relapp_sup.js');
    expect(paths).toContain('lib/relapp-1.0.21/relapp.appup.json');
    expect(
      paths.filter((p) => !p.startsWith('lib/relapp-1.0.21/') && !p.startsWith('releases/1.0.21/')),
    ).toEqual([]);
    for (const e of list.slice(1)) {
      expect(manifest.files[e.path]).toBe(sha(e.body));
      expect(e.body.equals(fs.readFileSync(path.join(root, e.path)))).toBe(true);
    }
  });

  it('makes a full package with everything, and the slim one is a small fraction of it', async () => {
    const fullFile = path.join(tempDir('full'), 'full.tar.gz');
    const r = await run({ full: true, out: fullFile });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/full package of relapp 1\.0\.21/);
    const list = await entries(fullFile);
    const manifest = parseModel('manifest', JSON.parse(list[0]!.body.toString('utf8')), 'MANIFEST.json');
    expect(manifest).toMatchObject({ full: true, bases: [], requires: [] });
    const paths = list.map((e) => e.path);
    expect(paths).toContain('bin/relapp');
    expect(paths.some((p) => /^lib\/deps-[0-9a-f]+\/node_modules\/hotrel\/dist\/index\.js$/.test(p))).toBe(
      true,
    );
    expect(list.find((e) => e.path === 'bin/relapp')!.mode).toBe(0o755);

    const slim = fs.statSync(path.join(root, 'releases', 'relapp-1.0.21.tar.gz')).size;
    const full = fs.statSync(fullFile).size;
    process.stdout.write(
      `package sizes: slim ${(slim / 1024).toFixed(1)} KiB, full ${(full / 1024).toFixed(1)} KiB, slim/full ${((100 * slim) / full).toFixed(2)} %\n`,
    );
    expect(slim / full).toBeLessThan(0.05);
  });

  it('gives the same bytes for the same release, whatever the times and modes on disk', async () => {
    const dir = tempDir('twice');
    expect((await run({ out: path.join(dir, 'a.tar.gz') })).code).toBe(0);
    // Touch every packed file and change modes: nothing of it may reach the package.
    const lib = path.join(root, 'lib', 'relapp-1.0.21');
    for (const f of fs.readdirSync(lib)) {
      fs.utimesSync(path.join(lib, f), new Date(), new Date(2030, 1, 1));
      fs.chmodSync(path.join(lib, f), 0o600); // as under umask 077
    }
    expect((await run({ out: path.join(dir, 'b.tar.gz') })).code).toBe(0);
    const a = fs.readFileSync(path.join(dir, 'a.tar.gz'));
    const b = fs.readFileSync(path.join(dir, 'b.tar.gz'));
    expect(a.equals(b)).toBe(true);
    // gzip header: no time (bytes 4-7), unknown operating system (byte 9).
    expect([...a.subarray(4, 8)]).toEqual([0, 0, 0, 0]);
    expect(a[9]).toBe(255);
    for (const e of await entries(path.join(dir, 'b.tar.gz'))) {
      expect(e.mode).toBe(0o644);
      expect(e.mtime?.toISOString()).toBe('2000-01-01T00:00:00.000Z');
      expect(e.uname ?? '').toBe('');
    }
  });

  it('--base names the releases a slim package is for; --dry-run writes nothing', async () => {
    const before = treeState(root);
    const r = await run({ base: ['1.0.20'], dryRun: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dry run: would write .*slim package of relapp 1\.0\.21 for release 1\.0\.20/);
    expect(treeState(root)).toEqual(before);
  });
});

describe('hotrel tar: errors say what to do, exit 1, and write nothing', () => {
  async function fails(options: TarOptions, kind: string, message: RegExp): Promise<void> {
    const before = treeState(root);
    const r = await run(options);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^hotrel tar: error \\(${kind}\\): `));
    expect(r.stderr).toMatch(message);
    expect(treeState(root)).toEqual(before);
  }

  it('refuses a slim package without a relup, an unknown base or release, and --base with --full', async () => {
    await fails(
      { target: '1.0.20' },
      'no_relup',
      /release 1\.0\.20 has no relup .*run `hotrel appup generate` and `hotrel relup` first, or pass --full/,
    );
    await fails(
      { base: ['1.0.19'] },
      'not_a_base',
      /--base 1\.0\.19: the relup of 1\.0\.21 does not upgrade from 1\.0\.19 \(it upgrades from 1\.0\.20\)/,
    );
    await fails(
      { target: '3.0.0' },
      'no_such_release',
      /no release 3\.0\.0 under .*\(there are: 1\.0\.20, 1\.0\.21\)/,
    );
    await fails({ full: true, base: ['1.0.20'] }, 'bad_options', /--base applies to slim packages/);
    await fails({ root: path.join(cwd, 'nowhere') }, 'no_release_root', /is not a release root/);
  });

  it('refuses a release whose application directory is missing', async () => {
    const lib = path.join(root, 'lib', 'relapp-1.0.21');
    fs.renameSync(lib, `${lib}.moved`);
    try {
      await fails(
        {},
        'missing_directory',
        /lib\/relapp-1\.0\.21 \(relapp 1\.0\.21\) is missing from .*; rebuild the release with `hotrel release`/,
      );
    } finally {
      fs.renameSync(`${lib}.moved`, lib);
    }
  });

  it('refuses a relup that does not parse', async () => {
    const relup = path.join(root, 'releases', '1.0.21', 'relup.json');
    const saved = fs.readFileSync(relup);
    fs.writeFileSync(
      relup,
      JSON.stringify({ vsn: '1.0.21', up: [{ vsn: '1.0.20', instructions: [{ op: 'jump' }] }], down: [] }),
    );
    try {
      await fails(
        {},
        'invalid_file',
        /releases\/1\.0\.21\/relup\.json: up\[0\]\.instructions\[0\]\.op: expected "op" to be one of/,
      );
    } finally {
      fs.writeFileSync(relup, saved);
    }
  });
});
