/**
 * The `release_handler` process and its client API. As OTP's release handler is a gen_server,
 * every operation is a call to one registered process, so operations never overlap (an unpack
 * waits for an install in progress), and the soft-purge timer's ticks are messages it handles
 * between them. Calls wait as long as the operation takes.
 */
import { GenServer, noreply, ok, reply, type From } from '../../behaviours';
import { send, type Pid } from '../../runtime';
import { ReleaseHandlerError } from './errors';
import {
  ReleaseHandler,
  type CheckResult,
  type InstallResult,
  type PermanentResult,
  type ReleaseHandlerOptions,
} from './handler';
import type { ReleaseInfo, Status } from './releases';
import type { InstallOptions } from './target';
import type { UnpackResult } from './unpack';

/** The registered name, as OTP's. */
export const RELEASE_HANDLER = 'release_handler';

type Progress = ((line: string) => void) | undefined;

type Request =
  | { op: 'whichReleases'; status: Status | undefined }
  | { op: 'unpack'; what: string; progress: Progress }
  | { op: 'checkInstall'; vsn: string; options: { purge?: boolean; plan?: boolean } }
  | { op: 'install'; vsn: string; options: InstallOptions; progress: Progress }
  | { op: 'makePermanent'; vsn: string }
  | { op: 'rebootOldRelease'; vsn: string }
  | { op: 'remove'; vsn: string }
  | { op: 'pendingPurges' };

type Outcome = { kind: 'ok'; value: unknown } | { kind: 'error'; error: unknown };

const PURGE_TICK = Symbol('release_handler purge tick');

async function run(handler: ReleaseHandler, req: Request): Promise<unknown> {
  switch (req.op) {
    case 'whichReleases':
      return handler.whichReleases(req.status);
    case 'unpack':
      return handler.unpack(req.what, req.progress);
    case 'checkInstall':
      return handler.checkInstall(req.vsn, req.options);
    case 'install':
      return handler.install(req.vsn, req.options, req.progress);
    case 'makePermanent':
      return handler.makePermanent(req.vsn);
    case 'rebootOldRelease':
      return handler.rebootOldRelease(req.vsn);
    case 'remove':
      return handler.remove(req.vsn);
    case 'pendingPurges':
      return handler.pendingPurges();
  }
}

const ReleaseHandlerServer = {
  init(handler: ReleaseHandler) {
    return ok(handler);
  },
  async handleCall(req: Request, _from: From<Outcome>, handler: ReleaseHandler) {
    try {
      return reply<Outcome, ReleaseHandler>({ kind: 'ok', value: await run(handler, req) }, handler);
    } catch (error) {
      return reply<Outcome, ReleaseHandler>({ kind: 'error', error }, handler);
    }
  },
  async handleInfo(msg: unknown, handler: ReleaseHandler) {
    if (msg === PURGE_TICK) await handler.purgeUnpurged();
    return noreply(handler);
  },
  terminate(_reason: unknown, handler: ReleaseHandler) {
    handler.stop();
  },
};

/** Starts the node's release handler (boot does, once the applications are up). */
export async function startReleaseHandler(options: ReleaseHandlerOptions): Promise<Pid> {
  const handler = new ReleaseHandler(options);
  const started = await GenServer.start(ReleaseHandlerServer, handler, { name: RELEASE_HANDLER });
  const pid = GenServer.pidOf(started);
  handler.onPurgeTick = () => send(pid, PURGE_TICK);
  return pid;
}

/** Stops it (the node is stopping). */
export async function stopReleaseHandler(): Promise<void> {
  await GenServer.stop(RELEASE_HANDLER).catch(() => undefined);
}

async function call<T>(req: Request): Promise<T> {
  let outcome: Outcome;
  try {
    outcome = (await GenServer.call(RELEASE_HANDLER, req, Infinity)) as Outcome;
  } catch (err) {
    throw new ReleaseHandlerError(
      'busy',
      `the release handler is not running (${err instanceof Error ? err.message : String(err)}); is this a release node?`,
    );
  }
  if (outcome.kind === 'error') throw outcome.error;
  return outcome.value as T;
}

/** Every release the node knows, newest first (OTP's `which_releases/0,1`). */
export function whichReleases(status?: Status): Promise<ReleaseInfo[]> {
  return call({ op: 'whichReleases', status });
}

/** Unpacks `releases/<rel>-<vsn>.tar.gz`, or the given `.tar.gz` (OTP's `unpack_release`). */
export function unpackRelease(what: string, progress?: (line: string) => void): Promise<UnpackResult> {
  return call({ op: 'unpack', what, progress });
}

/** Checks that `vsn` can be installed, changing nothing (OTP's `check_install_release`). */
export function checkInstallRelease(
  vsn: string,
  options: { purge?: boolean; plan?: boolean } = {},
): Promise<CheckResult> {
  return call({ op: 'checkInstall', vsn, options });
}

/** Installs `vsn` in the running node (OTP's `install_release`). */
export function installRelease(
  vsn: string,
  options: InstallOptions = {},
  progress?: (line: string) => void,
): Promise<InstallResult> {
  return call({ op: 'install', vsn, options, progress });
}

/** Makes the installed release permanent (OTP's `make_permanent`). */
export function makePermanent(vsn: string): Promise<PermanentResult> {
  return call({ op: 'makePermanent', vsn });
}

/** Makes an old release permanent and restarts into it (OTP's `reboot_old_release`). */
export function rebootOldRelease(vsn: string): Promise<{ restarting: true }> {
  return call({ op: 'rebootOldRelease', vsn });
}

/** Removes a release that is neither permanent nor current (OTP's `remove_release`). */
export function removeRelease(vsn: string): Promise<{ removed: string[] }> {
  return call({ op: 'remove', vsn });
}

/** Modules whose old code waits for a purge. */
export function pendingPurges(): Promise<Array<{ module: string; postPurge: string }>> {
  return call({ op: 'pendingPurges' });
}
