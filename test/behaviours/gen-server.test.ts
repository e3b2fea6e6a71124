import { afterEach, describe, expect, it } from 'vitest';
import {
  exit,
  isAlive,
  isExitMessage,
  lookupProcess,
  processInfo,
  send,
  spawn,
  TIMEOUT,
  whereis,
  type ExitMessage,
  type ExitReason,
  type Pid,
  type Proc,
} from '../../src/runtime';
import {
  behaviourOf,
  CallExitError,
  CallingSelfError,
  CallTimeoutError,
  GenServer,
  ignore,
  noreply,
  ok,
  reply,
  stop,
  sys,
  UndefinedCallbackError,
  type From,
} from '../../src/behaviours';
import { exitOf, inProcess } from '../helpers/process';
import { captureLogs } from '../helpers/log-capture';

type CounterCall = { op: 'get' } | { op: 'add'; n: number } | { op: 'slow'; ms: number } | { op: 'later' };
type CounterState = { count: number; pending?: From<number> };

/** A counter; each test gets a fresh copy (tests replace functions on it, as a facade update does). */
function counterModule() {
  return {
    init(start: number): ReturnType<typeof ok<CounterState>> {
      return ok({ count: start });
    },
    async handleCall(req: CounterCall, from: From<number>, state: CounterState, self: Proc) {
      switch (req.op) {
        case 'get':
          return reply(state.count, state);
        case 'add':
          return reply(state.count + req.n, { count: state.count + req.n });
        case 'slow':
          await self.sleep(req.ms);
          return reply(state.count, state);
        case 'later':
          return noreply({ ...state, pending: from });
      }
    },
    handleCast(msg: { add: number }, state: CounterState) {
      return noreply({ ...state, count: state.count + msg.add });
    },
    handleInfo(msg: unknown, state: CounterState) {
      if (msg === 'answer' && state.pending) GenServer.reply(state.pending, -1);
      if (typeof msg === 'number') return noreply({ count: state.count + msg });
      return noreply(state);
    },
  };
}

const started: Pid[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) exit(pid, 'kill');
});

async function startCounter(start = 0, options?: { name?: string }) {
  const pid = GenServer.pidOf(await GenServer.start(counterModule(), start, options));
  started.push(pid);
  return pid;
}

