/** A monorepo of two applications (npm workspaces), and a release that brings its own Node.js. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { layout } from '../../src/model';
import { readModelFile } from '../../src/model/files';
import { buildRelease } from '../../src/release/build/release';
import { bin, fixtureProject } from '../helpers/project';

const running: Array<[string, string]> = [];
afterEach(() => {
  for (const [root, rel] of running.splice(0)) bin(root, rel, ['stop']);
});

describe('a monorepo of applications', () => {
  it('builds every workspace application in dependency order and runs them together', async () => {
    const project = fixtureProject('shop');
    const { root, release } = await buildRelease({ project, typecheck: false });
    expect(root).toBe(path.join(project, '_build', 'rel', 'shop'));
    expect(release).toMatchObject({
      name: 'shop',
      vsn: '2.0.0',
      apps: [
        { name: 'catalog', vsn: '1.2.0', type: 'permanent' },
        { name: 'store', vsn: '0.9.0', type: 'permanent' },
      ],
    });
    const store = readModelFile('app', layout.appFile(root, 'store', '0.9.0'));
    expect(store.applications).toEqual(['catalog']);
    const catalog = readModelFile('app', layout.appFile(root, 'catalog', '1.2.0'));
    expect(catalog.mod).toBeUndefined();
    expect(
      readModelFile('modules', layout.modulesFile(root, 'store', '0.9.0')).modules['store:total']!.imports,
    ).toEqual(['catalog:index']);

    const up = bin(root, 'shop', ['daemon']);
    expect(up.status).toBe(0);
    running.push([root, 'shop']);
    for (const item of ['apple', 'apple', 'pear'])
      expect(bin(root, 'shop', ['rpc', 'store:total', 'add', JSON.stringify(item)]).stdout).toBe('ok\n');
    expect(bin(root, 'shop', ['rpc', 'store:total', 'total']).stdout).toBe('11 EUR\n');
    const missing = bin(root, 'shop', ['rpc', 'catalog:index', 'price', '"plum"']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no such item: plum');
  });
});

describe('--include-node', () => {
  it('bundles the Node.js binary, which bin/<rel> prefers to any other', async () => {
    const project = fixtureProject('kvapp');
    const { root } = await buildRelease({ project, typecheck: false, includeNode: true });
    const bundled = path.join(root, 'node', process.versions.node, 'bin', 'node');
    expect(fs.statSync(bundled).mode & 0o111).not.toBe(0);
    expect(bin(root, 'kvapp', ['daemon'], { HOTREL_NODE: '' }).status).toBe(0);
    running.push([root, 'kvapp']);
    expect(JSON.parse(bin(root, 'kvapp', ['info']).stdout).execPath).toBe(bundled);
  });
});
