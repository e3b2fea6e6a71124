/**
 * Processes: spawning, and the handle a process function receives.
 *
 * A process is an async function run by the runtime. Its handle (`self` by convention) is how it
 * receives, links, monitors, traps exits and owns timers; there is no implicit "current process"
 * (that would need AsyncLocalStorage on every promise, which costs more than the runtime itself).
 *
 * ```ts
 * const pid = spawn(async (self) => {
 *   for (;;) {
 *     const msg = await self.receive({ type: 'ping', from: _ });
 *     send(msg.from, 'pong');
 *   }
 * });
 * ```
 *
 * A process ends when its function returns (`normal`), throws (the thrown value is the reason;
 * `self.exit(reason)` throws exactly `reason`), or gets an exit signal it does not trap. A dead
 * process never resumes: its pending receive never settles and its frame is garbage collected.
 */
import { _, type Pattern } from './match';
import { Mailbox, NOTHING } from './mailbox';
import { type Pid, type Ref } from './pid';
import { NORMAL, reasonOf, ProcessExit, type ExitReason } from './reason';
import { resolved } from './scheduler';
import {
  demonitor,
  deliver,
  link,
  monitor,
  NOBODY,
  sendExitSignal,
  terminate,
  unlink,
  type MonitorEntry,
} from './signals';
import { allocatePid, insert, lookupProcess, register } from './table';
import { NoProcError } from './errors';
import { sendAfter, type OwnedTimer } from './timers';
import { installNodeGuards } from './guards';

/** What `receive` resolves to when its `after` timeout expires first. */
export const TIMEOUT: unique symbol = Symbol('timeout');
export type Timeout = typeof TIMEOUT;

export interface ReceiveOptions {
  /** Milliseconds to wait for a matching message; `0` only looks at the mailbox. */
  after?: number;
}

export interface SpawnOptions {
  /** Register the process under this name before it runs (fails, spawning nothing, if taken). */
  name?: string;
  /** Start with exits trapped. */
  trapExit?: boolean;
  /** Log an error report when the process crashes (default true; behaviours report their own). */
  crashReport?: boolean;
  /**
   * Whether the code server can learn which functions this process is running while it waits in
   * a receive (default true). Behaviour processes, whose loop is hotrel's own code, pass false:
   * they park in half the memory.
   */
  probeable?: boolean;
  /** A label for `processInfo().initialCall` (default: the function's name). */
  initialCall?: string;
}

/** A process function. Its return value is ignored; a returned promise is awaited. */
export type ProcessFn = (self: Proc) => unknown;

const PROBE: unique symbol = Symbol('probe');

export class Proc {
  readonly pid: Pid;
  /** @internal */ alive = true;
  /** @internal */ exitReason: ExitReason = undefined;
  /** @internal */ trapping = false;
  /** @internal */ mailbox: Mailbox | null = null;
  /** @internal */ waitResolve: ((value: unknown) => void) | null = null;
  /** @internal */ waitPattern: Pattern = undefined;
  /** @internal the `after` timer of the pending receive */
  waitTimer: NodeJS.Timeout | undefined = undefined;
  /** @internal whether a pending receive can be probed for its async stack (see `park`) */
  probeable: boolean;
  /** @internal */ links: Set<Proc> | null = null;
  /** @internal monitors this process holds: ref id -> monitored process */
  monitors: Map<number, Proc> | null = null;
  /** @internal monitors held on this process: ref id -> entry */
  monitoredBy: Map<number, MonitorEntry> | null = null;
  /** @internal */ watchers: Set<(reason: ExitReason) => void> | null = null;
  /** @internal */ timers: Set<OwnedTimer> | null = null;
  /** @internal */ registeredName: string | undefined = undefined;
  /** @internal */ dictionary: Map<unknown, unknown> | null = null;
  /** @internal */ crashReport: boolean;
  /** @internal */ readonly initialCall: string;
  /** @internal the file names on the async stack at the last probe, innermost first */
  probedStack: string[] | null = null;
  /** @internal */ probeDone: (() => void) | null = null;
  /**
   * A slot for the code layer: which module versions this process runs (set at spawn by the code
   * server's spawn hook). The runtime never reads it.
   */
  code: unknown = undefined;
  /**
   * Set by the behaviour a process runs: returns its state, so the code server can walk it for
   * closures and instances of old code (its mailbox and dictionary are walked too).
   */
  inspectState: (() => unknown) | undefined = undefined;
  /** A slot owned by the behaviours layer (which behaviour, which modules it uses). */
  behaviour: unknown = undefined;

  /** @internal */
  constructor(pid: Pid, initialCall: string, crashReport: boolean, probeable: boolean) {
    this.pid = pid;
    this.initialCall = initialCall;
    this.crashReport = crashReport;
    this.probeable = probeable;
  }

