/** Helpers for tests that need to be, or to watch, a process. */
import { spawn, watch, type ExitReason, type Pid, type Proc, type SpawnOptions } from '../../src/runtime';

/** Runs `body` inside a fresh process and settles with its result (or its exit reason as an error). */
export function inProcess<T>(body: (self: Proc) => Promise<T> | T, options?: SpawnOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let result: { value: T } | undefined;
    const pid = spawn(
      async (self) => {
        result = { value: await body(self) };
      },
      { crashReport: false, ...options },
    );
    watch(pid, (reason) => {
      if (result !== undefined) resolve(result.value);
      else reject(reason instanceof Error ? reason : new Error(`process exited: ${String(reason)}`));
    });
  });
}

/** Resolves with the exit reason of `pid` once it exits. */
export function exitOf(pid: Pid): Promise<ExitReason> {
  return new Promise((resolve) => watch(pid, resolve));
}

/** A process that waits forever (until killed), for tests that need a live target. */
export function idle(options?: SpawnOptions): Pid {
  return spawn(async (self) => void (await self.receive(() => false)), { crashReport: false, ...options });
}
