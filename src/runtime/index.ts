/**
 * The process runtime: lightweight processes inside one Node.js process, with Erlang/OTP's
 * semantics for mailboxes, selective receive, links, monitors, exit signals, trap_exit,
 * registered names and timers. DESIGN.md §4.
 */
export { Pid, Ref, makeRef, isPid, isRef } from './pid';
export { _, matches, type Pattern, type Predicate } from './match';
export {
  NORMAL,
  KILL,
  KILLED,
  NOPROC,
  SHUTDOWN,
  ProcessExit,
  formatReason,
  isDownMessage,
  isExitMessage,
  isNormalExit,
  isShutdown,
  reasonOf,
  type DownMessage,
  type ExitMessage,
  type ExitReason,
} from './reason';
export {
  Proc,
  TIMEOUT,
  exit,
  send,
  spawn,
  onSpawn,
  type ProcessFn,
  type ReceiveOptions,
  type SpawnOptions,
  type Timeout,
} from './process';
export { NOBODY, onAnyExit, rearmReceive, watch } from './signals';
export {
  isAlive,
  lookupProcess,
  allProcesses,
  processCount,
  processes,
  register,
  registered,
  unregister,
  whereis,
} from './table';
export { sendAfter, cancelTimer } from './timers';
export { processInfo, type ProcessInfo } from './info';
export { AlreadyNamedError, NameTakenError, NoProcError, NotInProcessError } from './errors';
export { logger, setLogger, type Logger } from './log';
export { REDUCTIONS_PER_TURN } from './scheduler';
export {
  forwardEvents,
  isEvent,
  type EventMessage,
  type EventSource,
  type ForwardOptions,
} from './forward-events';
export {
  markInternalClasses,
  markDataClasses,
  isInternalPrototype,
  isPlainDataInstance,
} from './internal-classes';
