/**
 * The GenStatem process (OTP's gen_statem): events from the mailbox, postponed events and
 * inserted `internal` events are handled one at a time by the state's handler, called through
 * the module object (so an upgraded facade takes effect at the next event).
 *
 * Queue order follows OTP: after a transition that changes the state, the postponed events are
 * retried first (oldest first), and events inserted with `nextEvent` go before everything
 * queued. A state timeout is cancelled by a state change; an event timeout by any event; a
 * generic timeout only by setting it again. Timer messages that lost a race with a
 * cancellation are recognised by a token and dropped.
 */
import { markInternalClasses } from '../../runtime';
import { isDeepStrictEqual } from 'node:util';
import {
  _,
  isExitMessage,
  logger,
  ProcessExit,
  reasonOf,
  type ExitReason,
  type Pattern,
  type Pid,
  type Proc,
} from '../../runtime';
import { isThenable } from '../core/awaitable';
import { hasCallback } from '../core/callbacks';
import { prepareCodeChange } from '../core/state-shape';
import { describeModule } from '../core/module-name';
import { reportTermination } from '../core/report';
import { CALL, Request, replyTo } from '../core/request';
import { StartableRecord } from '../core/start';
import { handleSystem, isSystemRequest } from '../core/system';
import type { From } from '../core/types';
import { BadReturnError, formatTerm, UndefinedCallbackError } from '../errors';
import { CastMessage } from '../gen-server/server';
import { StatemTimeouts, TimeoutMessage } from './timeouts';
import type { Action } from './results';
import type { AnyGenStatemModule, CallbackMode, StatemEvent, StatemStatusInfo } from './types';

type MaybeAsync = void | Promise<void>;

function sameState(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || (typeof a === 'object' && isDeepStrictEqual(a, b));
}

/** Parses `callbackMode()`'s result; throws a clear error for anything else. */
export function parseCallbackMode(
  mode: unknown,
  module: string,
): { stateFunctions: boolean; stateEnter: boolean } {
  const [name, enter] = Array.isArray(mode) ? mode : [mode, undefined];
  if (
    (name === 'state_functions' || name === 'handle_event_function') &&
    (enter === undefined || enter === 'state_enter')
  )
    return { stateFunctions: name === 'state_functions', stateEnter: enter === 'state_enter' };
  throw new BadReturnError(
    module,
    'callbackMode',
    mode,
    "'state_functions', 'handle_event_function', or [mode, 'state_enter']",
  );
}

export class GenStatemProcess extends StartableRecord {
  readonly behaviour = 'gen_statem' as const;
  state: unknown = undefined;
  data: unknown = undefined;
  private stateFunctions = false;
  private stateEnter = false;
  /** Events postponed in the current state, oldest first. */
  private postponed: StatemEvent[] = [];
  /** Events to handle before the mailbox: inserted ones, then retried postponed ones. */
  private queue: StatemEvent[] = [];
  private readonly timeouts = new StatemTimeouts();
  /** `nextEvent` and timeout actions of the transition being applied. */
  private pendingInserts: StatemEvent[] | null = null;
  private pendingTimeouts: Action[] | null = null;
  private current: StatemEvent | undefined = undefined;
  private terminating = false;
  private self: Proc | null = null;

  constructor(
    readonly callbacks: AnyGenStatemModule,
    name: string | undefined,
    parent: Pid | undefined,
  ) {
    super(callbacks, name, parent);
  }

  inspect(): unknown {
    return { state: this.state, data: this.data, postponed: this.postponed, queue: this.queue };
  }

  run(self: Proc, args: unknown): Promise<void> {
    this.self = self;
    this.proc = self;
    return this.init(self, args).then((actions) => (self.isAlive ? this.loop(self, actions) : undefined));
  }

  private readMode(): void {
    const mode = parseCallbackMode(
      this.callbacks.callbackMode() as CallbackMode,
      describeModule(this.module),
    );
    this.stateFunctions = mode.stateFunctions;
    this.stateEnter = mode.stateEnter;
  }

  private async init(self: Proc, args: unknown): Promise<readonly Action[] | undefined> {
    const result = await this.callInit(self, () => {
      this.readMode();
      return this.callbacks.init(args, self);
    });
    const r = result as {
      kind?: unknown;
      state?: unknown;
      data?: unknown;
      reason?: unknown;
      actions?: Action[];
    } | null;
    switch (r?.kind) {
      case 'next_state':
        this.state = r.state;
        this.data = r.data;
        this.warnShapeMismatch(self, this.callbacks, 'dataShape', this.data);
        this.acknowledge({ kind: 'ok', pid: self.pid });
        return r.actions;
      case 'ignore':
        return this.initIgnored();
      case 'stop':
        return this.initStopped(r.reason);
      default:
        return this.initBadReturn(self, result, 'nextState(state, data, actions?), ignore() or stop(reason)');
    }
  }