  /**
   * Waits for the first message matching `pattern` (default: any). Messages that do not match
   * stay in the mailbox, in order. With `after`, resolves to {@link TIMEOUT} when no matching
   * message arrives in time; `after: 0` only checks the mailbox.
   */
  receive<T = unknown>(pattern?: Pattern): Promise<T>;
  receive<T = unknown>(pattern: Pattern, options: ReceiveOptions): Promise<T | Timeout>;
  receive(pattern: Pattern = _, options?: ReceiveOptions): Promise<unknown> {
    if (!this.alive) return NEVER;
    if (this.mailbox !== null && this.mailbox.length > 0) {
      const msg = this.mailbox.take(pattern);
      if (msg !== NOTHING) return resolved(msg);
    }
    const after = options?.after;
    if (after !== undefined) {
      if (!(after >= 0)) throw new RangeError(`receive: after must be >= 0, got ${after}`);
      if (after === 0) return resolved(TIMEOUT);
      if (after !== Infinity) this.waitTimer = setTimeout(fireTimeout, after, this);
    }
    if (this.probeable) return this.park(pattern);
    return new Promise((resolve) => {
      this.waitResolve = resolve;
      this.waitPattern = pattern;
    });
  }

  /**
   * Waits inside an async frame of the runtime so that a probe can wake it, capture the async
   * stack (which names the process's own functions and their module versions) and park again.
   * V8 shows async callers only through `await` chains, hence this frame (about 500 bytes while
   * parked, and one per blocking receive); processes spawned with `probeable: false` skip it.
   */
  private async park(pattern: Pattern): Promise<unknown> {
    for (;;) {
      const value = await new Promise((resolve) => {
        this.waitResolve = resolve;
        this.waitPattern = pattern;
      });
      if (value !== PROBE) return value;
      // Woken by a probe: record the stack and wait again. (Timers cannot fire in between:
      // the probe's wake and this resumption happen in the same microtask checkpoint.)
      this.recordStack();
      const queued = this.mailbox === null ? NOTHING : this.mailbox.take(pattern);
      if (queued !== NOTHING) {
        clearWaitTimer(this);
        return queued;
      }
    }
  }

  private recordStack(): void {
    const savedPrepare = Error.prepareStackTrace;
    const savedLimit = Error.stackTraceLimit;
    Error.prepareStackTrace = (_err, sites) => sites;
    Error.stackTraceLimit = 64;
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder);
    const sites = holder.stack ?? [];
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
    this.probedStack = sites.map((s) => s.getFileName()).filter((f): f is string => typeof f === 'string');
    const done = this.probeDone;
    this.probeDone = null;
    done?.();
  }

  /** Waits `ms` milliseconds (a receive that matches nothing, as `timer:sleep/1` is). */
  async sleep(ms: number): Promise<void> {
    await this.receive(NEVER_MATCHES, { after: ms });
  }

  /** Sets whether exit signals become `{type: 'EXIT'}` messages; returns the previous setting. */
  trapExit(on: boolean): boolean {
    const before = this.trapping;
    this.trapping = on;
    return before;
  }

  /** Sends a message to a pid or a registered name (see {@link send}). */
  send(dest: Pid | string, msg: unknown): void {
    if (this.alive) send(dest, msg);
  }

  /** Ends this process with `reason` (Erlang's `exit/1`): throws, so code after it does not run. */
  exit(reason: ExitReason): never;
  /** Sends an exit signal with `reason` to `pid`, from this process (Erlang's `exit/2`). */
  exit(pid: Pid, reason: ExitReason): void;
  exit(a: unknown, b?: ExitReason): void {
    if (arguments.length < 2) throw new ProcessExit(a);
    const target = lookupProcess(a as Pid);
    if (target !== undefined && this.alive) sendExitSignal(target, this.pid, b, false);
  }

  /** Links this process with `pid`: an abnormal exit of either reaches the other. */
  link(pid: Pid): void {
    if (this.alive) link(this, pid);
  }

  unlink(pid: Pid): void {
    unlink(this, pid);
  }

  /** Monitors a pid or registered name; a `DOWN` message arrives when it exits. */
  monitor(target: Pid | string): Ref {
    return monitor(this, target);
  }

  /** Removes a monitor (with `flush`, also its DOWN message if one already arrived). */
  demonitor(ref: Ref, options?: { flush?: boolean }): boolean {
    return demonitor(this, ref, options?.flush === true);
  }

  /** Spawns a process linked to this one (atomically: the link exists before it runs). */
  spawnLink(fn: ProcessFn, options?: SpawnOptions): Pid {
    const child = createProcess(fn, options);
    (this.links ??= new Set()).add(child);
    (child.links ??= new Set()).add(this);
    startProcess(child, fn);
    return child.pid;
  }

  /** Spawns a process monitored by this one. */
  spawnMonitor(fn: ProcessFn, options?: SpawnOptions): [Pid, Ref] {
    const child = createProcess(fn, options);
    const ref = monitor(this, child.pid);
    startProcess(child, fn);
    return [child.pid, ref];
  }

  /** Registers this process under `name`. */
  register(name: string): void {
    register(name, this.pid);
  }

  /** Sends `msg` to `dest` after `ms` ms; the timer dies with this process. */
  sendAfter(ms: number, dest: Pid | string, msg: unknown): Ref {
    return sendAfter(ms, dest, msg, this);
  }

  /** Process dictionary (Erlang's `put/2`): returns the previous value. */
  put(key: unknown, value: unknown): unknown {
    const dict = (this.dictionary ??= new Map());
    const before = dict.get(key);
    dict.set(key, value);
    return before;
  }

  get(key: unknown): unknown {
    return this.dictionary?.get(key);
  }

  erase(key: unknown): unknown {
    const before = this.dictionary?.get(key);
    this.dictionary?.delete(key);
    return before;
  }

  /** Whether this process is still alive (code may run on briefly after a kill until its next await). */
  get isAlive(): boolean {
    return this.alive;
  }

  /** @internal Whether the process is parked in a receive. */
  get waiting(): boolean {
    return this.waitResolve !== null;
  }

  /**
   * @internal Wakes a process parked in a receive just long enough to record the file names on
   * its async stack, then lets it wait again. Resolves to those names (innermost first), or
   * `undefined` when the process is not parked in a receive (running, or awaiting something else).
   */
  probeStack(): Promise<string[] | undefined> {
    const resolve = this.waitResolve;
    if (!this.alive || resolve === null || !this.probeable) return Promise.resolve(undefined);
    this.waitResolve = null;
    return new Promise((done) => {
      this.probeDone = () => done(this.probedStack ?? undefined);
      resolve(PROBE);
    });
  }
}

