/**
 * `apply`: a call of a function with JSON arguments. The return value is ignored and only a
 * thrown error aborts, as in OTP. Two built-in modules stand for OTP's `application` and
 * `supervisor` (the relup compiler emits the first for added, removed and restarted
 * applications); any other module is an application module reached through the code server.
 *
 * Built-in calls record how to undo them. An application's own function may do anything, so a
 * failure after one has run cannot be rolled back in process: the node restarts instead (OTP's
 * answer to every failure after the point of no return).
 */
import * as Application from '../../../behaviours/application';
import { specFromApp, type ApplicationModule } from '../../../behaviours/application';
import * as Supervisor from '../../../behaviours/supervisor/api';
import type { ChildId } from '../../../behaviours/supervisor/spec';
import { getModule, isExported } from '../../../code';
import type { Op, RelupInstruction, StartType } from '../../../model';
import { logger } from '../../../runtime';
import { describeError, ReleaseHandlerError } from '../errors';
import type { EvalContext } from './context';
import type { Journal } from './journal';

type Apply = Pick<Op<RelupInstruction, 'apply'>, 'module' | 'function' | 'args'>;

/** Runs an apply; `journal` is undefined before the point of no return (nothing to undo then). */
export async function apply(instr: Apply, ctx: EvalContext, journal: Journal | undefined): Promise<void> {
  try {
    if (instr.module === 'application') await applicationCall(instr, ctx, journal);
    else if (instr.module === 'supervisor') await supervisorCall(instr, journal);
    else {
      await moduleCall(instr);
      journal?.markIrreversible(`${instr.module}.${instr.function}(...) (an application's own apply)`);
    }
  } catch (err) {
    if (err instanceof ReleaseHandlerError) throw err;
    throw new ReleaseHandlerError(
      'apply_failed',
      `apply ${instr.module}.${instr.function}(${instr.args.map((a) => JSON.stringify(a)).join(', ')}) failed: ${describeError(err)}`,
      { module: instr.module, function: instr.function, reason: describeError(err) },
      { cause: err },
    );
  }
}

/** Calls an exported function of an application module (through its facade: current code). */
export async function moduleCall(instr: Apply): Promise<unknown> {
  const mod = getModule(instr.module) as Record<string, unknown>;
  const fn = mod[instr.function];
  if (!isExported(mod, instr.function) || typeof fn !== 'function') {
    throw new Error(`${instr.module} does not export a function ${instr.function}`);
  }
  return await (fn as (...a: unknown[]) => unknown).apply(mod, instr.args);
}

function specOf(app: string, ctx: EvalContext): Application.ApplicationSpec {
  const description = ctx.apps.get(app);
  if (description === undefined) {
    throw new Error(`application ${app} is not in release ${ctx.target}`);
  }
  return specFromApp(description, (id) => getModule(id) as unknown as ApplicationModule);
}

function fail(what: string, result: { kind: string; reason?: unknown }): never {
  throw new Error(`${what}: ${describeError(result.reason)}`);
}

async function applicationCall(instr: Apply, ctx: EvalContext, journal: Journal | undefined): Promise<void> {
  const [name, type] = instr.args as [string, StartType | undefined];
  switch (instr.function) {
    case 'load': {
      const result = Application.load(specOf(name, ctx), ctx.config[name] ?? {});
      if (result.kind === 'error') fail(`application.load(${name})`, result);
      journal?.record(`application.load(${name})`, () => void Application.unload(name));
      return;
    }
    case 'start': {
      let loadedHere = false;
      if (Application.getSpec(name) === undefined) {
        const loaded = Application.load(specOf(name, ctx), ctx.config[name] ?? {});
        if (loaded.kind === 'error') fail(`application.load(${name})`, loaded);
        loadedHere = true;
      }
      const startType = type === 'permanent' || type === 'transient' ? type : 'temporary';
      const result = await Application.start(name, startType);
      if (result.kind === 'error') {
        if (loadedHere) Application.unload(name);
        fail(`application.start(${name})`, result);
      }
      journal?.record(`application.start(${name})`, async () => {
        await Application.stop(name);
        if (loadedHere) Application.unload(name);
      });
      return;
    }
    case 'stop': {
      const startType = Application.startTypeOf(name);
      const result = await Application.stop(name);
      if (result.kind === 'error') {
        logger().warn(
          { application: name, reason: result.reason },
          `application.stop(${name}) returned an error`,
        );
        return;
      }
      journal?.record(`application.stop(${name})`, async () => {
        const again = await Application.start(name, startType ?? 'temporary');
        if (again.kind === 'error') fail(`application.start(${name})`, again);
      });
      return;
    }
    case 'unload': {
      const spec = Application.getSpec(name);
      const env = Application.getAllEnv(name);
      const result = Application.unload(name);
      if (result.kind === 'error') {
        logger().warn(
          { application: name, reason: result.reason },
          `application.unload(${name}) returned an error`,
        );
        return;
      }
      if (spec !== undefined) {
        journal?.record(`application.unload(${name})`, () => {
          const again = Application.load(spec, env);
          if (again.kind === 'error') fail(`application.load(${name})`, again);
        });
      }
      return;
    }
    default:
      throw new Error(`unknown built-in application.${instr.function}`);
  }
}

async function supervisorCall(instr: Apply, journal: Journal | undefined): Promise<void> {
  const [sup, id] = instr.args as [string, ChildId];
  const ignored = (result: { kind: string; reason?: unknown }): void => {
    // OTP ignores what an apply returns: only a crash aborts.
    logger().warn(
      { supervisor: sup, child: id, reason: result.reason },
      `supervisor.${instr.function}(${sup}, ${String(id)}) returned an error: ${describeError(result.reason)}`,
    );
  };
  switch (instr.function) {
    case 'restart_child': {
      const result = await Supervisor.restartChild(sup, id);
      if (result.kind !== 'ok') return ignored(result);
      journal?.record(`supervisor.restart_child(${sup}, ${String(id)})`, async () => {
        await Supervisor.terminateChild(sup, id);
      });
      return;
    }
    case 'terminate_child': {
      const result = await Supervisor.terminateChild(sup, id);
      if (result.kind !== 'ok') return ignored(result);
      journal?.record(`supervisor.terminate_child(${sup}, ${String(id)})`, async () => {
        await Supervisor.restartChild(sup, id);
      });
      return;
    }
    case 'delete_child': {
      const result = await Supervisor.deleteChild(sup, id);
      if (result.kind !== 'ok') return ignored(result);
      journal?.markIrreversible(`supervisor.delete_child(${sup}, ${String(id)})`);
      return;
    }
    default:
      throw new Error(`unknown built-in supervisor.${instr.function}`);
  }
}
