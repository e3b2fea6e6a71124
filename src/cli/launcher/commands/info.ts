/** `bin/<rel> info`: the running node's release, Node.js version, uptime, process count, memory. */
import type { Command } from 'commander';
import type { LauncherContext } from '../context';

export function register(program: Command, ctx: LauncherContext): void {
  program
    .command('info')
    .description('show what the node runs (JSON)')
    .action(async () => {
      process.stdout.write(`${JSON.stringify(await ctx.call('info'), null, 2)}\n`);
    });
}
