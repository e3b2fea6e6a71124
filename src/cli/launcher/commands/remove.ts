/**
 * `bin/<rel> remove <vsn>`: forgets a release and deletes its files that no other release uses
 * (refused for the permanent release and the one running).
 */
import type { Command } from 'commander';
import type { LauncherContext } from '../context';

export function register(program: Command, ctx: LauncherContext): void {
  program
    .command('remove')
    .description('remove a release that is neither permanent nor running, and the files only it used')
    .argument('<vsn>', 'the release version')
    .option('--json', 'print the result as JSON')
    .action(async (vsn: string, opts: { json?: boolean }) => {
      const r = (await ctx.call('remove', [vsn])) as { removed: string[] };
      process.stdout.write(
        opts.json === true
          ? `${JSON.stringify(r)}\n`
          : `${ctx.name} ${vsn} removed (${r.removed.join(', ')})\n`,
      );
    });
}
