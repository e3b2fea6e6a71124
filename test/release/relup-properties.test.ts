/**
 * Invariants of the relup translator over random appups (fast-check): whatever the scripts, the
 * low-level script is well formed and keeps the ordering rules of semantics.md §4.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseModel, type AppupInstructionInput, type RelupInstruction } from '../../src/model';
import { RelupError, translateScripts, type AppRecord, type Mode } from '../../src/release/relup';

const APPS = ['a0', 'a1', 'a2'];
const MODULES = APPS.flatMap((a) => [0, 1, 2, 3, 4].map((i) => `${a}:m${i}`));
const appls = (vsn: string): AppRecord[] =>
  APPS.map((name) => ({
    name,
    vsn,
    type: 'permanent',
    modules: MODULES.filter((m) => m.startsWith(`${name}:`)),
  }));
const TARGET = appls('2');
const BASE = appls('1');

type Dep = Extract<AppupInstructionInput, { op: 'update' | 'load_module' | 'add_module' | 'delete_module' }>;

const purge = fc.constantFrom('soft_purge', 'brutal_purge' as const);
const change = fc.oneof(
  fc.constant('soft' as const),
  fc.integer({ min: 0, max: 9 }).map((extra) => ({ advanced: extra })),
);

/** One dependent instruction for `module`, whose deps are drawn from `others`. */
function dependentFor(module: string, others: string[]): fc.Arbitrary<Dep> {
  const deps =
    others.length === 0
      ? fc.constant([] as string[])
      : fc.subarray(others, { maxLength: Math.min(3, others.length) });
  return fc.oneof(
    fc.record({
      op: fc.constant('update' as const),
      module: fc.constant(module),
      modType: fc.constantFrom('static', 'dynamic' as const),
      timeout: fc.oneof(
        fc.constant('default' as const),
        fc.constant('infinity' as const),
        fc.integer({ min: 1, max: 9000 }),
      ),
      change,
      prePurge: purge,
      postPurge: purge,
      deps,
    }),
    fc.record({
      op: fc.constant('update' as const),
      module: fc.constant(module),
      supervisor: fc.constant(true as const),
      deps,
    }),
    fc.record({
      op: fc.constant('load_module' as const),
      module: fc.constant(module),
      prePurge: purge,
      postPurge: purge,
      deps,
    }),
    fc.record({ op: fc.constant('add_module' as const), module: fc.constant(module), deps }),
    fc.record({ op: fc.constant('delete_module' as const), module: fc.constant(module), deps }),
  );
}

interface Scenario {
  scripts: AppupInstructionInput[][];
  dependents: Dep[];
}

/** Random valid scripts: one per application, dependent instructions, applies, restarts, PONRs. */
const scenario: fc.Arbitrary<Scenario> = fc
  .uniqueArray(fc.constantFrom(...MODULES), { minLength: 0, maxLength: 10 })
  .chain((chosen) =>
    fc.tuple(...chosen.map((m) => dependentFor(m, chosen))).chain((dependents) =>
      fc
        .tuple(
          // A shuffled order of everything (dependents, applies, restarts) per application.
          fc.shuffledSubarray(dependents, { minLength: dependents.length, maxLength: dependents.length }),
          fc.array(fc.integer({ min: 0, max: 99 }), { maxLength: 4 }),
          fc.array(fc.constantFrom('restart_emulator', 'restart_new_emulator' as const), { maxLength: 2 }),
          fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
          fc.infiniteStream(fc.nat()),
        )
        .map(([order, applyIds, restarts, withPonr, positions]) => {
          const byApp = new Map<string, AppupInstructionInput[]>(APPS.map((a) => [a, []]));
          for (const d of order) byApp.get(d.module.split(':')[0]!)!.push(d);
          const pick = positions[Symbol.iterator]();
          const insert = (list: AppupInstructionInput[], instr: AppupInstructionInput): void => {
            list.splice(pick.next().value! % (list.length + 1), 0, instr);
          };
          applyIds.forEach((id, i) =>
            insert(byApp.get(APPS[i % 3]!)!, { op: 'apply', module: 'x:calls', function: 'f', args: [id] }),
          );
          restarts.forEach((op, i) => insert(byApp.get(APPS[i % 3]!)!, { op }));
          const scripts = APPS.map((a, i) => {
            const list = byApp.get(a)!;
            // Optionally an apply before an explicit point_of_no_return.
            const pre: AppupInstructionInput[] = [
              { op: 'apply', module: 'x:check', function: 'pre', args: [i] },
              { op: 'point_of_no_return' },
            ];
            return withPonr[i] ? [...pre, ...list] : list;
          });
          return { scripts, dependents };
        }),
    ),
  );

const run = (mode: Mode, s: Scenario): RelupInstruction[] =>
  translateScripts(mode, s.scripts, mode === 'up' ? TARGET : BASE, mode === 'up' ? BASE : TARGET).script;

