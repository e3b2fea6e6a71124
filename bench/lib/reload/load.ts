/**
 * Loopback load on examples/web while something disruptive happens to the server (a live upgrade,
 * a rolling restart): HTTP requests from autocannon, WebSocket clients that each keep a message
 * in flight, and the server's request counter (`/hits`) read before and after the disruption.
 */
import autocannon from 'autocannon';
import WebSocket from 'ws';

export interface LoadOptions {
  port: number;
  /** Total run, in seconds; the disruption starts after a third of it. */
  durationS: number;
  /** autocannon's concurrent HTTP connections. */
  connections: number;
  /** WebSocket clients, opened before the load starts. */
  websockets: number;
}

export interface LoadResult {
  requests: number;
  /** Requests that failed: connection errors, timeouts and non-2xx answers. */
  failed: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Longest HTTP request, in ms. */
  maxLatencyMs: number;
  p99LatencyMs: number;
  wsOpened: number;
  /** WebSockets closed by the server side (or failed) during the run. */
  wsDropped: number;
  wsMessages: number;
  /** Longest wait for a WebSocket reply, in ms (a dropped socket's wait ends when it drops). */
  wsMaxWaitMs: number;
  /** `/hits` just before the disruption, just after it, and after the load. */
  hitsBefore: number;
  hitsAfter: number;
  hitsEnd: number;
  /**
   * Whether the in-memory counter survived: it never went back, and at the end it has counted
   * at least every request answered (a counter that started over has not).
   */
  stateKept: boolean;
  /** How long the disruption took, in ms. */
  disruptionMs: number;
}

/** GET /hits on a fresh connection (so it is never a keep-alive socket of a retired worker). */
export async function hits(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/hits`, { headers: { connection: 'close' } });
  if (res.status !== 200) throw new Error(`/hits answered ${res.status}`);
  return ((await res.json()) as { hits: number }).hits;
}

/** Waits until the service answers (after a start), trying every 50 ms for up to `timeoutMs`. */
export async function waitUntilServing(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await hits(port);
      return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`the service on port ${port} did not answer: ${String(err)}`, { cause: err });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A WebSocket client that sends a message, waits for its answer, and sends the next. */
class PingClient {
  messages = 0;
  maxWaitMs = 0;
  dropped = false;
  private sentAt = 0;
  private running = true;

  constructor(private readonly ws: WebSocket) {
    ws.on('message', () => {
      this.messages++;
      this.maxWaitMs = Math.max(this.maxWaitMs, performance.now() - this.sentAt);
      if (this.running) setTimeout(() => this.send(), 10);
    });
    const drop = () => {
      if (!this.running) return;
      this.dropped = true;
      this.maxWaitMs = Math.max(this.maxWaitMs, performance.now() - this.sentAt);
    };
    ws.on('close', drop);
    ws.on('error', drop);
  }

  static async open(port: number): Promise<PingClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new PingClient(ws);
  }

  send(): void {
    if (!this.running || this.ws.readyState !== WebSocket.OPEN) return;
    this.sentAt = performance.now();
    this.ws.send(`ping ${this.messages}`);
  }

  stop(): void {
    this.running = false;
    this.ws.terminate();
  }
}

/** Runs the load, calls `disrupt` after a third of it, and reports what the clients saw. */
export async function underLoad(options: LoadOptions, disrupt: () => Promise<unknown>): Promise<LoadResult> {
  const clients = await Promise.all(
    Array.from({ length: options.websockets }, () => PingClient.open(options.port)),
  );
  for (const c of clients) c.send();
  const http = autocannon({
    url: `http://127.0.0.1:${options.port}/hello?name=bench`,
    connections: options.connections,
    duration: options.durationS,
  });
  await new Promise((r) => setTimeout(r, (options.durationS * 1000) / 3));
  const hitsBefore = await hits(options.port);
  const started = performance.now();
  await disrupt();
  const disruptionMs = performance.now() - started;
  const hitsAfter = await hits(options.port);
  const result = await http;
  for (const c of clients) c.stop();
  const hitsEnd = await hits(options.port);
  const failed = result.errors + result.timeouts + result.non2xx;
  return {
    requests: result.requests.total,
    failed,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    maxLatencyMs: result.latency.max,
    p99LatencyMs: result.latency.p99,
    wsOpened: clients.length,
    wsDropped: clients.filter((c) => c.dropped).length,
    wsMessages: clients.reduce((n, c) => n + c.messages, 0),
    wsMaxWaitMs: Math.max(0, ...clients.map((c) => c.maxWaitMs)),
    hitsBefore,
    hitsAfter,
    hitsEnd,
    stateKept: hitsAfter >= hitsBefore && hitsEnd >= result['2xx'],
    disruptionMs,
  };
}
