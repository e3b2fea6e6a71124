/**
 * Which module versions a process runs or holds.
 *
 * - **Its stack.** A process parked in `receive` is probed (`proc.probeStack()`): the file names
 *   on its async stack name the versions it is executing, the way `check_process_code` reads
 *   return addresses. A frame that reached a newer version by `return mod.loop()` is gone from
 *   the stack (V8 shows async callers only through `await`), exactly like an Erlang tail call.
 * - **Its spawn function.** A process that cannot be probed (it awaits something other than
 *   `receive`) is assumed to still run the function it was spawned with (tagged at spawn), as
 *   long as that function is alive.
 * - **What it holds.** Functions reachable from its state (`inspectState`), mailbox, dictionary,
 *   behaviour slot and pending timer messages are located with the inspector
 *   (`[[FunctionLocation]]`) and mapped to versions by script id.
 */
import { lookupProcess, type Pid, type Proc } from '../runtime';
import { scriptIdsOf, type AnyFunction } from './function-locator';
import type { CodeHolder } from './holders';
import type { ModuleVersion } from './module-record';
import { collectFunctionsPausing } from './walk';

/**
 * What the code layer keeps in `proc.code`: the function the process was spawned with. Spawning
 * stores the function itself (a property write: a WeakRef per spawn would cost a third of the
 * spawn rate); the first survey that sees the process turns it into a WeakRef, so that holding it
 * never keeps an old version alive through a purge's GC check.
 */
export type SpawnTag = AnyFunction | { readonly spawnFn: WeakRef<AnyFunction> } | undefined;

/**
 * One use of one version by one process. It names the process by pid, not by its `Proc`: a
 * purge runs a GC while holding these, and a killed process's record would keep its frame and
 * state (and so the old code) alive.
 */
export interface VersionUse {
  pid: Pid;
  name: string | undefined;
  version: ModuleVersion;
  how: CodeHolder['how'];
  where: string;
  /** For `spawned`: the spawn function, weakly (a GC tells whether it may still run). */
  spawnFn: WeakRef<AnyFunction> | undefined;
}

/** How the survey maps file names and script ids to loaded versions, and what the walk skips. */
export interface VersionIndex {
  byFilename(filename: string): ModuleVersion | undefined;
  byScriptId(scriptId: string): ModuleVersion | undefined;
  skip(object: object): boolean;
}

export interface SurveyOptions {
  /** Only report uses of these versions (default: every loaded version). */
  versions?: ReadonlySet<ModuleVersion>;
  /** Also walk state, mailbox, dictionary and timers for functions (default true). */
  funs?: boolean;
}

/** Tags a new process with the function it starts in (installed as the runtime's spawn hook). */
export function tagSpawn(proc: Proc, fn: AnyFunction): void {
  proc.code = fn;
}

/** The spawn function of a process, held weakly from now on. */
function weakSpawnFn(proc: Proc): WeakRef<AnyFunction> | undefined {
  const tag = proc.code as SpawnTag;
  if (typeof tag === 'function') {
    const ref = new WeakRef(tag);
    proc.code = { spawnFn: ref };
    return ref;
  }
  return tag?.spawnFn;
}

/**
 * How long a survey may hold the event loop before it lets processes run (walking states and
 * locating the functions found are synchronous; a node of 100,000 processes, or a few processes
 * holding sockets and their libraries' closures, takes tens of milliseconds and more).
 */
const SLICE_MS = 4;
/** Functions located between two looks at the clock. */
const LOCATE_CHUNK = 32;

/** Resolves at the next turn of the event loop once `since` is SLICE_MS old, else at once. */
function yieldIfDue(since: { at: number }): Promise<void> | undefined {
  if (performance.now() - since.at < SLICE_MS) return undefined;
  return nextTurn().then(() => {
    since.at = performance.now();
  });
}

