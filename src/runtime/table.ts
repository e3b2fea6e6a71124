/**
 * The process table and the name registry of this node.
 *
 * Dead processes are removed at once, so the table only holds live ones and a pid of a dead
 * process simply misses. Pid numbers are never reused within a node.
 */
import { Pid } from './pid';
import { AlreadyNamedError, NameTakenError, NoProcError } from './errors';
import type { Proc } from './process';

const table = new Map<number, Proc>();
const names = new Map<string, Proc>();
let nextPid = 1;

/** @internal */
export function allocatePid(): Pid {
  return new Pid(nextPid++);
}

/** @internal */
export function insert(proc: Proc): void {
  table.set(proc.pid.id, proc);
}

/** @internal */
export function remove(proc: Proc): void {
  table.delete(proc.pid.id);
  if (proc.registeredName !== undefined) {
    names.delete(proc.registeredName);
    proc.registeredName = undefined;
  }
}

/**
 * The live process behind a pid or registered name, for hotrel's own layers (code server,
 * behaviours, release handler). Application code uses the functions of the public API instead.
 */
export function lookupProcess(target: Pid | string): Proc | undefined {
  return typeof target === 'string' ? names.get(target) : table.get(target.id);
}

/** Every live process (Erlang's `processes()`), in spawn order. */
export function processes(): Pid[] {
  return Array.from(table.values(), (p) => p.pid);
}

/** @internal Every live process record, in spawn order. */
export function allProcesses(): IterableIterator<Proc> {
  return table.values();
}

/** The number of live processes. */
export function processCount(): number {
  return table.size;
}

/** Registers `name` for a live process. A name and a process are paired one to one. */
export function register(name: string, pid: Pid): void {
  if (typeof name !== 'string' || name === '') throw new TypeError('a registered name is a non-empty string');
  const proc = table.get(pid.id);
  if (proc === undefined) throw new NoProcError(pid);
  const owner = names.get(name);
  if (owner !== undefined) throw new NameTakenError(name, owner.pid);
  if (proc.registeredName !== undefined) throw new AlreadyNamedError(pid, proc.registeredName);
  names.set(name, proc);
  proc.registeredName = name;
}

/** Removes a name; `false` when it was not registered. */
export function unregister(name: string): boolean {
  const proc = names.get(name);
  if (proc === undefined) return false;
  names.delete(name);
  proc.registeredName = undefined;
  return true;
}

/** The pid registered as `name`, if any. */
export function whereis(name: string): Pid | undefined {
  return names.get(name)?.pid;
}

/** All registered names. */
export function registered(): string[] {
  return Array.from(names.keys());
}

export function isAlive(pid: Pid): boolean {
  return table.has(pid.id);
}
