/** `bin/<rel> versions`: the releases the node knows and their statuses. */
import type { Command } from 'commander';
import type { LauncherContext } from '../context';

export function register(program: Command, ctx: LauncherContext): void {
  program
    .command('versions')
    .description('list the releases and their statuses (permanent, current, unpacked, old)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const releases = (await ctx.call('versions')) as Array<{ vsn: string; status: string }>;
      if (opts.json === true) process.stdout.write(`${JSON.stringify(releases)}\n`);
      else for (const r of releases) process.stdout.write(`${r.vsn}\t${r.status}\n`);
    });
}
