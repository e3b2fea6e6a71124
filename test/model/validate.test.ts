/**
 * The model's validator: every file kind accepts what hotrel writes and rejects the rest with
 * the file, the JSON path and what is allowed there.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelError, formatPath, parseModel, parseModelText, type ModelFileKind } from '../../src/model';
import { readModelFile, writeJsonAtomic } from '../../src/model/files';

function messages(kind: ModelFileKind, value: unknown, file = `x.${kind}.json`): string[] {
  try {
    parseModel(kind, value, file);
  } catch (error) {
    if (error instanceof ModelError) return error.message.split('\n');
    throw error;
  }
  return [];
}

const validApp = {
  name: 'kvapp',
  vsn: '1.0.0',
  description: 'key-value store',
  modules: ['kvapp:kv_sup', 'kvapp:workers/pool'],
  registered: ['kv_sup'],
  applications: ['logger'],
  mod: { module: 'kvapp:kv_app', args: { port: 4000 } },
  env: { port: 4000, peers: ['a', 'b'] },
};

const validRelease = {
  name: 'kvrel',
  vsn: '1.0.0',
  node: '20.20.2',
  hotrel: '0.1.0',
  apps: [
    { name: 'logger', vsn: '2.1.0' },
    { name: 'kvapp', vsn: '1.0.0', type: 'permanent' },
  ],
  dependencies: { pino: '10.4.0' },
};

describe('app.json', () => {
  it('accepts an application and fills in OTP defaults', () => {
    expect(parseModel('app', validApp, 'kvapp.app.json')).toEqual({
      ...validApp,
      mod: { module: 'kvapp:kv_app', args: { port: 4000 } },
      includedApplications: [],
      optionalApplications: [],
    });
  });

  it('requires what systools requires', () => {
    expect(messages('app', { name: 'kvapp', vsn: '1' }, 'kvapp.app.json')).toEqual([
      'kvapp.app.json: description: expected a string, got nothing',
      'kvapp.app.json: modules: expected a list of module ids, got nothing',
      'kvapp.app.json: registered: expected a list of registered names, got nothing',
      'kvapp.app.json: applications: expected a list of application names, got nothing',
    ]);
  });

  it('rejects modules of another application, duplicates, unknown fields and non-JSON env', () => {
    expect(
      messages('app', {
        ...validApp,
        modules: ['kvapp:a', 'other:b', 'kvapp:a', 'bare'],
        optionalApplications: ['ghost'],
        env: { f: 1, g: Number.NaN },
        vsnn: '1',
      }),
    ).toEqual([
      'x.app.json: modules[3]: expected a module id "<app>:<relpath>" such as "kvapp:kv_worker", got "bare"',
      'x.app.json: env.g: expected a JSON value (null, boolean, finite number, string, array or plain object), got NaN',
      'x.app.json: unknown field "vsnn"',
    ]);
    expect(
      messages('app', {
        ...validApp,
        modules: ['kvapp:a', 'other:b', 'kvapp:a'],
        optionalApplications: ['ghost'],
      }),
    ).toEqual([
      'x.app.json: modules[1]: expected a module of "kvapp" ("kvapp:<relpath>"), got "other:b"',
      'x.app.json: modules[2]: module "kvapp:a" is listed twice',
      'x.app.json: optionalApplications[0]: expected an application also listed in "applications", got "ghost"',
    ]);
  });
});

describe('release.json', () => {
  it('accepts a release with start types defaulting to permanent', () => {
    const release = parseModel('release', validRelease, 'release.json');
    expect(release.apps.map((a) => a.type)).toEqual(['permanent', 'permanent']);
  });

  it('rejects bad start types, duplicate applications and unsafe versions', () => {
    expect(
      messages('release', {
        ...validRelease,
        vsn: '../1',
        apps: [
          { name: 'kvapp', vsn: '1', type: 'perm' },
          { name: 'kvapp', vsn: '2' },
        ],
      }),
    ).toEqual([
      'x.release.json: vsn: expected a version string such as "1.0.0" (letters, digits, ".", "_", "+", "~" or "-"), got "../1"',
      'x.release.json: apps[0].type: expected "permanent", "transient", "temporary", "load" or "none", got "perm"',
    ]);
    expect(
      messages('release', {
        ...validRelease,
        apps: [
          { name: 'kvapp', vsn: '1' },
          { name: 'kvapp', vsn: '2' },
        ],
      }),
    ).toEqual([
      'x.release.json: apps[1].name: application "kvapp" is already listed at apps[0]; a release holds one version of each application',
    ]);
  });
});

describe('appup.json', () => {
  const appup = (up: unknown) => ({ vsn: '2.0.0', up, down: {} });

  it('reports an instruction field with the path, what is allowed, and the OTP atom', () => {
    try {
      parseModel(
        'appup',
        appup({
          '1.0.0': [{ op: 'load_module', module: 'm' }, {}, { op: 'update', module: 'kv', prePurge: 'soft' }],
        }),
        'kvapp.appup.json',
      );
      expect.unreachable();
    } catch (error) {
      const e = error as ModelError;
      expect(e.message).toBe(
        [
          'kvapp.appup.json: up["1.0.0"][1].op: expected "op" to be one of "load_module", "update", "add_module", "delete_module", "add_application", "remove_application", "restart_application", "mnesia_backup", "load_object_code", "point_of_no_return", "load", "remove", "purge", "suspend", "resume", "code_change", "stop", "start", "sync_nodes", "apply", "restart_new_emulator" or "restart_emulator", got nothing',
          'kvapp.appup.json: up["1.0.0"][2].prePurge: expected "soft_purge" or "brutal_purge", got "soft"',
        ].join('\n'),
      );
      expect(e.issues.map((i) => [i.where, i.kind])).toEqual([
        ['up["1.0.0"][1].op', 'bad_instruction'],
        ['up["1.0.0"][2].prePurge', 'bad_purge_method'],
      ]);
    }
  });

  it('names the allowed fields of an instruction with an unknown one', () => {
    expect(
      messages(
        'appup',
        appup({ '1': [{ op: 'update', module: 'kv', purge: 'soft_purge' }] }),
        'a.appup.json',
      ),
    ).toEqual([
      'a.appup.json: up["1"][0]: unknown field "purge" in a "update" instruction; allowed: "op", "module", "supervisor", "modType", "timeout", "change", "prePurge", "postPurge" or "deps"',
    ]);
  });

  it('checks every field kind of every instruction', () => {
    const cases: [unknown, string, string][] = [
      [{ op: 'update', module: 'kv', change: 'advanced' }, 'change', 'bad_change'],
      [{ op: 'update', module: 'kv', modType: 'callback' }, 'modType', 'bad_mod_type'],
      [{ op: 'update', module: 'kv', timeout: -1 }, 'timeout', 'bad_timeout'],
      [{ op: 'update', module: 'kv', supervisor: true, change: 'soft' }, 'change', 'bad_change'],
      [{ op: 'load_module', module: 'a:b:c' }, 'module', 'bad_module'],
      [{ op: 'load_module', module: 'kv', deps: 'x' }, 'deps', 'bad_list'],
      [{ op: 'load_module', module: 'kv', deps: ['../x'] }, 'deps[0]', 'bad_module'],
      [{ op: 'add_application', application: 'a b' }, 'application', 'bad_application'],
      [{ op: 'add_application', application: 'b', type: 'auto' }, 'type', 'bad_start_type'],
      [{ op: 'apply', module: 'm', function: 'f()', args: [] }, 'function', 'bad_func'],
      [{ op: 'apply', module: 'm', function: 'f', args: {} }, 'args', 'bad_args_list'],
      [{ op: 'apply', module: 'application', function: 'restart' }, 'function', 'bad_func'],
      [
        { op: 'apply', module: 'application', function: 'start', args: ['b', 'auto'] },
        'args',
        'bad_args_list',
      ],
      [{ op: 'load_object_code', app: 'a/b', vsn: '1', modules: [] }, 'app', 'bad_lib'],
      [{ op: 'load_object_code', app: 'a', vsn: 1, modules: [] }, 'vsn', 'bad_lib_vsn'],
      [{ op: 'load_object_code', app: 'a', vsn: '1', modules: ['m', 'b:m'] }, 'modules[1]', 'bad_module'],
      [{ op: 'suspend', modules: [{ module: 'm', timeout: 0 }] }, 'modules[0].timeout', 'bad_timeout'],
      [{ op: 'code_change', mode: 'sideways', modules: [] }, 'mode', 'bad_mode'],
      [{ op: 'code_change', modules: ['m'] }, 'modules[0]', 'bad_code_change'],
      [{ op: 'sync_nodes', id: 1, nodes: [''] }, 'nodes[0]', 'bad_node'],
      [{ op: 'sync_nodes', id: 1 }, '', 'bad_instruction'],
      [
        { op: 'sync_nodes', id: 1, apply: { module: 'm', function: 'f', args: 5 } },
        'apply.args',
        'bad_args_list',
      ],
    ];
    for (const [instr, where, kind] of cases) {
      try {
        parseModel('appup', appup({ '1': [instr] }), 'a.appup.json');
        expect.unreachable(JSON.stringify(instr));
      } catch (error) {
        const issue = (error as ModelError).issues[0]!;
        expect([issue.where, issue.kind], JSON.stringify(instr)).toEqual([
          `up["1"][0]${where ? (where.startsWith('[') ? '' : '.') + where : ''}`,
          kind,
        ]);
      }
    }
  });

  it('validates version keys: patterns, semver ranges, exact versions, and the integer-key trap', () => {
    expect(
      messages(
        'appup',
        appup({ '/1\\.[/': [], 'semver:^^1': [], '1 0': [], '/1.*/': [], '2': [] }),
        'a.appup.json',
      ),
    ).toEqual([
      'a.appup.json: up["/1\\\\.[/"]: version key "/1\\\\.[/": invalid regular expression: Invalid regular expression: /1\\.[/: Unterminated character class',
      'a.appup.json: up["semver:^^1"]: version key "semver:^^1": "^^1" is not a valid semver range (e.g. "semver:^1.2.0" or "semver:>=1.0.0 <2.0.0")',
      'a.appup.json: up["1 0"]: version key "1 0": expected an exact version (letters, digits, ".", "_", "+", "~" or "-"), a pattern "/regex/" or a range "semver:<range>"',
      'a.appup.json: up["2"]: version key "2" sits beside the pattern "/1\\\\.[/": JSON objects list integer-like keys first, so the file order (first match wins) cannot be kept; write it as the pattern "/2/", which matches exactly that version',
    ]);
  });

  it('keeps the file order of keys, which decides the first match', () => {
    const parsed = parseModelText(
      'appup',
      '{"vsn":"3","up":{"/.*/":[],"1.0.0":[{"op":"restart_emulator"}]},"down":{}}',
      'a.appup.json',
    );
    expect(Object.keys(parsed.up)).toEqual(['/.*/', '1.0.0']);
  });
});

