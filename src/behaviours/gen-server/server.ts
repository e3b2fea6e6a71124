/**
 * The GenServer process: init, then one message at a time, calling the callback module through
 * the module object for every message (`module.handleCall(...)`, never a cached function), so a
 * code-server facade that gets new exports makes the very next message run the new code.
 *
 * A callback may return a promise; the process then waits for it before taking the next message
 * (later messages, system messages included, stay queued). System messages are handled between
 * ordinary ones; while suspended, only they are.
 */
import { markInternalClasses } from '../../runtime';
import {
  _,
  isExitMessage,
  logger,
  ProcessExit,
  reasonOf,
  TIMEOUT,
  type ExitReason,
  type Pattern,
  type Pid,
  type Proc,
} from '../../runtime';
import { isThenable } from '../core/awaitable';
import { hasCallback } from '../core/callbacks';
import { prepareCodeChange } from '../core/state-shape';
import { describeModule } from '../core/module-name';
import type { BehaviourKind } from '../core/record';
import { StartableRecord } from '../core/start';
import { reportTermination } from '../core/report';
import { CALL, Request, replyTo } from '../core/request';
import { handleSystem, isSystemRequest } from '../core/system';
import type { From } from '../core/types';
import { BadReturnError, formatTerm, UndefinedCallbackError } from '../errors';
import type { Next } from './results';
import type { AnyGenServerModule, StatusInfo } from './types';

/** A cast, as it sits in the server's mailbox. */
export class CastMessage {
  constructor(readonly message: unknown) {}
}

/** Marker passed to `terminateWith` when a stop result carries a reply. */
type AfterTerminate = (() => void) | undefined;

export class GenServerProcess extends StartableRecord {
  state: unknown = undefined;
  /** Pending `{ timeout: ms }`: the next receive gives up after it and handles `TIMEOUT`. */
  private idleTimeout: number | undefined = undefined;
  /** The message being handled (for crash reports; cleared after each message). */
  private current: unknown = undefined;
  private terminating = false;
  private self: Proc | null = null;

  constructor(
    readonly behaviour: BehaviourKind,
    /** The module whose callbacks this process calls. */
    readonly callbacks: AnyGenServerModule,
    /** The module reported as this process's callback module (differs for supervisors). */
    module: object,
    name: string | undefined,
    parent: Pid | undefined,
  ) {
    super(module, name, parent);
  }

  inspect(): unknown {
    return this.state;
  }

  /**
   * The process body: `init`, then the message loop. (Two frames, so the loop's long-lived
   * async frame does not hold on to `init`'s argument.)
   */
  run(self: Proc, args: unknown): Promise<void> {
    this.self = self;
    this.proc = self;
    return this.init(self, args).then((next) => (self.isAlive ? this.loop(self, next) : undefined));
  }

  private async loop(self: Proc, next: Next | undefined): Promise<void> {
    try {
      if (next !== undefined) {
        const pending = this.applyNext(next, self);
        if (pending !== undefined) await pending;
      }
      for (;;) {
        let msg: unknown;
        // Parked between two messages: the release handler may suspend or resume it right here
        // (suspendIfIdle / resumeIfParked), which changes what this receive is waiting for.
        this.parked = true;
        if (this.suspended) msg = await self.receive(this.whileSuspended());
        else if (this.idleTimeout === undefined) msg = await self.receive();
        else {
          msg = await self.receive(_, { after: this.idleTimeout });
          if (msg === TIMEOUT) this.idleTimeout = undefined;
        }
        this.parked = false;
        this.current = msg;
        msg = undefined;
        const pending = this.handle(this.current, self);
        if (pending !== undefined) {
          await pending;
          if (!self.isAlive) return;
        }
        this.current = undefined;
      }
    } catch (err) {
      if (this.terminating) throw err;
      await this.terminateWith(reasonOf(err), self, undefined);
    }
  }

  /** Runs `init` and acknowledges the start; returns the `next` of an `ok`, exits otherwise. */
  private async init(self: Proc, args: unknown): Promise<Next | undefined> {
    const result = await this.callInit(self, () => this.callbacks.init(args, self));
    const init = result as { kind?: unknown; state?: unknown; reason?: unknown; next?: Next } | null;
    switch (init?.kind) {
      case 'ok':
        this.state = init.state;
        this.warnShapeMismatch(self, this.callbacks, 'stateShape', this.state);
        this.acknowledge({ kind: 'ok', pid: self.pid });
        return init.next;
      case 'ignore':
        return this.initIgnored();
      case 'stop':
        return this.initStopped(init.reason);
      default:
        return this.initBadReturn(self, result, 'ok(state), ignore() or stop(reason)');
    }
  }

