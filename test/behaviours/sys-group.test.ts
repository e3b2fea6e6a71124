/**
 * sys for many processes at once: idle processes are suspended, converted and resumed without
 * messages; a busy one is waited for and stops before its next ordinary message; nothing queued
 * is lost or reordered; snapshots put states back exactly; a process that does not suspend in
 * time is reported.
 */
import { describe, expect, it } from 'vitest';
import { GenServer, GenStatem, ok, reply, sys, type From } from '../../src/behaviours';
import { keepStateAndData, nextState, replyAction, type StatemEvent } from '../../src/behaviours/gen-statem';
import { _, lookupProcess, rearmReceive, send, spawn } from '../../src/runtime';
import type { Pid } from '../../src/runtime';

type Req = { get: true } | { put: number } | { slow: number };
interface State {
  n: number;
  log: number[];
  tag?: string;
}

const Counter = {
  init: (n: number) => ok<State>({ n, log: [] }),
  async handleCall(req: Req, _from: From<unknown>, state: State) {
    if ('slow' in req) {
      await new Promise((r) => setTimeout(r, req.slow));
      return reply('slow done', state);
    }
    if ('put' in req) return reply('ok', { ...state, log: [...state.log, req.put] });
    return reply(state, state);
  },
  codeChange(oldVsn: unknown, state: State, extra: unknown) {
    if (extra === 'fail' && state.n === 2) throw new Error('cannot convert 2');
    return { ...state, tag: `${String(oldVsn)}/${String(extra)}` };
  },
};

async function servers(n: number): Promise<Pid[]> {
  const pids: Pid[] = [];
  for (let i = 0; i < n; i++) pids.push(GenServer.pidOf(await GenServer.start(Counter, i)));
  return pids;
}

