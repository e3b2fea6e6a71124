import { afterEach, describe, expect, it } from 'vitest';
import { exit, isAlive, send, type Pid, type Proc } from '../../src/runtime';
import {
  CallbackFailedError,
  CallExitError,
  CallTimeoutError,
  GenServer,
  noreply,
  ok,
  reply,
  sys,
  type From,
} from '../../src/behaviours';
import { exitOf, inProcess } from '../helpers/process';

type Log = string[];

/** A server that logs what it handles; `slow` calls take `ms`. */
function loggingModule(log: Log) {
  return {
    init: (n: number) => ok({ n }),
    async handleCall(
      req: { op: 'get' } | { op: 'slow'; ms: number },
      _from: From<number>,
      state: { n: number },
      self: Proc,
    ) {
      log.push(`call ${req.op}`);
      if (req.op === 'slow') {
        await self.sleep(req.ms);
        log.push('slow done');
      }
      return reply(state.n, state);
    },
    handleCast(msg: number, state: { n: number }) {
      log.push(`cast ${msg}`);
      return noreply({ n: state.n + msg });
    },
    handleInfo(msg: unknown, state: { n: number }) {
      log.push(`info ${String(msg)}`);
      return noreply(state);
    },
    codeChange(oldVsn: unknown, state: { n: number }, extra: unknown) {
      if (extra === 'refuse') throw new Error('cannot convert');
      const direction = typeof oldVsn === 'object' && oldVsn !== null && 'down' in oldVsn ? 'down' : 'up';
      return { n: state.n, converted: `${direction} from ${JSON.stringify(oldVsn)} with ${String(extra)}` };
    },
  };
}

const started: Pid[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) exit(pid, 'kill');
});

async function startLogging(log: Log, n = 1, module = loggingModule(log)) {
  const pid = GenServer.pidOf(await GenServer.start(module, n));
  started.push(pid);
  return pid;
}

describe('sys.suspend and resume', () => {
  it('suspend waits for the message being handled, even an async one', async () => {
    const log: Log = [];
    const pid = await startLogging(log);
    const slow = GenServer.call(pid, { op: 'slow', ms: 40 });
    await inProcess((self) => self.sleep(1));
    await sys.suspend(pid);
    log.push('suspended');
    expect(log).toEqual(['call slow', 'slow done', 'suspended']);
    await slow;
    await sys.resume(pid);
  });

  it('a suspended server handles only system messages, and loses nothing sent meanwhile', async () => {
    const log: Log = [];
    const pid = await startLogging(log, 10);
    await sys.suspend(pid);
    const call = GenServer.call(pid, { op: 'get' });
    GenServer.cast(pid, 5);
    send(pid, 'hello');
    GenServer.cast(pid, 7);
    // System messages are still served while suspended.
    expect(await sys.getState(pid)).toEqual({ n: 10 });
    expect((await sys.getStatus(pid)).status).toBe('suspended');
    await inProcess((self) => self.sleep(10));
    expect(log).toEqual([]);
    await sys.resume(pid);
    expect(await call).toBe(10);
    expect(await GenServer.call(pid, { op: 'get' })).toBe(22);
    expect(log).toEqual(['call get', 'cast 5', 'info hello', 'cast 7', 'call get']);
  });

  it('suspend is idempotent and resume of a running server is a no-op', async () => {
    const pid = await startLogging([]);
    await sys.resume(pid);
    await sys.suspend(pid);
    await sys.suspend(pid);
    await sys.resume(pid);
    expect((await sys.getStatus(pid)).status).toBe('running');
  });

  it('a suspend that times out still takes effect later; a resume after it undoes it', async () => {
    const log: Log = [];
    const pid = await startLogging(log);
    const slow = GenServer.call(pid, { op: 'slow', ms: 60 });
    const err = await sys.suspend(pid, 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallTimeoutError);
    await slow;
    expect((await sys.getStatus(pid)).status).toBe('suspended');
    await sys.resume(pid);
    expect(await GenServer.call(pid, { op: 'get' })).toBe(1);
  });

  it('calls to a suspended server time out, and are then handled after resume (their reply dropped)', async () => {
    const log: Log = [];
    const pid = await startLogging(log);
    await sys.suspend(pid);
    await expect(GenServer.call(pid, { op: 'get' }, 10)).rejects.toBeInstanceOf(CallTimeoutError);
    await sys.resume(pid);
    expect(await GenServer.call(pid, { op: 'get' })).toBe(1);
    expect(log).toEqual(['call get', 'call get']);
  });

  it('sys on a dead process fails with noproc', async () => {
    const pid = await startLogging([]);
    exit(pid, 'kill');
    const err = await sys.suspend(pid).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallExitError);
    expect((err as CallExitError).reason).toBe('noproc');
  });

  it('a parent exit ends a suspended server that traps exits', async () => {
    await inProcess(async (self) => {
      self.trapExit(true);
      const module = {
        init(_: void, child: Proc) {
          child.trapExit(true);
          return ok(null);
        },
      };
      const pid = GenServer.pidOf(await GenServer.startLink(self, module, undefined));
      await sys.suspend(pid);
      const exited = exitOf(pid);
      self.exit(pid, 'shutdown');
      expect(await exited).toBe('shutdown');
    });
  });
});

