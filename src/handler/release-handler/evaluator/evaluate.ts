/**
 * The instruction evaluator: the only place where a low-level script becomes effects
 * (OTP's `release_handler_1:eval_script` and `check_script`, otp/semantics.md §6.4).
 *
 * 1. Old-process check: a `load`/`remove` whose pre-purge is `soft_purge` of a module that has
 *    old code still used by some process (a frame on its stack, or — beyond OTP, which ignores
 *    funs — a closure of that code in its state) fails before anything is done, naming them.
 * 2. The script is split at its point of no return (none: everything is after it).
 * 3. The part before it runs: code is read and prepared (load_object_code), applies run. An
 *    error here changes nothing: prepared code is discarded, new registrations dropped.
 * 4. The part after it is syntax-checked first (still recoverable).
 * 5. The part after it runs, every effect recorded in a journal. On a failure the journal is
 *    rolled back in process: old code current again, old states restored, processes resumed,
 *    queued messages untouched. When that is impossible the caller restarts the node into the
 *    permanent release (OTP's only answer).
 */
import { discard, removeApplication, replaceApplicationDir, getApplication } from '../../../code';
import type { Op, RelupInstruction } from '../../../model';
import { logger } from '../../../runtime';
import { describeError, ReleaseHandlerError } from '../errors';
import { apply, moduleCall } from './apply';
import { startChildren, stopChildren } from './children';
import { holderJson, load, prePurge, purgeModules, remove } from './code';
import type { EvalContext } from './context';
import { Journal, type RollbackOutcome } from './journal';
import { loadObjectCode } from './object-code';
import { oldProcesses } from './old-processes';
import { EvalState, type ModuleVersions } from './state';
import { codeChange, resume, suspend, type SuspensionClock } from './suspension';

/** What may follow the point of no return (OTP's syntax check). */
const AFTER_PONR = new Set([
  'point_of_no_return',
  'load',
  'remove',
  'purge',
  'suspend',
  'resume',
  'code_change',
  'stop',
  'start',
  'sync_nodes',
  'apply',
  'restart_emulator',
]);

export interface EvalResult {
  /** `restart_emulator`: the script ended with a node restart to do. */
  outcome: 'ok' | 'restart_emulator';
  /** Modules whose old code may still be in use, with their post-purge method. */
  unpurged: Array<{ module: string; postPurge: 'soft_purge' | 'brutal_purge' }>;
  /** The suspended window: first suspend to last resume (ms), and how many processes. */
  suspendedMs: number | undefined;
  suspendedProcesses: number;
}

/** A failure of the script. `phase` says whether anything had been changed. */
export class ScriptFailure extends Error {
  constructor(
    readonly error: ReleaseHandlerError,
    /** `before`: nothing changed. `after`: the journal was rolled back (see `rollback`). */
    readonly phase: 'before' | 'after',
    readonly rollback: RollbackOutcome | undefined,
  ) {
    super(error.message, { cause: error });
    this.name = 'ScriptFailure';
  }
}

function split(script: readonly RelupInstruction[]): {
  before: RelupInstruction[];
  after: RelupInstruction[];
} {
  const ponr = script.findIndex((i) => i.op === 'point_of_no_return');
  return ponr < 0
    ? { before: [], after: [...script] }
    : { before: script.slice(0, ponr), after: script.slice(ponr) };
}

function asHandlerError(err: unknown, fallback: 'install_failed'): ReleaseHandlerError {
  if (err instanceof ReleaseHandlerError) return err;
  return new ReleaseHandlerError(
    fallback,
    describeError(err),
    { reason: describeError(err) },
    { cause: err },
  );
}

/** Syntax check of the part after the point of no return. */
function checkAfter(after: readonly RelupInstruction[]): void {
  for (const i of after) {
    if (!AFTER_PONR.has(i.op)) {
      throw new ReleaseHandlerError(
        'illegal_instruction_after_point_of_no_return',
        `${i.op} is not allowed after point_of_no_return; the relup is wrong, build it again`,
        { instruction: i },
      );
    }
  }
}

