/**
 * The release handler's operations (OTP's `release_handler`, otp/semantics.md §7): unpack,
 * checkInstall, install, makePermanent, rebootOldRelease, remove, whichReleases. One instance per
 * node, run by the `release_handler` process (server.ts), which serializes the calls as OTP's
 * gen_server does.
 *
 * Beyond OTP (DESIGN.md §8): a failure after the point of no return is rolled back in process
 * (old code, old states, old application env; processes resumed; no message lost), with OTP's
 * restart into the permanent release only when that is impossible; a failed attempt never blocks
 * a retry; the group of processes of an update is suspended, converted and resumed together;
 * every error says what to do.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as Application from '../../behaviours/application';
import { describeHolders, purge, softPurge } from '../../code';
import { layout, type JsonValue, type PurgeMethod, type Release } from '../../model';
import { writeJsonAtomic } from '../../model/files';
import { logger } from '../../runtime';
import { changeAppData, restoreAppData, type AppDataSnapshot } from './app-data';
import { describeError, ReleaseHandlerError } from './errors';
import { checkScript, evalScript, ScriptFailure } from './evaluator/evaluate';
import { makePlan, type UpgradePlan } from './plan';
import { ReleaseTable, type KnownRelease, type ReleaseInfo, type Status } from './releases';
import { findScript, hasRelup, type FoundScript } from './script';
import { checkInstallOptions, evalContextFor, readRelease, type InstallOptions } from './target';
import { unpack, type UnpackResult } from './unpack';

/** What `makePermanent` did. */
export interface PermanentResult {
  /** The release was permanent already: nothing was done. */
  alreadyPermanent: boolean;
  /** Modules whose old code (brutal_purge) was purged. */
  purged: string[];
  /** The processes that purge killed, one line each (`<0.7.0> (kv) holds a function of app:kv vsn 1.0.0 at state.f`). */
  killed: string[];
}

export interface ReleaseHandlerOptions {
  root: string;
  /** The release the node booted. */
  release: Release;
  /**
   * Restarts the node (heart boots it again from start.json, or once from new_start.json): for
   * reboots, node restarts asked for by a relup, and the fallback when a failed install cannot
   * be rolled back in process. Called after the caller got its answer.
   */
  restartNode: (reason: string) => void;
  /** How often modules with old code still in use are soft-purged again (ms, default 10000; OTP's). */
  purgeIntervalMs?: number;
}

export interface CheckResult {
  otherVsn: string;
  /** `up` when the script comes from the target's relup, `down` from the running release's. */
  direction: 'up' | 'down' | undefined;
  description: JsonValue;
  warnings: string[];
  /** Modules whose unused old code was purged (`purge: true`). */
  purged: string[];
  plan: UpgradePlan | undefined;
}

export interface InstallResult {
  otherVsn: string;
  description: JsonValue;
  /** Modules whose old code may still be in use, and how it will be purged. */
  unpurged: Array<{ module: string; postPurge: PurgeMethod }>;
  /** A node restart that follows (the release is then `current` once the node is back). */
  restart: 'restart_emulator' | 'restart_new_emulator' | undefined;
  /** How long the suspended processes were suspended (first suspend to last resume), ms. */
  suspendedMs: number | undefined;
  suspendedProcesses: number;
  /** The whole install, ms. */
  installMs: number;
}

/** Delay between answering and restarting, so that the answer reaches the client first. */
const RESTART_DELAY_MS = 100;

export class ReleaseHandler {
  readonly root: string;
  readonly table: ReleaseTable;
  /** Modules whose old code may still be in use (OTP's `unpurged`). */
  private readonly unpurged = new Map<string, PurgeMethod>();
  private purgeTimer: NodeJS.Timeout | undefined;
  private purgeDelay: number;
  private readonly log = logger().child({ component: 'release_handler' });

  constructor(private readonly options: ReleaseHandlerOptions) {
    this.root = path.resolve(options.root);
    this.table = ReleaseTable.open(this.root, options.release);
    this.purgeDelay = options.purgeIntervalMs ?? 10_000;
    // The booted release's start file for this boot only is consumed by boot; make sure.
    fs.rmSync(layout.newStartFile(this.root), { force: true });
  }

  whichReleases(status?: Status): ReleaseInfo[] {
    return this.table.info(status);
  }

  /** Unpacks `releases/<rel>-<vsn>.tar.gz` (or the `.tar.gz` file given). */
  unpack(what: string, progress?: (line: string) => void): Promise<UnpackResult> {
    return unpack(this.root, this.table, what, progress);
  }

