/**
 * A state machine's timeouts (OTP's state, event and generic timeouts). Each armed timeout is a
 * timer message to the process itself, tagged with a token; a message whose token is no longer
 * current (the timeout was cancelled or re-armed after it fired) is recognised and dropped.
 */
import { markInternalClasses } from '../../runtime';
import { cancelTimer, type Proc, type Ref } from '../../runtime';
import type { StatemEvent } from './types';

export type TimeoutKind = 'state' | 'event' | 'generic';

/** A timeout's message to the process itself. */
export class TimeoutMessage {
  constructor(
    readonly kind: TimeoutKind,
    readonly name: string,
    readonly token: number,
    readonly content: unknown,
  ) {}
}

interface Armed {
  readonly token: number;
  readonly ref: Ref;
}

export class StatemTimeouts {
  private state: Armed | null = null;
  private event: Armed | null = null;
  private generic: Map<string, Armed> | null = null;
  private nextToken = 1;

  /** Starts (or restarts) a timeout; `Infinity` just cancels it. */
  arm(self: Proc, kind: TimeoutKind, name: string, ms: number, content: unknown): void {
    this.cancel(kind, name);
    if (ms === Infinity) return;
    const token = this.nextToken++;
    const armed: Armed = {
      token,
      ref: self.sendAfter(ms, self.pid, new TimeoutMessage(kind, name, token, content)),
    };
    if (kind === 'state') this.state = armed;
    else if (kind === 'event') this.event = armed;
    else (this.generic ??= new Map()).set(name, armed);
  }

  cancel(kind: TimeoutKind, name: string): void {
    let armed: Armed | null | undefined;
    if (kind === 'state') {
      armed = this.state;
      this.state = null;
    } else if (kind === 'event') {
      armed = this.event;
      this.event = null;
    } else {
      armed = this.generic?.get(name);
      this.generic?.delete(name);
    }
    if (armed) cancelTimer(armed.ref);
  }

  /** The event a timeout message stands for; `undefined` when it is stale. */
  accept(msg: TimeoutMessage): StatemEvent | undefined {
    switch (msg.kind) {
      case 'state':
        if (this.state?.token !== msg.token) return undefined;
        this.state = null;
        return { type: 'state_timeout', content: msg.content };
      case 'event':
        if (this.event?.token !== msg.token) return undefined;
        this.event = null;
        return { type: 'timeout', content: msg.content };
      case 'generic':
        if (this.generic?.get(msg.name)?.token !== msg.token) return undefined;
        this.generic.delete(msg.name);
        return { type: 'generic_timeout', name: msg.name, content: msg.content };
    }
  }
}

// hotrel's own classes: the code server's old-code walk need not enter their prototypes.
markInternalClasses(TimeoutMessage, StatemTimeouts);
