/**
 * Runtime demo: the process semantics hotrel builds on, in one Node process.
 *
 * - a registered counter process answering requests by selective receive;
 * - a tiny supervisor that traps exits and restarts the counter when it crashes;
 * - a monitor that sees the crash as a DOWN message;
 * - 100,000 processes spawned and messaged, to show how light they are.
 */
import {
  _,
  isExitMessage,
  send,
  spawn,
  whereis,
  isDownMessage,
  type DownMessage,
  type ExitMessage,
  type Pid,
  type Proc,
  watch,
} from '../../src/runtime';

type Request = { op: 'add'; n: number; from: Pid } | { op: 'get'; from: Pid } | { op: 'crash' };

async function counter(self: Proc): Promise<never> {
  let total = 0;
  for (;;) {
    const req = (await self.receive()) as Request;
    if (req.op === 'add') total += req.n;
    if (req.op === 'crash') throw new Error('counter asked to crash');
    if (req.op === 'get') send(req.from, { total });
  }
}

async function supervisor(self: Proc): Promise<never> {
  self.trapExit(true);
  for (;;) {
    self.spawnLink(counter, { name: 'counter', crashReport: false });
    const exit = (await self.receive(isExitMessage)) as ExitMessage;
    console.log(`supervisor: counter ${exit.from} exited (${(exit.reason as Error).message}); restarting`);
  }
}

async function main(): Promise<void> {
  spawn(supervisor, { name: 'sup' });
  await new Promise((r) => setImmediate(r));

  const client = spawn(async (self) => {
    send('counter', { op: 'add', n: 40, from: self.pid });
    send('counter', { op: 'add', n: 2, from: self.pid });
    send('counter', { op: 'get', from: self.pid });
    console.log('client: total =', ((await self.receive({ total: _ })) as { total: number }).total);

    const first = whereis('counter')!;
    const ref = self.monitor(first);
    send('counter', { op: 'crash' });
    const down = (await self.receive(isDownMessage)) as DownMessage;
    console.log(`client: DOWN for ${down.pid} (same ref: ${down.ref.equals(ref)})`);

    await self.sleep(5);
    const second = whereis('counter')!;
    console.log(`client: counter restarted as ${second} (was ${first}); state starts over:`);
    send('counter', { op: 'get', from: self.pid });
    console.log('client: total =', ((await self.receive({ total: _ })) as { total: number }).total);

    const N = 100_000;
    const heapBefore = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const pids: Pid[] = [];
    for (let i = 0; i < N; i++) {
      pids.push(
        spawn(async (p) => {
          const from = (await p.receive()) as Pid;
          send(from, 'ok');
        }),
      );
    }
    const spawnMs = performance.now() - t0;
    await self.sleep(0);
    const perProcess = (process.memoryUsage().heapUsed - heapBefore) / N;
    for (const pid of pids) send(pid, self.pid);
    for (let i = 0; i < N; i++) await self.receive('ok');
    console.log(
      `client: spawned ${N.toLocaleString()} processes in ${spawnMs.toFixed(0)} ms ` +
        `(~${Math.round(perProcess)} bytes of heap each), messaged all and got ${N.toLocaleString()} replies ` +
        `in ${(performance.now() - t0).toFixed(0)} ms`,
    );
  });
  await new Promise<void>((resolve) => watch(client, () => resolve()));
  process.exit(0);
}

void main();
