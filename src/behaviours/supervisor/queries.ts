/** What the supervisor tells about its children: `whichChildren`, `countChildren`, `getChildspec`. */
import { isAlive, type Pid } from '../../runtime';
import { behaviourOf, defaultModules } from '../core/record';
import type { ChildId, ChildSpec, NormalizedSpec } from './spec';
import type { SupervisorState } from './state';
import type { ChildCounts, ChildInfo } from './types';

const NO_MODULES: readonly unknown[] = Object.freeze([]);

export function modulesOf(spec: NormalizedSpec, pid: Pid | undefined): readonly unknown[] | 'dynamic' {
  if (spec.modules !== undefined) return spec.modules;
  // Default: the child's callback module, as recorded by the behaviour it runs.
  const running = pid === undefined ? undefined : behaviourOf(pid);
  if (running !== undefined) return running.modules;
  return typeof spec.start === 'function' ? NO_MODULES : defaultModules(spec.start.module);
}

/** OTP's order: static children last started first; dynamic children in no particular order. */
export function whichChildren(state: SupervisorState): ChildInfo[] {
  if (state.simple) {
    const spec = state.template!;
    return Array.from(state.dynamic.values(), (c) => ({
      id: undefined,
      pid: c.restarting ? 'restarting' : c.pid,
      type: spec.type,
      modules: modulesOf(spec, c.restarting ? undefined : c.pid),
    }));
  }
  const list: ChildInfo[] = [];
  for (let i = state.children.length - 1; i >= 0; i--) {
    const c = state.children[i]!;
    list.push({
      id: c.id,
      pid: c.restarting ? 'restarting' : c.pid,
      type: c.spec.type,
      modules: modulesOf(c.spec, c.pid),
    });
  }
  return list;
}

export function countChildren(state: SupervisorState): ChildCounts {
  if (state.simple) {
    const size = state.dynamic.size;
    const supervisor = state.template!.type === 'supervisor';
    return {
      specs: 1,
      active: size - state.dynamicRestarts,
      supervisors: supervisor ? size : 0,
      workers: supervisor ? 0 : size,
    };
  }
  let active = 0;
  let supervisors = 0;
  for (const c of state.children) {
    if (c.pid !== undefined && isAlive(c.pid)) active++;
    if (c.spec.type === 'supervisor') supervisors++;
  }
  return { specs: state.children.length, active, supervisors, workers: state.children.length - supervisors };
}

/** A child spec as `getChildspec` returns it: every key present. */
function publicSpec(spec: NormalizedSpec): Required<ChildSpec> {
  return {
    id: spec.id,
    start: spec.start,
    restart: spec.restart,
    shutdown: spec.shutdown,
    type: spec.type,
    modules:
      spec.modules ?? (typeof spec.start === 'function' ? NO_MODULES : defaultModules(spec.start.module)),
  };
}

export function getChildspec(
  state: SupervisorState,
  id: ChildId | Pid,
): { kind: 'ok'; spec: Required<ChildSpec> } | { kind: 'error'; reason: 'not_found' } {
  if (state.simple) {
    if (typeof id === 'object' && state.dynamic.has(id.id))
      return { kind: 'ok', spec: publicSpec(state.template!) };
    return { kind: 'error', reason: 'not_found' };
  }
  const child = typeof id === 'object' ? state.findByPid(id) : state.findById(id);
  return child === undefined
    ? { kind: 'error', reason: 'not_found' }
    : { kind: 'ok', spec: publicSpec(child.spec) };
}
