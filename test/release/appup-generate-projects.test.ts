/**
 * Appup generation on small projects written for one rule each (relapp covers relapp1's hops):
 * deps across applications, an unchanged supervisor whose children come from a changed module,
 * GenStatem modules, state changes hotrel cannot see, and `upgrade.depends`. Each project is
 * built at two versions with the release builder; the relup compiler then accepts the result.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRelup } from '../../src/release/relup';
import { generateAppups, readReleaseSet, type GenerateResult } from '../../src/release/appup-gen';
import { buildRelease } from '../../src/release/build/release';
import { removeRelappDirs, tempDir } from '../helpers/relapp';

afterAll(removeRelappDirs);

type Files = Record<string, string>;

/** Builds `versions` (version -> files of the project, package.json included) into one root. */
async function buildVersions(versions: Array<[string, Files]>): Promise<string> {
  const output = tempDir('proj-out');
  let name = '';
  for (const [vsn, files] of versions) {
    const project = tempDir(`proj-${vsn}`);
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
      fs.writeFileSync(path.join(project, rel), text.replaceAll('$VSN', vsn).replaceAll('$OUT', output));
    }
    name = (await buildRelease({ project, typecheck: false })).release.name;
  }
  return path.join(output, name);
}

function generate(root: string): GenerateResult {
  const set = readReleaseSet(root);
  return generateAppups({ current: set, previous: set });
}

/** Compiles the relup of the newest release from the generated appups (throws on any error). */
function relupOf(root: string, result: GenerateResult) {
  const set = readReleaseSet(root);
  const target = result.target;
  const bases = result.bases.map((v) => ({ release: set.releases.get(v)! }));
  const apps = [target, ...bases.map((b) => b.release)].flatMap((r) =>
    r.apps.map((a) =>
      JSON.parse(fs.readFileSync(path.join(root, 'lib', `${a.name}-${a.vsn}`, `${a.name}.app.json`), 'utf8')),
    ),
  );
  const appups = Object.fromEntries(
    result.apps
      .filter((a) => a.appup !== undefined)
      .map((a) => [a.app, { appup: a.appup as never, file: `${a.app}.appup.json` }]),
  );
  return makeRelup({ target, upFrom: bases, downTo: bases, apps, appups }).relup;
}

const pkg = (name: string, extra: object = {}): string =>
  JSON.stringify({ name, version: '$VSN', hotrel: { app: {}, release: { output: '$OUT' } }, ...extra });

describe('generated plans for single rules', () => {
  it('names a changed module of another upgraded application in deps, and the relup orders it first', async () => {
    const files = (v: string): Files => ({
      'package.json': pkg('alpha', { workspaces: ['apps/*'], dependencies: { beta: '$VSN' } }),
      'src/index.ts': `import { f } from 'beta';\nexport const g = () => f() + '${v}';\n`,
      'apps/beta/package.json': JSON.stringify({ name: 'beta', version: '$VSN', hotrel: { app: {} } }),
      'apps/beta/src/index.ts': `export const f = () => 'beta ${v}';\n`,
    });
    const root = await buildVersions([
      ['1.0.0', files('one')],
      ['1.0.1', files('two')],
    ]);
    const result = generate(root);
    const alpha = result.apps.find((a) => a.app === 'alpha')!;
    expect(alpha.appup!.up['1.0.0']).toEqual([{ op: 'load_module', module: 'index', deps: ['beta:index'] }]);
    expect(result.apps.find((a) => a.app === 'beta')!.appup!.up['1.0.0']).toEqual([
      { op: 'load_module', module: 'index' },
    ]);
    const up = relupOf(root, result).up[0]!.instructions.filter((i) => i.op === 'load');
    expect(up.map((i) => (i as { module: string }).module)).toEqual(['beta:index', 'alpha:index']);
  });

  it('updates an unchanged supervisor whose children come from a changed plain module', async () => {
    const files = (children: string): Files => ({
      'package.json': pkg('kvapp'),
      'src/index.ts': 'export const x = 1;\n',
      'src/zconfig.ts': `export const ids = [${children}];\n`,
      'src/sup.ts':
        "import { ids } from './zconfig';\nexport const init = () => ({ children: ids.map((id) => ({ id, start: { module: {}, function: 'f' } })) });\n",
    });
    const root = await buildVersions([
      ['1.0.0', files("'a'")],
      ['1.0.1', files("'a', 'b'")],
    ]);
    const result = generate(root);
    const kv = result.apps[0]!;
    expect(kv.appup!.up['1.0.0']).toEqual([
      { op: 'load_module', module: 'zconfig' },
      {
        op: 'update',
        module: 'sup',
        modType: 'static',
        change: { advanced: { reconcileChildren: true } },
      },
    ]);
    // Loaded before the supervisor (which reads it), though its name sorts after it; no deps
    // edge, so the supervisor is not suspended together with it.
    expect(kv.from[0]!.up[1]!.why).toMatch(
      /unchanged Supervisor callback module, but it imports zconfig, which changed/,
    );
  });

  it('updates a GenStatem with a code change, and warns when it cannot see whether a state changed', async () => {
    const files = (v: string): Files => ({
      'package.json': pkg('fsm'),
      'src/index.ts': 'export const x = 1;\n',
      'src/door.ts': `export const callbackMode = () => 'state_functions';\nexport const init = () => null;\nexport function locked() { return '${v}'; }\n`,
      'src/untyped.ts': `export const init = () => ({});\nexport function handleCall(r: unknown, f: unknown, s: unknown) { return ['${v}', s]; }\n`,
    });
    const root = await buildVersions([
      ['1.0.0', files('one')],
      ['1.0.1', files('two')],
    ]);
    const result = generate(root);
    expect(result.apps[0]!.appup!.up['1.0.0']).toEqual([
      { op: 'update', module: 'door', change: { advanced: [] } },
      { op: 'update', module: 'untyped', change: { advanced: [] } },
    ]);
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /door: cannot tell whether its data changed shape \(no Data type found in 1\.0\.0\)/,
      ),
      expect.stringMatching(
        /untyped: cannot tell whether its state changed shape \(no State type found in 1\.0\.0\)/,
      ),
    ]);
  });

  it('adds upgrade.depends to deps when that module changes too, and says when it does not', async () => {
    const files = (v: string, depends: string): Files => ({
      'package.json': pkg('dep'),
      'src/index.ts': 'export const x = 1;\n',
      'src/a.ts': `export const upgrade = { depends: [${depends}] };\nexport const v = '${v}';\n`,
      'src/b.ts': `export const v = '${v}';\n`,
      'src/c.ts': 'export const same = true;\n',
    });
    const root = await buildVersions([
      ['1.0.0', files('one', "'b', 'c', 'nope'")],
      ['1.0.1', files('two', "'b', 'c', 'nope'")],
    ]);
    const result = generate(root);
    const plan = result.apps[0]!;
    expect(plan.appup!.up['1.0.0']).toEqual([
      { op: 'load_module', module: 'b' },
      { op: 'load_module', module: 'a', deps: ['b'] },
    ]);
    expect(plan.notes).toContainEqual(
      expect.stringMatching(/a: upgrade\.depends names c, which this upgrade does not change/),
    );
    expect(result.warnings).toContainEqual(
      expect.stringMatching(/a: upgrade\.depends names nope, which is not a module of dep 1\.0\.1; ignored/),
    );
    expect(relupOf(root, result).up).toHaveLength(1);
  });
});
