/**
 * examples/web: the 1.0.0 release runs as a real node (in a live root, under heart), answers real
 * HTTP requests and real WebSocket clients; 1.0.1 (a changed handler, a new per-connection state
 * shape) builds beside it while a WebSocket stays open, and the node is upgraded to it and back
 * with `bin/web upgrade|downgrade` while HTTP clients on keep-alive connections and WebSocket
 * clients keep going.
 */
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
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

/** A WebSocket client that answers each `send` with the server's next reply. */
class Client {
  private replies: unknown[] = [];
  private waiting: Array<() => void> = [];
  private isClosed = false;
  readonly closed: Promise<void>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.replies.push(JSON.parse(data.toString()));
      for (const w of this.waiting.splice(0)) w();
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', () => {
        this.isClosed = true;
        for (const w of this.waiting.splice(0)) w();
        resolve();
      }),
    );
  }

  static async open(port: number): Promise<Client> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new Client(ws);
  }

  async send(text: string): Promise<unknown> {
    this.ws.send(text);
    while (this.replies.length === 0) {
      if (this.isClosed) throw new Error(`the WebSocket closed before answering ${JSON.stringify(text)}`);
      await new Promise<void>((r) => this.waiting.push(r));
    }
    return this.replies.shift();
  }
}

let ex: Example;
let base: string;
const get = async (path: string) => {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
};
const getJson = async (path: string) => JSON.parse((await get(path)).body) as unknown;
const openWebSockets = () =>
  (evaluate(ex, 'await Supervisor.countChildren("web_websockets")') as { active: number }).active;

beforeAll(() => {
  ex = copyExample('web');
  configure(ex, 'web', { port: 0 });
  build(ex);
  startDaemon(ex, '1.0.0');
  base = `http://127.0.0.1:${rpc(ex, 'web:listener', 'port') as number}`;
}, 120_000);

afterAll(() => stopDaemon(ex));

