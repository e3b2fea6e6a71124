/**
 * The release handler's control-socket commands (what `bin/<rel> unpack|install|upgrade|
 * downgrade|remove|make_permanent|versions` send). Each takes JSON arguments, prints progress
 * lines while it works, and answers JSON; errors carry the handler's `code`, a message that says
 * what to do, and `details`.
 */
import type { CommandHandler } from '../control/server';
import { describePlan } from './plan';
import type { Status } from './releases';
import {
  checkInstallRelease,
  installRelease,
  makePermanent,
  pendingPurges,
  rebootOldRelease,
  removeRelease,
  unpackRelease,
  whichReleases,
} from './server';
import type { InstallOptions } from './target';

function vsnArg(args: unknown[], command: string): string {
  const vsn = args[0];
  if (typeof vsn !== 'string' || vsn === '') {
    throw Object.assign(new Error(`${command} takes a release version, e.g. ${command} 1.0.1`), {
      code: 'usage',
    });
  }
  return vsn;
}

function objectArg<T extends object>(args: unknown[], index: number, command: string): T {
  const value = args[index];
  if (value === undefined || value === null) return {} as T;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw Object.assign(new Error(`${command}: options are a JSON object`), { code: 'usage' });
  }
  return value as T;
}

export function releaseHandlerCommands(): Record<string, CommandHandler> {
  return {
    /** The releases with their statuses as the node knows them (current included). */
    versions: async ([status]) => {
      const list = await whichReleases(typeof status === 'string' ? (status as Status) : undefined);
      return list.map((r) => ({ vsn: r.vsn, status: r.status }));
    },
    which_releases: async ([status]) =>
      whichReleases(typeof status === 'string' ? (status as Status) : undefined),
    unpack: async (args, ctx) => unpackRelease(vsnArg(args, 'unpack'), (l) => ctx.progress(l)),
    check_install: async (args) => {
      const options = objectArg<{ purge?: boolean; plan?: boolean }>(args, 1, 'check_install');
      const result = await checkInstallRelease(vsnArg(args, 'check_install'), options);
      return { ...result, planText: result.plan === undefined ? undefined : describePlan(result.plan) };
    },
    install: async (args, ctx) =>
      installRelease(vsnArg(args, 'install'), objectArg<InstallOptions>(args, 1, 'install'), (l) =>
        ctx.progress(l),
      ),
    make_permanent: async (args) => makePermanent(vsnArg(args, 'make_permanent')),
    reboot_old_release: async (args) => rebootOldRelease(vsnArg(args, 'reboot_old_release')),
    remove: async (args) => removeRelease(vsnArg(args, 'remove')),
    pending_purges: async () => pendingPurges(),
  };
}