describe('relup.json', () => {
  const section = (instructions: unknown[]) => ({ vsn: '1', instructions });

  it('accepts low-level scripts with qualified module ids and fills in defaults', () => {
    const relup = parseModel(
      'relup',
      {
        vsn: '2',
        up: [
          section([
            { op: 'load_object_code', app: 'a', vsn: '2', modules: ['a:m'] },
            { op: 'point_of_no_return' },
            { op: 'load', module: 'a:m' },
          ]),
        ],
        down: [],
      },
      'relup.json',
    );
    expect(relup.up[0]).toEqual({
      vsn: '1',
      description: '',
      instructions: [
        { op: 'load_object_code', app: 'a', vsn: '2', modules: ['a:m'] },
        { op: 'point_of_no_return' },
        { op: 'load', module: 'a:m', prePurge: 'brutal_purge', postPurge: 'brutal_purge' },
      ],
    });
  });

  it('rejects high-level instructions, bare module names and a badly shaped script', () => {
    expect(
      messages(
        'relup',
        { vsn: '2', up: [section([{ op: 'load_module', module: 'a:m' }])], down: [] },
        'relup.json',
      )[0],
    ).toMatch(
      /^relup\.json: up\[0\]\.instructions\[0\]\.op: expected "op" to be one of "load_object_code", /,
    );
    expect(
      messages('relup', { vsn: '2', up: [section([{ op: 'load', module: 'm' }])], down: [] }, 'relup.json'),
    ).toEqual([
      'relup.json: up[0].instructions[0].module: expected a module id "<app>:<relpath>" such as "kvapp:kv_worker", got "m"',
    ]);
    expect(
      messages(
        'relup',
        {
          vsn: '2',
          up: [
            section([
              { op: 'purge', modules: ['a:m'] },
              { op: 'point_of_no_return' },
              { op: 'restart_emulator' },
              { op: 'restart_new_emulator' },
              { op: 'load_object_code', app: 'a', vsn: '2', modules: [] },
              { op: 'point_of_no_return' },
            ]),
            section([]),
          ],
          down: [],
        },
        'relup.json',
      ),
    ).toEqual([
      'relup.json: up[0].instructions[0]: expected only load_object_code or apply before point_of_no_return, got "purge"',
      'relup.json: up[0].instructions[2]: expected restart_emulator only as the last instruction',
      'relup.json: up[0].instructions[3]: expected restart_new_emulator only as the first instruction',
      'relup.json: up[0].instructions[4]: expected load_object_code only before point_of_no_return',
      'relup.json: up[0].instructions[5]: expected a single point_of_no_return per script, got a second one',
      'relup.json: up[1].vsn: expected each version once, got "1" again',
    ]);
  });
});