describe('examples/web', () => {
  let kept: Client;

  it('answers HTTP requests, and counts them in the listener state', async () => {
    expect(await getJson('/hello?name=ada')).toEqual({ greeting: 'hello, ada' });
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html');
    expect(page.body).toContain("new WebSocket('ws://' + location.host + '/ws')");
    expect(await get('/nowhere')).toMatchObject({ status: 404, body: '{"error":"no route for /nowhere"}' });
    const post = await fetch(`${base}/hello`, { method: 'POST' });
    expect(post.status).toBe(405);
    const { hits } = (await getJson('/hits')) as { hits: number };
    expect(hits).toBe(5);
    expect(await getJson('/hits')).toEqual({ hits: 6 });
  });

  it('serves WebSockets, each owned by its own process with its own state', async () => {
    kept = await Client.open(Number(new URL(base).port));
    expect(await kept.send('one')).toEqual({ echo: 'one', n: 1 });
    expect(await kept.send('two')).toEqual({ echo: 'two', n: 2 });
    const other = await Client.open(Number(new URL(base).port));
    expect(await other.send('elsewhere')).toEqual({ echo: 'elsewhere', n: 1 });
    expect(openWebSockets()).toBe(2);
    other.ws.close();
    await other.closed;
    expect(childrenAfterExit(ex, 'web_websockets', 1)).toBe(1);
  });

  it('builds 1.0.1 beside the running 1.0.0, while a WebSocket stays open', async () => {
    applyVersion(ex, '1.0.1');
    configure(ex, 'web', { port: 0 });
    build(ex);
    expectBuilt(ex, '1.0.0', { web: '1.0.0' });
    expectBuilt(ex, '1.0.1', { web: '1.0.1' });
    expect(await kept.send('three')).toEqual({ echo: 'three', n: 3 });
    expect(await getJson('/hello?name=bob')).toEqual({ greeting: 'hello, bob' });
  }, 120_000);

  describe('upgrade live to 1.0.1 and back', () => {
    const HTTP_CONNECTIONS = 4;
    const WEBSOCKETS = 4;
    /** Keep-alive HTTP connections, at most HTTP_CONNECTIONS, each kept open for the whole run. */
    const agent = new http.Agent({ keepAlive: true, maxSockets: HTTP_CONNECTIONS });
    const sockets = new Set<net.Socket>();
    let sockets0: number;
    let http0: Load;
    let ws0: Load;
    let talkers: Client[];
    let pid: number;
    /** Which version answered each /hello after `mark`. */
    const answers: Array<'1.0.0' | '1.0.1'> = [];

    afterAll(() => agent.destroy());

    function request(path: string): Promise<{ status: number; body: string }> {
      return new Promise((resolve, reject) => {
        const req = http.get(`${base}${path}`, { agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', reject);
        });
        req.on('socket', (s) => sockets.add(s));
        req.on('error', reject);
      });
    }

    /**
     * HTTP_CONNECTIONS requests at a time, non-stop: /hello answered by either version (1.0.1's
     * tells the request's number, which never goes back), and /hits, which keeps counting.
     */
    function httpLoad(): Load {
      let hits = 0;
      const hello = async (): Promise<string | undefined> => {
        const { status, body } = await request('/hello?name=load');
        if (status !== 200) return `/hello answered ${status}: ${body}`;
        const answer = JSON.parse(body) as { greeting: string; request?: number };
        if (answer.greeting === 'hello, load' && answer.request === undefined) answers.push('1.0.0');
        else if (answer.greeting === 'Hello, load!' && typeof answer.request === 'number')
          answers.push('1.0.1');
        else return `/hello answered ${body}`;
        return undefined;
      };
      const count = async (): Promise<string | undefined> => {
        const { status, body } = await request('/hits');
        const now = (JSON.parse(body) as { hits: number }).hits;
        if (status !== 200 || !(now > hits)) return `/hits answered ${status} ${body} after ${hits}`;
        hits = now;
        return undefined;
      };
      return loop(async (i) => {
        const all = await Promise.all(
          Array.from({ length: HTTP_CONNECTIONS }, (_, k) => (k === 0 && i % 5 === 0 ? count() : hello())),
        );
        return all.find((x) => x !== undefined);
      });
    }

    /** Every WebSocket sends and waits for its echo; its count `n` goes on through both versions. */
    function wsLoad(clients: Client[]): Load {
      const counts = clients.map(() => 0);
      return loop(async (i) => {
        const k = i % clients.length;
        const reply = (await clients[k]!.send(`m${i}`)) as { echo: string; n: number; bytes?: number };
        const want = counts[k]! + 1;
        if (reply.echo !== `m${i}` || reply.n !== want)
          return `WebSocket ${k}: ${JSON.stringify(reply)}, n should be ${want}`;
        counts[k] = want;
        return undefined;
      });
    }

    it('packs 1.0.1: routes loaded, websocket updated (converted by its codeChange)', async () => {
      pid = nodePid(ex);
      const pack = upgradePack(ex);
      expect(pack.output).toMatch(/load_module routes/);
      expect(pack.output).toMatch(/update websocket change=\{"advanced":\[\]\}/);
      expect(pack.output).not.toMatch(/update listener/); // its requests go through routes: untouched
      talkers = await Promise.all(
        Array.from({ length: WEBSOCKETS }, () => Client.open(Number(new URL(base).port))),
      );
      expect(openWebSockets()).toBe(1 + WEBSOCKETS);
    }, 120_000);

    it('upgrades under HTTP and WebSocket load: new handler live, counters kept, no request failed, no connection dropped', async () => {
      http0 = httpLoad();
      ws0 = wsLoad(talkers);
      await Promise.all([http0.more(10), ws0.more(20)]);
      sockets0 = sockets.size;
      const { hits: before } = (await getJson('/hits')) as { hits: number };

      const up = await moveTo(ex, 'upgrade', '1.0.1');
      expect(up.stdout).toMatch(/^web upgraded 1\.0\.0 -> 1\.0\.1 .*; 1\.0\.1 is permanent/);
      expect(up.stderr).toMatch(
        new RegExp(`suspended ${1 + WEBSOCKETS} process\\(es\\) using web:websocket`),
      );
      const from = answers.length;
      await Promise.all([http0.more(10), ws0.more(20)]);
      expect(answers.slice(from)).not.toContain('1.0.0');

      const hello = (await getJson('/hello?name=bob')) as { greeting: string; request: number };
      expect(hello.greeting).toBe('Hello, bob!');
      expect(hello.request).toBeGreaterThan(before); // the listener's count went on
      // The WebSocket kept since before the build, idle during the upgrade: n carried over.
      expect(await kept.send('four')).toEqual({ echo: 'four', n: 4, bytes: 4 });
      expect(await kept.send('five!')).toEqual({ echo: 'five!', n: 5, bytes: 9 });
      expect(openWebSockets()).toBe(1 + WEBSOCKETS);
      expect(statuses(ex)).toEqual({ '1.0.1': 'permanent', '1.0.0': 'old' });
      expect(nodePid(ex)).toBe(pid);
    }, 60_000);

    it('downgrades under the same load: 1.0.0 answers again on the same connections', async () => {
      const down = await moveTo(ex, 'downgrade', '1.0.0');
      expect(down.stdout).toMatch(/^web downgraded 1\.0\.1 -> 1\.0\.0 .*; 1\.0\.0 is permanent/);
      const from = answers.length;
      await Promise.all([http0.more(10), ws0.more(20)]);
      expect(answers.slice(from)).not.toContain('1.0.1');
      const [h, w] = await Promise.all([http0.stop(), ws0.stop()]);
      expect(h.failures).toEqual([]);
      expect(w.failures).toEqual([]);
      expect(answers).toContain('1.0.1');

      expect(await getJson('/hello?name=bob')).toEqual({ greeting: 'hello, bob' });
      expect(await kept.send('six')).toEqual({ echo: 'six', n: 6 });
      expect(openWebSockets()).toBe(1 + WEBSOCKETS);
      for (const t of talkers) expect(t.ws.readyState).toBe(WebSocket.OPEN);
      // Every HTTP request of the load went over the connections opened before the upgrade.
      expect(sockets.size).toBe(sockets0);
      expect([...sockets].every((s) => !s.destroyed)).toBe(true);
      expect(statuses(ex)).toEqual({ '1.0.1': 'old', '1.0.0': 'permanent' });
      expect(nodePid(ex)).toBe(pid);
    }, 60_000);
  });
});
