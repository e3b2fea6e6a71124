/**
 * `bin/<rel> downgrade <vsn> [--dry-run]`: moves the running node back to an older release, live,
 * with the running release's relup (its down section), then makes it permanent.
 */
import type { Command } from 'commander';
import { parseTimeout, type LauncherContext } from '../context';
import { LONG_MS } from '../release-flow';
import { run, type Options } from './upgrade';

export function register(program: Command, ctx: LauncherContext): void {
  program
    .command('downgrade')
    .description(
      "install and make permanent an older release, live (with the down section of the running release's relup)",
    )
    .argument('<vsn>', 'the release version to go back to')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--suspend-timeout <ms>', 'how long each process may take to suspend', parseTimeout)
    .option('--code-change-timeout <ms>', 'how long each state conversion may take', parseTimeout)
    .option('--timeout <ms>', 'how long to wait for the whole operation', parseTimeout, LONG_MS)
    .option('--json', 'print the result as JSON')
    .action(async (vsn: string, opts: Options) => run(ctx, vsn, opts, 'down'));
}
