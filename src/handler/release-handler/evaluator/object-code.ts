/**
 * `load_object_code` (before the point of no return): read the new code of an application's
 * modules from the release's lib directory and evaluate it, without making anything current
 * (the code server's `prepareAll`, OTP's reading of the beam files). A module that does not
 * exist, does not evaluate or belongs to another version of the application is an error that
 * changes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  addApplication,
  applications,
  CodeError,
  isLoaded,
  moduleInfo,
  parseModuleId,
  prepareAll,
  type CompiledModule,
} from '../../../code';
import type { Op, RelupInstruction } from '../../../model';
import { describeError, ReleaseHandlerError } from '../errors';
import type { EvalContext } from './context';
import type { EvalState } from './state';

/** The compiled file of a module in a lib directory, as the release builder writes it. */
function readCompiled(libDir: string, id: string): CompiledModule {
  const { relpath } = parseModuleId(id);
  const file = path.join(libDir, ...relpath.split('/')) + '.js';
  let code: string;
  try {
    code = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ReleaseHandlerError(
      'no_such_file',
      `the code of ${id} is missing: ${file} does not exist; the release is incomplete, unpack its package again`,
      { module: id, file },
    );
  }
  const mapFile = `${file}.map`;
  return { code, map: fs.existsSync(mapFile) ? fs.readFileSync(mapFile, 'utf8') : undefined, file };
}

export function loadObjectCode(
  instr: Op<RelupInstruction, 'load_object_code'>,
  ctx: EvalContext,
  state: EvalState,
): void {
  const lib = ctx.libs.get(instr.app);
  if (lib === undefined) {
    throw new ReleaseHandlerError(
      'no_such_lib',
      `load_object_code of ${instr.app} ${instr.vsn}: release ${ctx.target} has no application ${instr.app}; the relup does not match the release, build it again`,
      { app: instr.app },
    );
  }
  if (lib.vsn !== instr.vsn) {
    throw new ReleaseHandlerError(
      'bad_lib_vsn',
      `load_object_code of ${instr.app} ${instr.vsn}: release ${ctx.target} has ${instr.app} ${lib.vsn}; the relup does not match the release, build it again`,
      { app: instr.app, expected: instr.vsn, actual: lib.vsn },
    );
  }
  if (!applications().some((a) => a.name === instr.app)) {
    // A new application: its modules resolve their imports through its registration.
    const main = ctx.apps.get(instr.app)?.main ?? 'index';
    addApplication({
      name: instr.app,
      dir: lib.dir,
      form: 'js',
      main,
      ...(ctx.packagesFrom === undefined ? {} : { packagesFrom: ctx.packagesFrom }),
    });
    state.addedApps.add(instr.app);
  }
  const wanted = instr.modules.filter((id) => !state.read.has(id));
  const specs = wanted.map((id) => ({ id, compiled: readCompiled(lib.dir, id) }));
  let prepared;
  try {
    prepared = prepareAll(specs);
  } catch (err) {
    throw new ReleaseHandlerError(
      'bad_release',
      `the new code of ${instr.app} ${instr.vsn} cannot be loaded: ${describeError(err)}`,
      { app: instr.app, reason: err instanceof CodeError ? err.reason : undefined },
      { cause: err },
    );
  }
  prepared.forEach((p, i) => {
    const id = wanted[i]!;
    state.read.set(id, { prepared: p, app: instr.app, appVsn: instr.vsn });
    const oldVsn = isLoaded(id) === false ? undefined : moduleInfo(id).vsn;
    const known = state.vsns.get(id);
    state.vsns.set(id, { oldVsn: known?.oldVsn ?? oldVsn, newVsn: known?.newVsn ?? p.vsn });
  });
  ctx.progress(`read ${prepared.length} module(s) of ${instr.app} ${instr.vsn}`);
}