  private async loop(self: Proc, initActions: readonly Action[] | undefined): Promise<void> {
    try {
      // The initial state: init's actions, then its enter call (OTP: old state = initial state).
      const start = this.enterInitial(initActions);
      if (start !== undefined) await start;
      for (;;) {
        let event: StatemEvent | undefined;
        if (!this.suspended && this.queue.length > 0) event = this.queue.shift()!;
        else {
          // Parked between two events: see GenServer's loop (suspendIfIdle / resumeIfParked).
          this.parked = true;
          const msg = await self.receive(this.suspended ? this.whileSuspended() : undefined);
          this.parked = false;
          if (isSystemRequest(msg)) {
            const pending = handleSystem(this, msg, self);
            if (pending !== undefined) await pending;
            continue;
          }
          if (this.parent !== undefined && isExitMessage(msg) && msg.from.id === this.parent.id) {
            await this.terminateWith(msg.reason, self);
          }
          event = this.toEvent(msg);
          if (event === undefined) continue;
        }
        this.timeouts.cancel('event', '');
        this.current = event;
        const pending = this.handle(event, self);
        if (pending !== undefined) {
          await pending;
          if (!self.isAlive) return;
        }
        this.current = undefined;
      }
    } catch (err) {
      if (this.terminating) throw err;
      await this.terminateWith(reasonOf(err), self);
    }
  }

  pausedPattern(): Pattern {
    return this.whileSuspended();
  }

  runningPattern(): Pattern | undefined {
    return this.queue.length === 0 ? _ : undefined;
  }

  override systemSnapshot(): unknown {
    return {
      state: this.state,
      data: this.data,
      stateFunctions: this.stateFunctions,
      stateEnter: this.stateEnter,
    };
  }

  override systemRestore(snapshot: unknown): void {
    const s = snapshot as { state: unknown; data: unknown; stateFunctions: boolean; stateEnter: boolean };
    this.state = s.state;
    this.data = s.data;
    this.stateFunctions = s.stateFunctions;
    this.stateEnter = s.stateEnter;
  }

  private whileSuspended(): Pattern {
    // Made anew at each suspension rather than kept on the record: a closure per process kept
    // there would cost the code server's old-code survey an inspector lookup per process.
    return (msg: unknown) =>
      isSystemRequest(msg) ||
      (this.parent !== undefined && isExitMessage(msg) && msg.from.id === this.parent.id);
  }

  /** A mailbox message as an event; `undefined` for a stale timer message. */
  private toEvent(msg: unknown): StatemEvent | undefined {
    if (msg instanceof Request && msg.kind === CALL)
      return { type: 'call', content: msg.payload, from: msg as From };
    if (msg instanceof CastMessage) return { type: 'cast', content: msg.message };
    if (msg instanceof TimeoutMessage) return this.timeouts.accept(msg);
    return { type: 'info', content: msg };
  }

  /** Calls the handler for `event` in the current state. */
  private invoke(event: StatemEvent, self: Proc): unknown {
    const module = this.callbacks;
    if (this.stateFunctions) {
      if (typeof this.state !== 'string')
        throw new BadReturnError(
          describeModule(this.module),
          'a state function',
          this.state,
          'a string state in state_functions mode',
        );
      const fn = module[this.state];
      if (typeof fn !== 'function')
        throw new UndefinedCallbackError(
          describeModule(this.module),
          this.state,
          `an event in state '${this.state}'`,
        );
      return (fn as (e: StatemEvent, d: unknown, s: Proc) => unknown).call(module, event, this.data, self);
    }
    if (typeof module.handleEvent !== 'function')
      throw new UndefinedCallbackError(
        describeModule(this.module),
        'handleEvent',
        `the event ${formatTerm(event)}`,
      );
    return module.handleEvent(event, this.state, this.data, self);
  }

  private handle(event: StatemEvent, self: Proc): MaybeAsync {
    const out = this.invoke(event, self);
    if (isThenable(out)) return Promise.resolve(out).then((result) => this.transition(result, event, self));
    return this.transition(out, event, self);
  }

  private enterInitial(actions: readonly Action[] | undefined): MaybeAsync {
    const self = this.self!;
    this.applyActions(actions, undefined);
    if (!this.stateEnter) return;
    return this.callEnter(this.state, self);
  }