const NEVER: Promise<never> = new Promise(() => {});

function fireTimeout(proc: Proc): void {
  proc.waitTimer = undefined;
  const resolve = proc.waitResolve;
  if (resolve === null) return;
  proc.waitResolve = null;
  proc.waitPattern = undefined;
  resolve(TIMEOUT);
}

/** @internal */
export function clearWaitTimer(proc: Proc): void {
  if (proc.waitTimer !== undefined) {
    clearTimeout(proc.waitTimer);
    proc.waitTimer = undefined;
  }
}
const NEVER_MATCHES = (): boolean => false;

/** Sends `msg` to a pid (dropped if it is dead) or a registered name (an error if unregistered). */
export function send(dest: Pid | string, msg: unknown): void {
  const target = lookupProcess(dest);
  if (target !== undefined) deliver(target, msg);
  else if (typeof dest === 'string') throw new NoProcError(dest);
}

function createProcess(fn: ProcessFn, options: SpawnOptions = {}): Proc {
  installNodeGuards();
  const proc = new Proc(
    allocatePid(),
    options.initialCall ?? (fn.name || 'anonymous'),
    options.crashReport ?? true,
    options.probeable ?? true,
  );
  if (options.trapExit === true) proc.trapping = true;
  insert(proc);
  if (options.name !== undefined) {
    try {
      register(options.name, proc.pid);
    } catch (err) {
      terminate(proc, NORMAL, false);
      throw err;
    }
  }
  for (const hook of spawnHooks) hook(proc, fn);
  return proc;
}

function startProcess(proc: Proc, fn: ProcessFn): void {
  queueMicrotask(() => run(proc, fn));
}

function run(proc: Proc, fn: ProcessFn): void {
  if (!proc.alive) return;
  let result: unknown;
  try {
    result = fn(proc);
  } catch (err) {
    terminate(proc, reasonOf(err), !(err instanceof ProcessExit));
    return;
  }
  if (
    result !== null &&
    typeof result === 'object' &&
    typeof (result as Promise<unknown>).then === 'function'
  ) {
    (result as Promise<unknown>).then(
      () => terminate(proc, NORMAL, false),
      (err: unknown) => terminate(proc, reasonOf(err), !(err instanceof ProcessExit)),
    );
  } else {
    terminate(proc, NORMAL, false);
  }
}

/** Spawns a process running `fn`; it starts on the next microtask, after the caller continues. */
export function spawn(fn: ProcessFn, options?: SpawnOptions): Pid {
  const proc = createProcess(fn, options);
  startProcess(proc, fn);
  return proc.pid;
}

const spawnHooks: Array<(proc: Proc, fn: ProcessFn) => void> = [];

/** @internal Lets the code layer tag each new process with the code it starts in. */
export function onSpawn(hook: (proc: Proc, fn: ProcessFn) => void): void {
  spawnHooks.push(hook);
}

/**
 * Sends an exit signal from outside any process (Erlang's `exit/2` from a shell): `kill` kills,
 * `normal` is ignored unless trapped, anything else kills unless trapped.
 */
export function exit(pid: Pid, reason: ExitReason): void {
  const target = lookupProcess(pid);
  if (target !== undefined) sendExitSignal(target, NOBODY, reason, false);
}
