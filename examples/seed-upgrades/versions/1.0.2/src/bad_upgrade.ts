// Seed 000, "Example 2 - Upgrade Failure" (version 1.0.2). The loop calls itself locally, so it
// stays in the version it started in: the next load makes that version old, the one after kills it.
import { moduleInfo, spawn, type Pid, type Proc } from 'hotrel';
import * as self from './bad_upgrade';
import { print, SLEEP_MS } from './io';

export function start(): Pid {
  return spawn(self.loop, { crashReport: false });
}

export async function loop(p: Proc): Promise<void> {
  const vsn = moduleInfo(self).vsn; // ?MODULE:module_info(attributes): a call through the module
  print(p, `Version: {vsn,[${vsn}]}`);
  await p.sleep(SLEEP_MS);
  return loop(p); // No more ?MODULE
}
