/**
 * `hotrel new` end to end: a project generated into a temporary directory, with hotrel linked in
 * as `npm install` would, must pass its own tests, build its release and run it with exactly the
 * commands its README's quick start shows, then go through docs/guide.md's steps 5 to 7 (version
 * 1.0.1, its upgrade package, a live upgrade and downgrade) with the guide's commands, printing
 * what the guide shows. Bad names and non-empty directories change nothing.
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

/** The text of a page from the heading starting with `from` to the one starting with `to`. */
function section(page: string, from: string, to: string): string {
  const start = page.indexOf(`\n${from}`);
  const end = page.indexOf(`\n${to}`, start + 1);
  if (start < 0 || end < 0) throw new Error(`no section from "${from}" to "${to}"`);
  return page.slice(start, end);
}

/** The command lines of a text's ```sh blocks, without their `# ...` comments. */
function shCommands(text: string): string[] {
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1]!.split('\n'))
    .map((l) => l.replace(/\s+#.*$/, ''))
    .filter((l) => l.trim() !== '');
}

/** The `# ...` comment of the first ```sh line of a text that runs `command`. */
function commentOf(text: string, command: string): string {
  const line = text.split('\n').find((l) => l.replace(/\s+#.*$/, '') === command);
  const comment = line === undefined ? null : /\s#\s(.*)$/.exec(line);
  if (comment === null) throw new Error(`no commented line "${command}"`);
  return comment[1]!;
}

/** The ```text block right after the ```sh block whose last line is `command`. */
function outputShown(text: string, command: string): string {
  const at = text.indexOf(`\n${command}\n\`\`\`\n\n\`\`\`text\n`);
  if (at < 0) throw new Error(`no output shown after "${command}"`);
  const from = text.indexOf('```text\n', at) + '```text\n'.length;
  return text.slice(from, text.indexOf('```', from));
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

    // docs/guide.md, steps 6 and 7: the node, started again, is upgraded to 1.0.1 and downgraded to
    // 1.0.0 live, with the guide's commands in the guide's order, and prints what the guide shows.
    const step6 = section(guide, '## 6. ', '## 7. ');
    const step7 = section(guide, '## 7. ', '## Where next');
    const B = '_build/rel/demo_svc/bin/demo_svc';
    const asGuide = (s: string) => s.replaceAll('demo_svc', 'myservice');
    /** What the guide shows for what the node printed: `...` for times. */
    const shown = (s: string) => asGuide(s).replace(/\d+(\.\d+)? ms\b/g, '... ms');
    const ran: string[] = [];
    const run = (line: string, status = 0) => {
      ran.push(line);
      const r = sh(line, dir);
      if (r.status !== status) {
        throw new Error(`"${line}" exited with ${r.status}, not ${status}:\n${r.stdout}\n${r.stderr}`);
      }
      return r;
    };

    started.push([path.join(dir, '_build', 'rel', 'demo_svc'), 'demo_svc']);
    expect(run('npm start').stdout).toMatch(/demo_svc 1\.0\.0 started \(pid \d+/);
    const increment = `${B} rpc demo_svc:counter increment 5`;
    expect(run(increment).stdout).toBe('5\n');
    expect(commentOf(step6, asGuide(increment))).toBe('5');
    const pid = run(`${B} pid`).stdout;
    expect(pid).toMatch(/^\d+\n$/);

    // As the guide says, an upgrade's --dry-run needs the package unpacked; it changes nothing.
    const early = sh(`${B} upgrade 1.0.1 --dry-run`, dir);
    expect(early.status).toBe(1);
    expect(early.stderr).toContain('release 1.0.1 is not unpacked yet');
    expect(step6).toContain('--dry-run');
    expect(step6).toContain('`bin/myservice unpack 1.0.1`');

    const up = run(`${B} upgrade 1.0.1`);
    expect(up.stdout).toMatch(
      /^demo_svc upgraded 1\.0\.0 -> 1\.0\.1 in \d+ ms \(1 process\(es\) suspended for [\d.]+ ms\); 1\.0\.1 is permanent\n/,
    );
    expect(outputShown(step6, asGuide(`${B} upgrade 1.0.1`))).toBe(shown(up.stderr + up.stdout));
    const value = `${B} rpc demo_svc:counter value`;
    expect(run(value).stdout).toBe('5\n');
    expect(commentOf(step6, asGuide(value))).toBe('5');
    const stats = `${B} rpc demo_svc:counter stats`;
    const upStats = run(stats).stdout;
    expect(upStats).toBe('{ count: 5, calls: 2 }\n'); // `value` and `stats` since the upgrade
    expect(commentOf(step6, asGuide(stats))).toBe(upStats.trim());
    expect(run(`${B} pid`).stdout).toBe(pid);
    const upVersions = run(`${B} versions`).stdout;
    expect(upVersions).toBe('1.0.1\tpermanent\n1.0.0\told\n');
    expect(outputShown(step6, asGuide(`${B} versions`))).toBe(upVersions);

    const plan = run(`${B} downgrade 1.0.0 --dry-run`);
    expect(plan.stdout).toContain('4. code_change down demo_svc:counter extra []');
    expect(outputShown(step7, asGuide(`${B} downgrade 1.0.0 --dry-run`))).toBe(
      shown(plan.stderr + plan.stdout),
    );
    const down = run(`${B} downgrade 1.0.0`);
    expect(down.stdout).toMatch(
      /^demo_svc downgraded 1\.0\.1 -> 1\.0\.0 in \d+ ms \(1 process\(es\) suspended for [\d.]+ ms\); 1\.0\.0 is permanent\n/,
    );
    expect(outputShown(step7, asGuide(`${B} downgrade 1.0.0`))).toBe(shown(down.stderr + down.stdout));
    expect(run(value).stdout).toBe('5\n');
    expect(commentOf(step7, asGuide(value))).toBe('5');
    const gone = run(stats, 1);
    expect(gone.stderr).toBe('bin/demo_svc: demo_svc:counter does not export a function stats\n');
    expect(commentOf(step7, asGuide(stats))).toBe(`exit 1: ${asGuide(gone.stderr.trim())}`);
    expect(run(`${B} pid`).stdout).toBe(pid);
    const downVersions = run(`${B} versions`).stdout;
    expect(downVersions).toBe('1.0.1\told\n1.0.0\tpermanent\n');
    expect(outputShown(step7, asGuide(`${B} versions`))).toBe(downVersions);
    expect(run('npm stop').stdout).toContain('demo_svc stopped');

    // The guide shows no command this test did not run, in the order it ran them.
    expect(shCommands(step6 + step7)).toEqual(['npx hotrel upgrade-pack', ...ran.map(asGuide)]);
  }, 300_000);

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