  private callEnter(oldState: unknown, self: Proc): MaybeAsync {
    const event: StatemEvent = { type: 'enter', oldState };
    const out = this.invoke(event, self);
    if (isThenable(out)) return Promise.resolve(out).then((result) => this.transition(result, event, self));
    return this.transition(out, event, self);
  }

  /** Applies a handler's result: new state and data, actions, postponing, state enter. */
  private transition(result: unknown, event: StatemEvent, self: Proc): MaybeAsync {
    const r = result as {
      kind?: unknown;
      state?: unknown;
      data?: unknown;
      actions?: readonly Action[];
      reason?: unknown;
      replies?: readonly Action[];
    } | null;
    const entering = event.type === 'enter';
    let newState = this.state;
    let newData = this.data;
    let repeat = false;
    switch (r?.kind) {
      case 'next_state':
        newState = r.state;
        newData = r.data;
        break;
      case 'keep_state':
        newData = r.data;
        break;
      case 'keep_state_and_data':
        break;
      case 'repeat_state':
        newData = r.data;
        repeat = true;
        break;
      case 'repeat_state_and_data':
        repeat = true;
        break;
      case 'stop':
        if ('state' in r) this.data = r.state;
        return this.terminateWith(r.reason, self);
      case 'stop_and_reply':
        for (const action of r.replies ?? []) {
          if (action?.action !== 'reply')
            throw this.badAction(action, 'stopAndReply takes only reply actions');
          this.reply(action);
        }
        if (r.data !== undefined) this.data = r.data;
        return this.terminateWith(r.reason, self);
      default:
        throw new BadReturnError(
          describeModule(this.module),
          this.handlerName(),
          result,
          'nextState, keepState, keepStateAndData, repeatState, repeatStateAndData, stop or stopAndReply',
        );
    }
    if (entering && !sameState(newState, this.state))
      throw new BadReturnError(
        describeModule(this.module),
        this.handlerName(),
        result,
        'a state enter call must not change the state',
      );
    const postponeIt = this.applyActions(r.actions, entering ? 'enter' : event);
    this.data = newData;
    const oldState = this.state;
    const changed = !sameState(newState, oldState);
    if (postponeIt) this.postponed.push(event);
    if (changed) {
      this.state = newState;
      this.timeouts.cancel('state', '');
      if (this.postponed.length > 0) {
        this.queue = this.postponed.concat(this.queue);
        this.postponed = [];
      }
    }
    if (this.pendingInserts !== null) {
      this.queue = this.pendingInserts.concat(this.queue);
      this.pendingInserts = null;
    }
    this.armPending();
    // A state enter call's own repeat_state does not enter again (it acts as keep_state).
    if (this.stateEnter && !entering && (changed || repeat)) return this.callEnter(oldState, self);
  }

  /**
   * Runs the reply actions at once and collects the others. Returns whether to postpone the
   * event. `event` is `'enter'` for a state enter call (no postpone, no inserted events) and
   * `undefined` for init's actions (no postpone).
   */
  private applyActions(
    actions: readonly Action[] | undefined,
    event: StatemEvent | 'enter' | undefined,
  ): boolean {
    let postponeIt = false;
    if (actions === undefined) return false;
    if (!Array.isArray(actions)) throw this.badAction(actions, 'actions must be an array');
    for (const action of actions) {
      switch (action?.action) {
        case 'postpone':
          if (event === undefined || event === 'enter')
            throw this.badAction(action, 'postpone is not allowed here');
          postponeIt = true;
          break;
        case 'reply':
          this.reply(action);
          break;
        case 'next_event':
          if (event === 'enter') throw this.badAction(action, 'a state enter call cannot insert events');
          (this.pendingInserts ??= []).push({ type: 'internal', content: action.content });
          break;
        case 'state_timeout':
        case 'event_timeout':
        case 'generic_timeout':
          if (!(typeof action.ms === 'number' && action.ms >= 0))
            throw this.badAction(action, 'a timeout is a number of milliseconds >= 0 or Infinity');
          (this.pendingTimeouts ??= []).push(action);
          break;
        default:
          throw this.badAction(action, 'unknown action');
      }
    }
    if (event === undefined) {
      // init: inserted events and timeouts take effect now.
      if (this.pendingInserts !== null) {
        this.queue = this.pendingInserts.concat(this.queue);
        this.pendingInserts = null;
      }
      this.armPending();
    }
    return postponeIt;
  }

  private reply(action: Action & { action: 'reply' }): void {
    if (!(action.from instanceof Request))
      throw this.badAction(action, 'reply needs the from of a call event');
    replyTo(action.from, action.value);
  }

