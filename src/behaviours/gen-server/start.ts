/** Starting a GenServer process (and, through it, a supervisor). */
import type { Proc } from '../../runtime';
import { describeModule } from '../core/module-name';
import type { BehaviourKind } from '../core/record';
import { checkName, startBehaviour } from '../core/start';
import type { StartOptions, StartResult } from '../core/types';
import { GenServerProcess } from './server';
import type { AnyGenServerModule } from './types';

/** Everything a GenServer-based process needs to start. */
export interface StartSpec {
  readonly parent: Proc | null;
  readonly behaviour: BehaviourKind;
  /** The module whose callbacks the process calls. */
  readonly callbacks: AnyGenServerModule;
  /** The module it reports (`sys.getStatus`, `proc.behaviour`); the callbacks' unless a wrapper. */
  readonly module: object;
  readonly args: unknown;
  readonly options: StartOptions | undefined;
  /** The function name shown by `processInfo().initialCall`. */
  readonly initialCall: string;
}

/** Checks that `module` can be a callback module (has `init`); throws a clear error otherwise. */
export function checkCallbackModule(module: unknown, what: string): asserts module is AnyGenServerModule {
  if (
    module === null ||
    typeof module !== 'object' ||
    typeof (module as { init?: unknown }).init !== 'function'
  )
    throw new TypeError(
      `${what}: the callback module must be an object exporting an init function, got ${describeModule(module)}`,
    );
}

/** Spawns the process (linked to `parent` when given) and resolves with the outcome of `init`. */
export function startGenServerProcess(spec: StartSpec): Promise<StartResult> {
  checkName(spec.options, spec.initialCall);
  const record = new GenServerProcess(
    spec.behaviour,
    spec.callbacks,
    spec.module,
    spec.options?.name,
    spec.parent?.pid,
  );
  return startBehaviour(spec.parent, record, spec.args, spec.options, spec.initialCall);
}