describe('RELEASES.json and start.json', () => {
  const entry = (vsn: string, status: string) => ({
    name: 'kvrel',
    vsn,
    node: '20.20.2',
    libs: [{ app: 'kvapp', vsn: '1.0.0', dir: 'lib/kvapp-1.0.0' }],
    status,
  });

  it('accepts the statuses written to disk, never "current"', () => {
    expect(
      parseModel('releases', { releases: [entry('2', 'unpacked'), entry('1', 'permanent')] }, 'RELEASES.json')
        .releases,
    ).toHaveLength(2);
    expect(messages('releases', { releases: [entry('2', 'current')] }, 'RELEASES.json')).toEqual([
      'RELEASES.json: releases[0].status: expected "unpacked", "permanent", "old" or "tmp_current", got "current"',
    ]);
  });

  it('rejects two permanent releases and duplicate versions', () => {
    expect(
      messages('releases', { releases: [entry('2', 'permanent'), entry('2', 'permanent')] }, 'RELEASES.json'),
    ).toEqual([
      'RELEASES.json: releases[1].vsn: expected each release version once, got "2" again',
      'RELEASES.json: releases[1].status: expected a single permanent release, but releases[0] is permanent too',
    ]);
  });

  it('start.json names the Node.js version and the release to boot', () => {
    expect(parseModel('start', { node: '20.20.2', vsn: '1.0.0' }, 'start.json')).toEqual({
      node: '20.20.2',
      vsn: '1.0.0',
    });
    expect(messages('start', { node: '20.20.2' }, 'start.json')).toEqual([
      'start.json: vsn: expected a version string such as "1.0.0" (letters, digits, ".", "_", "+", "~" or "-"), got nothing',
    ]);
  });
});

describe('files', () => {
  it('reads and validates a file, naming it in errors; writes atomically', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-'));
    try {
      const file = path.join(dir, 'start.json');
      writeJsonAtomic(file, { node: '20.20.2', vsn: '1.0.0' });
      expect(readModelFile('start', file)).toEqual({ node: '20.20.2', vsn: '1.0.0' });
      expect(fs.readdirSync(dir)).toEqual(['start.json']);
      expect(() => readModelFile('start', path.join(dir, 'none.json'), 'releases/start.json')).toThrow(
        'releases/start.json: file not found',
      );
      fs.writeFileSync(file, '{"node": ');
      expect(() => readModelFile('start', file, 'releases/start.json')).toThrow(
        /^releases\/start\.json: invalid JSON: /,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('formats paths as JavaScript accessors', () => {
    expect(formatPath(['up', '1.0.0', 2, 'prePurge'])).toBe('up["1.0.0"][2].prePurge');
    expect(formatPath(['releases', 0, 'libs'])).toBe('releases[0].libs');
    expect(formatPath([])).toBe('');
  });
});
