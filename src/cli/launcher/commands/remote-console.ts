/**
 * `bin/<rel> remote_console`: a REPL inside the live node. Leaving it (`.exit`, Ctrl-D) closes
 * the console only; the node keeps running.
 */
import type { Command } from 'commander';
import type { LauncherContext } from '../context';

export function register(program: Command, ctx: LauncherContext): void {
  program
    .command('remote_console')
    .description('open a REPL in the running node')
    .action(async () => {
      const client = await ctx.connect();
      const terminal = process.stdin.isTTY === true;
      const { socket, pending } = await client.stream('remote_console', [terminal]);
      if (pending.length > 0) process.stdout.write(pending);
      if (terminal) process.stdin.setRawMode(true);
      process.stdin.pipe(socket);
      socket.pipe(process.stdout);
      await new Promise<void>((resolve) => socket.once('close', () => resolve()));
      if (terminal) process.stdin.setRawMode(false);
      process.stdin.unpipe(socket);
      process.stdin.pause();
    });
}
