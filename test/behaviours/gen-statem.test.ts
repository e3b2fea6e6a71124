import { afterEach, describe, expect, it } from 'vitest';
import { exit, send, type ExitReason, type Pid, type Proc } from '../../src/runtime';
import { GenServer, GenStatem, stop, sys, type From, type StartResult } from '../../src/behaviours';
import {
  eventTimeout,
  genericTimeout,
  keepState,
  keepStateAndData,
  nextEvent,
  nextState,
  postpone,
  repeatState,
  replyAction,
  stateTimeout,
  stopAndReply,
  type StatemEvent,
} from '../../src/behaviours/gen-statem';
import { exitOf, inProcess } from '../helpers/process';
import { captureLogs } from '../helpers/log-capture';

const started: Pid[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) exit(pid, 'kill');
});

/** The pid of a started machine, killed after the test. */
async function track<P extends Pid>(result: Promise<StartResult<P>>): Promise<P> {
  const pid = GenServer.pidOf(await result);
  started.push(pid);
  return pid;
}

function sleep(ms: number): Promise<void> {
  return inProcess((self) => self.sleep(ms));
}

/** OTP's code lock, in state_functions mode: one function per state. */
/** A log that can be waited on: resolves `until(pred)` as soon as the lines satisfy it. */
function recorder() {
  const lines: string[] = [];
  const waiters = new Set<{ pred: (l: string[]) => boolean; resolve: () => void }>();
  return {
    lines,
    push(line: string): void {
      lines.push(line);
      for (const w of waiters) {
        if (w.pred(lines)) {
          waiters.delete(w);
          w.resolve();
        }
      }
    },
    until(pred: (l: string[]) => boolean): Promise<void> {
      return pred(lines) ? Promise.resolve() : new Promise((resolve) => waiters.add({ pred, resolve }));
    },
  };
}

function codeLock(code: string, log: { push(line: string): unknown }) {
  type Data = { code: string; input: string };
  return {
    callbackMode: () => ['state_functions', 'state_enter'] as const,
    init: (_: void) => nextState('locked', { code, input: '' } as Data),
    locked(event: StatemEvent<'status', string, string>, data: Data) {
      switch (event.type) {
        case 'enter':
          log.push(`enter locked from ${String(event.oldState)}`);
          return keepState({ ...data, input: '' });
        case 'cast': {
          const input = data.input + event.content;
          if (input === data.code) return nextState('open', { ...data, input: '' });
          return keepState({ ...data, input });
        }
        case 'call':
          return keepStateAndData([replyAction(event.from, 'locked')]);
        default:
          return keepStateAndData();
      }
    },
    open(event: StatemEvent<'status', string, string>, data: Data) {
      switch (event.type) {
        case 'enter':
          log.push(`enter open from ${String(event.oldState)}`);
          return keepStateAndData([stateTimeout(30, 'relock')]);
        case 'state_timeout':
          log.push(`state_timeout ${String(event.content)}`);
          return nextState('locked', data);
        case 'call':
          return keepStateAndData([replyAction(event.from, 'open')]);
        case 'cast':
          // Buttons pressed while open wait until it is locked again.
          return keepStateAndData([postpone()]);
        default:
          return keepStateAndData();
      }
    },
  };
}

describe('GenStatem in state_functions mode', () => {
  it('runs the state enter calls, calls the current state function, and honours a state timeout', async () => {
    const log: string[] = [];
    const pid = await track(GenStatem.start(codeLock('12', log), undefined));
    expect(log).toEqual(['enter locked from locked']);
    expect(await GenStatem.call(pid, 'status')).toBe('locked');
    GenStatem.cast(pid, '1');
    GenStatem.cast(pid, '2');
    expect(await GenStatem.call(pid, 'status')).toBe('open');
    await sleep(60);
    expect(log).toEqual([
      'enter locked from locked',
      'enter open from locked',
      'state_timeout relock',
      'enter locked from open',
    ]);
    expect(await GenStatem.call(pid, 'status')).toBe('locked');
  });

  it('postponed events are handled again after the next state change, oldest first, before newer ones', async () => {
    const log = recorder();
    const pid = await track(GenStatem.start(codeLock('1', log), undefined));
    GenStatem.cast(pid, '1'); // opens
    GenStatem.cast(pid, '1'); // postponed while open
    expect(await GenStatem.call(pid, 'status')).toBe('open');
    // It relocks on its state timeout; the postponed '1' is retried at once and opens it again.
    await log.until((lines) => lines.filter((l) => l === 'enter open from locked').length === 2);
    expect(log.lines.filter((l) => l.startsWith('enter')).slice(0, 4)).toEqual([
      'enter locked from locked',
      'enter open from locked',
      'enter locked from open',
      'enter open from locked',
    ]);
  });

  it('a state without a function makes the machine exit with a clear error', async () => {
    const logs = captureLogs();
    try {
      const pid = await track(
        GenStatem.start(
          { callbackMode: () => 'state_functions' as const, init: () => nextState('nowhere', null) },
          undefined,
        ),
      );
      const exited = exitOf(pid);
      GenStatem.cast(pid, 'x');
      expect(String(((await exited) as Error).message)).toMatch(/exports no nowhere/);
    } finally {
      logs.restore();
    }
  });
});

