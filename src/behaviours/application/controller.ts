/**
 * The application controller (OTP's `application` / `application_controller`): load, start and
 * stop applications in dependency order, and apply a start type's consequences when an
 * application exits on its own:
 *
 * - `permanent`: all other applications are stopped and the node must stop;
 * - `transient`: the same if it exited abnormally; a `normal` exit is only reported;
 * - `temporary`: only reported.
 *
 * "The node must stop" is an event (`onNodeStop`) rather than a halt, so tests and the node's
 * boot code decide what to do. Operations are serialized, as the controller is one process in OTP.
 */
import { formatReason, logger, lookupProcess, watch, type ExitReason, type Pid } from '../../runtime';
import * as GenServer from '../gen-server/api';
import { GenServerProcess } from '../gen-server/server';
import { ApplicationMaster, type MasterState } from './master';
import { emitApplicationExit, emitNodeStop } from './events';
import { loaded, loadedOrThrow, running, type RunningApplication } from './registry';
import { checkSpec, type ApplicationSpec, type StartType } from './spec';

/** The result of an application operation: OTP's `ok | {error, Reason}`. */
export type ApplicationResult =
  { readonly kind: 'ok' } | { readonly kind: 'error'; readonly reason: unknown };

const OK: ApplicationResult = Object.freeze({ kind: 'ok' });
const START_TYPES: readonly StartType[] = ['permanent', 'transient', 'temporary'];

let queue: Promise<unknown> = Promise.resolve();

/** Runs `op` after every operation already queued (one at a time, as OTP's controller process). */
function serialized<T>(op: () => Promise<T>): Promise<T> {
  const next = queue.then(op, op);
  queue = next.catch(() => undefined);
  return next;
}

/**
 * Loads an application: its metadata and env (`spec.env`, overridden by `config`). Throws an
 * `ApplicationSpecError` for invalid metadata; `{alreadyLoaded}` if it is loaded.
 */
export function load(
  spec: ApplicationSpec,
  config: Readonly<Record<string, unknown>> = {},
): ApplicationResult {
  const checked = checkSpec(spec);
  if (loaded.has(checked.name)) return { kind: 'error', reason: { alreadyLoaded: checked.name } };
  loaded.set(checked.name, { spec: checked, env: new Map(Object.entries({ ...checked.env, ...config })) });
  return OK;
}

/** Unloads a stopped application (its spec and env are forgotten). */
export function unload(name: string): ApplicationResult {
  if (!loaded.has(name)) return { kind: 'error', reason: { notLoaded: name } };
  if (running.has(name)) return { kind: 'error', reason: { running: name } };
  loaded.delete(name);
  return OK;
}

/**
 * Replaces the spec and env of loaded applications (OTP's `change_application_data`, done by
 * the release handler before an upgrade's script runs): env = new `spec.env` ⊕ `config[name]`.
 * Values set with `setEnv` are lost, as in OTP. Applications not loaded are skipped.
 */
export function changeApplicationData(
  specs: readonly ApplicationSpec[],
  config: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {},
): void {
  const checked = specs.map(checkSpec);
  for (const spec of checked) {
    const app = loaded.get(spec.name);
    if (app === undefined) continue;
    app.spec = spec;
    app.env.clear();
    for (const [k, v] of Object.entries({ ...spec.env, ...config[spec.name] })) app.env.set(k, v);
  }
}

/**
 * Starts a loaded application whose required applications are running (else
 * `{notStarted: dep}`). With a callback module, its master starts the tree and the call
 * resolves once the top supervisor is up.
 */
export function start(name: string, type: StartType = 'temporary'): Promise<ApplicationResult> {
  if (!START_TYPES.includes(type))
    throw new TypeError(
      `Application.start: type must be permanent, transient or temporary, got ${String(type)}`,
    );
  return serialized(() => startOne(name, type));
}

async function startOne(name: string, type: StartType): Promise<ApplicationResult> {
  const app = loaded.get(name);
  if (app === undefined) return { kind: 'error', reason: { notLoaded: name } };
  if (running.has(name)) return { kind: 'error', reason: { alreadyStarted: name } };
  for (const dep of app.spec.applications)
    if (!running.has(dep) && !skippable(app.spec, dep)) return { kind: 'error', reason: { notStarted: dep } };
  const mod = app.spec.mod;
  if (mod === undefined) {
    running.set(name, { name, type, master: undefined, top: undefined, stopping: false, unwatch: undefined });
    logger().info({ application: name, type }, `application ${name} started (library)`);
    return OK;
  }
  const result = await GenServer.start(
    ApplicationMaster,
    { application: name, module: mod.module, args: mod.args },
    {},
  );
  if (result.kind !== 'ok') {
    const reason = result.kind === 'ignore' ? 'ignore' : result.reason;
    logger().error(
      { application: name, reason },
      `application ${name} failed to start: ${formatReason(reason)}`,
    );
    return { kind: 'error', reason: { startFailed: name, reason } };
  }
  const master = result.pid;
  // Read synchronously from the master's record: no window in which its exit could be missed.
  const record = lookupProcess(master)?.behaviour;
  const top = record instanceof GenServerProcess ? (record.state as MasterState).top : undefined;
  const entry: RunningApplication = { name, type, master, top, stopping: false, unwatch: undefined };
  running.set(name, entry);
  entry.unwatch = watch(master, (reason) => void exited(entry, reason));
  logger().info({ application: name, type }, `application ${name} started`);
  return OK;
}

