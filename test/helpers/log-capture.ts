/** Captures what the node logs (pino JSON lines) so tests can assert on reports. */
import pino from 'pino';
import { Writable } from 'node:stream';
import { logger, setLogger } from '../../src/runtime';

export function captureLogs(): { lines: Array<Record<string, unknown>>; restore: () => void } {
  const lines: Array<Record<string, unknown>> = [];
  const previous = logger();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l));
      done();
    },
  });
  setLogger(pino({ level: 'debug' }, sink));
  return { lines, restore: () => setLogger(previous) };
}
