/**
 * Translation of the module instructions (update, load_module, delete_module) into low-level
 * blocks, one per dependency component, placed where the component's first member was
 * (systools_rc: translate_dependent_instrs, translate_dep_to_low; semantics.md §4.3, §4.5).
 */
import type { RelupInstruction } from '../../model/instructions';
import { RelupError } from './errors';
import { isDependent, type Dependent, type Instr } from './expanded';
import { buildDependencyGraph, dependencyOrder, weakComponents } from './graph';
import type { AppRecord, Mode } from './translate';

export function translateDependentInstrs(
  mode: Mode,
  before: readonly Instr[],
  after: readonly Instr[],
  appls: readonly AppRecord[],
): { before: Instr[]; after: Instr[] } {
  const graph = buildDependencyGraph(after);
  const libOf = libraryLookup(appls);
  const { members, componentOf } = weakComponents(graph);
  const emitted = new Set<number>();
  const newBefore: Instr[] = [];
  const newAfter: Instr[] = [];
  for (const instr of after) {
    if (!isDependent(instr)) {
      newAfter.push(instr);
      continue;
    }
    // The whole component is translated at its first member; the later members are already done.
    const component = componentOf.get(instr.module)!;
    if (emitted.has(component)) continue;
    emitted.add(component);
    const block = translateDepToLow(mode, dependencyOrder(graph, members[component]!), libOf);
    newBefore.push(...block.before);
    newAfter.push(...block.after);
  }
  return { before: [...before, ...newBefore], after: newAfter };
}

/**
 * One component, given in dependency order (dependents first):
 * - up:   suspend, loads in reverse order (dependencies first), code_change up, resume;
 * - down: suspend, code_change down of dynamic modules (the newer code converts the state back),
 *         loads in order (dependents first), code_change down of static modules, resume.
 * Suspension uses the same order both ways; resumption the reverse.
 */
export function translateDepToLow(
  mode: Mode,
  instrs: readonly Dependent[],
  libOf: (module: string) => AppRecord,
): { before: RelupInstruction[]; after: RelupInstruction[] } {
  const updates = instrs.filter((i) => i.op === 'update');
  const suspendMods = updates.map((u) =>
    u.timeout === 'default' ? u.module : { module: u.module, timeout: u.timeout },
  );
  const suspend: RelupInstruction[] = updates.length > 0 ? [{ op: 'suspend', modules: suspendMods }] : [];
  const resume: RelupInstruction[] =
    updates.length > 0 ? [{ op: 'resume', modules: updates.map((u) => u.module).reverse() }] : [];

  const groups = instrs.map((i): RelupInstruction[] => {
    switch (i.op) {
      case 'update':
      case 'load_module':
        return [{ op: 'load', module: i.module, prePurge: i.prePurge, postPurge: i.postPurge }];
      case 'delete_module':
        return [
          { op: 'remove', module: i.module, prePurge: 'brutal_purge', postPurge: 'brutal_purge' },
          { op: 'purge', modules: [i.module] },
        ];
      case 'add_module':
        // Translated to load_module before this point; kept total for safety.
        return [{ op: 'load', module: i.module, prePurge: 'brutal_purge', postPurge: 'brutal_purge' }];
    }
  });
  const loadRemove = groups.flat();
  const loadObjectCode = loadRemove.flatMap((i): RelupInstruction[] => {
    if (i.op !== 'load') return [];
    const lib = libOf(i.module);
    return [{ op: 'load_object_code', app: lib.name, vsn: lib.vsn, modules: [i.module] }];
  });

  const advanced = (modType?: 'static' | 'dynamic') =>
    updates.flatMap((u) =>
      typeof u.change === 'object' && (modType === undefined || u.modType === modType)
        ? [{ module: u.module, extra: u.change.advanced }]
        : [],
    );
  const codeChange = (dir: 'up' | 'down', modules: ReturnType<typeof advanced>): RelupInstruction[] =>
    modules.length > 0 ? [{ op: 'code_change', mode: dir, modules }] : [];

  if (mode === 'up') {
    return {
      before: loadObjectCode,
      after: [...suspend, ...[...groups].reverse().flat(), ...codeChange('up', advanced()), ...resume],
    };
  }
  return {
    before: loadObjectCode,
    after: [
      ...suspend,
      ...codeChange('down', advanced('dynamic')),
      ...loadRemove,
      ...codeChange('down', advanced('static')),
      ...resume,
    ],
  };
}

/**
 * The application holding a module in `appls` (the release whose code is being loaded): the
 * first whose module list has it, as systools' get_lib.
 */
function libraryLookup(appls: readonly AppRecord[]): (module: string) => AppRecord {
  const owner = new Map<string, AppRecord>();
  for (const app of appls) for (const m of app.modules) if (!owner.has(m)) owner.set(m, app);
  return (module) => {
    const app = owner.get(module);
    if (app === undefined) {
      throw new RelupError(
        'no_such_module',
        `module ${JSON.stringify(module)} is to be loaded, but no application of the release being installed ` +
          "lists it in its app.json modules; check the module's name, or its application's module list",
        { module },
      );
    }
    return app;
  };
}
