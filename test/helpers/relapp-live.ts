/**
 * relapp (test/fixtures/relapp) deployed and upgraded the way a user does it, with the real
 * release handler in this process: the first version is built and copied to a live root (a
 * server's install directory); every later version is built beside it in the build root, its
 * appups generated (`hotrel appup generate`), its relup compiled (`hotrel relup`, from the
 * version before it) and its slim package written and copied into the live root's releases/.
 * The live root then boots in this process, so that tests see its processes directly, and moves
 * between versions with unpack, install and make_permanent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { appupGenerate } from '../../src/cli/commands/appup';
import { runRelup } from '../../src/cli/commands/relup';
import {
  installRelease,
  makePermanent,
  unpackRelease,
  whichReleases,
} from '../../src/handler/release-handler/server';
import { makePackage } from '../../src/release/package';
import { bootInProcess, type InProcessNode } from './in-process-node';
import { buildRelapp, tempDir } from './relapp';

export interface LiveRelapp {
  /** The build's release root (every version). */
  build: string;
  /** The live root the node in this process runs from. */
  live: string;
  node: InProcessNode;
  /** Unpacks `vsn`'s package, installs it (an upgrade) and makes it permanent. */
  upgrade(vsn: string): Promise<void>;
  /** Installs the older, still installed release `vsn` (a downgrade) and makes it permanent. */
  downgrade(vsn: string): Promise<void>;
  /** The releases and their statuses as the handler knows them. */
  statuses(): Promise<Record<string, string>>;
}

const silent = { out: () => {}, err: (t: string) => process.stderr.write(`${t}\n`) };

/** Builds relapp at `versions` (in order), deploys the first and boots it in this process. */
export async function deployRelapp(versions: readonly string[]): Promise<LiveRelapp> {
  const [first, ...later] = versions;
  if (first === undefined) throw new Error('deployRelapp needs at least one version');
  const output = tempDir('relapp-out');
  const build = await buildRelapp([first], output);
  const live = path.join(tempDir('relapp-live'), 'relapp');
  fs.cpSync(build, live, { recursive: true });

  await buildRelapp(later, output);
  let from = first;
  for (const target of later) {
    appupGenerate({ current: build, target, previousVersion: from }, process.cwd());
    expect(runRelup({ root: build, target, upfrom: [from] }, process.cwd(), silent)).toBe(0);
    const pkg = await makePackage({ root: build, target, bases: [from] });
    fs.copyFileSync(pkg.file, path.join(live, 'releases', path.basename(pkg.file)));
    from = target;
  }

  const node = await bootInProcess(live);
  return {
    build,
    live,
    node,
    upgrade: async (vsn) => {
      await unpackRelease(vsn);
      await installRelease(vsn);
      await makePermanent(vsn);
    },
    downgrade: async (vsn) => {
      await installRelease(vsn);
      await makePermanent(vsn);
    },
    statuses: async () => Object.fromEntries((await whichReleases()).map((r) => [r.vsn, r.status])),
  };
}