  private badAction(action: unknown, why: string): BadReturnError {
    return new BadReturnError(
      describeModule(this.module),
      this.handlerName(),
      action,
      `a valid action (${why})`,
    );
  }

  private handlerName(): string {
    return this.stateFunctions ? String(this.state) : 'handleEvent';
  }

  private armPending(): void {
    const self = this.self!;
    const timeouts = this.pendingTimeouts;
    if (timeouts === null) return;
    this.pendingTimeouts = null;
    for (const t of timeouts) {
      if (t.action === 'state_timeout') this.timeouts.arm(self, 'state', '', t.ms, t.content);
      else if (t.action === 'generic_timeout') this.timeouts.arm(self, 'generic', t.name, t.ms, t.content);
      // OTP: an event timeout only starts when no event is queued (one would cancel it at once).
      else if (t.action === 'event_timeout' && this.queue.length === 0)
        this.timeouts.arm(self, 'event', '', t.ms, t.content);
    }
  }

  private async terminateWith(reason: ExitReason, self: Proc): Promise<never> {
    this.terminating = true;
    let finalReason = reason;
    try {
      const module = this.callbacks;
      if (hasCallback(module, 'terminate')) {
        const out = module.terminate!(reason, this.state, this.data, self);
        if (isThenable(out)) await out;
      }
    } catch (err) {
      finalReason = reasonOf(err);
    }
    reportTermination({
      behaviour: this.behaviour,
      pid: self.pid,
      name: this.name,
      module: this.module,
      reason: finalReason,
      lastMessage: describeEvent(this.current),
      state: this.formatted({
        state: this.state,
        data: this.data,
        reason: finalReason,
        message: describeEvent(this.current),
      }),
    });
    throw new ProcessExit(finalReason);
  }

  private formatted(status: StatemStatusInfo): unknown {
    const module = this.callbacks;
    if (!hasCallback(module, 'formatStatus')) return { state: status.state, data: status.data };
    try {
      const out = module.formatStatus!(status);
      return { state: out.state, data: out.data };
    } catch (err) {
      return { formatStatusFailed: formatTerm(reasonOf(err)) };
    }
  }

  // --- system hooks (sys) ---

  systemGetState(): unknown {
    return { state: this.state, data: this.data };
  }

  systemReplaceState(fn: (state: unknown) => unknown): unknown {
    const next = fn({ state: this.state, data: this.data }) as { state?: unknown; data?: unknown } | null;
    if (next === null || typeof next !== 'object' || !('state' in next) || !('data' in next))
      throw new TypeError('a GenStatem replaceState function must return { state, data }');
    this.state = next.state;
    this.data = next.data;
    return { state: this.state, data: this.data };
  }

  systemCodeChange(_module: unknown, oldVsn: unknown, extra: unknown): MaybeAsync {
    // OTP: through its own callback module, then callback_mode/0 is read again.
    // A declared data shape converts the data first (core/state-shape.ts).
    const module = this.callbacks;
    const own = hasCallback(module, 'codeChange');
    const prepared = prepareCodeChange(module, 'dataShape', this.data, oldVsn, extra, own, (message) =>
      logger().warn({ pid: String(this.self?.pid), module: describeModule(this.module) }, message),
    );
    if (!own) {
      this.takeConverted({ state: this.state, data: prepared.value });
      return;
    }
    const out = module.codeChange!(oldVsn, this.state, prepared.value, prepared.extra, {
      original: this.data,
    });
    if (isThenable(out)) return Promise.resolve(out).then((converted) => this.takeConverted(converted));
    this.takeConverted(out);
  }

  private takeConverted(converted: unknown): void {
    const c = converted as { state?: unknown; data?: unknown } | null;
    if (c === null || typeof c !== 'object' || !('state' in c) || !('data' in c))
      throw new BadReturnError(
        describeModule(this.module),
        'codeChange',
        converted,
        '{ state, data } (throw to refuse)',
      );
    const mode = parseCallbackMode(this.callbacks.callbackMode(), describeModule(this.module));
    this.state = c.state;
    this.data = c.data;
    this.stateFunctions = mode.stateFunctions;
    this.stateEnter = mode.stateEnter;
  }

  systemFormatState(): unknown {
    return this.formatted({ state: this.state, data: this.data });
  }

  systemTerminate(reason: ExitReason): Promise<never> {
    return this.terminateWith(reason, this.self!);
  }
}

function describeEvent(event: StatemEvent | undefined): unknown {
  if (event === undefined) return undefined;
  if (event.type === 'call') return { type: 'call', content: event.content };
  return event;
}

// hotrel's own classes: the code server's old-code walk need not enter their prototypes.
markInternalClasses(GenStatemProcess);
