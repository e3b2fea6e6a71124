/**
 * Where each file of a release root lives (DESIGN.md §6). Pure path arithmetic, shared by the
 * release builder, the CLI and the release handler.
 *
 * ```
 * <root>/lib/<app>-<vsn>/<app>.app.json, <app>.appup.json
 * <root>/releases/RELEASES.json, start.json
 * <root>/releases/<vsn>/release.json, relup.json, config.json
 * ```
 */
import * as path from 'node:path';

export const layout = {
  libDir: (root: string, app: string, vsn: string): string => path.join(root, 'lib', `${app}-${vsn}`),
  appFile: (root: string, app: string, vsn: string): string =>
    path.join(root, 'lib', `${app}-${vsn}`, `${app}.app.json`),
  appupFile: (root: string, app: string, vsn: string): string =>
    path.join(root, 'lib', `${app}-${vsn}`, `${app}.appup.json`),
  modulesFile: (root: string, app: string, vsn: string): string =>
    path.join(root, 'lib', `${app}-${vsn}`, `${app}.modules.json`),
  /** Third-party packages of a release: `lib/deps-<hash>/node_modules`, shared by releases with the same set. */
  depsDir: (root: string, hash: string): string => path.join(root, 'lib', `deps-${hash}`),
  /** An upgrade package waiting to be unpacked. */
  packageFile: (root: string, name: string, vsn: string): string =>
    path.join(root, 'releases', `${name}-${vsn}.tar.gz`),
  releasesDir: (root: string): string => path.join(root, 'releases'),
  releaseDir: (root: string, vsn: string): string => path.join(root, 'releases', vsn),
  releaseFile: (root: string, vsn: string): string => path.join(root, 'releases', vsn, 'release.json'),
  relupFile: (root: string, vsn: string): string => path.join(root, 'releases', vsn, 'relup.json'),
  configFile: (root: string, vsn: string): string => path.join(root, 'releases', vsn, 'config.json'),
  releasesFile: (root: string): string => path.join(root, 'releases', 'RELEASES.json'),
  startFile: (root: string): string => path.join(root, 'releases', 'start.json'),
  newStartFile: (root: string): string => path.join(root, 'releases', 'new_start.json'),
} as const;
