/** Captures the node's log records (pino) for tests that check what a process reported. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { logger, setLogger } from '../../src/runtime';

export interface CapturedLogs {
  /** Every record logged since capture began, parsed. */
  readonly records: Array<Record<string, unknown>>;
  /** Records whose message contains `text`. */
  matching(text: string): Array<Record<string, unknown>>;
  /** Puts the previous logger back. */
  restore(): void;
}

/** Routes the node's logger into memory until `restore()`. */
export function captureLogs(level: pino.LevelWithSilent = 'debug'): CapturedLogs {
  const previous = logger();
  const records: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') records.push(JSON.parse(line));
      done();
    },
  });
  setLogger(pino({ level }, sink));
  return {
    records,
    matching: (text) => records.filter((r) => String(r.msg).includes(text)),
    restore: () => setLogger(previous),
  };
}
