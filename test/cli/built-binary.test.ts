/**
 * The `hotrel` binary as npm installs it: the sources compiled by `tsc -p tsconfig.build.json`
 * into dist/, run with node. Checks the command discovery on .js files and the package wiring.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRoot } from '../helpers/release-root';
import { app, release } from '../helpers/releases';

const REPO = path.resolve(__dirname, '../..');
let pkg: string;

beforeAll(() => {
  // A package directory: package.json, dist/ built from src/, node_modules linked to the repo's.
  pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'hotrel-dist-'));
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(pkg, 'package.json'));
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
  const tsc = spawnSync(
    process.execPath,
    [
      require.resolve('typescript/bin/tsc'),
      '-p',
      path.join(REPO, 'tsconfig.build.json'),
      '--outDir',
      path.join(pkg, 'dist'),
    ],
    { cwd: REPO, encoding: 'utf8' },
  );
  expect(tsc.stdout + tsc.stderr).toBe('');
  expect(tsc.status).toBe(0);
}, 180_000);

afterAll(() => {
  if (pkg !== undefined) fs.rmSync(pkg, { recursive: true, force: true });
});

const bin = (): string => path.join(pkg, 'dist', 'cli', 'main.js');
const run = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [bin(), ...args], { cwd, encoding: 'utf8' });

describe('the built hotrel binary', () => {
  it('is where package.json says, starts with a shebang, and reports the package version', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')) as {
      bin: { hotrel: string };
      version: string;
    };
    expect(path.join(pkg, manifest.bin.hotrel)).toBe(bin());
    expect(fs.readFileSync(bin(), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const version = run(pkg, '--version');
    expect(version.stdout.trim()).toBe(manifest.version);
  });

  it('finds its commands among the compiled files and compiles a relup', () => {
    const help = run(pkg, '--help');
    expect(help.stdout).toContain('relup [options]');
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hotrel-dist-run-'));
    try {
      const root = writeRoot(path.join(cwd, '_build', 'rel', 'r'), {
        releases: [release('1', [['a', '1']], { name: 'r' }), release('2', [['a', '2']], { name: 'r' })],
        apps: [app('a', '1', ['m']), app('a', '2', ['m'])],
        appups: {
          'a-2': {
            vsn: '2',
            up: { '1': [{ op: 'load_module', module: 'm' }] },
            down: { '1': [{ op: 'load_module', module: 'm' }] },
          },
        },
      });
      const r = run(cwd, 'relup');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(
        JSON.parse(fs.readFileSync(path.join(root, 'releases', '2', 'relup.json'), 'utf8')),
      ).toMatchObject({
        vsn: '2',
        up: [
          {
            vsn: '1',
            instructions: [
              { op: 'load_object_code' },
              { op: 'point_of_no_return' },
              { op: 'load', module: 'a:m' },
            ],
          },
        ],
      });
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('exposes the appup builders as hotrel/appup', () => {
    const r = spawnSync(
      process.execPath,
      ['-e', "console.log(JSON.stringify(require('hotrel/appup').update('m')))"],
      {
        cwd: pkg,
        encoding: 'utf8',
      },
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ op: 'update', module: 'm' });
  });
});