describe('GenStatem in handle_event_function mode', () => {
  it('handles any state type, inserted internal events first, and replies in the transition', async () => {
    const seen: string[] = [];
    const module = {
      callbackMode: () => 'handle_event_function' as const,
      init: () => nextState({ level: 0 }, [] as string[]),
      handleEvent(event: StatemEvent<'get', string[], string>, state: { level: number }, data: string[]) {
        seen.push(`${event.type}${'content' in event ? ` ${String(event.content)}` : ''} @${state.level}`);
        if (event.type === 'cast')
          return nextState({ level: state.level + 1 }, [...data, event.content], [nextEvent('after cast')]);
        if (event.type === 'internal') return keepState([...data, String(event.content)]);
        if (event.type === 'call') return keepStateAndData([replyAction(event.from, data)]);
        return keepStateAndData();
      },
    };
    const pid = await track(GenStatem.start(module, undefined));
    GenStatem.cast(pid, 'a');
    GenStatem.cast(pid, 'b');
    expect(await GenStatem.call(pid, 'get')).toEqual(['a', 'after cast', 'b', 'after cast']);
    expect(seen).toEqual([
      'cast a @0',
      'internal after cast @1',
      'cast b @1',
      'internal after cast @2',
      'call get @2',
    ]);
  });

  it('an event timeout fires when idle and is cancelled by any event; generic timeouts are not', async () => {
    const fired: string[] = [];
    const module = {
      callbackMode: () => 'handle_event_function' as const,
      init: () => nextState('idle', null, [genericTimeout('tick', 40, 'g')]),
      handleEvent(event: StatemEvent) {
        if (event.type === 'timeout' || event.type === 'generic_timeout')
          fired.push(`${event.type} ${String(event.content)}`);
        if (event.type === 'cast') return keepStateAndData([eventTimeout(20, 'quiet')]);
        return keepStateAndData();
      },
    };
    const pid = await track(GenStatem.start(module, undefined));
    GenStatem.cast(pid, 'arm');
    send(pid, 'noise'); // an event: cancels the event timeout
    await sleep(70);
    expect(fired).toEqual(['generic_timeout g']);
    GenStatem.cast(pid, 'arm');
    await sleep(50);
    expect(fired).toEqual(['generic_timeout g', 'timeout quiet']);
  });

  it('repeatState re-runs the state enter call; stopAndReply replies then terminates', async () => {
    const log: string[] = [];
    const module = {
      callbackMode: () => ['handle_event_function', 'state_enter'] as const,
      init: () => nextState('s', 0),
      handleEvent(event: StatemEvent<'again' | 'quit', string, never>, _state: string, data: number) {
        if (event.type === 'enter') {
          log.push(`enter ${data}`);
          return keepStateAndData();
        }
        if (event.type === 'call' && event.content === 'again')
          return repeatState(data + 1, [replyAction(event.from, 'ok')]);
        if (event.type === 'call') return stopAndReply('normal', [replyAction(event.from, 'bye')]);
        return keepStateAndData();
      },
      terminate(reason: ExitReason, state: string, data: number) {
        log.push(`terminate ${String(reason)} ${state} ${data}`);
      },
    };
    const pid = await track(GenStatem.start(module, undefined));
    const exited = exitOf(pid);
    expect(await GenStatem.call(pid, 'again')).toBe('ok');
    expect(await GenStatem.call(pid, 'quit')).toBe('bye');
    expect(await exited).toBe('normal');
    expect(log).toEqual(['enter 0', 'enter 1', 'terminate normal s 1']);
  });

  it('stop(reason, data) runs terminate with the new data; a bad result crashes with a clear error', async () => {
    const logs = captureLogs();
    try {
      const log: string[] = [];
      const module = {
        callbackMode: () => 'handle_event_function' as const,
        init: () => nextState('s', 'd0'),
        handleEvent(event: StatemEvent) {
          if (event.type === 'cast' && event.content === 'stop') return stop('shutdown', 'd1');
          return { nonsense: true } as never;
        },
        terminate: (reason: ExitReason, _s: string, data: string) =>
          void log.push(`${String(reason)} ${data}`),
      };
      const a = await track(GenStatem.start(module, undefined));
      const aExit = exitOf(a);
      GenStatem.cast(a, 'stop');
      expect(await aExit).toBe('shutdown');
      expect(log).toEqual(['shutdown d1']);
      const b = await track(GenStatem.start(module, undefined));
      const bExit = exitOf(b);
      GenStatem.cast(b, 'junk');
      expect(String(((await bExit) as Error).message)).toMatch(/handleEvent returned .*expected nextState/);
    } finally {
      logs.restore();
    }
  });
});

