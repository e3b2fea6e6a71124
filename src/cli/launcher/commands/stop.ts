/** `bin/<rel> stop`: stops the node in order (applications in reverse order, terminate callbacks). */
import type { Command } from 'commander';
import { EXIT, parseTimeout, type LauncherContext } from '../context';

export function register(program: Command, ctx: LauncherContext): void {
  program
    .command('stop')
    .description('stop the node in order; returns once it is down')
    .option('--timeout <ms>', 'how long to wait', parseTimeout, 60_000)
    .action(async (opts: { timeout: number }) => {
      const client = await ctx.connect(opts.timeout);
      const closed = new Promise<void>((resolve) => client.onClose(resolve));
      await client.request('stop', [], { timeoutMs: opts.timeout });
      await closed;
      process.stdout.write(`${ctx.name} stopped\n`);
      process.exitCode = EXIT.ok;
    });
}
