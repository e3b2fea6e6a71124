/** Errors the runtime throws at its callers. Each message says what to do. */
import type { Pid } from './pid';

export class NameTakenError extends Error {
  constructor(
    readonly processName: string,
    readonly owner: Pid,
  ) {
    super(
      `the name '${processName}' is already registered to ${owner}; unregister it first or pick another name`,
    );
    this.name = 'NameTakenError';
  }
}

export class AlreadyNamedError extends Error {
  constructor(
    readonly pid: Pid,
    readonly current: string,
  ) {
    super(`${pid} is already registered as '${current}'; a process has at most one name`);
    this.name = 'AlreadyNamedError';
  }
}

export class NoProcError extends Error {
  constructor(readonly target: Pid | string) {
    super(
      typeof target === 'string'
        ? `no process is registered as '${target}'`
        : `process ${target} is not alive`,
    );
    this.name = 'NoProcError';
  }
}

export class NotInProcessError extends Error {
  constructor(what: string) {
    super(`${what} needs a process: call it from inside a process spawned by hotrel`);
    this.name = 'NotInProcessError';
  }
}