const modsOf = (instr: RelupInstruction): string[] => {
  switch (instr.op) {
    case 'suspend':
      return instr.modules.map((m) => (typeof m === 'string' ? m : m.module));
    case 'resume':
    case 'purge':
      return instr.modules;
    default:
      return [];
  }
};

/** Modules B reachable from A through deps (A -> ... -> B). */
function reaches(dependents: Dep[], from: string, to: string): boolean {
  const deps = new Map(dependents.map((d) => [d.module, d.deps ?? []]));
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const m = stack.pop()!;
    for (const d of deps.get(m) ?? []) {
      if (d === to) return true;
      if (!seen.has(d)) {
        seen.add(d);
        stack.push(d);
      }
    }
  }
  return false;
}

const RUNS = { numRuns: 400 };

describe.each(['up', 'dn'] as const)('translation invariants (%s)', (mode) => {
  it('exactly one point_of_no_return; before it only (restart_new_emulator,) load_object_code, then apply', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const script = run(mode, s);
        expect(script.filter((i) => i.op === 'point_of_no_return')).toHaveLength(1);
        const before = script.slice(
          0,
          script.findIndex((i) => i.op === 'point_of_no_return'),
        );
        const ops = before.map((i) => i.op).join(' ');
        expect(ops).toMatch(/^(restart_new_emulator ?)?(load_object_code ?)*(apply ?)*$/);
        if (mode === 'dn') expect(ops).not.toContain('restart_new_emulator');
      }),
      RUNS,
    );
  });

  it('every load has its object code read, by its own application at the installed version, once per application', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const script = run(mode, s);
        const appsInstalled = mode === 'up' ? TARGET : BASE;
        const locs = script.filter(
          (i): i is Extract<RelupInstruction, { op: 'load_object_code' }> => i.op === 'load_object_code',
        );
        expect(new Set(locs.map((l) => l.app)).size).toBe(locs.length);
        const read = new Map<string, string>();
        for (const l of locs) {
          expect(l.vsn).toBe(appsInstalled.find((a) => a.name === l.app)!.vsn);
          for (const m of l.modules) {
            expect(read.has(m)).toBe(false);
            expect(m.startsWith(`${l.app}:`)).toBe(true);
            read.set(m, l.app);
          }
        }
        const loaded = script.flatMap((i) => (i.op === 'load' ? [i.module] : []));
        expect(new Set(loaded)).toEqual(new Set(read.keys()));
      }),
      RUNS,
    );
  });

  it('every module instruction becomes exactly one load or one remove+purge', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const script = run(mode, s);
        for (const d of s.dependents) {
          const loads = script.filter((i) => i.op === 'load' && i.module === d.module).length;
          const removes = script.filter((i) => i.op === 'remove' && i.module === d.module).length;
          if (d.op === 'delete_module') {
            expect([loads, removes]).toEqual([0, 1]);
            const at = script.findIndex((i) => i.op === 'remove' && i.module === d.module);
            expect(script[at + 1]).toEqual({ op: 'purge', modules: [d.module] });
          } else {
            expect([loads, removes]).toEqual([1, 0]);
          }
        }
      }),
      RUNS,
    );
  });

  it('every suspended module is resumed, in reverse order, with its loads and code changes in between', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const script = run(mode, s);
        const updates = new Set(s.dependents.filter((d) => d.op === 'update').map((d) => d.module));
        const suspended: string[] = [];
        let open: { modules: string[]; at: number } | undefined;
        script.forEach((instr, i) => {
          if (instr.op === 'suspend') {
            expect(open).toBeUndefined();
            open = { modules: modsOf(instr), at: i };
            suspended.push(...open.modules);
          } else if (instr.op === 'resume') {
            expect(open).toBeDefined();
            expect(instr.modules).toEqual([...open!.modules].reverse());
            open = undefined;
          } else if (instr.op === 'code_change') {
            // Code changes happen only while their processes are suspended.
            for (const m of instr.modules) expect(open?.modules).toContain(m.module);
          } else if (instr.op === 'load' && updates.has(instr.module)) {
            expect(open?.modules).toContain(instr.module);
          }
        });
        expect(open).toBeUndefined();
        expect(suspended.sort()).toEqual([...updates].sort());
      }),
      RUNS,
    );
  });

  it('code_change: after the load going up; going down, dynamic before and static after the load', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const script = run(mode, s);
        const loadAt = (m: string): number => script.findIndex((i) => i.op === 'load' && i.module === m);
        const changes = script.flatMap((instr, at) =>
          instr.op === 'code_change' ? instr.modules.map((m) => ({ ...m, at, mode: instr.mode })) : [],
        );
        const advanced = s.dependents.filter(
          (d) =>
            d.op === 'update' && (d.supervisor === true || (d.change !== undefined && d.change !== 'soft')),
        ) as Extract<Dep, { op: 'update' }>[];
        expect(changes.map((c) => c.module).sort()).toEqual(advanced.map((d) => d.module).sort());
        for (const c of changes) {
          const d = advanced.find((x) => x.module === c.module)!;
          expect(c.mode).toBe(mode === 'up' ? 'up' : 'down');
          expect(c.extra).toEqual(d.supervisor === true ? [] : (d.change as { advanced: unknown }).advanced);
          const isStatic = d.supervisor === true || d.modType === 'static';
          if (mode === 'up' || isStatic) expect(c.at).toBeGreaterThan(loadAt(c.module));
          else expect(c.at).toBeLessThan(loadAt(c.module));
        }
      }),
      RUNS,
    );
  });

  it('dependencies are loaded first going up and last going down (outside cycles)', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const script = run(mode, s);
        const at = (m: string): number =>
          script.findIndex((i) => (i.op === 'load' || i.op === 'remove') && i.module === m);
        for (const d of s.dependents) {
          for (const dep of d.deps ?? []) {
            if (dep === d.module || reaches(s.dependents, dep, d.module)) continue; // same cycle
            if (mode === 'up') expect(at(dep)).toBeLessThan(at(d.module));
            else expect(at(d.module)).toBeLessThan(at(dep));
          }
        }
      }),
      RUNS,
    );
  });

  it('restarts: at most one restart_emulator, last; restart_new_emulator only first, only going up', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const script = run(mode, s);
        const hadNew = s.scripts.flat().some((i) => i.op === 'restart_new_emulator');
        const hadAny = s.scripts.flat().some((i) => i.op === 'restart_emulator');
        const rne = script.flatMap((i, at) => (i.op === 'restart_new_emulator' ? [at] : []));
        const re = script.flatMap((i, at) => (i.op === 'restart_emulator' ? [at] : []));
        expect(rne).toEqual(mode === 'up' && hadNew ? [0] : []);
        expect(re).toEqual(hadAny || (mode === 'dn' && hadNew) ? [script.length - 1] : []);
      }),
      RUNS,
    );
  });

  it('keeps every apply, in order, and produces a valid relup script, deterministically', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const script = run(mode, s);
        // Applies before an explicit point_of_no_return come first; the others keep their order.
        const argsOf = (list: readonly object[], module: string): unknown[] =>
          (list as { op: string; module?: string; args?: unknown }[]).flatMap((i) =>
            i.op === 'apply' && i.module === module ? [i.args] : [],
          );
        const input = s.scripts.flat();
        expect(argsOf(script, 'x:check')).toEqual(argsOf(input, 'x:check'));
        expect(argsOf(script, 'x:calls')).toEqual(argsOf(input, 'x:calls'));
        const lastPre = script.findLastIndex((i) => i.op === 'apply' && i.module === 'x:check');
        const firstCall = script.findIndex((i) => i.op === 'apply' && i.module === 'x:calls');
        if (lastPre >= 0 && firstCall >= 0) expect(lastPre).toBeLessThan(firstCall);
        parseModel('relup', { vsn: '2', up: [{ vsn: '1', instructions: script }], down: [] }, 'relup.json');
        expect(run(mode, s)).toEqual(script);
      }),
      RUNS,
    );
  });
});

