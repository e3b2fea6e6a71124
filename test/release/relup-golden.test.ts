/**
 * Every golden translation vector of semantics.md §4.9 (verified on OTP 25), written in hotrel's
 * notation. Apps: target a-2 [m1..m5, new1] and b-1 [b1, b2]; source a-1 [m1..m5, old1] and
 * c-1 [c1, c2]. Bare module names in a's appup are a's modules.
 */
import { describe, expect, it } from 'vitest';
import type { AppupInstructionInput, RelupInstruction } from '../../src/model';
import { qualifyScript, translateScripts, type AppRecord, type Mode } from '../../src/release/relup';
import { parseModel } from '../../src/model';

const mods = (app: string, names: string[]): string[] => names.map((n) => `${app}:${n}`);
const A2: AppRecord = {
  name: 'a',
  vsn: '2',
  type: 'permanent',
  modules: mods('a', ['m1', 'm2', 'm3', 'm4', 'm5', 'new1']),
};
const B1: AppRecord = { name: 'b', vsn: '1', type: 'permanent', modules: mods('b', ['b1', 'b2']) };
const A1: AppRecord = {
  name: 'a',
  vsn: '1',
  type: 'permanent',
  modules: mods('a', ['m1', 'm2', 'm3', 'm4', 'm5', 'old1']),
};
const C1: AppRecord = { name: 'c', vsn: '1', type: 'permanent', modules: mods('c', ['c1', 'c2']) };
const APPLS = [A2, B1];
const PRE_APPLS = [A1, C1];

/** Parses instructions as an appup would hold them, then resolves a's bare names. */
function script(instrs: AppupInstructionInput[], app = 'a') {
  const appup = parseModel('appup', { vsn: '2', up: { '1': instrs }, down: {} }, 'a.appup.json');
  return qualifyScript(appup.up['1']!, app);
}
function translate(mode: Mode, ...scripts: AppupInstructionInput[][]): RelupInstruction[] {
  return translateScripts(
    mode,
    scripts.map((s) => script(s)),
    APPLS,
    PRE_APPLS,
  ).script;
}

const a = (m: string): string => `a:${m}`;
const LOC = (...ms: string[]): RelupInstruction => ({
  op: 'load_object_code',
  app: 'a',
  vsn: '2',
  modules: ms.map(a),
});
const L = (m: string, pre = 'brutal_purge', post = 'brutal_purge'): RelupInstruction =>
  ({ op: 'load', module: a(m), prePurge: pre, postPurge: post }) as RelupInstruction;
const R = (m: string, app = 'a'): RelupInstruction => ({
  op: 'remove',
  module: `${app}:${m}`,
  prePurge: 'brutal_purge',
  postPurge: 'brutal_purge',
});
const PONR: RelupInstruction = { op: 'point_of_no_return' };
const suspend = (...ms: (string | { module: string; timeout: number })[]): RelupInstruction => ({
  op: 'suspend',
  modules: ms.map((m) => (typeof m === 'string' ? a(m) : { ...m, module: a(m.module) })),
});
const resume = (...ms: string[]): RelupInstruction => ({ op: 'resume', modules: ms.map(a) });
const cc = (mode: 'up' | 'down', ...pairs: [string, unknown][]): RelupInstruction =>
  ({
    op: 'code_change',
    mode,
    modules: pairs.map(([m, extra]) => ({ module: a(m), extra })),
  }) as RelupInstruction;
const purge = (...ms: string[]): RelupInstruction => ({ op: 'purge', modules: ms });
const appApply = (fn: string, ...args: string[]): RelupInstruction => ({
  op: 'apply',
  module: 'application',
  function: fn,
  args,
});

