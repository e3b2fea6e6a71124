/**
 * `hotrel new` end to end: a project generated into a temporary directory, with hotrel linked in
 * as `npm install` would, must pass its own tests, build its release and run it with exactly the
 * commands its README's quick start shows. Bad names and non-empty directories change nothing.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { bin, hotrel, linkDependencies } from '../helpers/project';
import { tmpDir } from '../helpers/tmp';

const REPO = path.join(__dirname, '..', '..');

const started: Array<[string, string]> = [];
afterAll(() => {
  for (const [root, rel] of started) bin(root, rel, ['stop']);
});

/** The command lines of the README's first `sh` block (its quick start). */
function quickStart(readme: string): string[] {
  const block = /## Quick start\n\n```sh\n([\s\S]*?)```/.exec(readme);
  if (block === null) throw new Error('the README has no "Quick start" sh block');
  return block[1]!.split('\n').filter((l) => l.trim() !== '');
}

function sh(line: string, cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', line], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hotrel new', () => {
  it('creates a project that tests, builds and runs with the commands its README shows', () => {
    const parent = tmpDir('hotrel-new-');
    const made = hotrel(['new', 'demo_svc'], parent);
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    expect(made.stdout).toContain('created demo_svc/');
    const dir = path.join(parent, 'demo_svc');
    expect(fs.readdirSync(dir).sort()).toEqual(
      ['.gitignore', 'README.md', 'package.json', 'src', 'test', 'tsconfig.json'].sort(),
    );
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      name: 'demo_svc',
      version: '1.0.0',
      scripts: { build: 'hotrel release', test: 'tsc --noEmit && vitest run' },
      hotrel: { app: { mod: 'app' } },
    });
    expect(Object.keys(pkg.dependencies)).toEqual(['hotrel']);

    linkDependencies(dir); // what `npm install` would do, without the network
    const lines = quickStart(fs.readFileSync(path.join(dir, 'README.md'), 'utf8'));
    expect(lines[0]).toBe('npm install');
    const outputs: string[] = [];
    for (const line of lines.slice(1)) {
      const r = sh(line, dir);
      if (line === 'npm start') started.push([path.join(dir, '_build', 'rel', 'demo_svc'), 'demo_svc']);
      if (r.status !== 0) throw new Error(`"${line}" failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
      outputs.push(stripVTControlCharacters(r.stdout));
    }
    const out = (start: string) => outputs[lines.slice(1).findIndex((l) => l.startsWith(start))]!;
    expect(out('npm test')).toMatch(/Tests\s+3 passed/);
    expect(out('npm run build')).toContain('release demo_svc 1.0.0 in');
    expect(out('npm start')).toMatch(/demo_svc 1\.0\.0 started \(pid \d+/);
    expect(out('_build/rel/demo_svc/bin/demo_svc rpc demo_svc:counter increment')).toBe('5\n');
    expect(out('_build/rel/demo_svc/bin/demo_svc rpc demo_svc:counter value')).toBe('5\n');
    expect(out('npm stop')).toContain('demo_svc stopped');

    // docs/guide.md, step 5: its counter 1.0.1 replaces the generated one, and the guide's commands
    // test it and build release 1.0.1 beside 1.0.0.
    const guide = fs.readFileSync(path.join(REPO, 'docs', 'guide.md'), 'utf8');
    const counter = /```ts\n\/\/ file: counter\.ts\n([\s\S]*?)```/.exec(guide);
    expect(counter).not.toBeNull();
    fs.writeFileSync(path.join(dir, 'src', 'counter.ts'), counter![1]!);
    for (const line of ['npm version patch --no-git-tag-version', 'npm test', 'npm run build']) {
      expect(guide).toContain(line);
      const r = sh(line, dir);
      if (r.status !== 0) throw new Error(`"${line}" failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
    const releases = path.join(dir, '_build', 'rel', 'demo_svc', 'releases');
    expect(fs.existsSync(path.join(releases, '1.0.0', 'release.json'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(releases, '1.0.1', 'release.json'), 'utf8')).vsn).toBe(
      '1.0.1',
    );

    // docs/guide.md, step 6: `hotrel upgrade-pack` makes the upgrade, as the guide shows it.
    expect(guide).toContain('npx hotrel upgrade-pack');
    const pack = hotrel(['upgrade-pack'], dir);
    expect(pack.stderr).toBe('');
    expect(pack.status).toBe(0);
    for (const line of [
      'demo_svc 1.0.1: generated lib/demo_svc-1.0.1/demo_svc.appup.json',
      '    1. update counter change={"advanced":[]}',
      'relup of 1.0.1: up from and down to 1.0.0',
    ]) {
      expect(pack.stdout).toContain(line);
      expect(guide).toContain(line.replaceAll('demo_svc', 'myservice'));
    }
    expect(pack.stdout).toMatch(/its state type changed: its codeChange converts it/);
    expect(pack.stdout).toMatch(/slim package of demo_svc 1\.0\.1 for release 1\.0\.0/);
    expect(fs.existsSync(path.join(releases, 'demo_svc-1.0.1.tar.gz'))).toBe(true);
  }, 240_000);

  it('refuses a directory that is not empty, and changes nothing in it', () => {
    const parent = tmpDir('hotrel-new-');
    const dir = path.join(parent, 'taken');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const r = hotrel(['new', 'taken'], parent);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${dir} exists and is not empty; hotrel new never overwrites files`);
    expect(fs.readdirSync(dir)).toEqual(['notes.txt']);
    expect(fs.readdirSync(parent)).toEqual(['taken']);

    // An empty directory is fine, and --dir puts the project elsewhere.
    fs.mkdirSync(path.join(parent, 'empty'));
    expect(hotrel(['new', 'svc', '--dir', 'empty'], parent).status).toBe(0);
    expect(fs.existsSync(path.join(parent, 'empty', 'src', 'counter.ts'))).toBe(true);
    expect(fs.readdirSync(parent).sort()).toEqual(['empty', 'taken']);
  });

  it('refuses names that cannot name a package, an application and a release', () => {
    const parent = tmpDir('hotrel-new-');
    const cases: Array<[string, string]> = [
      ['MyService', 'is not a valid name: use lowercase letters, digits'],
      ['my service', 'is not a valid name'],
      ['.hidden', 'is not a valid name'],
      ['../escape', 'is not a valid name'],
      ['http', '"http" is taken (a Node.js built-in module)'],
      ['hotrel', '"hotrel" is taken (hotrel itself)'],
    ];
    for (const [name, message] of cases) {
      const r = hotrel(['new', name], parent);
      expect(r.status, name).toBe(1);
      expect(r.stderr, name).toContain(message);
      expect(r.stderr, name).toContain('Nothing was created.');
    }
    expect(fs.readdirSync(parent)).toEqual([]);
    expect(fs.readdirSync(path.dirname(parent)).some((e) => e === 'escape')).toBe(false);
  });
});
