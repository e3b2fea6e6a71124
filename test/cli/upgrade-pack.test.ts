/**
 * `hotrel upgrade-pack` end to end: in a project directory, the first run builds the release and
 * a full package; after a change and a version bump, the next run builds the new release beside
 * it, generates the appups, compiles the relup and writes the slim package. Errors exit 1 with a
 * clear message; options are checked before anything is built, and a failure after the build puts
 * the appups and the relup back as they were.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { runUpgradePack, type UpgradePackOptions } from '../../src/cli/commands/upgrade-pack';
import { captured, hotrel, treeState } from '../helpers/cli';
import { materialise, removeRelappDirs, tempDir } from '../helpers/relapp';

afterAll(removeRelappDirs);

async function run(options: UpgradePackOptions, cwd: string) {
  const out = captured();
  const code = await runUpgradePack({ typecheck: false, ...options }, cwd, out);
  return { code, stdout: out.stdout.join('\n'), stderr: out.stderr.join('\n') };
}

async function firstEntry(file: string): Promise<string> {
  const names: string[] = [];
  await tar.t({ file, onReadEntry: (e) => void names.push(e.path) });
  return names[0]!;
}

describe('hotrel upgrade-pack', () => {
  it('builds, generates, compiles and packs: full the first time, slim after an upgrade', async () => {
    const output = tempDir('pack-out');
    const v1 = path.join(tempDir('pack'), 'relapp');
    materialise('1.0.11', v1, output);
    const first = hotrel(v1, 'upgrade-pack', '--no-typecheck');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('relapp 1.0.11 is the first release in');
    expect(first.stdout).toMatch(
      /wrote .*releases\/relapp-1\.0\.11\.tar\.gz: full package of relapp 1\.0\.11/,
    );

    const v2 = path.join(tempDir('pack'), 'relapp');
    materialise('1.0.12', v2, output);
    const second = hotrel(v2, 'upgrade-pack', '--no-typecheck');
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('relapp 1.0.12: generated lib/relapp-1.0.12/relapp.appup.json');
    expect(second.stdout).toContain('relup of 1.0.12: up from and down to 1.0.11');
    expect(second.stdout).toMatch(
      /wrote .*relapp-1\.0\.12\.tar\.gz: slim package of relapp 1\.0\.12 for release 1\.0\.11/,
    );
    const root = path.join(output, 'relapp');
    expect(fs.existsSync(path.join(root, 'releases', '1.0.12', 'relup.json'))).toBe(true);
    const pkg = path.join(root, 'releases', 'relapp-1.0.12.tar.gz');
    expect(await firstEntry(pkg)).toBe('MANIFEST.json');

    // Running it again on the same sources gives the same package, byte for byte.
    const bytes = fs.readFileSync(pkg);
    expect((await run({ quiet: true }, v2)).code).toBe(0);
    expect(fs.readFileSync(pkg).equals(bytes)).toBe(true);
  });

  it('refuses a bad --purge before building anything', async () => {
    const output = tempDir('pack-purge');
    const project = path.join(tempDir('pack'), 'relapp');
    materialise('1.0.11', project, output);
    const r = await run({ purge: 'relapp_m1=hard' }, project);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^hotrel upgrade-pack: error \(bad_purge_spec\): --purge: "relapp_m1=hard": the purge method must be soft or brutal/,
    );
    expect(fs.readdirSync(output)).toEqual([]);
  });

  it('says what is wrong with the project, and builds nothing', async () => {
    const empty = tempDir('pack-empty');
    const r = await run({}, empty);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^hotrel upgrade-pack: error \(bad_project\): .*package\.json: not found; run hotrel in the project's root directory/,
    );
    expect(fs.readdirSync(empty)).toEqual([]);

    const output = tempDir('pack-broken');
    const project = path.join(tempDir('pack'), 'relapp');
    materialise('1.0.11', project, output);
    fs.writeFileSync(path.join(project, 'src', 'relapp_m9.ts'), 'export const x = ;\n');
    const broken = await run({}, project);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/error \(build_failed\): relapp does not compile:\n.*relapp_m9\.ts:1:18/);
    expect(fs.existsSync(path.join(output, 'relapp', 'releases'))).toBe(false);
  });

  it('puts the appups and the relup back when a later step fails', async () => {
    // Two applications: alpha's appup is generated; beta's hand-written one covers no older release,
    // so the relup cannot be compiled after alpha's appup was written.
    const output = tempDir('pack-undo');
    const write = (project: string, vsn: string, betaAppup: boolean): void => {
      const files: Record<string, string> = {
        'package.json': JSON.stringify({
          name: 'alpha',
          version: vsn,
          workspaces: ['apps/*'],
          dependencies: { beta: vsn },
          hotrel: { app: {}, release: { output } },
        }),
        'src/index.ts': `export const v = '${vsn}';\n`,
        'apps/beta/package.json': JSON.stringify({ name: 'beta', version: vsn, hotrel: { app: {} } }),
        'apps/beta/src/index.ts': `export const v = '${vsn}';\n`,
      };
      if (betaAppup)
        files['apps/beta/beta.appup.json'] = JSON.stringify({
          vsn,
          up: { '0.9.0': [] },
          down: { '0.9.0': [] },
        });
      for (const [rel, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
        fs.writeFileSync(path.join(project, rel), text);
      }
    };
    const p1 = tempDir('alpha1');
    write(p1, '1.0.0', false);
    expect((await run({ quiet: true }, p1)).code).toBe(0);
    const p2 = tempDir('alpha2');
    write(p2, '1.0.1', true);
    // What a successful build of 1.0.1 leaves, to compare with after the failed run.
    const root = path.join(output, 'alpha');
    const r = await run({}, p2);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error \(nothing_covered\): relup: no appup of alpha 1\.0\.1 covers any older release/,
    );
    expect(r.stderr).toMatch(/warning: .*beta\.appup\.json has no "up" entry for beta 1\.0\.0/);
    expect(fs.existsSync(path.join(root, 'lib', 'alpha-1.0.1', 'alpha.appup.json'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'releases', '1.0.1', 'relup.json'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'releases', 'alpha-1.0.1.tar.gz'))).toBe(false);
    // The release itself was built, and stays.
    const state = treeState(root);
    expect(state['releases/1.0.1/release.json']).toBeDefined();
  });
});