describe('GenStatem upgrades', () => {
  it('codeChange converts state and data while suspended, and the callback mode is read again after it', async () => {
    // v1: handle_event_function; v2: state_functions with the state renamed.
    const module: Record<string, unknown> = {
      callbackMode: () => 'handle_event_function',
      init: () => nextState('on', { count: 1 }),
      handleEvent: (event: StatemEvent, state: string, data: { count: number }) =>
        event.type === 'call'
          ? keepStateAndData([replyAction(event.from as From<string>, `v1 ${state} ${data.count}`)])
          : keepStateAndData(),
    };
    const pid = GenServer.pidOf(await GenStatem.start(module as never, undefined));
    started.push(pid);
    expect(await GenStatem.call(pid, 'q')).toBe('v1 on 1');
    // Load "v2" onto the same module object, as a facade update does.
    module.callbackMode = () => 'state_functions';
    module.codeChange = (oldVsn: unknown, state: string, data: { count: number }, extra: string) => {
      if (extra === 'refuse') throw new Error('refused');
      return { state: state === 'on' ? 'running' : state, data: { count: data.count, from: oldVsn } };
    };
    module.running = (event: StatemEvent, data: { count: number; from: unknown }) =>
      event.type === 'call'
        ? keepStateAndData([
            replyAction(event.from as From<string>, `v2 running ${data.count} from ${String(data.from)}`),
          ])
        : keepStateAndData();
    await sys.suspend(pid);
    expect((await sys.changeCode(pid, module, '1', 'refuse')).kind).toBe('error');
    expect(await sys.getState(pid)).toEqual({ state: 'on', data: { count: 1 } });
    expect(await sys.changeCode(pid, module, '1', null)).toEqual({ kind: 'ok' });
    await sys.resume(pid);
    expect(await GenStatem.call(pid, 'q')).toBe('v2 running 1 from 1');
  });

  it('a suspended machine keeps its events and handles them after resume', async () => {
    const log: string[] = [];
    const pid = await track(GenStatem.start(codeLock('1', log), undefined));
    await sys.suspend(pid);
    GenStatem.cast(pid, '1');
    const status = GenStatem.call(pid, 'status');
    await sleep(10);
    expect((await sys.getState<{ state: string }>(pid)).state).toBe('locked');
    await sys.resume(pid);
    expect(await status).toBe('open');
  });

  it('startLink links to the parent and a trapping machine terminates on the parent exit', async () => {
    const log: string[] = [];
    await inProcess(async (self) => {
      self.trapExit(true);
      const module = {
        callbackMode: () => 'handle_event_function' as const,
        init: (_: void, me: Proc) => {
          me.trapExit(true);
          return nextState('s', null);
        },
        handleEvent: () => keepStateAndData(),
        terminate: (reason: ExitReason) => void log.push(String(reason)),
      };
      const pid = GenServer.pidOf(await GenStatem.startLink(self, module, undefined));
      const exited = exitOf(pid);
      self.exit(pid, 'shutdown');
      expect(await exited).toBe('shutdown');
    });
    expect(log).toEqual(['shutdown']);
  });
});