/** One turn of the event loop: timers and I/O get their chance. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs the part before the point of no return. */
async function runBefore(
  before: readonly RelupInstruction[],
  ctx: EvalContext,
  state: EvalState,
): Promise<void> {
  for (const i of before) {
    await yieldToEventLoop();
    switch (i.op) {
      case 'load_object_code':
        loadObjectCode(i, ctx, state);
        break;
      case 'apply':
        await apply(i, ctx, undefined);
        break;
      case 'restart_new_emulator':
        throw new ReleaseHandlerError(
          'restart_new_emulator',
          'restart_new_emulator must be the first instruction and is handled by the release handler before the script runs',
        );
      default:
        throw new ReleaseHandlerError(
          'install_failed',
          `${i.op} is not allowed before point_of_no_return; the relup is wrong, build it again`,
          { instruction: i },
        );
    }
  }
}

/** Drops what the part before the point of no return prepared (nothing was made current). */
function forgetPrepared(state: EvalState): void {
  for (const read of state.read.values()) discard(read.prepared);
  state.read.clear();
  for (const app of state.addedApps) {
    try {
      removeApplication(app);
    } catch (err) {
      logger().warn({ app, err }, `could not unregister application ${app}`);
    }
  }
  state.addedApps.clear();
}

/**
 * OTP's `check_script`: the old-process check, the part before the point of no return (its
 * prepared code discarded afterwards) and the syntax check. Returns the versions of the modules
 * the script reads (from the running code to the code read).
 */
export async function checkScript(
  script: readonly RelupInstruction[],
  ctx: EvalContext,
): Promise<ReadonlyMap<string, ModuleVersions>> {
  const body = script[0]?.op === 'restart_new_emulator' ? script.slice(1) : script;
  if (script[0]?.op !== 'restart_new_emulator') await checkOldProcesses(body);
  const { before, after } = split(body);
  const state = new EvalState();
  try {
    await runBefore(before, ctx, state);
    checkAfter(after);
  } finally {
    forgetPrepared(state);
  }
  return state.vsns;
}

async function checkOldProcesses(script: readonly RelupInstruction[]): Promise<void> {
  const found = await oldProcesses(script);
  if (found === undefined) return;
  throw new ReleaseHandlerError(
    'old_processes',
    `old code of ${found.module} is still used, and the relup loads it with soft_purge:\n${found.text}\n` +
      'Nothing was changed. Let these processes move to the current code (restart them, or drop the functions they hold), ' +
      'or use brutal_purge, which kills them',
    { module: found.module, holders: found.holders.map(holderJson) },
  );
}

/**
 * Evaluates a script (OTP's `eval_script`). `beforePointOfNoReturn` runs once the part before it
 * succeeded and the syntax check passed (the handler updates application specs and env there).
 * Throws {@link ScriptFailure}.
 */
export async function evalScript(
  script: readonly RelupInstruction[],
  ctx: EvalContext,
  hooks: { beforePointOfNoReturn?: () => void } = {},
): Promise<EvalResult> {
  const state = new EvalState();
  const journal = new Journal();
  const clock: SuspensionClock = { firstSuspend: undefined, lastResume: undefined, count: 0, held: 0 };
  const { before, after } = split(script);
  try {
    await checkOldProcesses(script);
    await runBefore(before, ctx, state);
    checkAfter(after);
    hooks.beforePointOfNoReturn?.();
  } catch (err) {
    forgetPrepared(state);
    throw new ScriptFailure(asHandlerError(err, 'install_failed'), 'before', undefined);
  }
  let outcome: EvalResult['outcome'] = 'ok';
  try {
    for (const i of after) {
      // While no process is held suspended, let the node serve its clients between instructions
      // (a scan of 100,000 processes or reading code is work clients should not wait behind).
      if (clock.held === 0) await yieldToEventLoop();
      if (i.op === 'restart_emulator') {
        // Evaluation stops here; the handler restarts the node (OTP: later instructions never run).
        outcome = 'restart_emulator';
        break;
      }
      await runAfter(i, after, ctx, state, journal, clock);
    }
  } catch (err) {
    const error = asHandlerError(err, 'install_failed');
    logger().error(
      { err: error },
      `install of ${ctx.target} failed after the point of no return: ${error.message}`,
    );
    ctx.progress(`failed: ${error.message}; rolling back`);
    const rollback = await journal.rollBack();
    forgetPrepared(state);
    throw new ScriptFailure(error, 'after', rollback);
  }
  // Code read but never loaded is dropped (a script may read more than it loads).
  for (const read of state.read.values()) discard(read.prepared);
  return {
    outcome,
    unpurged: [...state.unpurged].map(([module, postPurge]) => ({ module, postPurge })),
    suspendedMs:
      clock.firstSuspend !== undefined && clock.lastResume !== undefined
        ? clock.lastResume - clock.firstSuspend
        : undefined,
    suspendedProcesses: clock.count,
  };
}

