/**
 * Boots a node from a release root (OTP's boot script, DESIGN.md §6):
 *
 * 1. reads `releases/new_start.json` (a one-time boot after an emulator restart, deleted once
 *    read) or `releases/start.json`, and refuses another Node.js version than the release's;
 * 2. registers each application's `lib/<app>-<vsn>/` with the code server, resolving
 *    third-party packages from the release's `lib/deps-<hash>/`, and loads every module;
 * 3. loads the applications with their env (`<app>.app.json` overridden by the release's
 *    `config.json`) and starts them in start order with their start types;
 * 4. starts the handler's services (the release handler) and the control socket;
 * 5. beats for heart, and stops in order on SIGTERM/SIGINT, on `bin/<rel> stop`, or with exit
 *    code 1 when a permanent application exits (heart then restarts the node).
 */
import fs from 'node:fs';
import path from 'node:path';
import * as Application from '../../behaviours/application';
import { specFromApp, type ApplicationModule } from '../../behaviours/application';
import { addApplication, getModule, installStackTraces, isLoaded, load } from '../../code';
import { layout, type App, type Release, type ReleaseConfig } from '../../model';
import { readModelFile } from '../../model/files';
import { logger } from '../../runtime';
import { ControlServer, type CommandHandler } from '../control/server';
import { announceReady, startHeartbeat } from '../heart';
import { baseCommands } from './commands';
import { BootError } from './errors';
import { bootServices, type RunningService } from './extensions';
import './services';

export interface BootOptions {
  root: string;
  /** Boot this start file instead of new_start.json / start.json. */
  startFile?: string;
  /** Install SIGTERM/SIGINT handlers and exit the process when stopped (default true). */
  ownProcess?: boolean;
}

export interface RunningNode {
  root: string;
  release: Release;
  control: ControlServer;
  /** Stops the node in order; resolves when it has stopped. */
  stop(code?: number): Promise<void>;
  /** Resolves with the exit code once the node has stopped. */
  stopped: Promise<number>;
}

export async function boot(options: BootOptions): Promise<RunningNode> {
  const root = path.resolve(options.root);
  const ownProcess = options.ownProcess ?? true;
  const log = logger().child({ component: 'boot' });
  const newStart = layout.newStartFile(root);
  const startFile = options.startFile ?? (fs.existsSync(newStart) ? newStart : layout.startFile(root));
  const start = readModelFile('start', startFile);
  // A one-time boot file is consumed: any later restart boots the permanent release (OTP's rule).
  if (startFile === newStart) fs.rmSync(newStart, { force: true });

  if (start.node !== process.versions.node && process.env.HOTREL_ALLOW_NODE_MISMATCH !== '1') {
    throw new BootError(
      `release ${start.vsn} runs on Node.js ${start.node}, but this is Node.js ${process.versions.node}: ` +
        `install ${start.node} (or bundle it with hotrel release --include-node), or set HOTREL_ALLOW_NODE_MISMATCH=1`,
    );
  }
  const release = readModelFile('release', layout.releaseFile(root, start.vsn));
  const configFile = layout.configFile(root, start.vsn);
  const config: ReleaseConfig = fs.existsSync(configFile) ? readModelFile('config', configFile) : {};
  if (release.depsDir === undefined) {
    throw new BootError(`release ${release.vsn} names no depsDir: rebuild it with a current hotrel release`);
  }
  const packagesFrom = path.join(root, 'lib', release.depsDir);

  installStackTraces();
  const apps: App[] = [];
  for (const a of release.apps) {
    const dir = libDirOf(root, release, a.name, a.vsn);
    const app = readModelFile('app', path.join(dir, `${a.name}.app.json`));
    addApplication({ name: a.name, dir, form: 'js', main: app.main ?? 'index', packagesFrom });
    apps.push(app);
  }
  for (const app of apps) {
    for (const id of app.modules) {
      if (isLoaded(id) !== false) continue;
      try {
        await load(id);
      } catch (err) {
        throw new BootError(`cannot load module ${id} of ${app.name} ${app.vsn}: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
  }

  for (const app of apps) {
    const loaded = Application.load(
      specFromApp(app, (id) => getModule(id) as unknown as ApplicationModule),
      config[app.name] ?? {},
    );
    if (loaded.kind === 'error')
      throw new BootError(`cannot load application ${app.name}: ${JSON.stringify(loaded.reason)}`);
  }
  for (const a of release.apps) {
    if (a.type === 'none' || a.type === 'load') continue;
    const started = await Application.start(a.name, a.type);
    if (started.kind === 'error') {
      await Application.stopAll();
      throw new BootError(`application ${a.name} did not start: ${formatStartError(started.reason)}`);
    }
  }

  let finish!: (code: number) => void;
  const stopped = new Promise<number>((resolve) => (finish = resolve));
  let stopping: Promise<void> | undefined;
  const running: RunningService[] = [];
  const commands = new Map<string, CommandHandler>();
  const stop = (code = 0): Promise<void> => {
    stopping ??= (async () => {
      log.info({ code }, `stopping ${release.name} ${release.vsn}`);
      for (const s of [...running].reverse()) await s.stop?.();
      await Application.stopAll();
      await control.close();
      finish(code);
    })();
    return stopping;
  };
  const ctx = { root, release, stopNode: (code: number) => void stop(code) };
  for (const [name, handler] of Object.entries(baseCommands(root, release, ctx.stopNode)))
    commands.set(name, handler);
  for (const service of bootServices()) {
    const s = await service.start(ctx);
    running.push(s);
    for (const [name, handler] of Object.entries(s.commands ?? {})) commands.set(name, handler);
  }
  const control = new ControlServer({ root, name: release.name, commands });
  await control.listen();
  Application.onNodeStop(() => void stop(1));

  if (ownProcess) {
    startHeartbeat();
    const onSignal = (signal: string) => {
      log.info({ signal }, `received ${signal}`);
      void stop(0);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    void stopped.then((code) => {
      process.exitCode = code;
      // Nothing of the node should keep the process alive after an orderly stop.
      setImmediate(() => process.exit(code));
    });
  }
  log.info(
    { vsn: release.vsn, apps: release.apps.map((a) => `${a.name}-${a.vsn}`) },
    `${release.name} ${release.vsn} is up`,
  );
  if (ownProcess) announceReady({ name: release.name, vsn: release.vsn, pid: process.pid });
  return { root, release, control, stop, stopped };
}

/** The application's directory: as RELEASES.json records it for this release, else the standard place. */
function libDirOf(root: string, release: Release, app: string, vsn: string): string {
  const file = layout.releasesFile(root);
  if (fs.existsSync(file)) {
    const entry = readModelFile('releases', file).releases.find((r) => r.vsn === release.vsn);
    const lib = entry?.libs.find((l) => l.app === app && l.vsn === vsn);
    if (lib !== undefined) return path.resolve(root, lib.dir);
  }
  return layout.libDir(root, app, vsn);
}

function formatStartError(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  try {
    return JSON.stringify(reason, (_k, v: unknown) => (v instanceof Error ? v.message : v));
  } catch {
    return String(reason);
  }
}
