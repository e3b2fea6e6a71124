/**
 * examples/octochat (the seed's octochat.Echo): the 1.0.0 release runs as a real node (in a live
 * root, under heart) and real TCP clients talk to it; 1.0.1 (numbered echoes) builds beside it
 * while a connection stays open, and the node is upgraded to it and back with `bin/octochat
 * upgrade|downgrade` while clients keep talking on connections that never reconnect.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyVersion,
  build,
  childrenAfterExit,
  configure,
  copyExample,
  evaluate,
  expectBuilt,
  loop,
  moveTo,
  nodePid,
  rpc,
  startDaemon,
  statuses,
  stopDaemon,
  upgradePack,
  type Example,
  type Load,
} from '../helpers/examples';

/** A TCP client that reads whole lines. */
class LineClient {
  private buffer = '';
  private waiting: Array<() => void> = [];
  private isClosed = false;
  readonly closed: Promise<void>;

  constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      for (const w of this.waiting.splice(0)) w();
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        for (const w of this.waiting.splice(0)) w();
        resolve();
      }),
    );
  }

  static async connect(port: number): Promise<LineClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new LineClient(socket);
  }

  /** The next `n` lines (waits for them). */
  async lines(n: number): Promise<string[]> {
    while (this.buffer.split('\n').length - 1 < n) {
      if (this.isClosed) throw new Error(`the connection closed before ${n} line(s) came back`);
      await new Promise<void>((r) => this.waiting.push(r));
    }
    const all = this.buffer.split('\n');
    this.buffer = all.slice(n).join('\n');
    return all.slice(0, n);
  }

  async say(text: string, replies: number): Promise<string[]> {
    this.socket.write(text);
    return this.lines(replies);
  }
}

let ex: Example;
let port: number;
const activeConnections = () =>
  (evaluate(ex, 'await Supervisor.countChildren("octochat_connections")') as { active: number }).active;

beforeAll(() => {
  ex = copyExample('octochat');
  configure(ex, 'octochat', { port: 0 });
  build(ex);
  startDaemon(ex, '1.0.0');
  port = rpc(ex, 'octochat:acceptor', 'port') as number;
}, 120_000);

afterAll(() => stopDaemon(ex));

describe('examples/octochat', () => {
  let a: LineClient;

  it('echoes lines over real TCP connections, one process per connection', async () => {
    a = await LineClient.connect(port);
    expect(await a.say('hello\n', 1)).toEqual(['hello']);
    expect(await a.say('two\nthree\n', 2)).toEqual(['two', 'three']);
    a.socket.write('par');
    expect(await a.say('tial\n', 1)).toEqual(['partial']);

    const b = await LineClient.connect(port);
    expect(await b.say('from b\n', 1)).toEqual(['from b']);
    expect(activeConnections()).toBe(2);
    // The client closes; its server process stops.
    b.socket.end();
    await b.closed;
    expect(childrenAfterExit(ex, 'octochat_connections', 1)).toBe(1);
    expect(await a.say('still a\n', 1)).toEqual(['still a']);
  });

  it('builds 1.0.1 (numbered echoes) beside the running 1.0.0, while a connection stays open', async () => {
    applyVersion(ex, '1.0.1');
    configure(ex, 'octochat', { port: 0 });
    build(ex);
    expectBuilt(ex, '1.0.0', { octochat: '1.0.0' });
    expectBuilt(ex, '1.0.1', { octochat: '1.0.1' });
    expect(await a.say('after the build\n', 1)).toEqual(['after the build']);
  }, 120_000);

  describe('upgrade live to 1.0.1 and back', () => {
    const CLIENTS = 4;
    let talkers: LineClient[];
    let load: Load;
    let pid: number;

    /**
     * Every client says a line and waits for its echo, over and over. An echo is the line as it
     * was (1.0.0's code) or numbered (1.0.1's), and a connection's numbers follow each other from
     * [1]: its counter was added by codeChange at 0. Which version answers is in `seen`.
     */
    const seen: Array<'plain' | 'numbered'> = [];
    function talk(clients: LineClient[]): Load {
      const counts = clients.map(() => 0);
      return loop(async (i) => {
        const k = i % clients.length;
        const text = `line ${i}`;
        const [echo] = await clients[k]!.say(`${text}\n`, 1);
        if (echo === text) {
          counts[k] = 0;
          seen.push('plain');
          return undefined;
        }
        const expected = `[${counts[k]! + 1}] ${text}`;
        if (echo !== expected)
          return `client ${k} got ${JSON.stringify(echo)}, not ${JSON.stringify(expected)}`;
        counts[k]!++;
        seen.push('numbered');
        return undefined;
      });
    }

    it('packs 1.0.1: echo updated (suspended, converted by its codeChange)', async () => {
      pid = nodePid(ex);
      const pack = upgradePack(ex);
      expect(pack.output).toMatch(/1\. update echo change=\{"advanced":\[\]\}/);
      expect(pack.output).toContain('its codeChange converts it');
      talkers = await Promise.all(Array.from({ length: CLIENTS }, () => LineClient.connect(port)));
      expect(activeConnections()).toBe(1 + CLIENTS);
    }, 120_000);

    it('upgrades while clients talk: open connections stay open and start numbering their lines, no line is lost', async () => {
      load = talk(talkers);
      await load.more(20);
      const up = await moveTo(ex, 'upgrade', '1.0.1');
      expect(up.stdout).toMatch(/^octochat upgraded 1\.0\.0 -> 1\.0\.1 .*; 1\.0\.1 is permanent/);
      expect(up.stderr).toMatch(new RegExp(`suspended ${1 + CLIENTS} process\\(es\\) using octochat:echo`));
      const from = seen.length;
      await load.more(20);
      expect(seen.slice(from)).not.toContain('plain'); // every echo after the upgrade is 1.0.1's

      // The connection opened at the start, idle during the upgrade: its counter starts now.
      expect(await a.say('x\n', 1)).toEqual(['[1] x']);
      expect(await a.say('y\nz\n', 2)).toEqual(['[2] y', '[3] z']);
      const fresh = await LineClient.connect(port);
      expect(await fresh.say('new\n', 1)).toEqual(['[1] new']);
      fresh.socket.end();
      await fresh.closed;
      expect(childrenAfterExit(ex, 'octochat_connections', 1 + CLIENTS)).toBe(1 + CLIENTS);
      expect(statuses(ex)).toEqual({ '1.0.1': 'permanent', '1.0.0': 'old' });
      expect(nodePid(ex)).toBe(pid);
    }, 60_000);

    it('downgrades while clients talk: the same connections echo plain lines again', async () => {
      const down = await moveTo(ex, 'downgrade', '1.0.0');
      expect(down.stdout).toMatch(/^octochat downgraded 1\.0\.1 -> 1\.0\.0 .*; 1\.0\.0 is permanent/);
      const from = seen.length;
      await load.more(20);
      expect(seen.slice(from)).not.toContain('numbered');
      const report = await load.stop();
      expect(report.failures).toEqual([]);
      expect(seen).toContain('numbered');

      expect(await a.say('back\n', 1)).toEqual(['back']);
      for (const t of talkers) expect(t.socket.readyState).toBe('open');
      expect(activeConnections()).toBe(1 + CLIENTS);
      expect(statuses(ex)).toEqual({ '1.0.1': 'old', '1.0.0': 'permanent' });
      expect(nodePid(ex)).toBe(pid);
    }, 60_000);
  });
});
