/**
 * The source files of a new project: an application callback, its top supervisor, a GenServer
 * with a `codeChange`, and tests that run against them. They are written to be read: the
 * comments say what a reader of hotrel needs to know to change them safely.
 */

/** `src/app.ts`: the application callback module (`hotrel.app.mod`). */
export function appSource(name: string): string {
  return `/**
 * The application callback: the release starts the application by calling \`start\`, which starts
 * the top supervisor and returns it (OTP's application behaviour).
 */
import { Supervisor, type Proc } from 'hotrel';
import * as Sup from './sup';

export function start(_type: 'normal', _args: unknown, master: Proc) {
  return Supervisor.startLink(master, Sup, undefined, { name: '${name}_sup' });
}
`;
}

/** `src/sup.ts`: the top supervisor. */
export function supSource(): string {
  return `/**
 * The top supervisor: starts the counter and restarts it if it crashes (up to 5 times in 10 s).
 * Add a child here and the next release's upgrade starts it in the running node.
 */
import type { Supervisor } from 'hotrel';
import * as Counter from './counter';

export function init(): Supervisor.SupervisorInit {
  return {
    strategy: 'one_for_one',
    intensity: 5,
    period: 10,
    children: [
      // { module, function }: looked up at every (re)start, so a restart after an upgrade runs new code.
      { id: 'counter', start: { module: Counter, function: 'startLink', args: [] } },
    ],
  };
}
`;
}

/** `src/counter.ts`: a GenServer that owns a piece of state. */
export function counterSource(): string {
  return `/**
 * A counter owned by a GenServer: one process holds the state and handles one request at a time.
 * Other code calls the functions below; they send the server a request and wait for its reply.
 */
import { GenServer, ok, reply, type From, type OldVsn, type Proc } from 'hotrel';
// The module's own facade: the server calls its callbacks through it, so after an upgrade the
// next request runs the new code.
import * as Counter from './counter';

/** This module's version: the next version's \`codeChange\` receives it as \`oldVsn\`. */
export const vsn = '1';

export interface State {
  count: number;
}

type Request = { op: 'increment'; by: number } | { op: 'value' };

/** Clients reach the server by name, so they find it again after a restart. */
const server = GenServer.named(Counter, 'counter');

export function startLink(parent: Proc) {
  return GenServer.startLink(parent, Counter, undefined, { name: 'counter' });
}

/** Adds \`by\` and returns the new count. */
export function increment(by = 1): Promise<number> {
  return GenServer.call(server, { op: 'increment', by });
}

export function value(): Promise<number> {
  return GenServer.call(server, { op: 'value' });
}

export function init() {
  return ok<State>({ count: 0 });
}

export function handleCall(request: Request, _from: From<number>, state: State) {
  switch (request.op) {
    case 'increment': {
      const count = state.count + request.by;
      return reply(count, { ...state, count });
    }
    case 'value':
      return reply(state.count, state);
  }
}

/**
 * Converts the running server's state during a live upgrade (or downgrade: \`oldVsn\` is then
 * \`{ down: vsn }\`), while the server is suspended. This first version has nothing to convert;
 * when a later version changes \`State\`, convert it here (README.md, "Upgrading").
 */
export function codeChange(_oldVsn: OldVsn, state: State, _extra: unknown): State {
  return state;
}
`;
}

/** `test/counter.test.ts`: tests that run the project's own modules in real processes. */
export function counterTest(): string {
  return `/**
 * The counter, its supervisor and its code change, run in real hotrel processes (no release
 * needed: hotrel's runtime works in any Node.js process).
 */
import { describe, expect, it } from 'vitest';
import { GenServer, Supervisor, exit, sys, watch, whereis, type Pid } from 'hotrel';
import * as Counter from '../src/counter';
import * as Sup from '../src/sup';

function exited(pid: Pid): Promise<unknown> {
  return new Promise((resolve) => watch(pid, resolve));
}

describe('counter', () => {
  it('counts', async () => {
    const pid = GenServer.pidOf(await GenServer.start(Counter, undefined, { name: 'counter' }));
    expect(await Counter.increment()).toBe(1);
    expect(await Counter.increment(41)).toBe(42);
    expect(await Counter.value()).toBe(42);
    await GenServer.stop(pid);
  });

  it('keeps its state through a code change, as a live upgrade does it', async () => {
    const pid = GenServer.pidOf(await GenServer.start(Counter, undefined, { name: 'counter' }));
    await Counter.increment(5);
    await sys.suspend(pid);
    expect(await sys.changeCode(pid, Counter, Counter.vsn, undefined)).toEqual({ kind: 'ok' });
    await sys.resume(pid);
    expect(await Counter.value()).toBe(5);
    await GenServer.stop(pid);
  });

  it('is restarted by its supervisor when it crashes', async () => {
    const sup = GenServer.pidOf(await Supervisor.start(Sup, undefined));
    const first = whereis('counter')!;
    await Counter.increment(3);
    exit(first, 'kill'); // the supervisor logs this crash in its report: expected here
    await exited(first);
    // The supervisor handles the crash before this request, so the answer shows the restart.
    const [child] = await Supervisor.whichChildren(sup);
    expect(child!.pid).not.toEqual(first);
    expect(await Counter.value()).toBe(0);
    await GenServer.stop(sup);
  });
});
`;
}
