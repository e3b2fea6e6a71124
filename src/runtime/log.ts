/**
 * The node's logger (pino). Level from `HOTREL_LOG_LEVEL` (default `info`); written to stderr
 * synchronously so that a crash report is never lost when the node dies right after it.
 * Higher layers take child loggers from here so every report shares one stream and format.
 */
import pino from 'pino';

export type Logger = pino.Logger;

let root: Logger = createDefault();

function createDefault(): Logger {
  return pino(
    { name: 'hotrel', level: process.env.HOTREL_LOG_LEVEL ?? 'info', base: { pid: process.pid } },
    pino.destination({ fd: 2, sync: true }),
  );
}

/** The node's root logger. */
export function logger(): Logger {
  return root;
}

/** Replaces the root logger (a release may log to a file; tests may silence it). */
export function setLogger(next: Logger): void {
  root = next;
}
