/** forwardEvents: an emitter's events as messages to the process that owns it (real TCP sockets). */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  exit,
  forwardEvents,
  isEvent,
  spawn,
  type EventMessage,
  type Pid,
  type Proc,
} from '../../src/runtime';
import { exitOf, inProcess } from '../helpers/process';

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A listening server and a connected client; resolves with both ends. */
async function socketPair(): Promise<{ server: net.Socket; client: net.Socket }> {
  const listener = net.createServer();
  servers.push(listener);
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  return { server: await accepted, client };
}

function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));
}

describe('forwardEvents', () => {
  it("delivers a socket's data to its process, in order, as messages", async () => {
    const { server, client } = await socketPair();
    const lines = await inProcess(async (self) => {
      forwardEvents(server, self.pid, ['data', 'end']);
      client.write('one\n');
      client.end('two\n');
      let text = '';
      for (;;) {
        const msg = await self.receive<EventMessage<[Buffer]>>((m: unknown) => isEvent(m, undefined, server));
        if (msg.event === 'end') return text;
        text += msg.args[0].toString();
      }
    });
    expect(lines).toBe('one\ntwo\n');
  });

  it('stops forwarding and closes the socket when its process exits (closeOnExit)', async () => {
    const { server, client } = await socketPair();
    const owner = spawn(async (self: Proc) => void (await self.receive(() => false)), { crashReport: false });
    forwardEvents(server, owner, ['data'], { closeOnExit: 'destroy' });
    expect(server.listenerCount('data')).toBe(1);
    exit(owner, 'kill');
    await closed(client);
    expect(server.destroyed).toBe(true);
    expect(server.listenerCount('data')).toBe(0);
  });

  it('hands the emitter over: the returned function stops forwarding to the first process', async () => {
    const { server, client } = await socketPair();
    const got: Array<[string, string]> = [];
    const receiver = (name: string): Pid =>
      spawn(async (self) => {
        const msg = await self.receive<EventMessage<[Buffer]>>((m: unknown) => isEvent(m, 'data'));
        got.push([name, msg.args[0].toString()]);
      });
    const first = receiver('first');
    const stop = forwardEvents(server, first, ['data'], { closeOnExit: 'destroy' });
    stop();
    const second = receiver('second');
    forwardEvents(server, second, ['data']);
    client.write('hello');
    await exitOf(second);
    expect(got).toEqual([['second', 'hello']]);
    // The first process's exit no longer closes the socket it gave away.
    exit(first, 'kill');
    await exitOf(first);
    expect(server.destroyed).toBe(false);
    client.destroy();
  });

  it('keeps an error from an orphaned emitter from crashing the node', async () => {
    const emitter = new EventEmitter();
    const owner = spawn(async (self: Proc) => void (await self.receive(() => false)), { crashReport: false });
    forwardEvents(emitter, owner, ['error']);
    exit(owner, 'kill');
    await exitOf(owner);
    expect(() => emitter.emit('error', new Error('late'))).not.toThrow();
  });

  it('tells forwarded events apart with isEvent', () => {
    const source = {};
    const msg = { type: 'event', source, event: 'data', args: [1] };
    expect(isEvent(msg)).toBe(true);
    expect(isEvent(msg, 'data', source)).toBe(true);
    expect(isEvent(msg, 'end')).toBe(false);
    expect(isEvent(msg, 'data', {})).toBe(false);
    expect(isEvent({ type: 'event' })).toBe(false);
    expect(isEvent(null)).toBe(false);
  });
});
