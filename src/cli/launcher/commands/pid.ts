/** `bin/<rel> pid`: the OS pid of the running node. */
import type { Command } from 'commander';
import type { LauncherContext } from '../context';

export function register(program: Command, ctx: LauncherContext): void {
  program
    .command('pid')
    .description("print the running node's OS process id")
    .action(async () => {
      process.stdout.write(`${String(await ctx.call('pid'))}\n`);
    });
}
