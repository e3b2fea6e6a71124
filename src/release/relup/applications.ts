/**
 * Translation of add_application, remove_application and restart_application into module and
 * apply instructions (systools_rc:translate_application_instrs, semantics.md §3.1), then of
 * add_module into load_module.
 */
import type { StartType } from '../../model/fields';
import type { RelupInstruction } from '../../model/instructions';
import { RelupError } from './errors';
import type { Instr, XAddModule } from './expanded';
import type { AppRecord } from './translate';

const apply = (fn: string, args: string[]): RelupInstruction => ({
  op: 'apply',
  module: 'application',
  function: fn,
  args,
});

/** How an application of start type `type` is brought up after its modules are loaded. */
function startApplication(app: string, type: StartType): RelupInstruction[] {
  if (type === 'none') return [];
  if (type === 'load') return [apply('load', [app])];
  return [apply('start', [app, type])];
}

function removeModules(modules: readonly string[]): RelupInstruction[] {
  return [
    ...modules.map((m): RelupInstruction => ({
      op: 'remove',
      module: m,
      prePurge: 'brutal_purge',
      postPurge: 'brutal_purge',
    })),
    { op: 'purge', modules: [...modules] },
  ];
}

const addModules = (modules: readonly string[]): XAddModule[] =>
  modules.map((m) => ({ op: 'add_module', module: m, deps: [] }));

/**
 * `appls` are the applications of the release being installed, `preAppls` those of the release
 * running before (for a downgrade, the older and the newer release respectively).
 */
export function translateApplicationInstrs(
  script: readonly Instr[],
  appls: readonly AppRecord[],
  preAppls: readonly AppRecord[],
): Instr[] {
  const find = (list: readonly AppRecord[], name: string): AppRecord | undefined =>
    list.find((a) => a.name === name);
  const translated = script.flatMap((instr): Instr[] => {
    switch (instr.op) {
      case 'add_application': {
        const app = find(appls, instr.application);
        if (app === undefined)
          throw noSuchApplication(instr.application, 'added', 'the release being installed');
        return [...addModules(app.modules), ...startApplication(app.name, instr.type)];
      }
      case 'remove_application': {
        if (find(appls, instr.application) !== undefined) {
          throw new RelupError(
            'removed_application_present',
            `remove_application of ${JSON.stringify(instr.application)}, which the release being installed still ` +
              'contains; remove the application from the release, or use restart_application',
            { application: instr.application },
          );
        }
        const old = find(preAppls, instr.application);
        if (old === undefined) throw noSuchApplication(instr.application, 'removed', 'the running release');
        return [apply('stop', [old.name]), ...removeModules(old.modules), apply('unload', [old.name])];
      }
      case 'restart_application': {
        const old = find(preAppls, instr.application);
        if (old === undefined) throw noSuchApplication(instr.application, 'restarted', 'the running release');
        const next = find(appls, instr.application);
        if (next === undefined)
          throw noSuchApplication(instr.application, 'restarted', 'the release being installed');
        return [
          apply('stop', [old.name]),
          ...removeModules(old.modules),
          ...addModules(next.modules),
          // The start type is the new release's (SASL >= 2.4).
          ...startApplication(next.name, next.type),
        ];
      }
      default:
        return [instr];
    }
  });
  // add_module is load_module of a module with no old code (the purge methods do not matter).
  return translated.map((instr) =>
    instr.op === 'add_module'
      ? {
          op: 'load_module',
          module: instr.module,
          prePurge: 'brutal_purge',
          postPurge: 'brutal_purge',
          deps: instr.deps,
        }
      : instr,
  );
}

function noSuchApplication(app: string, what: string, where: string): RelupError {
  return new RelupError(
    'no_such_application',
    `application ${JSON.stringify(app)} is ${what} but ${where} does not contain it; check the application name, ` +
      'or add the application to that release',
    { application: app },
  );
}
