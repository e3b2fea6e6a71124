/** Captures what the node logs (pino JSON lines) so tests can assert on reports. */
import pino from 'pino';
import { Writable } from 'node:stream';
import { logger, setLogger } from '../../src/runtime';

export interface CapturedLogs {
  /** Every record logged since the capture began, parsed. */
  readonly lines: Array<Record<string, unknown>>;
  /** The records whose message contains `text`. */
  matching(text: string): Array<Record<string, unknown>>;
  /** Puts the previous logger back. */
  restore(): void;
}

export function captureLogs(level: pino.LevelWithSilent = 'debug'): CapturedLogs {
  const lines: Array<Record<string, unknown>> = [];
  const previous = logger();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l));
      done();
    },
  });
  setLogger(pino({ level }, sink));
  return {
    lines,
    matching: (text) => lines.filter((r) => String(r.msg).includes(text)),
    restore: () => setLogger(previous),
  };
}
