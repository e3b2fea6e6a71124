/**
 * A request that expects a reply: a call, or a system message (`sys`).
 *
 * The request object is at once the message in the server's mailbox, the `from` token handed to
 * `handleCall`, and the caller's reply channel: a reply resolves the caller's promise directly,
 * with no reply message and no selective receive on the caller's side (that is most of what
 * makes a call cheap here). A request is settled once; anything after that (a late reply after a
 * timeout, a second reply) is dropped, as OTP drops late replies through aliases.
 */
import { markInternalClasses } from '../../runtime';
import type { Proc } from '../../runtime';
import type { Bucket, Expirable } from './deadlines';
import { unlinkDeadline } from './deadlines';
import { CallExitError, CallTimeoutError, type ServerLabel } from '../errors';
import type { ExitReason } from '../../runtime';

/** An ordinary call (`GenServer.call`, `GenStatem.call`, supervisor requests). */
export const CALL = 0;
/** A system message (`sys.*`), handled between ordinary messages and while suspended. */
export const SYSTEM = 1;

/** The requests waiting for one process, as an intrusive list (the process's record holds the head). */
export interface Waiters {
  waitersHead: Request | null;
}

export class Request implements Expirable {
  /** @internal */ resolve: ((value: unknown) => void) | null = null;
  /** @internal */ reject: ((error: unknown) => void) | null = null;
  /** @internal the list of requests waiting on the server, while unanswered */
  waiters: Waiters | null = null;
  /** @internal */ prev: Request | null = null;
  /** @internal */ next: Request | null = null;
  /** @internal cancels the exit watch on a server that is not a behaviour process */
  unwatch: (() => void) | null = null;
  /** @internal */ bucket: Bucket | null = null;
  /** @internal */ dprev: Expirable | null = null;
  /** @internal */ dnext: Expirable | null = null;
  /** @internal */ slot = 0;
  /** @internal */ timeout = Infinity;

  /** @internal */
  constructor(
    /** {@link CALL} or {@link SYSTEM}. */
    readonly kind: number,
    /** The request as the caller passed it. */
    readonly payload: unknown,
    /** The server as the caller named it (for error messages). */
    readonly server: ServerLabel,
    /** The calling process, when known: a reply to a dead caller is dropped, so it never resumes. */
    readonly caller: Proc | null,
  ) {}

  /** Whether the request was answered, failed or timed out. */
  get settled(): boolean {
    return this.resolve === null;
  }

  /** @internal Answers the request (see {@link replyTo}); a method, as it is on every call's path. */
  reply(value: unknown): void {
    const resolve = this.resolve;
    if (resolve === null) return;
    this.resolve = null;
    this.reject = null;
    if (this.waiters !== null || this.unwatch !== null) unlinkWaiter(this);
    if (this.bucket !== null) unlinkDeadline(this);
    if (this.caller !== null && !this.caller.isAlive) return;
    resolve(value);
  }

  /** @internal Deadline passed: the caller gets a {@link CallTimeoutError}. */
  expire(): void {
    failRequest(this, new CallTimeoutError(this.server, this.payload, this.timeout));
  }

  toJSON(): unknown {
    return { request: this.payload, server: String(this.server) };
  }
}

function unlinkWaiter(req: Request): void {
  const list = req.waiters;
  if (list !== null) {
    if (req.prev === null) list.waitersHead = req.next;
    else req.prev.next = req.next;
    if (req.next !== null) req.next.prev = req.prev;
    req.waiters = null;
    req.prev = null;
    req.next = null;
  } else if (req.unwatch !== null) {
    req.unwatch();
    req.unwatch = null;
  }
}

/** Answers a request; a no-op when it was already settled (a late or second reply). */
export function replyTo(req: Request, value: unknown): void {
  req.reply(value);
}

/** Fails a request with `error`; a no-op when it was already settled. */
export function failRequest(req: Request, error: unknown): void {
  const reject = req.reject;
  if (reject === null) return;
  req.resolve = null;
  req.reject = null;
  unlinkWaiter(req);
  if (req.bucket !== null) unlinkDeadline(req);
  if (req.caller !== null && !req.caller.isAlive) return;
  reject(error);
}

/** Registers `req` as waiting on the process that owns `list`. */
export function addWaiter(list: Waiters, req: Request): void {
  req.waiters = list;
  const head = list.waitersHead;
  req.next = head;
  if (head !== null) head.prev = req;
  list.waitersHead = req;
}

/** The server exited: every request still waiting on it fails with its exit reason. */
export function failWaiters(list: Waiters, reason: ExitReason): void {
  let req = list.waitersHead;
  while (req !== null) {
    const next = req.next;
    failRequest(req, new CallExitError(req.server, req.payload, reason));
    req = next;
  }
  list.waitersHead = null;
}

// hotrel's own classes: the code server's old-code walk need not enter their prototypes.
markInternalClasses(Request);