async function runAfter(
  i: RelupInstruction,
  after: readonly RelupInstruction[],
  ctx: EvalContext,
  state: EvalState,
  journal: Journal,
  clock: SuspensionClock,
): Promise<void> {
  switch (i.op) {
    case 'point_of_no_return':
      if (!state.pastPointOfNoReturn) {
        state.pastPointOfNoReturn = true;
        pointOfNoReturn(ctx, state, journal);
        await prePurge(after, ctx);
      }
      return;
    case 'load':
      return load(i, ctx, state, journal);
    case 'remove':
      return remove(i, ctx, state, journal);
    case 'purge':
      return purgeModules(i, ctx);
    case 'suspend':
      return suspend(i, ctx, state, journal, clock);
    case 'code_change':
      return codeChange(i, ctx, state, journal);
    case 'resume':
      return resume(i, ctx, state, journal, clock);
    case 'stop':
      return stopChildren(i, ctx, state, journal);
    case 'start':
      return startChildren(i, ctx, state, journal);
    case 'apply':
      return apply(i, ctx, journal);
    case 'sync_nodes':
      return syncNodes(i, ctx);
    default:
      throw new ReleaseHandlerError(
        'illegal_instruction_after_point_of_no_return',
        `${i.op} after point_of_no_return`,
      );
  }
}

/**
 * The point of no return: applications whose version changes now resolve their modules from the
 * new release's directories (OTP's `code:replace_path`).
 */
function pointOfNoReturn(ctx: EvalContext, state: EvalState, journal: Journal): void {
  for (const app of ctx.newLibs) {
    const lib = ctx.libs.get(app);
    if (lib === undefined || state.addedApps.has(app)) continue;
    let before: string;
    try {
      before = getApplication(app).dir;
    } catch {
      continue; // not registered (not part of the running release's code)
    }
    if (before === lib.dir) continue;
    replaceApplicationDir(app, lib.dir);
    state.movedLibs.set(app, before);
    journal.record(`directory of ${app}`, () => void replaceApplicationDir(app, before));
  }
  const added = [...state.addedApps];
  if (added.length > 0) {
    journal.record(`registration of ${added.join(', ')}`, () => {
      for (const app of added) removeApplication(app);
    });
    // From here on they belong to the node: a rollback drops them through the journal.
    state.addedApps.clear();
  }
  ctx.progress('point of no return passed');
}

/**
 * `sync_nodes`: on a single node there is nobody to wait for, so it is accepted; the nodes it
 * names are logged (multi-node upgrades come later).
 */
async function syncNodes(i: Op<RelupInstruction, 'sync_nodes'>, ctx: EvalContext): Promise<void> {
  const nodes = i.nodes ?? ((await moduleCall(i.apply!)) as unknown);
  const others = Array.isArray(nodes) ? nodes.map(String) : [];
  if (others.length > 0) {
    logger().warn(
      { id: i.id, nodes: others },
      `sync_nodes ${JSON.stringify(i.id)}: this node runs alone and does not wait for ${others.join(', ')}`,
    );
  }
  ctx.progress(`sync_nodes ${JSON.stringify(i.id)}: accepted (single node)`);
}