describe('GenServer start and init', () => {
  it('starts with a sync init and answers calls, casts and info messages in order', async () => {
    const pid = await startCounter(5);
    expect(await GenServer.call(pid, { op: 'get' })).toBe(5);
    GenServer.cast(pid, { add: 2 });
    send(pid, 10);
    expect(await GenServer.call(pid, { op: 'add', n: 1 })).toBe(18);
  });

  it('waits for an async init before resolving, and queues calls made meanwhile', async () => {
    let initDone = false;
    const mod: GenServer.GenServerModule<void, string, 'get', string> = {
      async init(_args, self) {
        await self.sleep(20);
        initDone = true;
        return ok('ready');
      },
      handleCall: (_req, _from, state) => reply(state, state),
    };
    const result = await GenServer.start(mod, undefined);
    expect(initDone).toBe(true);
    const pid = GenServer.pidOf(result);
    started.push(pid);
    expect(await GenServer.call(pid, 'get')).toBe('ready');
  });

  it('registers a name, and a second start under it fails with alreadyStarted', async () => {
    const pid = await startCounter(1, { name: 'counter-a' });
    expect(whereis('counter-a')).toEqual(pid);
    expect(await GenServer.call('counter-a', { op: 'get' })).toBe(1);
    const second = await GenServer.start(counterModule(), 2, { name: 'counter-a' });
    expect(second).toEqual({ kind: 'error', reason: { alreadyStarted: pid } });
  });

  it('init returning ignore gives {kind: ignore} and the process exits normally', async () => {
    let pid: Pid | undefined;
    const result = await GenServer.start(
      {
        init: (_: void, self: Proc) => {
          pid = self.pid;
          return ignore();
        },
      },
      undefined,
    );
    expect(result).toEqual({ kind: 'ignore' });
    expect(isAlive(pid!)).toBe(false);
  });

  it('init returning stop, throwing, or returning junk gives {kind: error} with the reason', async () => {
    const logs = captureLogs();
    try {
      expect(await GenServer.start({ init: () => stop('no_config') }, undefined)).toEqual({
        kind: 'error',
        reason: 'no_config',
      });
      const boom = new Error('init exploded');
      expect(
        await GenServer.start(
          {
            init: () => {
              throw boom;
            },
          },
          undefined,
        ),
      ).toEqual({ kind: 'error', reason: boom });
      expect(logs.matching('failed in init')).toHaveLength(1);
      const junk = await GenServer.start({ init: () => ({ state: 1 }) as never }, undefined);
      expect(junk.kind).toBe('error');
      expect(String((junk as { reason: Error }).reason.message)).toMatch(
        /init returned .*expected ok\(state\)/,
      );
    } finally {
      logs.restore();
    }
  });

  it('a start timeout kills a slow init and fails with reason timeout', async () => {
    let pid: Pid | undefined;
    const result = await GenServer.start(
      {
        async init(_: void, self: Proc) {
          pid = self.pid;
          await self.sleep(10_000);
          return ok(null);
        },
      },
      undefined,
      { timeout: 20 },
    );
    expect(result).toEqual({ kind: 'error', reason: 'timeout' });
    expect(isAlive(pid!)).toBe(false);
  });

  it('rejects a module without init with a clear error, spawning nothing', () => {
    expect(() => GenServer.start({} as never, undefined)).toThrow(
      /must be an object exporting an init function/,
    );
  });

  it('startLink links to the parent; a failing init kills a parent that does not trap exits', async () => {
    const parentExit = new Promise<ExitReason>((resolve) => {
      const parent = spawn(
        async (self) => {
          await GenServer.startLink(self, { init: () => stop('bad_config') }, undefined);
          await self.sleep(1000);
        },
        { crashReport: false },
      );
      exitOf(parent).then(resolve);
    });
    expect(await parentExit).toBe('bad_config');
  });

  it('startLink: a trapping parent gets the error result and the EXIT, and survives', async () => {
    await inProcess(async (self) => {
      self.trapExit(true);
      const result = await GenServer.startLink(self, { init: () => stop('bad_config') }, undefined);
      expect(result).toEqual({ kind: 'error', reason: 'bad_config' });
      const msg = await self.receive<ExitMessage>(isExitMessage);
      expect(msg.reason).toBe('bad_config');
    });
  });

  it('records the behaviour on the process and exposes its state to the code server', async () => {
    const module = counterModule();
    const pid = GenServer.pidOf(await GenServer.start(module, 7));
    started.push(pid);
    const info = behaviourOf(pid)!;
    expect(info.behaviour).toBe('gen_server');
    expect(info.module).toBe(module);
    expect(info.modules).toEqual([module]);
    expect(lookupProcess(pid)!.inspectState!()).toEqual({ count: 7 });
  });
});

