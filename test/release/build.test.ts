import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { layout } from '../../src/model';
import { readModelFile } from '../../src/model/files';
import { buildRelease, BuildError } from '../../src/release/build/release';
import { describeProject, ProjectError } from '../../src/release/project/describe';
import { edit, editJson, fixtureProject, hotrel, setVersion } from '../helpers/project';

describe('hotrel release', () => {
  it('builds the layout of DESIGN.md §6, type-checked, with every file valid', async () => {
    const project = fixtureProject('kvapp');
    const res = hotrel(['release', '--json'], project);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const { root } = JSON.parse(res.stdout) as { root: string };
    expect(root).toBe(path.join(project, '_build', 'rel', 'kvapp'));

    const release = readModelFile('release', layout.releaseFile(root, '1.0.0'));
    expect(release).toMatchObject({
      name: 'kvapp',
      vsn: '1.0.0',
      node: process.versions.node,
      apps: [{ name: 'kvapp', vsn: '1.0.0', type: 'permanent' }],
    });
    expect(release.dependencies.hotrel).toBeDefined();
    const deps = path.join(root, 'lib', release.depsDir!);
    expect(fs.existsSync(path.join(deps, 'node_modules', 'hotrel', 'dist', 'cli', 'launcher.js'))).toBe(true);
    expect(fs.existsSync(path.join(deps, 'node_modules', 'pino', 'package.json'))).toBe(true);

    const app = readModelFile('app', layout.appFile(root, 'kvapp', '1.0.0'));
    expect(app.modules).toEqual(['kvapp:app', 'kvapp:kv', 'kvapp:sup']);
    expect(app.mod).toEqual({ module: 'kvapp:app', args: [] });
    expect(app.env).toEqual({ greeting: 'hello', port: 0 });
    const modules = readModelFile('modules', layout.modulesFile(root, 'kvapp', '1.0.0'));
    expect(modules.modules['kvapp:sup']!.imports).toEqual(['kvapp:kv']);
    expect(modules.modules['kvapp:kv']).toMatchObject({ vsn: '1.0.0', imports: ['kvapp:kv'] });
    expect(modules.modules['kvapp:kv']!.exports).toEqual(
      expect.arrayContaining(['get', 'put', 'init', 'handleCall', 'startLink', 'vsn']),
    );
    const js = fs.readFileSync(path.join(root, 'lib', 'kvapp-1.0.0', 'kv.js'), 'utf8');
    expect(js).toContain('(0, hotrel_1.reply)');
    expect(js.trimEnd().endsWith('//# sourceMappingURL=kv.js.map')).toBe(true);
    const map = JSON.parse(fs.readFileSync(path.join(root, 'lib', 'kvapp-1.0.0', 'kv.js.map'), 'utf8'));
    expect(map.sources).toEqual(['src/kv.ts']);

    expect(readModelFile('config', layout.configFile(root, '1.0.0'))).toEqual({
      kvapp: { greeting: 'hello from the release config' },
    });
    expect(readModelFile('releases', layout.releasesFile(root)).releases).toEqual([
      {
        name: 'kvapp',
        vsn: '1.0.0',
        node: process.versions.node,
        libs: [{ app: 'kvapp', vsn: '1.0.0', dir: 'lib/kvapp-1.0.0' }],
        status: 'permanent',
      },
    ]);
    expect(readModelFile('start', layout.startFile(root))).toEqual({
      node: process.versions.node,
      vsn: '1.0.0',
    });
    expect(fs.statSync(path.join(root, 'bin', 'kvapp')).mode & 0o111).not.toBe(0);
  });

  it('code identity ignores build noise: another directory, a rebuild, changed comments in maps', async () => {
    const a = fixtureProject('kvapp');
    const b = fixtureProject('kvapp');
    const ra = await buildRelease({ project: a, typecheck: false });
    const rb = await buildRelease({ project: b, typecheck: false });
    const hashes = (root: string) =>
      Object.fromEntries(
        Object.entries(readModelFile('modules', layout.modulesFile(root, 'kvapp', '1.0.0')).modules).map(
          ([id, m]) => [id, m.hash],
        ),
      );
    expect(hashes(ra.root)).toEqual(hashes(rb.root));
    const again = await buildRelease({ project: a, typecheck: false });
    expect(again.unchanged).toEqual(['kvapp-1.0.0']);
    expect(again.built).toEqual([]);
  });

  it('refuses to change an existing version, and builds the next one beside it', async () => {
    const project = fixtureProject('kvapp');
    const first = await buildRelease({ project, typecheck: false });
    edit(path.join(project, 'src', 'kv.ts'), (t) =>
      t.replace("export const vsn = '1.0.0';", "export const vsn = '1.0.1';"),
    );
    await expect(buildRelease({ project, typecheck: false })).rejects.toThrow(
      /lib\/kvapp-1\.0\.0 already exists with different code: bump kvapp's version/,
    );
    expect(fs.readFileSync(path.join(first.root, 'lib', 'kvapp-1.0.0', 'kv.js'), 'utf8')).toContain(
      "'1.0.0'",
    );
    setVersion(project, '1.0.1');
    const second = await buildRelease({ project, typecheck: false });
    expect(second.root).toBe(first.root);
    expect(fs.existsSync(layout.libDir(first.root, 'kvapp', '1.0.0'))).toBe(true);
    expect(fs.existsSync(layout.libDir(first.root, 'kvapp', '1.0.1'))).toBe(true);
    expect(readModelFile('release', layout.releaseFile(first.root, '1.0.1')).apps[0]!.vsn).toBe('1.0.1');
    // The first release stays the one that boots until an upgrade makes another permanent.
    expect(readModelFile('start', layout.startFile(first.root)).vsn).toBe('1.0.0');
    expect(readModelFile('releases', layout.releasesFile(first.root)).releases.map((r) => r.vsn)).toEqual([
      '1.0.0',
    ]);
    // Same package layout, same dependency directory.
    expect(readModelFile('release', layout.releaseFile(first.root, '1.0.1')).depsDir).toBe(
      readModelFile('release', layout.releaseFile(first.root, '1.0.0')).depsDir,
    );
  });

  it('reports type errors with file and line, and writes nothing', async () => {
    const project = fixtureProject('kvapp');
    edit(path.join(project, 'src', 'kv.ts'), (t) =>
      t.replace('return ok(new Map<string, unknown>());', 'return ok(1 + "x" * 2);'),
    );
    const res = hotrel(['release'], project);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(
      /does not type-check[\s\S]*src\/kv\.ts:\d+:\d+: The (left|right)-hand side of an arithmetic operation/,
    );
    expect(fs.existsSync(path.join(project, '_build', 'rel', 'kvapp', 'lib', 'kvapp-1.0.0'))).toBe(false);
  });

  it('refuses top-level await with the file and line', async () => {
    const project = fixtureProject('kvapp');
    fs.writeFileSync(path.join(project, 'src', 'late.ts'), 'export const x = 1;\nawait Promise.resolve();\n');
    await expect(buildRelease({ project, typecheck: false })).rejects.toThrow(
      /src\/late\.ts:2:\d+: error: .*await/i,
    );
    // A first build that fails leaves no half release behind (not even an empty lib/).
    expect(fs.existsSync(path.join(project, '_build', 'rel', 'kvapp'))).toBe(false);
  });

  it('explains what is wrong with a project description', () => {
    const project = fixtureProject('kvapp');
    editJson(path.join(project, 'package.json'), (p) => (p.hotrel.app.registered = 'kv'));
    expect(() => describeProject(project)).toThrow(ProjectError);
    expect(() => describeProject(project)).toThrow(
      /package\.json: hotrel\.app\.registered: expected a list of registered names/,
    );
    const noApp = fixtureProject('kvapp');
    editJson(path.join(noApp, 'package.json'), (p) => delete p.hotrel);
    expect(() => describeProject(noApp)).toThrow(
      /no application found; add a "hotrel": \{"app": \{\}\} section/,
    );
  });

  it('places third-party packages as Node resolves them, nested versions included', async () => {
    const project = fixtureProject('kvapp');
    fs.rmSync(path.join(project, 'node_modules'));
    const pkg = (
      dir: string,
      name: string,
      version: string,
      deps: Record<string, string> = {},
      main = '',
    ) => {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'package.json'),
        JSON.stringify({ name, version, dependencies: deps, main: 'index.js' }),
      );
      fs.writeFileSync(
        path.join(dir, 'index.js'),
        main || `module.exports = { name: '${name}', version: '${version}' };`,
      );
    };
    const nm = path.join(project, 'node_modules');
    pkg(
      path.join(nm, 'alpha'),
      'alpha',
      '1.0.0',
      { beta: '^1.0.0' },
      "module.exports = { beta: require('beta').version };",
    );
    pkg(path.join(nm, 'alpha', 'node_modules', 'beta'), 'beta', '1.0.0');
    pkg(path.join(nm, 'beta'), 'beta', '2.0.0');
    edit(path.join(project, 'package.json'), (t) =>
      t.replace(
        '"private": true,',
        '"private": true,\n  "dependencies": { "alpha": "1.0.0", "beta": "2.0.0" },',
      ),
    );
    const { release, root } = await buildRelease({ project, typecheck: false });
    expect(release.dependencies).toMatchObject({
      alpha: '1.0.0',
      beta: '2.0.0',
      'alpha/node_modules/beta': '1.0.0',
    });
    const deps = path.join(root, 'lib', release.depsDir!, 'node_modules');
    expect(
      JSON.parse(fs.readFileSync(path.join(deps, 'alpha', 'node_modules', 'beta', 'package.json'), 'utf8'))
        .version,
    ).toBe('1.0.0');
    // Node, resolving from the release, finds what the project resolved.
    const load = createRequire(__filename);
    expect((load(path.join(deps, 'alpha')) as { beta: string }).beta).toBe('1.0.0');
    expect((load(path.join(deps, 'beta')) as { version: string }).version).toBe('2.0.0');

    fs.rmSync(path.join(nm, 'beta'), { recursive: true });
    setVersion(project, '1.0.1');
    await expect(buildRelease({ project, typecheck: false })).rejects.toThrow(
      /kvapp depends on "beta", which is not installed .*run npm install/,
    );
  });
});

describe('BuildError', () => {
  it('is exported for the CLI', () => {
    expect(new BuildError('x')).toBeInstanceOf(Error);
  });
});
