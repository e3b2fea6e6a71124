/** `bin/<rel> foreground`: boots the node in this process (logs on stderr) until it is stopped. */
import type { Command } from 'commander';
import type * as BootModule from '../../../handler/boot/boot';
import { EXIT, type LauncherContext } from '../context';

export function register(program: Command, ctx: LauncherContext): void {
  program
    .command('foreground')
    .description('run the node in the foreground (stop it with Ctrl-C or bin/<rel> stop)')
    .action(async () => {
      try {
        // Loaded here, not at the top: every other command (ping, stop, ...) then starts without
        // the code server and the TypeScript compiler it brings.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { boot } = require('../../../handler/boot/boot') as typeof BootModule;
        await boot({ root: ctx.root, startFile: ctx.startFile });
      } catch (err) {
        process.stderr.write(`${ctx.name}: the node did not start: ${(err as Error).message}\n`);
        process.exit(EXIT.failed);
      }
    });
}