/** Every use of a (selected) loaded version by the given processes. */
export async function survey(
  procs: readonly Proc[],
  index: VersionIndex,
  options: SurveyOptions = {},
): Promise<VersionUse[]> {
  const wanted = (v: ModuleVersion | undefined): v is ModuleVersion =>
    v !== undefined && (options.versions === undefined || options.versions.has(v));
  const slice = { at: performance.now() };
  const pause = (): Promise<void> | undefined => yieldIfDue(slice);
  const spawnFns = new Map<Proc, WeakRef<AnyFunction> | undefined>();
  for (const proc of procs) {
    const due = pause();
    if (due !== undefined) await due;
    spawnFns.set(proc, weakSpawnFn(proc));
  }
  const stacks = await probeStacks(procs);
  slice.at = performance.now();
  const uses: VersionUse[] = [];
  const seen = new Set<string>();
  const add = (proc: Proc, version: ModuleVersion, how: CodeHolder['how'], where: string): void => {
    const key = `${proc.pid.id}\0${version.filename}\0${how}`;
    if (seen.has(key)) return;
    seen.add(key);
    const spawnFn = how === 'spawned' ? spawnFns.get(proc) : undefined;
    uses.push({ pid: proc.pid, name: proc.registeredName, version, how, where, spawnFn });
  };

  for (const proc of procs) {
    const stack = stacks.get(proc);
    if (stack === undefined) continue;
    for (const filename of stack) {
      const version = index.byFilename(filename);
      if (wanted(version)) add(proc, version, 'running', 'stack');
    }
  }

  // Spawn functions of processes that could not be probed, and functions in process state:
  // collected first, then located through the inspector in chunks.
  const located: Array<{ proc: Proc; fn: AnyFunction; how: CodeHolder['how']; where: string }> = [];
  for (const proc of procs) {
    // A node of 100,000 processes takes a second to walk: let it serve its clients meanwhile
    // (as OTP's purger lets processes run between its checks), within a large state too.
    const due = pause();
    if (due !== undefined) await due;
    if (!proc.isAlive) continue;
    if (!stacks.has(proc) || stacks.get(proc) === undefined) {
      const fn = spawnFns.get(proc)?.deref();
      if (fn !== undefined) located.push({ proc, fn, how: 'spawned', where: 'spawn function' });
    }
    if (options.funs === false) continue;
    const { functions } = await collectFunctionsPausing(rootsOf(proc), (o) => index.skip(o), pause);
    for (const [fn, where] of functions) located.push({ proc, fn, how: 'holds', where });
  }
  // Each function not met before costs an inspector round trip: in chunks, between turns.
  for (let at = 0; at < located.length; at += LOCATE_CHUNK) {
    const due = pause();
    if (due !== undefined) await due;
    const chunk = located.slice(at, at + LOCATE_CHUNK);
    const scriptIds = scriptIdsOf(chunk.map((l) => l.fn));
    chunk.forEach((l, i) => {
      const scriptId = scriptIds[i];
      if (scriptId === null || scriptId === undefined) return;
      const version = index.byScriptId(scriptId);
      if (wanted(version)) add(l.proc, version, l.how, l.where);
    });
  }
  return uses;
}

/** The live process behind a pid, for the code server's checks. */
export function processOf(pid: Pid): Proc | undefined {
  return lookupProcess(pid);
}

function rootsOf(proc: Proc): Array<readonly [string, unknown]> {
  const roots: Array<readonly [string, unknown]> = [];
  if (proc.inspectState !== undefined) {
    try {
      roots.push(['state', proc.inspectState()]);
    } catch {
      // A state that cannot be read is not evidence of anything.
    }
  }
  if (proc.mailbox !== null && proc.mailbox.length > 0) roots.push(['mailbox', proc.mailbox.snapshot()]);
  if (proc.dictionary !== null && proc.dictionary.size > 0) roots.push(['dictionary', proc.dictionary]);
  if (proc.behaviour !== undefined) roots.push(['behaviour', proc.behaviour]);
  if (proc.timers !== null && proc.timers.size > 0) {
    roots.push(['timers', [...proc.timers].filter((t) => !t.done).map((t) => t.msg)]);
  }
  return roots;
}

/**
 * Probes every process's stack. A process not parked in `receive` at that moment (woken but not
 * run yet) is tried again after the event loop turns; one that still cannot be probed (it awaits
 * something else) maps to `undefined`.
 */
async function probeStacks(procs: readonly Proc[]): Promise<Map<Proc, string[] | undefined>> {
  const stacks = new Map<Proc, string[] | undefined>();
  // A process spawned `probeable: false` (every behaviour process) can never be probed: it is
  // judged by its spawn function without a probe (on a large node, 3 rounds of a promise each
  // for them would block it for a third of a second).
  let pending = procs.filter((p) => p.isAlive && p.probeable);
  for (let round = 0; round < 3 && pending.length > 0; round++) {
    if (round > 0) await nextTurn();
    const probes = pending.map((proc) =>
      proc.probeStack().then((stack) => {
        if (stack !== undefined) stacks.set(proc, stack);
      }),
    );
    // Probes answer within microtasks; a turn of the event loop bounds the wait.
    await Promise.race([Promise.all(probes), nextTurn()]);
    pending = pending.filter((p) => p.isAlive && !stacks.has(p));
  }
  for (const proc of pending) stacks.set(proc, undefined);
  return stacks;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
