/**
 * A process that owns a socket survives upgrades when the socket's events reach it through
 * hotrel's forwardEvents, and is killed by the purge when they reach it through a listener
 * closure of its own module (the closure is old code the process holds). Real TCP sockets, real
 * modules compiled and loaded by the code server.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { c, findOldCode, getModule, isAlive, type Pid } from '../../src';
import { removeTempDirs, tempApp } from '../helpers/apps';
import { exitOf } from '../helpers/process';

afterAll(removeTempDirs);

/** A connection server: echoes each chunk prefixed with its module's vsn. */
function connModule(vsn: string, listen: 'forward' | 'closure'): string {
  const install =
    listen === 'forward'
      ? `forwardEvents(socket, self.pid, ['data'], { closeOnExit: 'destroy' });`
      : `socket.on('data', (d: Buffer) => send(self.pid, { type: 'event', event: 'data', args: [d] }));`;
  return `
import net from 'node:net';
import { GenServer, forwardEvents, noreply, ok, send, type Proc } from 'hotrel';
import * as Self from './conn_${listen}';

export const vsn = '${vsn}';
type State = { socket: net.Socket };

export function start(socket: net.Socket) {
  return GenServer.start(Self, socket);
}
export function init(socket: net.Socket, self: Proc) {
  ${install}
  return ok({ socket });
}
export function handleInfo(msg: { event: string; args: [Buffer] }, state: State) {
  state.socket.write(vsn + ':' + msg.args[0].toString());
  return noreply(state);
}
`;
}

interface Conn {
  start(socket: net.Socket): Promise<{ kind: string; pid: Pid }>;
}

/** Connects a client to a new server process of `module`; resolves with both. */
async function connect(module: Conn): Promise<{ pid: Pid; client: net.Socket; close: () => void }> {
  let started!: (pid: Promise<Pid>) => void;
  const pid = new Promise<Pid>((resolve) => (started = (p) => resolve(p)));
  const listener = net.createServer((socket) => started(module.start(socket).then((r) => r.pid)));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  return { pid: await pid, client, close: () => listener.close() };
}

function echo(client: net.Socket, text: string): Promise<string> {
  const answer = new Promise<string>((resolve) => client.once('data', (d) => resolve(d.toString())));
  client.write(text);
  return answer;
}

describe('sockets owned by processes, across upgrades', () => {
  it('a forwarded socket survives two loads; a socket with a closure listener is killed by the purge', async () => {
    const app = tempApp('sockets', {
      'conn_forward.ts': connModule('A', 'forward'),
      'conn_closure.ts': connModule('A', 'closure'),
    });
    await c('sockets:conn_forward');
    await c('sockets:conn_closure');
    const fwd = await connect(getModule<Conn>('sockets:conn_forward'));
    const clo = await connect(getModule<Conn>('sockets:conn_closure'));
    expect(await echo(fwd.client, 'x')).toBe('A:x');
    expect(await echo(clo.client, 'x')).toBe('A:x');

    for (const listen of ['forward', 'closure'] as const)
      app.write(`conn_${listen}.ts`, connModule('B', listen));
    await c('sockets:conn_forward');
    await c('sockets:conn_closure');
    // Both run B's handleInfo (through the facade); only the closure's owner holds A's code.
    expect(await echo(fwd.client, 'y')).toBe('B:y');
    expect(await echo(clo.client, 'y')).toBe('B:y');
    const old = await findOldCode();
    expect(old.map((o) => String(o.pid))).toEqual([String(clo.pid)]);
    expect(old[0]!.holders[0]).toMatchObject({ where: 'state.socket._events.data' });

    const cloDown = exitOf(clo.pid);
    for (const listen of ['forward', 'closure'] as const)
      app.write(`conn_${listen}.ts`, connModule('C', listen));
    const forwardLoad = await c('sockets:conn_forward');
    const closureLoad = await c('sockets:conn_closure');
    expect(forwardLoad.purge?.killed).toBe(false);
    expect(closureLoad.purge?.victims.map((v) => String(v.pid))).toEqual([String(clo.pid)]);
    expect(await cloDown).toBe('killed');
    expect(isAlive(fwd.pid)).toBe(true);
    expect(await echo(fwd.client, 'z')).toBe('C:z');
    for (const conn of [fwd, clo]) {
      conn.client.destroy();
      conn.close();
    }
  });
});
