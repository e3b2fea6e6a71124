/** `bin/<rel> ping`: pong when the node is up and answers (exit 3 when it is not running). */
import type { Command } from 'commander';
import { parseTimeout, type LauncherContext } from '../context';

export function register(program: Command, ctx: LauncherContext): void {
  program
    .command('ping')
    .description('check that the node is up and answering')
    .option('--timeout <ms>', 'how long to wait', parseTimeout, 10_000)
    .action(async (opts: { timeout: number }) => {
      process.stdout.write(`${String(await ctx.call('ping', [], { timeoutMs: opts.timeout }))}\n`);
    });
}
