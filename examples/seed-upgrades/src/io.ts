// io:format for the seed's examples: a line goes to the process registered as `seed_io` (the
// session script, which prints it), else to stdout (in a release: the node's log).
import { send, whereis, type Proc } from 'hotrel';

/** The seed sleeps 2 s between lines; SEED_SLEEP_MS changes it (the session defaults to 500). */
export const SLEEP_MS = Number(process.env.SEED_SLEEP_MS ?? 2000);

export function print(p: Proc, line: string): void {
  if (whereis('seed_io') !== undefined) send('seed_io', { from: p.pid, line });
  else console.log(line);
}