  /**
   * Everything an install does before its point of no return, without changing anything: the
   * release's files, the script, the old-process check, reading (and discarding) the new code,
   * the applies before the point of no return, the syntax check. With `purge`, old code nobody
   * uses of the modules the script loads is purged (OTP's pre-purge option). With `plan`, the
   * plan of the install.
   */
  async checkInstall(vsn: string, options: { purge?: boolean; plan?: boolean } = {}): Promise<CheckResult> {
    const target = this.table.get(vsn);
    if (target.status === 'current') throw alreadyInstalled(vsn, target.status);
    const latest = this.table.latest();
    const ctx = evalContextFor(this.root, target, latest, {}, () => {});
    const warnings: string[] = [];
    let found: FoundScript;
    try {
      found = findScript(this.root, latest.vsn, vsn);
    } catch (err) {
      if (
        err instanceof ReleaseHandlerError &&
        err.code === 'no_matching_relup' &&
        !hasRelup(this.root, vsn)
      ) {
        // OTP: without a relup, check_install only warns (install would then fail).
        warnings.push(`release ${vsn} has no relup.json: installing it over ${latest.vsn} would fail`);
        return {
          otherVsn: vsn,
          direction: undefined,
          description: '',
          warnings,
          purged: [],
          plan: undefined,
        };
      }
      throw err;
    }
    if (!fs.existsSync(layout.configFile(this.root, vsn))) warnings.push(`release ${vsn} has no config.json`);
    const versions = await checkScript(found.instructions, ctx);
    const purged: string[] = [];
    if (options.purge === true) {
      for (const i of found.instructions) {
        if ((i.op === 'load' || i.op === 'remove') && (await softPurge(i.module)).purged)
          purged.push(i.module);
      }
    }
    const plan =
      options.plan === true
        ? await makePlan(
            {
              from: latest.vsn,
              to: vsn,
              direction: found.direction,
              description: found.description,
              instructions: found.instructions,
            },
            versions,
          )
        : undefined;
    return {
      otherVsn: found.otherVsn,
      direction: found.direction,
      description: found.description,
      warnings,
      purged,
      plan,
    };
  }

  /** Installs release `vsn` into the running node (OTP's `install_release`). */
  async install(
    vsn: string,
    rawOptions: InstallOptions = {},
    progress: (line: string) => void = () => {},
  ): Promise<InstallResult> {
    const started = performance.now();
    const options = checkInstallOptions(rawOptions);
    const target = this.table.get(vsn);
    const latest = this.table.latest();
    if (target.status === 'current' || target === latest) throw alreadyInstalled(vsn, target.status);
    const found = findScript(this.root, latest.vsn, vsn);
    if (found.instructions[0]?.op === 'restart_new_emulator') {
      this.prepareRestart(target, 'restart_new_emulator');
      return {
        otherVsn: found.otherVsn,
        description: found.description,
        unpurged: [],
        restart: 'restart_new_emulator',
        suspendedMs: undefined,
        suspendedProcesses: 0,
        installMs: performance.now() - started,
      };
    }
    const ctx = evalContextFor(this.root, target, latest, options, progress);
    progress(
      `${found.direction === 'up' ? 'upgrading' : 'downgrading'} ${latest.vsn} -> ${vsn} (${found.instructions.length} instructions)`,
    );
    const envBefore = Application.prepConfigChange();
    let appData: AppDataSnapshot | undefined;
    let result;
    try {
      result = await evalScript(found.instructions, ctx, {
        beforePointOfNoReturn: () => {
          appData = changeAppData(ctx.apps, ctx.config);
        },
      });
    } catch (err) {
      if (!(err instanceof ScriptFailure)) throw err;
      return this.failed(err, appData, latest, vsn);
    }
    if (result.outcome === 'restart_emulator') {
      this.prepareRestart(target, 'restart_emulator');
    } else {
      for (const failure of await Application.configChange(envBefore)) {
        this.log.error(
          { application: failure.application, error: failure.error },
          `configChange of ${failure.application} failed (ignored, as in OTP): ${describeError(failure.error)}`,
        );
      }
      this.table.setStatus(vsn, 'current');
    }
    for (const u of result.unpurged) this.unpurged.set(u.module, u.postPurge);
    this.purgeDelay = this.options.purgeIntervalMs ?? 10_000;
    this.armPurgeTimer();
    const installMs = performance.now() - started;
    this.log.info(
      { from: latest.vsn, to: vsn, installMs, suspendedMs: result.suspendedMs },
      `installed ${vsn}`,
    );
    return {
      otherVsn: found.otherVsn,
      description: found.description,
      unpurged: [...this.unpurged].map(([module, postPurge]) => ({ module, postPurge })),
      restart: result.outcome === 'restart_emulator' ? 'restart_emulator' : undefined,
      suspendedMs: result.suspendedMs,
      suspendedProcesses: result.suspendedProcesses,
      installMs,
    };
  }