describe('golden vectors of semantics.md §4.9', () => {
  const dependentPair: AppupInstructionInput[] = [
    { op: 'update', module: 'm1', change: { advanced: 'x' }, deps: ['m2'] },
    { op: 'update', module: 'm2', change: { advanced: 'y' } },
  ];

  it('up: update m1 (advanced x, deps m2), update m2 (advanced y)', () => {
    expect(translate('up', dependentPair)).toEqual([
      LOC('m1', 'm2'),
      PONR,
      suspend('m1', 'm2'),
      L('m2'),
      L('m1'),
      cc('up', ['m1', 'x'], ['m2', 'y']),
      resume('m2', 'm1'),
    ]);
  });

  it('dn: the same: code_change down before the loads, dependents loaded first', () => {
    expect(translate('dn', dependentPair)).toEqual([
      LOC('m1', 'm2'),
      PONR,
      suspend('m1', 'm2'),
      cc('down', ['m1', 'x'], ['m2', 'y']),
      L('m1'),
      L('m2'),
      resume('m2', 'm1'),
    ]);
  });

  it('up: two independent soft updates get their own suspend/resume brackets', () => {
    expect(
      translate('up', [
        { op: 'update', module: 'm1', change: 'soft' },
        { op: 'update', module: 'm2', change: 'soft' },
      ]),
    ).toEqual([
      LOC('m1', 'm2'),
      PONR,
      suspend('m1'),
      L('m1'),
      resume('m1'),
      suspend('m2'),
      L('m2'),
      resume('m2'),
    ]);
  });

  it('up: a component is placed at its first member; an apply between members goes after it', () => {
    const X = { op: 'apply' as const, module: 'x', function: 'y', args: [] };
    expect(
      translate('up', [
        { op: 'load_module', module: 'm1' },
        { op: 'update', module: 'm2', deps: ['m3'] },
        { op: 'load_module', module: 'm3' },
        X,
        { op: 'load_module', module: 'm4', deps: ['m1'] },
      ]),
    ).toEqual([
      LOC('m4', 'm1', 'm2', 'm3'),
      PONR,
      L('m1'),
      L('m4'),
      suspend('m2'),
      L('m3'),
      L('m2'),
      resume('m2'),
      { ...X, module: 'a:x' },
    ]);
  });

  it.each(['up', 'dn'] as const)(
    '%s: update of a supervisor is static with code_change after the load',
    (mode) => {
      expect(translate(mode, [{ op: 'update', module: 'm1', supervisor: true }])).toEqual([
        LOC('m1'),
        PONR,
        suspend('m1'),
        L('m1'),
        cc(mode === 'up' ? 'up' : 'down', ['m1', []]),
        resume('m1'),
      ]);
    },
  );

  it('dn: static update (load before code_change) and dynamic update (code_change before load)', () => {
    expect(
      translate('dn', [
        {
          op: 'update',
          module: 'm1',
          modType: 'static',
          timeout: 'default',
          change: { advanced: 'e' },
          prePurge: 'soft_purge',
          postPurge: 'soft_purge',
          deps: [],
        },
        { op: 'update', module: 'm2', change: { advanced: 'f' } },
      ]),
    ).toEqual([
      LOC('m1', 'm2'),
      PONR,
      suspend('m1'),
      L('m1', 'soft_purge', 'soft_purge'),
      cc('down', ['m1', 'e']),
      resume('m1'),
      suspend('m2'),
      cc('down', ['m2', 'f']),
      L('m2'),
      resume('m2'),
    ]);
  });

  it('up: a timeout goes into the suspend, not into the resume', () => {
    expect(
      translate('up', [
        {
          op: 'update',
          module: 'm1',
          timeout: 5000,
          change: { advanced: 'e' },
          prePurge: 'soft_purge',
          postPurge: 'soft_purge',
          deps: [],
        },
      ]),
    ).toEqual([
      LOC('m1'),
      PONR,
      suspend({ module: 'm1', timeout: 5000 }),
      L('m1', 'soft_purge', 'soft_purge'),
      cc('up', ['m1', 'e']),
      resume('m1'),
    ]);
  });

  it('up: add_module loads, delete_module removes and purges', () => {
    expect(
      translate('up', [
        { op: 'add_module', module: 'new1' },
        { op: 'delete_module', module: 'old1' },
      ]),
    ).toEqual([LOC('new1'), PONR, L('new1'), R('old1'), purge('a:old1')]);
  });

  it('up and dn: delete_module with deps is ordered like any dependent instruction', () => {
    const input: AppupInstructionInput[] = [
      { op: 'delete_module', module: 'm1', deps: ['m2'] },
      { op: 'load_module', module: 'm2' },
    ];
    expect(translate('up', input)).toEqual([LOC('m2'), PONR, L('m2'), R('m1'), purge('a:m1')]);
    expect(translate('dn', input)).toEqual([LOC('m2'), PONR, R('m1'), purge('a:m1'), L('m2')]);
  });

  it('up: add_application and remove_application', () => {
    expect(
      translate('up', [
        { op: 'add_application', application: 'b' },
        { op: 'remove_application', application: 'c' },
      ]),
    ).toEqual([
      { op: 'load_object_code', app: 'b', vsn: '1', modules: ['b:b1', 'b:b2'] },
      PONR,
      { op: 'load', module: 'b:b1', prePurge: 'brutal_purge', postPurge: 'brutal_purge' },
      { op: 'load', module: 'b:b2', prePurge: 'brutal_purge', postPurge: 'brutal_purge' },
      appApply('start', 'b', 'permanent'),
      appApply('stop', 'c'),
      R('c1', 'c'),
      R('c2', 'c'),
      purge('c:c1', 'c:c2'),
      appApply('unload', 'c'),
    ]);
  });

  it('up: restart_application stops, removes the old modules, loads the new ones, starts', () => {
    expect(translate('up', [{ op: 'restart_application', application: 'a' }])).toEqual([
      LOC('m1', 'm2', 'm3', 'm4', 'm5', 'new1'),
      PONR,
      appApply('stop', 'a'),
      ...['m1', 'm2', 'm3', 'm4', 'm5', 'old1'].map((m) => R(m)),
      purge(...A1.modules),
      ...['m1', 'm2', 'm3', 'm4', 'm5', 'new1'].map((m) => L(m)),
      appApply('start', 'a', 'permanent'),
    ]);
  });

  it('up: an apply before point_of_no_return stays before it, after the object code', () => {
    expect(
      translate('up', [
        { op: 'apply', module: 'x', function: 'y', args: [] },
        { op: 'point_of_no_return' },
        { op: 'load_module', module: 'm1' },
      ]),
    ).toEqual([LOC('m1'), { op: 'apply', module: 'a:x', function: 'y', args: [] }, PONR, L('m1')]);
  });

  it('up: a high-level instruction before point_of_no_return is an error naming the expanded instruction', () => {
    expect(() =>
      translate('up', [{ op: 'load_module', module: 'm1' }, { op: 'point_of_no_return' }]),
    ).toThrow(
      expect.objectContaining({
        kind: 'bad_op_before_point_of_no_return',
        detail: {
          instruction: {
            op: 'load_module',
            module: 'a:m1',
            prePurge: 'brutal_purge',
            postPurge: 'brutal_purge',
            deps: [],
          },
        },
      }),
    );
  });

  const restarts: AppupInstructionInput[] = [
    { op: 'restart_emulator' },
    { op: 'load_module', module: 'm1' },
    { op: 'restart_new_emulator' },
  ];
  it('up: restart_new_emulator goes first and restart_emulator last', () => {
    expect(translate('up', restarts)).toEqual([
      { op: 'restart_new_emulator' },
      LOC('m1'),
      PONR,
      L('m1'),
      { op: 'restart_emulator' },
    ]);
  });
  it('dn: restart_new_emulator becomes a single trailing restart_emulator', () => {
    expect(translate('dn', restarts)).toEqual([LOC('m1'), PONR, L('m1'), { op: 'restart_emulator' }]);
  });

  it('up: two scripts are merged in order', () => {
    const A = { op: 'apply' as const, module: 'x', function: 'a', args: [] };
    expect(
      translate(
        'up',
        [
          { op: 'update', module: 'm1', change: 'soft' },
          { op: 'load_module', module: 'm2' },
        ],
        [{ op: 'update', module: 'm3', change: 'soft' }, A],
      ),
    ).toEqual([
      LOC('m1', 'm2', 'm3'),
      PONR,
      suspend('m1'),
      L('m1'),
      resume('m1'),
      L('m2'),
      suspend('m3'),
      L('m3'),
      resume('m3'),
      { ...A, module: 'a:x' },
    ]);
  });

  it.each([
    ['m1 m2 m3', [0, 1, 2]],
    ['m3 m1 m2', [2, 0, 1]],
  ])('up: a cycle with a dependent (input order %s)', (_label, order) => {
    const instrs: AppupInstructionInput[] = [
      { op: 'update', module: 'm1', change: { advanced: 'x' }, deps: ['m2'] },
      { op: 'update', module: 'm2', change: { advanced: 'y' }, deps: ['m1'] },
      { op: 'update', module: 'm3', change: 'soft', deps: ['m1'] },
    ];
    expect(
      translate(
        'up',
        order.map((i) => instrs[i]!),
      ),
    ).toEqual([
      LOC('m3', 'm1', 'm2'),
      PONR,
      suspend('m3', 'm1', 'm2'),
      L('m2'),
      L('m1'),
      L('m3'),
      cc('up', ['m1', 'x'], ['m2', 'y']),
      resume('m2', 'm1', 'm3'),
    ]);
  });

  it('up and dn: a chain loads dependencies first on the way up and dependents first on the way down', () => {
    const chain: AppupInstructionInput[] = [
      { op: 'load_module', module: 'm1', deps: ['m2'] },
      { op: 'load_module', module: 'm2', deps: ['m3'] },
      { op: 'load_module', module: 'm3' },
    ];
    expect(translate('up', chain).slice(2)).toEqual([L('m3'), L('m2'), L('m1')]);
    expect(translate('dn', chain).slice(2)).toEqual([L('m1'), L('m2'), L('m3')]);
  });

  it('up: the cookbook "add a child" appup', () => {
    // The cookbook's supervisor ch_sup belongs to a-2 here.
    const appls: AppRecord[] = [{ ...A2, modules: [...A2.modules, 'a:ch_sup'] }, B1];
    const out = translateScripts(
      'up',
      [
        script([
          { op: 'add_module', module: 'm1' },
          { op: 'update', module: 'ch_sup', supervisor: true },
          { op: 'apply', module: 'supervisor', function: 'restart_child', args: ['ch_sup', 'm1'] },
        ]),
      ],
      appls,
      PRE_APPLS,
    ).script;
    expect(out).toEqual([
      LOC('m1', 'ch_sup'),
      PONR,
      L('m1'),
      suspend('ch_sup'),
      L('ch_sup'),
      cc('up', ['ch_sup', []]),
      resume('ch_sup'),
      { op: 'apply', module: 'supervisor', function: 'restart_child', args: ['ch_sup', 'm1'] },
    ]);
  });

  it('up: add_application with start type none, a changed module, remove_application, as three scripts', () => {
    const appls: AppRecord[] = [A2, { ...B1, modules: ['b:b1'] }];
    const preAppls: AppRecord[] = [A1, { ...C1, modules: ['c:c1'] }];
    const out = translateScripts(
      'up',
      [
        script([{ op: 'add_application', application: 'b', type: 'none' }]),
        script([{ op: 'load_module', module: 'm2' }]),
        script([{ op: 'remove_application', application: 'c' }]),
      ],
      appls,
      preAppls,
    ).script;
    expect(out).toEqual([
      { op: 'load_object_code', app: 'b', vsn: '1', modules: ['b:b1'] },
      LOC('m2'),
      PONR,
      { op: 'load', module: 'b:b1', prePurge: 'brutal_purge', postPurge: 'brutal_purge' },
      L('m2'),
      appApply('stop', 'c'),
      R('c1', 'c'),
      purge('c:c1'),
      appApply('unload', 'c'),
    ]);
  });

  it("up: a raw code_change without suspend passes (OTP's check is dead), with a warning", () => {
    const result = translateScripts(
      'up',
      [script([{ op: 'code_change', modules: [{ module: 'm1', extra: 'x' }] }])],
      APPLS,
      PRE_APPLS,
    );
    expect(result.script).toEqual([PONR, cc('up', ['m1', 'x'])]);
    expect(result.warnings).toEqual([
      expect.objectContaining({ kind: 'code_change_not_suspended', modules: ['a:m1'] }),
    ]);
  });

  describe('error vectors', () => {
    const cases: [string, AppupInstructionInput[][], string, Record<string, unknown>][] = [
      [
        'undefined dependency',
        [[{ op: 'update', module: 'm1', change: { advanced: 'x' }, deps: ['m9'] }]],
        'undef_module',
        { module: 'a:m9' },
      ],
      [
        'module in two instructions',
        [
          [
            { op: 'update', module: 'm1', change: 'soft' },
            { op: 'load_module', module: 'm1' },
          ],
        ],
        'muldef_module',
        { module: 'a:m1' },
      ],
      [
        'suspend without resume',
        [[{ op: 'suspend', modules: ['m1'] }]],
        'suspended_not_resumed',
        { modules: ['a:m1'] },
      ],
      ['load without object code', [[{ op: 'load', module: 'm1' }]], 'no_object_code', { module: 'a:m1' }],
      [
        'two points of no return',
        [[{ op: 'point_of_no_return' }, { op: 'point_of_no_return' }]],
        'too_many_point_of_no_return',
        {},
      ],
      [
        'update of a module no application has',
        [[{ op: 'update', module: 'zz' }]],
        'no_such_module',
        { module: 'a:zz' },
      ],
      [
        'remove_application of an application still in the target',
        [[{ op: 'remove_application', application: 'a' }]],
        'removed_application_present',
        { application: 'a' },
      ],
    ];
    it.each(cases)('%s', (_label, scripts, kind, detail) => {
      expect(() => translate('up', ...scripts)).toThrow(
        expect.objectContaining({ kind, detail: expect.objectContaining(detail) }),
      );
    });

    // These are syntax errors: hotrel's validator reports them when the appup is read, with the
    // same OTP atom; the translator checks them too, for scripts built in code.
    it.each([
      [
        'purge method "soft"',
        { op: 'load_module', module: 'a:m1', prePurge: 'soft', postPurge: 'brutal_purge', deps: [] },
        'bad_purge_method',
      ],
      ['unknown instruction', { op: 'foo' }, 'bad_instruction'],
      ['timeout 0', { op: 'update', module: 'a:m1', timeout: 0 }, 'bad_timeout'],
    ])('%s', (_label, instr, kind) => {
      expect(() => translateScripts('up', [[instr as never]], APPLS, PRE_APPLS)).toThrow(
        expect.objectContaining({ kind }),
      );
      const read = (): unknown =>
        parseModel('appup', { vsn: '2', up: { '1': [instr] }, down: {} }, 'a.appup.json');
      expect(read).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ kind })] }));
    });
  });
});