/**
 * Starts an application and, first, every application it needs (depth first, in dependency
 * order), all loaded beforehand. If one fails, those started by this call are stopped again.
 * Resolves to the names it started.
 */
export function ensureAllStarted(
  name: string,
  type: StartType = 'temporary',
): Promise<
  { readonly kind: 'ok'; readonly started: string[] } | { readonly kind: 'error'; readonly reason: unknown }
> {
  return serialized(async () => {
    let order: string[];
    try {
      order = startOrder(name);
    } catch (err) {
      return { kind: 'error', reason: err };
    }
    const started: string[] = [];
    for (const app of order) {
      if (running.has(app)) continue;
      const result = await startOne(app, type);
      if (result.kind === 'error') {
        for (const done of started.reverse()) await stopOne(done);
        return result;
      }
      started.push(app);
    }
    return { kind: 'ok', started };
  });
}

/** An optional application that is not loaded is not waited for (OTP's `optional_applications`). */
function skippable(spec: ApplicationSpec, dep: string): boolean {
  return (spec.optionalApplications ?? []).includes(dep) && !loaded.has(dep);
}

/** `name` and what it needs, dependencies first; throws for a missing or circular dependency. */
export function startOrder(name: string): string[] {
  const order: string[] = [];
  const visiting: string[] = [];
  const visit = (app: string): void => {
    if (order.includes(app)) return;
    if (visiting.includes(app))
      throw new Error(
        `circular application dependency: ${[...visiting.slice(visiting.indexOf(app)), app].join(' -> ')}`,
      );
    const spec = loaded.get(app)?.spec;
    if (spec === undefined)
      throw new Error(
        `application ${app} is needed${visiting.length ? ` by ${visiting.at(-1)}` : ''} but not loaded`,
      );
    visiting.push(app);
    for (const dep of spec.applications) if (!skippable(spec, dep)) visit(dep);
    visiting.pop();
    order.push(app);
  };
  visit(name);
  return order;
}

/** Stops a running application: `prepStop`, its tree (top supervisor down), `stop`. */
export function stop(name: string): Promise<ApplicationResult> {
  return serialized(() => stopOne(name));
}

async function stopOne(name: string): Promise<ApplicationResult> {
  const entry = running.get(name);
  if (entry === undefined) return { kind: 'error', reason: { notStarted: name } };
  entry.stopping = true;
  entry.unwatch?.();
  if (entry.master !== undefined) {
    await GenServer.call(entry.master, 'stop', Infinity).catch((err: unknown) => {
      logger().error({ application: name, err }, `application ${name}: its master failed while stopping`);
    });
  }
  running.delete(name);
  logger().info({ application: name }, `application ${name} exited: stopped`);
  return OK;
}

/** Stops every running application, last started first (the node's orderly shutdown). */
export function stopAll(): Promise<void> {
  return serialized(async () => {
    for (const name of [...running.keys()].reverse()) await stopOne(name);
  });
}

/** An application's master exited without being asked to: apply its start type. */
function exited(entry: RunningApplication, reason: ExitReason): Promise<void> {
  return serialized(async () => {
    if (entry.stopping || running.get(entry.name) !== entry) return;
    running.delete(entry.name);
    logger().info(
      { application: entry.name, type: entry.type, reason },
      `application ${entry.name} exited with reason ${formatReason(reason)} (type ${entry.type})`,
    );
    const fatal = entry.type === 'permanent' || (entry.type === 'transient' && reason !== 'normal');
    if (fatal) for (const name of [...running.keys()].reverse()) await stopOne(name);
    emitApplicationExit({ application: entry.name, type: entry.type, reason, nodeStopped: fatal });
    if (fatal) emitNodeStop({ application: entry.name, type: entry.type, reason });
  });
}

/** Running applications, last started first (as OTP's `which_applications`). */
export function whichApplications(): Array<{
  readonly name: string;
  readonly description: string;
  readonly vsn: string;
}> {
  return [...running.keys()].reverse().map((name) => {
    const spec = loadedOrThrow(name).spec;
    return { name, description: spec.description, vsn: spec.vsn };
  });
}

/** Loaded applications (running or not). */
export function loadedApplications(): Array<{
  readonly name: string;
  readonly description: string;
  readonly vsn: string;
}> {
  return [...loaded.values()].map(({ spec }) => ({
    name: spec.name,
    description: spec.description,
    vsn: spec.vsn,
  }));
}

/** A loaded application's metadata. */
export function getSpec(name: string): ApplicationSpec | undefined {
  return loaded.get(name)?.spec;
}

/** The top supervisor of a running application (the release handler walks its tree). */
export function topSupervisor(name: string): Pid | undefined {
  return running.get(name)?.top;
}

/** The start type of a running application. */
export function startTypeOf(name: string): StartType | undefined {
  return running.get(name)?.type;
}
