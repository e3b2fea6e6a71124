/**
 * Boots a release root inside the test process, as the node's boot does (start.json, the code
 * server's registration of each lib directory, every module loaded, applications loaded with
 * their config and started in order), and starts the release handler. Restarts the handler asks
 * for are recorded, not carried out.
 */
import fs from 'node:fs';
// Application code imports 'hotrel': the package's root provides it.
import '../../src';
import * as Application from '../../src/behaviours/application';
import { specFromApp, type ApplicationModule } from '../../src/behaviours/application';
import { addApplication, getModule, isLoaded, load } from '../../src/code';
import { layout, type Release, type ReleaseConfig } from '../../src/model';
import { readModelFile } from '../../src/model/files';
import { startReleaseHandler, stopReleaseHandler } from '../../src/handler/release-handler/server';

export interface InProcessNode {
  release: Release;
  /** Reasons of the node restarts the handler asked for. */
  restarts: string[];
  /** Resolves at the next restart request. */
  nextRestart(): Promise<string>;
  stop(): Promise<void>;
}

export async function bootInProcess(
  root: string,
  options: { purgeIntervalMs?: number } = {},
): Promise<InProcessNode> {
  const start = readModelFile('start', layout.startFile(root));
  const release = readModelFile('release', layout.releaseFile(root, start.vsn));
  const configFile = layout.configFile(root, start.vsn);
  const config: ReleaseConfig = fs.existsSync(configFile) ? readModelFile('config', configFile) : {};
  const apps = release.apps.map((a) => {
    const dir = layout.libDir(root, a.name, a.vsn);
    const app = readModelFile('app', layout.appFile(root, a.name, a.vsn));
    addApplication({ name: a.name, dir, form: 'js', main: app.main ?? 'index' });
    return app;
  });
  for (const app of apps) for (const id of app.modules) if (isLoaded(id) === false) await load(id);
  for (const app of apps) {
    const r = Application.load(
      specFromApp(app, (id) => getModule(id) as unknown as ApplicationModule),
      config[app.name] ?? {},
    );
    if (r.kind === 'error') throw new Error(`cannot load ${app.name}: ${JSON.stringify(r.reason)}`);
  }
  for (const a of release.apps) {
    if (a.type === 'load' || a.type === 'none') continue;
    const r = await Application.start(a.name, a.type);
    if (r.kind === 'error') throw new Error(`cannot start ${a.name}: ${JSON.stringify(r.reason)}`);
  }
  const restarts: string[] = [];
  const waiting: Array<(r: string) => void> = [];
  await startReleaseHandler({
    root,
    release,
    restartNode: (reason) => {
      restarts.push(reason);
      for (const w of waiting.splice(0)) w(reason);
    },
    ...(options.purgeIntervalMs === undefined ? {} : { purgeIntervalMs: options.purgeIntervalMs }),
  });
  return {
    release,
    restarts,
    nextRestart: () => new Promise((resolve) => waiting.push(resolve)),
    stop: async () => {
      await stopReleaseHandler();
      await Application.stopAll();
      for (const app of Application.loadedApplications()) Application.unload(app.name);
    },
  };
}
