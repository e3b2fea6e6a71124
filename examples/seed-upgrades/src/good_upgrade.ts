// Seed 000, "Example 1 - A Successful Upgrade" (version 1.0.0). The loop calls itself through the
// module, as ?MODULE:loop(), so each round runs the newest version.
import { moduleInfo, spawn, type Pid, type Proc } from 'hotrel';
import * as self from './good_upgrade';
import { print, SLEEP_MS } from './io';

/**
 * In a release upgrade: the code a load makes old is purged softly, once no process runs it (this
 * loop always sleeps in its own code, so a brutal purge would kill it even when its next round
 * would run the new version); the version before that is purged, killing what still runs it,
 * when the next one is loaded. The same as the dev loop's `c()`.
 */
export const upgrade = { purge: { pre: 'brutal', post: 'soft' } };

export function start(): Pid {
  return spawn(self.loop, { crashReport: false });
}

export async function loop(p: Proc): Promise<void> {
  const vsn = moduleInfo(self).vsn; // ?MODULE:module_info(attributes): a call through the module
  print(p, `{vsn,[${vsn}]}`);
  await p.sleep(SLEEP_MS);
  return self.loop(p); // Notice the use of ?MODULE
}