describe('translation invariants across directions', () => {
  it('suspends in the same order going up and going down', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const suspends = (mode: Mode): unknown[] => run(mode, s).filter((i) => i.op === 'suspend');
        expect(suspends('dn')).toEqual(suspends('up'));
      }),
      RUNS,
    );
  });

  it('never fails with anything but a RelupError, whatever the instructions', () => {
    const field = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom(...MODULES),
      fc.integer(),
      fc.constant(null),
      fc.array(fc.constantFrom(...MODULES), { maxLength: 3 }),
    );
    const junk = fc.record(
      {
        op: fc.constantFrom(
          'update',
          'load_module',
          'add_module',
          'delete_module',
          'apply',
          'load',
          'suspend',
          'resume',
          'code_change',
          'point_of_no_return',
          'add_application',
          'remove_application',
          'restart_application',
          'purge',
          'stop',
          'start',
          'sync_nodes',
          'nope',
        ),
        module: field,
        modules: field,
        deps: field,
        change: fc.oneof(field, fc.constant('soft')),
        application: fc.oneof(field, fc.constantFrom('a0', 'zz')),
      },
      { requiredKeys: ['op'] },
    );
    fc.assert(
      fc.property(fc.array(fc.array(junk, { maxLength: 5 }), { maxLength: 3 }), (scripts) => {
        try {
          translateScripts('up', scripts as never, TARGET, BASE);
        } catch (error) {
          expect(error).toBeInstanceOf(RelupError);
        }
      }),
      { numRuns: 600 },
    );
  });
});
