/**
 * The demo's clients: HTTP clients on keep-alive connections asking `/hello` back to back, and
 * WebSocket clients each keeping one message in flight. Every answer is checked; every gap
 * between two answers to the same client is measured (the longest is the stall a user saw).
 */
import http from 'node:http';
import WebSocket from 'ws';

export interface Stats {
  requests: number;
  failed: number;
  failures: string[];
  maxLatencyMs: number;
  /** Longest time between two answers to one client (HTTP or WebSocket). */
  maxGapMs: number;
  maxHttpGapMs: number;
  maxWsGapMs: number;
  wsMessages: number;
  wsDropped: number;
  /** The last answer of each kind seen, to show what the node answers now. */
  lastHello: unknown;
  lastEcho: unknown;
}

export interface Load {
  stats: Stats;
  /** Starts a new measuring phase: latency and gap maxima reset, gaps counted from now. */
  resetMaxima(): void;
  stop(): Promise<void>;
}

export async function startLoad(port: number, httpClients: number, websockets: number): Promise<Load> {
  const stats: Stats = {
    requests: 0,
    failed: 0,
    failures: [],
    maxLatencyMs: 0,
    maxGapMs: 0,
    maxHttpGapMs: 0,
    maxWsGapMs: 0,
    wsMessages: 0,
    wsDropped: 0,
    lastHello: undefined,
    lastEcho: undefined,
  };
  let running = true;
  const fail = (why: string) => {
    stats.failed++;
    if (stats.failures.length < 5) stats.failures.push(why);
  };
  const clocks: Array<{ t: number }> = [];
  const record = (started: number, last: { t: number }, kind: 'maxHttpGapMs' | 'maxWsGapMs') => {
    const now = performance.now();
    stats.maxLatencyMs = Math.max(stats.maxLatencyMs, now - started);
    stats.maxGapMs = Math.max(stats.maxGapMs, now - last.t);
    stats[kind] = Math.max(stats[kind], now - last.t);
    last.t = now;
  };

  const httpLoops = Array.from({ length: httpClients }, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const last = { t: performance.now() };
    clocks.push(last);
    while (running) {
      const started = performance.now();
      try {
        const body = await get(agent, port, '/hello?name=ada');
        stats.requests++;
        stats.lastHello = body;
        record(started, last, 'maxHttpGapMs');
      } catch (err) {
        fail((err as Error).message);
      }
    }
    agent.destroy();
  });

  const sockets = await Promise.all(
    Array.from({ length: websockets }, (_, i) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
      return new Promise<WebSocket>((resolve, reject) => {
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      }).then((open) => {
        const last = { t: performance.now() };
        clocks.push(last);
        let sent = performance.now();
        let closing = false;
        open.on('message', (data) => {
          stats.wsMessages++;
          stats.lastEcho = JSON.parse(data.toString());
          record(sent, last, 'maxWsGapMs');
          if (running) {
            sent = performance.now();
            open.send(`hello from client ${i}`);
          }
        });
        open.on('close', () => {
          if (!closing) stats.wsDropped++;
        });
        open.send(`hello from client ${i}`);
        return Object.assign(open, { markClosing: () => (closing = true) });
      });
    }),
  );

  return {
    stats,
    resetMaxima() {
      stats.maxLatencyMs = 0;
      stats.maxGapMs = 0;
      stats.maxHttpGapMs = 0;
      stats.maxWsGapMs = 0;
      const now = performance.now();
      for (const c of clocks) c.t = now;
    },
    async stop() {
      running = false;
      await Promise.all(httpLoops);
      for (const ws of sockets) {
        ws.markClosing();
        ws.close();
      }
    },
  };
}

function get(agent: http.Agent, port: number, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode} ${text}`));
        else resolve(JSON.parse(text));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out after 5 s')));
    req.on('error', reject);
  });
}