describe('sys.changeCode', () => {
  it('is refused while running, as OTP (unknown system message)', async () => {
    const pid = await startLogging([]);
    const result = await sys.changeCode(pid, {}, '1', null);
    expect(result.kind).toBe('error');
    expect((result as { reason: { unknownSystemMsg: unknown } }).reason.unknownSystemMsg).toBeDefined();
    expect(await sys.getState(pid)).toEqual({ n: 1 });
  });

  it('converts the state through the process own module (whatever module is named), up and down', async () => {
    const pid = await startLogging([]);
    await sys.suspend(pid);
    expect(await sys.changeCode(pid, { unrelated: true }, '1.0.0', 'x')).toEqual({ kind: 'ok' });
    expect(await sys.getState(pid)).toEqual({ n: 1, converted: 'up from "1.0.0" with x' });
    expect(await sys.changeCode(pid, {}, { down: '1.0.0' }, 'y')).toEqual({ kind: 'ok' });
    expect(await sys.getState(pid)).toEqual({ n: 1, converted: 'down from {"down":"1.0.0"} with y' });
    await sys.resume(pid);
  });

  it('a codeChange that throws returns the error, keeps the old state, and the process lives on', async () => {
    const pid = await startLogging([]);
    await sys.suspend(pid);
    const result = await sys.changeCode(pid, {}, '1', 'refuse');
    expect(result.kind).toBe('error');
    expect(((result as { reason: Error }).reason as Error).message).toBe('cannot convert');
    expect(await sys.getState(pid)).toEqual({ n: 1 });
    expect(isAlive(pid)).toBe(true);
    await sys.resume(pid);
    expect(await GenServer.call(pid, { op: 'get' })).toBe(1);
  });

  it('an async codeChange is awaited, and its rejection also keeps the old state', async () => {
    const log: Log = [];
    const module = loggingModule(log);
    const pid = await startLogging(log, 3, module);
    (module as { codeChange: unknown }).codeChange = async (
      _old: unknown,
      state: { n: number },
      extra: unknown,
    ) => {
      await new Promise((r) => setTimeout(r, 5));
      if (extra === 'refuse') throw new Error('async refusal');
      return { n: state.n * 2, converted: 'async' };
    };
    await sys.suspend(pid);
    expect((await sys.changeCode(pid, module, '1', 'refuse')).kind).toBe('error');
    expect(await sys.getState(pid)).toEqual({ n: 3 });
    expect(await sys.changeCode(pid, module, '1', null)).toEqual({ kind: 'ok' });
    expect(await sys.getState(pid)).toEqual({ n: 6, converted: 'async' });
  });

  it('a codeChange that returns undefined is refused (a forgotten return would lose the state)', async () => {
    const log: Log = [];
    const module = loggingModule(log);
    const pid = await startLogging(log, 4, module);
    module.codeChange = (() => undefined) as never;
    await sys.suspend(pid);
    expect((await sys.changeCode(pid, module, '1', null)).kind).toBe('error');
    expect(await sys.getState(pid)).toEqual({ n: 4 });
  });

  it('without a codeChange callback the state is kept', async () => {
    const pid = GenServer.pidOf(await GenServer.start({ init: () => ok('same') }, undefined));
    started.push(pid);
    await sys.suspend(pid);
    expect(await sys.changeCode(pid, {}, '1', null)).toEqual({ kind: 'ok' });
    expect(await sys.getState(pid)).toBe('same');
  });
});

describe('sys state and status', () => {
  it('replaceState replaces the state; a throwing function leaves it unchanged', async () => {
    const pid = await startLogging([], 1);
    expect(await sys.replaceState(pid, (s: { n: number }) => ({ n: s.n + 41 }))).toEqual({ n: 42 });
    const err = await sys
      .replaceState(pid, () => {
        throw new Error('nope');
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallbackFailedError);
    expect(await sys.getState(pid)).toEqual({ n: 42 });
  });

  it('getStatus reports running/suspended, the module, the parent and the formatted state', async () => {
    const module = {
      init: () => ok({ password: 'x', user: 'ann' }),
      formatStatus: (s: { state: { user: string } }) => ({ state: { user: s.state.user } }),
    };
    await inProcess(async (self) => {
      const pid = GenServer.pidOf(
        await GenServer.startLink(self, module, undefined, { name: 'status-demo' }),
      );
      started.push(pid);
      const status = await sys.getStatus(pid);
      expect(status).toMatchObject({
        pid,
        behaviour: 'gen_server',
        callbackModule: module,
        name: 'status-demo',
        status: 'running',
        parent: self.pid,
        state: { user: 'ann' },
      });
    });
  });
});