describe('GenServer calls', () => {
  it('times out with CallTimeoutError naming the server and the request; the late reply is dropped', async () => {
    const pid = await startCounter(3, { name: 'slowpoke' });
    const error = await GenServer.call('slowpoke', { op: 'slow', ms: 100 }, 20).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallTimeoutError);
    expect((error as Error).message).toMatch(/call to slowpoke timed out after 20 ms \(request: .*slow/);
    // The server still handles it, replies late (dropped), and serves the next call normally.
    expect(await GenServer.call(pid, { op: 'get' }, 1000)).toBe(3);
  });

  it('calls with several timeouts to a busy server: each times out on its own, one without a limit is answered', async () => {
    const pid = await startCounter(9);
    await sys.suspend(pid);
    const short = GenServer.call(pid, { op: 'get' }, 10).catch((e: unknown) => e);
    const shortToo = GenServer.call(pid, { op: 'get' }, 10).catch((e: unknown) => e);
    const longer = GenServer.call(pid, { op: 'get' }, 40).catch((e: unknown) => e);
    const patient = GenServer.call(pid, { op: 'get' }, Infinity);
    expect(await short).toBeInstanceOf(CallTimeoutError);
    expect(await shortToo).toBeInstanceOf(CallTimeoutError);
    expect(((await longer) as CallTimeoutError).timeout).toBe(40);
    await sys.resume(pid);
    expect(await patient).toBe(9);
  });

  it('a call to a plain process (not a behaviour) fails with its exit reason when it dies', async () => {
    const raw = spawn(
      async (self) => {
        await self.receive();
        throw new Error('raw process died');
      },
      { crashReport: false },
    );
    const failure = await GenServer.call(raw, 'hello').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CallExitError);
    expect(((failure as CallExitError).reason as Error).message).toBe('raw process died');
  });

  it('a call to a dead or unregistered server fails with noproc', async () => {
    const pid = await startCounter();
    exit(pid, 'kill');
    const dead = await GenServer.call(pid, { op: 'get' }).catch((e: unknown) => e);
    expect(dead).toBeInstanceOf(CallExitError);
    expect((dead as CallExitError).reason).toBe('noproc');
    const unnamed = await GenServer.call('nobody-here', { op: 'get' }).catch((e: unknown) => e);
    expect((unnamed as CallExitError).reason).toBe('noproc');
  });

  it('a server that dies before replying fails the call with its exit reason', async () => {
    const logs = captureLogs();
    try {
      const boom = new Error('handler exploded');
      const pid = GenServer.pidOf(
        await GenServer.start(
          {
            init: () => ok(null),
            handleCall: () => {
              throw boom;
            },
          },
          undefined,
        ),
      );
      const exited = exitOf(pid);
      const failure = await GenServer.call(pid, 'anything').catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(CallExitError);
      expect((failure as CallExitError).reason).toBe(boom);
      expect(await exited).toBe(boom);
      const report = logs.matching('terminating');
      expect(report).toHaveLength(1);
      expect(report[0]!.lastMessage).toEqual({ call: 'anything' });
    } finally {
      logs.restore();
    }
  });

  it('calls queued behind a slow handler fail with killed when the server is killed', async () => {
    const pid = await startCounter();
    const slow = GenServer.call(pid, { op: 'slow', ms: 1000 }).catch((e: unknown) => e);
    const queued = GenServer.call(pid, { op: 'get' }).catch((e: unknown) => e);
    await inProcess((self) => self.sleep(5));
    exit(pid, 'kill');
    expect(((await slow) as CallExitError).reason).toBe('killed');
    expect(((await queued) as CallExitError).reason).toBe('killed');
  });

  it('noreply, then GenServer.reply(from) later from the info handler', async () => {
    const pid = await startCounter();
    const answer = GenServer.call(pid, { op: 'later' });
    send(pid, 'answer');
    expect(await answer).toBe(-1);
  });

  it('a process that calls itself with {caller: self} fails at once', async () => {
    await inProcess(async (self) => {
      const err = await GenServer.call(self.pid, 'x', { caller: self }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CallingSelfError);
    });
  });

  it('a missing handleCall makes the server exit with UndefinedCallbackError', async () => {
    const logs = captureLogs();
    try {
      const pid = GenServer.pidOf(await GenServer.start({ init: () => ok(0) }, undefined));
      const err = (await GenServer.call(pid, 'hello').catch((e: unknown) => e)) as CallExitError;
      expect(err.reason).toBeInstanceOf(UndefinedCallbackError);
      expect(String((err.reason as Error).message)).toMatch(/exports no handleCall/);
    } finally {
      logs.restore();
    }
  });

  it('rejects a bad timeout with a clear error', async () => {
    const pid = await startCounter();
    expect(() => GenServer.call(pid, { op: 'get' }, -1)).toThrow(/timeout must be a number of milliseconds/);
  });

  it('checks request types at compile time', async () => {
    const pid = await startCounter();
    const n: number = await GenServer.call(pid, { op: 'add', n: 1 });
    expect(n).toBe(1);
    const typed = () =>
      // @ts-expect-error: not a request this server accepts
      GenServer.call(pid, { op: 'nope' });
    expect(typeof typed).toBe('function');
  });
});