  private failed(
    failure: ScriptFailure,
    appData: AppDataSnapshot | undefined,
    latest: KnownRelease,
    vsn: string,
  ): never {
    const cause = failure.error;
    if (failure.phase === 'before') {
      if (appData !== undefined) restoreAppData(appData);
      throw cause;
    }
    if (failure.rollback?.ok === true) {
      if (appData !== undefined) restoreAppData(appData);
      throw new ReleaseHandlerError(
        'rolled_back',
        `install of ${vsn} failed and was rolled back: the node runs ${latest.vsn} as before, nothing was lost. ` +
          `Cause (${cause.code}): ${cause.message}`,
        { cause: cause.code, ...cause.details, undone: failure.rollback.steps.length },
        { cause },
      );
    }
    const permanent = this.table.permanent()?.vsn ?? '(none)';
    const why = failure.rollback?.ok === false ? failure.rollback.why : 'no rollback';
    this.log.error(
      { cause, why },
      `install of ${vsn} failed and cannot be rolled back in process: restarting into ${permanent}`,
    );
    this.restartSoon(`install of ${vsn} failed and could not be rolled back`);
    throw new ReleaseHandlerError(
      'restarting',
      `install of ${vsn} failed (${cause.code}: ${cause.message}) and could not be rolled back in process (${why}); ` +
        `the node restarts into the permanent release ${permanent}`,
      { cause: cause.code, ...cause.details },
      { cause },
    );
  }

  /**
   * Before a node restart that boots `target` once (OTP: tmp_current in RELEASES and
   * new_start_erl.data): a crash after it boots the permanent release again.
   */
  private prepareRestart(target: KnownRelease, why: 'restart_emulator' | 'restart_new_emulator'): void {
    this.table.setStatus(target.vsn, 'tmp_current');
    this.table.persist();
    writeJsonAtomic(layout.newStartFile(this.root), { node: target.node, vsn: target.vsn });
    this.restartSoon(`${why}: booting ${target.vsn}`);
  }

  private restartSoon(reason: string): void {
    setTimeout(() => this.options.restartNode(reason), RESTART_DELAY_MS);
  }

  /**
   * Makes the installed release permanent (OTP's `make_permanent`): RELEASES.json, then
   * start.json — the commit point (a crash between the two is completed at the next start) —
   * then the old code of `brutal_purge` modules is purged, killing processes still in it (named
   * in the answer, so that the operator who made it permanent hears of them).
   */
  async makePermanent(vsn: string): Promise<PermanentResult> {
    const r = this.table.get(vsn);
    if (r.status === 'permanent') return { alreadyPermanent: true, purged: [], killed: [] };
    if (r.status !== 'current' && r.status !== 'tmp_current') {
      throw new ReleaseHandlerError(
        'bad_status',
        `release ${vsn} is ${r.status}: only the installed (current) release can be made permanent; install it first`,
        { vsn, status: r.status },
      );
    }
    readRelease(this.root, vsn);
    this.commitPermanent(r);
    const brutal = [...this.unpurged].filter(([, m]) => m === 'brutal_purge').map(([id]) => id);
    let killed: string[] = [];
    if (brutal.length > 0) {
      // No verifying GC: what still references the purged code is reported by the soft-purge
      // timer and lingeringVersions(); a full GC here would pause every process of a large node.
      const result = await purge(brutal, { verify: false });
      for (const id of brutal) this.unpurged.delete(id);
      if (result.killed) {
        this.log.warn(
          { victims: result.victims.map((v) => String(v.pid)) },
          `makePermanent: purging old code killed ${result.victims.length} process(es) still using it`,
        );
        killed = describeHolders(result.victims).split('\n');
      }
    }
    return { alreadyPermanent: false, purged: brutal, killed };
  }

  private commitPermanent(r: KnownRelease): void {
    const before = this.table.all().map((x) => [x, x.status] as const);
    try {
      this.table.setPermanent(r.vsn);
      this.table.persist();
      writeJsonAtomic(layout.startFile(this.root), { node: r.node, vsn: r.vsn });
    } catch (err) {
      for (const [x, status] of before) x.status = status;
      throw err;
    }
  }

