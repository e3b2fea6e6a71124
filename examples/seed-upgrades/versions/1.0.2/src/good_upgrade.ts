// Seed 000, "Example 1 - A Successful Upgrade" (version 1.0.2). The loop calls itself through the
// module, as ?MODULE:loop(), so each round runs the newest version.
import { moduleInfo, spawn, type Pid, type Proc } from 'hotrel';
import * as self from './good_upgrade';
import { print, SLEEP_MS } from './io';

export function start(): Pid {
  return spawn(self.loop, { crashReport: false });
}

export async function loop(p: Proc): Promise<void> {
  const vsn = moduleInfo(self).vsn; // ?MODULE:module_info(attributes): a call through the module
  print(p, `Version: {vsn,[${vsn}]}`);
  await p.sleep(SLEEP_MS);
  return self.loop(p); // Notice the use of ?MODULE
}
