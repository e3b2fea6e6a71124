/** `processInfo`: what a process is doing, for shells, tests and the release handler. */
import type { Pid, Ref } from './pid';
import { lookupProcess } from './table';

export interface ProcessInfo {
  pid: Pid;
  /** `waiting`: parked in a receive; `running`: executing or awaiting something else. */
  status: 'waiting' | 'running';
  registeredName: string | undefined;
  messageQueueLength: number;
  /** The queued messages, oldest first (a copy). */
  messages: unknown[];
  links: Pid[];
  /** Monitors this process holds: the ref and the monitored pid. */
  monitors: Array<{ ref: Ref; pid: Pid }>;
  /** Processes monitoring this one. */
  monitoredBy: Pid[];
  trapExit: boolean;
  initialCall: string;
  dictionary: Map<unknown, unknown>;
  /** What the code layer recorded about the code this process runs. */
  code: unknown;
}

/** A snapshot of a live process; `undefined` when it is not alive. */
export function processInfo(pid: Pid): ProcessInfo | undefined {
  const p = lookupProcess(pid);
  if (p === undefined) return undefined;
  const monitors: Array<{ ref: Ref; pid: Pid }> = [];
  for (const [id, target] of p.monitors ?? []) {
    const entry = target.monitoredBy?.get(id);
    if (entry !== undefined) monitors.push({ ref: entry.ref, pid: target.pid });
  }
  return {
    pid: p.pid,
    status: p.waiting ? 'waiting' : 'running',
    registeredName: p.registeredName,
    messageQueueLength: p.mailbox?.length ?? 0,
    messages: p.mailbox?.snapshot() ?? [],
    links: Array.from(p.links ?? [], (l) => l.pid),
    monitors,
    monitoredBy: Array.from(p.monitoredBy?.values() ?? [], (m) => m.watcher.pid),
    trapExit: p.trapping,
    initialCall: p.initialCall,
    dictionary: new Map(p.dictionary ?? []),
    code: p.code,
  };
}