describe('GenServer message handling', () => {
  it('handles one message at a time: an async handler keeps later messages waiting', async () => {
    const order: string[] = [];
    const mod = {
      init: () => ok(null),
      async handleCall(req: string, _from: From<string>, state: null, self: Proc) {
        order.push(`start ${req}`);
        if (req === 'first') await self.sleep(30);
        order.push(`end ${req}`);
        return reply(req, state);
      },
    };
    const pid = GenServer.pidOf(await GenServer.start(mod, undefined));
    started.push(pid);
    await Promise.all([GenServer.call(pid, 'first'), GenServer.call(pid, 'second')]);
    expect(order).toEqual(['start first', 'end first', 'start second', 'end second']);
  });

  it('calls callbacks through the module object on every message (a facade update takes effect at once)', async () => {
    const module = counterModule();
    const pid = GenServer.pidOf(await GenServer.start(module, 1));
    started.push(pid);
    expect(await GenServer.call(pid, { op: 'get' })).toBe(1);
    module.handleCall = async (_req: CounterCall, _from: From<number>, state: CounterState) =>
      reply(state.count * 100, state);
    expect(await GenServer.call(pid, { op: 'get' })).toBe(100);
  });

  it('runs handleContinue after init and after a callback, before any other message', async () => {
    const seen: string[] = [];
    const mod = {
      init: () => ok([] as string[], { continue: 'from init' }),
      handleContinue(arg: string, state: string[]) {
        seen.push(arg);
        return noreply([...state, arg]);
      },
      handleCall(req: string, _from: From<string[]>, state: string[]) {
        seen.push(req);
        return reply(state, state, { continue: `after ${req}` });
      },
    };
    const pid = GenServer.pidOf(await GenServer.start(mod, undefined));
    started.push(pid);
    await Promise.all([GenServer.call(pid, 'a'), GenServer.call(pid, 'b')]);
    expect(seen).toEqual(['from init', 'a', 'after a', 'b', 'after b']);
  });

  it('a {timeout} result delivers TIMEOUT to handleInfo when no message arrives', async () => {
    const infos: unknown[] = [];
    const mod = {
      init: () => ok(0, { timeout: 10 }),
      handleInfo(msg: unknown, state: number) {
        infos.push(msg);
        return noreply(state + 1);
      },
      handleCall: (_req: 'get', _from: From<number>, state: number) => reply(state, state),
    };
    const pid = GenServer.pidOf(await GenServer.start(mod, undefined));
    started.push(pid);
    await inProcess((self) => self.sleep(60));
    expect(infos).toEqual([TIMEOUT]);
    expect(await GenServer.call(pid, 'get')).toBe(1);
  });

  it('a stop result calls terminate, replies after it, and exits with the reason', async () => {
    const events: string[] = [];
    const mod = {
      init: () => ok('s0'),
      handleCall(_req: 'quit', _from: From<string>, _state: string) {
        return stop('normal', 's1', { reply: 'bye' });
      },
      terminate(reason: ExitReason, state: string) {
        events.push(`terminate ${String(reason)} ${state}`);
      },
    };
    const pid = GenServer.pidOf(await GenServer.start(mod, undefined));
    const exited = exitOf(pid);
    expect(await GenServer.call(pid, 'quit')).toBe('bye');
    expect(events).toEqual(['terminate normal s1']);
    expect(await exited).toBe('normal');
  });

  it('terminate runs on a parent shutdown when trapping exits, and not when killed', async () => {
    const events: string[] = [];
    const mod = {
      init(trap: boolean, self: Proc) {
        self.trapExit(trap);
        return ok(null);
      },
      async terminate(reason: ExitReason) {
        events.push(`terminate ${String(reason)}`);
      },
    };
    await inProcess(async (self) => {
      self.trapExit(true);
      const trapping = GenServer.pidOf(await GenServer.startLink(self, mod, true));
      const exited = exitOf(trapping);
      self.exit(trapping, 'shutdown');
      expect(await exited).toBe('shutdown');
      const plain = GenServer.pidOf(await GenServer.startLink(self, mod, true));
      const killed = exitOf(plain);
      self.exit(plain, 'kill');
      expect(await killed).toBe('killed');
    });
    expect(events).toEqual(['terminate shutdown']);
  });

  it('an exception logs a crash report with the state through formatStatus', async () => {
    const logs = captureLogs();
    try {
      const mod = {
        init: () => ok({ secret: 'hunter2', visible: 1 }),
        handleCast() {
          throw new Error('cast failed');
        },
        formatStatus: (s: { state: { secret: string; visible: number } }) => ({
          ...s,
          state: { visible: s.state.visible },
        }),
      };
      const pid = GenServer.pidOf(await GenServer.start(mod, undefined, { name: 'reporter' }));
      GenServer.cast(pid, 'go');
      expect(((await exitOf(pid)) as Error).message).toBe('cast failed');
      const [report] = logs.matching('gen_server reporter terminating');
      expect(report).toBeDefined();
      expect(report!.state).toEqual({ visible: 1 });
      expect(report!.lastMessage).toEqual({ cast: 'go' });
    } finally {
      logs.restore();
    }
  });

  it('GenServer.stop runs terminate and resolves once the server has exited with the reason', async () => {
    const events: string[] = [];
    const pid = GenServer.pidOf(
      await GenServer.start(
        { init: () => ok(null), terminate: (reason: ExitReason) => void events.push(String(reason)) },
        undefined,
      ),
    );
    await GenServer.stop(pid, 'shutdown');
    expect(isAlive(pid)).toBe(false);
    expect(events).toEqual(['shutdown']);
    await expect(GenServer.stop(pid)).rejects.toThrow(/noproc/);
  });

  it('cast never fails, even to a dead server or an unknown name', async () => {
    const pid = await startCounter();
    exit(pid, 'kill');
    expect(() => GenServer.cast(pid, { add: 1 })).not.toThrow();
    expect(() => GenServer.cast('nobody', { add: 1 })).not.toThrow();
  });

  it('processInfo shows the server parked in receive when idle', async () => {
    const pid = await startCounter();
    await GenServer.call(pid, { op: 'get' });
    await inProcess((self) => self.sleep(1));
    expect(processInfo(pid)!.status).toBe('waiting');
  });
});