  pausedPattern(): Pattern {
    return this.whileSuspended();
  }

  runningPattern(): Pattern | undefined {
    return this.idleTimeout === undefined ? _ : undefined;
  }

  /** What a suspended process still receives: system messages and its parent's exit. */
  private whileSuspended(): Pattern {
    // Made anew at each suspension rather than kept on the record: a closure per process kept
    // there would cost the code server's old-code survey an inspector lookup per process.
    return (msg: unknown) =>
      isSystemRequest(msg) ||
      (this.parent !== undefined && isExitMessage(msg) && msg.from.id === this.parent.id);
  }

  /** Handles one message; returns a promise only when a callback went async. */
  private handle(msg: unknown, self: Proc): void | Promise<void> {
    if (msg instanceof Request) {
      if (msg.kind === CALL) return this.handleCall(msg, self);
      return handleSystem(this, msg, self);
    }
    if (msg instanceof CastMessage) return this.handleCast(msg.message, self);
    if (this.parent !== undefined && isExitMessage(msg) && msg.from.id === this.parent.id) {
      // OTP: a gen_server that traps exits terminates when its parent does.
      return this.terminateWith(msg.reason, self, undefined);
    }
    return this.handleInfo(msg, self);
  }

  private handleCall(req: Request, self: Proc): void | Promise<void> {
    const module = this.callbacks;
    if (typeof module.handleCall !== 'function')
      throw new UndefinedCallbackError(
        describeModule(this.module),
        'handleCall',
        `the call ${formatTerm(req.payload)}`,
      );
    const out = module.handleCall(req.payload, req as From, this.state, self);
    if (isThenable(out)) return Promise.resolve(out).then((result) => this.afterCall(result, req, self));
    return this.afterCall(out, req, self);
  }

  private afterCall(result: unknown, req: Request, self: Proc): void | Promise<void> {
    const r = result as {
      kind?: unknown;
      reply?: unknown;
      state?: unknown;
      next?: Next;
      reason?: unknown;
      hasReply?: boolean;
    } | null;
    switch (r?.kind) {
      case 'reply':
        this.state = r.state;
        req.reply(r.reply);
        return this.applyNext(r.next, self);
      case 'noreply':
        this.state = r.state;
        return this.applyNext(r.next, self);
      case 'stop':
        if ('state' in r) this.state = r.state;
        return this.terminateWith(
          r.reason,
          self,
          r.hasReply === true ? () => replyTo(req, r.reply) : undefined,
        );
      default:
        throw new BadReturnError(
          describeModule(this.module),
          'handleCall',
          result,
          'reply(value, state), noreply(state) or stop(reason, state)',
        );
    }
  }

  private handleCast(message: unknown, self: Proc): void | Promise<void> {
    const module = this.callbacks;
    if (typeof module.handleCast !== 'function')
      throw new UndefinedCallbackError(
        describeModule(this.module),
        'handleCast',
        `the cast ${formatTerm(message)}`,
      );
    const out = module.handleCast(message, this.state, self);
    if (isThenable(out))
      return Promise.resolve(out).then((result) => this.afterNoReply(result, 'handleCast', self));
    return this.afterNoReply(out, 'handleCast', self);
  }

  private handleInfo(message: unknown, self: Proc): void | Promise<void> {
    const module = this.callbacks;
    if (!hasCallback(module, 'handleInfo')) {
      // OTP logs and drops an info message the module does not handle.
      logger().warn(
        { pid: String(self.pid), module: describeModule(this.module), message: formatTerm(message) },
        `${this.behaviour} ${this.name ?? String(self.pid)} received an unexpected message and has no handleInfo; dropped`,
      );
      return;
    }
    const out = module.handleInfo!(message, this.state, self);
    if (isThenable(out))
      return Promise.resolve(out).then((result) => this.afterNoReply(result, 'handleInfo', self));
    return this.afterNoReply(out, 'handleInfo', self);
  }

  private handleContinue(arg: unknown, self: Proc): void | Promise<void> {
    const module = this.callbacks;
    if (typeof module.handleContinue !== 'function')
      throw new UndefinedCallbackError(
        describeModule(this.module),
        'handleContinue',
        `{ continue: ${formatTerm(arg)} }`,
      );
    const out = module.handleContinue(arg, this.state, self);
    if (isThenable(out))
      return Promise.resolve(out).then((result) => this.afterNoReply(result, 'handleContinue', self));
    return this.afterNoReply(out, 'handleContinue', self);
  }