describe('sys.suspendMany / changeCodeMany / resumeMany', () => {
  it('suspends idle processes at once; calls made meanwhile wait, in order, and none is lost', async () => {
    const pids = await servers(3);
    const r = await sys.suspendMany(pids);
    expect(r.suspended).toHaveLength(3);
    expect(r.failed).toEqual([]);
    // No message went to them: calls made now must wait in their mailboxes.
    const answers: unknown[] = [];
    const calls = [1, 2, 3].map((k) => GenServer.call(pids[0]!, { put: k }).then((a) => answers.push(a)));
    await new Promise((r) => setImmediate(r));
    expect(answers).toEqual([]);
    for (const p of pids) expect((await sys.getStatus(p)).status).toBe('suspended');
    expect((await sys.getStatus(pids[0]!)).messageQueueLength).toBe(3);
    await sys.resumeMany(pids);
    await Promise.all(calls);
    expect(((await GenServer.call(pids[0]!, { get: true })) as State).log).toEqual([1, 2, 3]);
    for (const p of pids) expect((await sys.getStatus(p)).status).toBe('running');
  });

  it('converts suspended processes directly and puts snapshots back exactly', async () => {
    const pids = await servers(3);
    await sys.suspendMany(pids);
    const before = await Promise.all(pids.map((p) => sys.getState<State>(p)));
    const results = await sys.changeCodeMany(pids, 'counter', '1.0.0', 'fail', { snapshot: true });
    expect(results.converted).toBe(2);
    expect(results.failed).toEqual([{ pid: pids[2], reason: new Error('cannot convert 2') }]);
    expect(((await sys.getState<State>(pids[0]!)) as State).tag).toBe('1.0.0/fail');
    // the failed one kept its state
    expect(await sys.getState(pids[2]!)).toBe(before[2]);
    expect(2 in results.snapshots!).toBe(false);
    await sys.restoreMany(pids, results.snapshots!);
    for (let i = 0; i < 3; i++) expect(await sys.getState(pids[i]!)).toBe(before[i]);
    await sys.resumeMany(pids);
  });

  it('refuses to convert a process that is not suspended, as sys.changeCode does', async () => {
    const [pid] = await servers(1);
    const result = await sys.changeCodeMany([pid!], 'counter', '1', []);
    expect(result.converted).toBe(0);
    expect(result.failed[0]!.reason).toMatchObject({ unknownSystemMsg: 'changeCode' });
  });

  it('waits for a process busy in an async handler; it stops before its next queued message', async () => {
    const [pid] = await servers(1);
    const slow = GenServer.call(pid!, { slow: 30 });
    await new Promise((r) => setImmediate(r));
    const queued = GenServer.call(pid!, { put: 7 });
    const r = await sys.suspendMany([pid!], { timeout: 5000 });
    expect(r.suspended.map(String)).toEqual([String(pid)]);
    expect(await slow).toBe('slow done');
    const status = await sys.getStatus(pid!);
    expect(status.status).toBe('suspended');
    expect(status.messageQueueLength).toBe(1); // the put waits behind the suspension
    await sys.resumeMany([pid!]);
    expect(await queued).toBe('ok');
  });

  it('reports a process that does not suspend within the timeout; resuming it afterwards is safe', async () => {
    const [pid] = await servers(1);
    const slow = GenServer.call(pid!, { slow: 200 }, 5000);
    await new Promise((r) => setImmediate(r));
    const r = await sys.suspendMany([pid!], { timeout: 20 });
    expect(r.suspended).toEqual([]);
    expect(r.failed).toEqual([{ pid, reason: 'timeout' }]);
    await sys.resumeMany([pid!]);
    expect(await slow).toBe('slow done');
    expect((await GenServer.call(pid!, { put: 1 })) as string).toBe('ok');
    expect((await sys.getStatus(pid!)).status).toBe('running');
  });

  it('reports dead processes as gone', async () => {
    const [pid] = await servers(1);
    await GenServer.stop(pid!);
    const r = await sys.suspendMany([pid!]);
    expect(r.gone).toEqual([pid]);
  });

  it('works for GenStatem: events queued while suspended wait; a snapshot puts the callback mode back', async () => {
    const mode = { current: 'handle_event_function' as 'handle_event_function' | 'state_functions' };
    const Light = {
      callbackMode: () => mode.current,
      init: () => nextState('off', 0),
      handleEvent(event: StatemEvent<string, unknown, string>, state: string, data: number) {
        if (event.type === 'call') return keepStateAndData([replyAction(event.from, { state, data })]);
        if (event.type === 'cast') return nextState(state === 'off' ? 'on' : 'off', data + 1);
        return keepStateAndData();
      },
      off: () => keepStateAndData(),
      on: () => keepStateAndData(),
      codeChange: (_o: unknown, state: string, data: number) => ({ state, data: data + 100 }),
    };
    const pid = GenServer.pidOf(await GenStatem.start(Light, undefined));
    expect((await sys.suspendMany([pid])).suspended).toEqual([pid]);
    GenStatem.cast(pid, 'flip');
    await new Promise((r) => setImmediate(r));
    mode.current = 'state_functions';
    const changed = await sys.changeCodeMany([pid], 'light', '1', [], { snapshot: true });
    expect(changed.converted).toBe(1);
    expect(await sys.getState(pid)).toEqual({ state: 'off', data: 100 });
    mode.current = 'handle_event_function';
    await sys.restoreMany([pid], changed.snapshots!);
    await sys.resumeMany([pid]);
    // back in handle_event_function mode with the old data; the queued cast was handled after
    expect(await GenStatem.call(pid, 'get')).toEqual({ state: 'on', data: 1 });
  });
});

describe('runtime: rearmReceive', () => {
  it('changes what a parked receive waits for, delivering a queued match at once', async () => {
    const got: unknown[] = [];
    const pid = spawn(
      async (self) => {
        for (;;) got.push(await self.receive((m: unknown) => m === 'sys'));
      },
      { probeable: false },
    );
    await new Promise((r) => setImmediate(r));
    const proc = lookupProcess(pid)!;
    send(pid, 'a');
    send(pid, 'b');
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual([]);
    expect(rearmReceive(proc, _)).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(got[0]).toBe('a');
  });

  it('refuses a process that is not parked in a plain receive', async () => {
    const pid = spawn(async (self) => void (await self.receive(_, { after: 10_000 })), { probeable: false });
    await new Promise((r) => setImmediate(r));
    expect(rearmReceive(lookupProcess(pid)!, _)).toBe(false);
    const probeable = spawn(async (self) => void (await self.receive()));
    await new Promise((r) => setImmediate(r));
    expect(rearmReceive(lookupProcess(probeable)!, _)).toBe(false);
  });
});
