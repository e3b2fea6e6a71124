/** Who still uses old code: the answer of `checkProcessCode`, `softPurge`, `purge` and `findOldCode`. */
import type { Pid } from '../runtime';

/**
 * One process's use of one module version.
 *
 * - `running`: a frame of that version is on the process's (async) stack, found by probing the
 *   process while it waits in `receive`. Erlang's `check_process_code` is exactly this.
 * - `spawned`: the process could not be probed (it awaits something other than `receive`) and
 *   the function it was spawned with belongs to that version and is still alive, so it may
 *   still be running it. A conservative answer.
 * - `holds`: a closure, bound function, class or class instance of that version is reachable
 *   from the process's state (`inspectState`), mailbox, dictionary or pending timer messages.
 *   OTP ignores funs since ERTS 9.0 and lets the process crash later with `badfun`; in
 *   JavaScript such a function would silently keep running old code, so hotrel counts it.
 */
export interface CodeHolder {
  pid: Pid;
  /** The process's registered name, if any. */
  name: string | undefined;
  /** Module id (`<app>:<relpath>`). */
  module: string;
  /** The version's `vsn`. */
  vsn: string;
  how: 'running' | 'spawned' | 'holds';
  /** Where it was found: `stack`, `spawn function`, or a path such as `state.handlers[2]`. */
  where: string;
}

/** One line per holder, e.g. `<0.12.0> (srv2) holds kvapp:m1 vsn 1.0.15 at state.f`. */
export function describeHolders(holders: readonly CodeHolder[]): string {
  return holders
    .map((h) => {
      const who = h.name === undefined ? String(h.pid) : `${h.pid} (${h.name})`;
      const what =
        h.how === 'running'
          ? 'runs'
          : h.how === 'spawned'
            ? 'was spawned with (and cannot be probed)'
            : 'holds a function of';
      return `${who} ${what} ${h.module} vsn ${h.vsn}${h.how === 'holds' ? ` at ${h.where}` : ''}`;
    })
    .join('\n');
}