  /** Makes an old release permanent and restarts the node into it (OTP's `reboot_old_release`). */
  rebootOldRelease(vsn: string): { restarting: true } {
    const r = this.table.get(vsn);
    if (r.status !== 'old') {
      throw new ReleaseHandlerError(
        'bad_status',
        `release ${vsn} is ${r.status}: only an old release can be rebooted into`,
        { vsn, status: r.status },
      );
    }
    readRelease(this.root, vsn);
    this.commitPermanent(r);
    this.restartSoon(`reboot into old release ${vsn}`);
    return { restarting: true };
  }

  /**
   * Removes a release (OTP's `remove_release`): its entry, its `releases/<vsn>/`, and every lib
   * and package directory no remaining release uses. The permanent release cannot be removed,
   * nor (unlike OTP, which deletes the files of the running code) the current one.
   */
  remove(vsn: string): { removed: string[] } {
    const r = this.table.get(vsn);
    if (r.status === 'permanent') {
      throw new ReleaseHandlerError(
        'permanent',
        `release ${vsn} is the permanent release and cannot be removed; make another release permanent first`,
        { vsn },
      );
    }
    if (r.status === 'current') {
      throw new ReleaseHandlerError(
        'running',
        `release ${vsn} is installed in the running node (current); install another release (or make this one permanent) first`,
        { vsn },
      );
    }
    const depsOf = (x: KnownRelease): string | undefined => {
      try {
        return readRelease(this.root, x.vsn).depsDir;
      } catch {
        return undefined;
      }
    };
    const deps = depsOf(r);
    this.table.remove(vsn);
    try {
      this.table.persist();
    } catch (err) {
      this.table.add(r);
      throw err;
    }
    const remaining = this.table.all();
    const used = new Set(remaining.flatMap((x) => x.libs.map((l) => path.resolve(this.root, l.dir))));
    const removed: string[] = [];
    const rm = (dir: string): void => {
      if (!fs.existsSync(dir) && !fs.lstatSync(dir, { throwIfNoEntry: false })) return;
      fs.rmSync(dir, { recursive: true, force: true });
      removed.push(path.relative(this.root, dir));
    };
    for (const lib of r.libs) {
      const dir = path.resolve(this.root, lib.dir);
      if (!used.has(dir)) rm(dir);
    }
    if (deps !== undefined && !remaining.some((x) => depsOf(x) === deps))
      rm(path.join(this.root, 'lib', deps));
    rm(layout.releaseDir(this.root, vsn));
    return { removed };
  }

  /**
   * Soft-purges the modules whose old code was still in use (OTP's 10 s timer). Each attempt
   * surveys every process and runs a full GC, which pauses a large node: while attempts purge
   * nothing, they come less and less often (doubling, up to 5 minutes).
   */
  async purgeUnpurged(): Promise<void> {
    let purged = 0;
    for (const id of [...this.unpurged.keys()]) {
      const result = await softPurge(id).catch(() => ({ purged: false }));
      if (result.purged) {
        this.unpurged.delete(id);
        purged++;
      }
    }
    const base = this.options.purgeIntervalMs ?? 10_000;
    this.purgeDelay = purged > 0 ? base : Math.min(this.purgeDelay * 2, Math.max(base, 300_000));
    this.armPurgeTimer();
  }

  /** What still waits for a purge. */
  pendingPurges(): Array<{ module: string; postPurge: PurgeMethod }> {
    return [...this.unpurged].map(([module, postPurge]) => ({ module, postPurge }));
  }

  /** The timer's tick goes through `onPurgeTick` (the server sends itself a message). */
  onPurgeTick: (() => void) | undefined;

  private armPurgeTimer(): void {
    if (this.purgeTimer !== undefined) clearTimeout(this.purgeTimer);
    this.purgeTimer = undefined;
    if (this.unpurged.size === 0) return;
    this.purgeTimer = setTimeout(() => {
      this.purgeTimer = undefined;
      if (this.onPurgeTick !== undefined) this.onPurgeTick();
      else void this.purgeUnpurged();
    }, this.purgeDelay);
    this.purgeTimer.unref();
  }

  stop(): void {
    if (this.purgeTimer !== undefined) clearTimeout(this.purgeTimer);
    this.purgeTimer = undefined;
  }
}

function alreadyInstalled(vsn: string, status: Status): ReleaseHandlerError {
  return new ReleaseHandlerError(
    'already_installed',
    `release ${vsn} is already installed in the running node (${status}); there is nothing to install`,
    { vsn, status },
  );
}