  private afterNoReply(result: unknown, callback: string, self: Proc): void | Promise<void> {
    const r = result as { kind?: unknown; state?: unknown; next?: Next; reason?: unknown } | null;
    switch (r?.kind) {
      case 'noreply':
        this.state = r.state;
        return this.applyNext(r.next, self);
      case 'stop':
        if ('state' in r) this.state = r.state;
        return this.terminateWith(r.reason, self, undefined);
      default:
        throw new BadReturnError(
          describeModule(this.module),
          callback,
          result,
          'noreply(state) or stop(reason, state)',
        );
    }
  }

  private applyNext(next: Next | undefined, self: Proc): void | Promise<void> {
    this.idleTimeout = undefined;
    if (next === undefined) return;
    if ('continue' in next) return this.handleContinue(next.continue, self);
    if ('timeout' in next && typeof next.timeout === 'number' && next.timeout >= 0) {
      if (next.timeout !== Infinity) this.idleTimeout = next.timeout;
      return;
    }
    throw new BadReturnError(
      describeModule(this.module),
      'a callback',
      next,
      '{ continue: arg } or { timeout: ms }',
    );
  }

  /**
   * Stops the process: calls `terminate`, reports an abnormal reason, sends a pending reply,
   * then exits with the reason (or with the error `terminate` threw).
   */
  async terminateWith(reason: ExitReason, self: Proc, afterTerminate: AfterTerminate): Promise<never> {
    this.terminating = true;
    let finalReason = reason;
    try {
      const module = this.callbacks;
      if (hasCallback(module, 'terminate')) {
        const out = module.terminate!(reason, this.state, self);
        if (isThenable(out)) await out;
      }
    } catch (err) {
      finalReason = reasonOf(err);
    } finally {
      afterTerminate?.();
    }
    reportTermination({
      behaviour: this.behaviour,
      pid: self.pid,
      name: this.name,
      module: this.module,
      reason: finalReason,
      lastMessage: describeMessage(this.current),
      state: this.formatted({
        state: this.state,
        reason: finalReason,
        message: describeMessage(this.current),
      }),
    });
    throw new ProcessExit(finalReason);
  }

  private formatted(status: StatusInfo): unknown {
    const module = this.callbacks;
    if (!hasCallback(module, 'formatStatus')) return status.state;
    try {
      return module.formatStatus!(status).state;
    } catch (err) {
      return { formatStatusFailed: formatTerm(reasonOf(err)) };
    }
  }

  // --- system hooks (sys) ---

  systemGetState(): unknown {
    return this.state;
  }

  systemReplaceState(fn: (state: unknown) => unknown): unknown {
    this.state = fn(this.state);
    return this.state;
  }

  systemCodeChange(_module: unknown, oldVsn: unknown, extra: unknown): void | Promise<void> {
    // OTP: gen_server converts through its own callback module, whatever module was named.
    // A declared state shape converts the state first (core/state-shape.ts); nothing is kept
    // unless every step succeeds.
    const module = this.callbacks;
    const own = hasCallback(module, 'codeChange');
    const prepared = prepareCodeChange(module, 'stateShape', this.state, oldVsn, extra, own, (message) =>
      logger().warn({ pid: String(this.self?.pid), module: describeModule(this.module) }, message),
    );
    if (!own) {
      this.state = prepared.value;
      return;
    }
    const out = module.codeChange!(oldVsn, prepared.value, prepared.extra, { original: this.state });
    if (isThenable(out)) return Promise.resolve(out).then((state) => this.takeConverted(state));
    this.takeConverted(out);
  }

  private takeConverted(state: unknown): void {
    if (state === undefined)
      throw new BadReturnError(
        describeModule(this.module),
        'codeChange',
        state,
        'the new state (throw to refuse the change)',
      );
    this.state = state;
  }

  systemFormatState(): unknown {
    return this.formatted({ state: this.state });
  }

  systemTerminate(reason: ExitReason): Promise<never> {
    return this.terminateWith(reason, this.self!, undefined);
  }
}

/** A message as shown in a crash report. */
function describeMessage(msg: unknown): unknown {
  if (msg === undefined) return undefined;
  if (msg instanceof Request) return msg.kind === CALL ? { call: msg.payload } : { system: msg.payload };
  if (msg instanceof CastMessage) return { cast: msg.message };
  if (msg === TIMEOUT) return 'timeout';
  return msg;
}

// hotrel's own classes: the code server's old-code walk need not enter their prototypes.
markInternalClasses(CastMessage, GenServerProcess);
