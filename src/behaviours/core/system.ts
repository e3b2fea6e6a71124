/**
 * System messages, on the server side: what `sys` asks of a behaviour process, handled between
 * ordinary messages (and, while suspended, instead of them). Shared by every behaviour.
 */
import { type ExitReason, type Pid, type Proc } from '../../runtime';
import { CallbackFailedError } from '../errors';
import { isThenable } from './awaitable';
import { type BehaviourKind, type BehaviourRecord } from './record';
import { failRequest, replyTo, Request, SYSTEM } from './request';
import { moduleName } from './module-name';

/** The system messages `sys` sends. */
export type SystemRequest =
  | { readonly op: 'suspend' }
  | { readonly op: 'resume' }
  | { readonly op: 'getState' }
  | { readonly op: 'replaceState'; readonly fn: (state: unknown) => unknown }
  | { readonly op: 'getStatus' }
  | { readonly op: 'changeCode'; readonly module: unknown; readonly oldVsn: unknown; readonly extra: unknown }
  | { readonly op: 'terminate'; readonly reason: ExitReason };

/** The result of `sys.changeCode`, as OTP's `ok | {error, Reason}`. */
export type ChangeCodeResult = { readonly kind: 'ok' } | { readonly kind: 'error'; readonly reason: unknown };

/** What `sys.getStatus` returns (OTP's `{status, Pid, {module, Mod}, [.., SysState, Parent, .., Misc]}`). */
export interface ProcessStatus {
  readonly pid: Pid;
  readonly behaviour: BehaviourKind;
  /** The callback module's id (`<app>:<relpath>`) when it is a facade. */
  readonly module: string | undefined;
  /** The callback module itself. */
  readonly callbackModule: object;
  readonly modules: readonly unknown[];
  readonly name: string | undefined;
  readonly status: 'running' | 'suspended';
  readonly parent: Pid | undefined;
  readonly messageQueueLength: number;
  /** The state, through the module's `formatStatus` when it has one. */
  readonly state: unknown;
}

/** Whether `msg` is a system message (what a suspended process still handles). */
export function isSystemRequest(msg: unknown): msg is Request {
  return msg instanceof Request && msg.kind === SYSTEM;
}

const OK: ChangeCodeResult = Object.freeze({ kind: 'ok' });

/**
 * Handles one system message for `host`. Returns a promise only when the work is asynchronous
 * (an async `codeChange`, termination); the process handles nothing else meanwhile.
 */
export function handleSystem(host: BehaviourRecord, req: Request, self: Proc): void | Promise<void> {
  const msg = req.payload as SystemRequest;
  switch (msg.op) {
    case 'suspend':
      host.suspended = true;
      return replyTo(req, 'ok');
    case 'resume':
      host.suspended = false;
      return replyTo(req, 'ok');
    case 'getState':
      try {
        return replyTo(req, host.systemGetState());
      } catch (err) {
        return failRequest(req, new CallbackFailedError(self.pid, 'sys.getState', err));
      }
    case 'replaceState':
      return replaceState(host, req, msg.fn, self);
    case 'getStatus':
      return replyTo(req, statusOf(host, self));
    case 'changeCode':
      if (!host.suspended) {
        // OTP: change_code is only understood by a suspended process.
        return replyTo(req, {
          kind: 'error',
          reason: {
            unknownSystemMsg: { changeCode: { oldVsn: msg.oldVsn, extra: msg.extra } },
            hint: 'sys.changeCode is accepted only while the process is suspended: call sys.suspend first',
          },
        });
      }
      return changeCode(host, req, msg);
    case 'terminate':
      replyTo(req, 'ok');
      return host.systemTerminate(msg.reason);
    default:
      return failRequest(req, new TypeError(`unknown system message ${JSON.stringify(msg)}`));
  }
}

function replaceState(
  host: BehaviourRecord,
  req: Request,
  fn: (state: unknown) => unknown,
  self: Proc,
): void {
  try {
    const next = host.systemReplaceState((state) => {
      const result = fn(state);
      if (isThenable(result)) throw new TypeError('the replaceState function must be synchronous');
      return result;
    });
    replyTo(req, next);
  } catch (err) {
    failRequest(req, new CallbackFailedError(self.pid, 'sys.replaceState', err));
  }
}

function changeCode(
  host: BehaviourRecord,
  req: Request,
  msg: Extract<SystemRequest, { op: 'changeCode' }>,
): void | Promise<void> {
  let pending;
  try {
    pending = host.systemCodeChange(msg.module, msg.oldVsn, msg.extra);
  } catch (err) {
    return replyTo(req, { kind: 'error', reason: err });
  }
  if (!isThenable(pending)) return replyTo(req, OK);
  return Promise.resolve(pending).then(
    () => replyTo(req, OK),
    (err: unknown) => replyTo(req, { kind: 'error', reason: err }),
  );
}

function statusOf(host: BehaviourRecord, self: Proc): ProcessStatus {
  let state: unknown;
  try {
    state = host.systemFormatState();
  } catch (err) {
    state = { formatStatusFailed: err };
  }
  return {
    pid: self.pid,
    behaviour: host.behaviour,
    module: moduleName(host.module),
    callbackModule: host.module,
    modules: host.modules,
    name: host.name,
    status: host.suspended ? 'suspended' : 'running',
    parent: host.parent,
    messageQueueLength: selfQueueLength(self),
    state,
  };
}

function selfQueueLength(self: Proc): number {
  return self.mailbox?.length ?? 0;
}
