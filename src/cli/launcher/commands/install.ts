/**
 * `bin/<rel> install <vsn> [--permanent]`: unpacks (if needed) and installs a release in the
 * running node, leaving the permanent release as it is unless `--permanent` (a restart before
 * `make_permanent` comes back on the permanent release: OTP's rollback model).
 */
import type { Command } from 'commander';
import { parseTimeout, type LauncherContext } from '../context';
import { describeFlow, LONG_MS, runFlow } from '../release-flow';

export function register(program: Command, ctx: LauncherContext): void {
  program
    .command('install')
    .description(
      'unpack (if needed) and install a release in the running node (current until made permanent)',
    )
    .argument('<vsn>', 'the release version to install')
    .option('--permanent', 'also make it permanent')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--suspend-timeout <ms>', 'how long each process may take to suspend', parseTimeout)
    .option('--code-change-timeout <ms>', 'how long each state conversion may take', parseTimeout)
    .option('--timeout <ms>', 'how long to wait for the whole operation', parseTimeout, LONG_MS)
    .option('--json', 'print the result as JSON')
    .action(
      async (
        vsn: string,
        opts: {
          permanent?: boolean;
          dryRun?: boolean;
          suspendTimeout?: number;
          codeChangeTimeout?: number;
          timeout: number;
          json?: boolean;
        },
      ) => {
        const result = await runFlow(ctx, vsn, {
          dryRun: opts.dryRun === true,
          permanent: opts.permanent === true,
          direction: undefined,
          suspendTimeout: opts.suspendTimeout,
          codeChangeTimeout: opts.codeChangeTimeout,
          timeoutMs: opts.timeout,
        });
        process.stdout.write(
          `${opts.json === true ? JSON.stringify(result) : describeFlow(ctx.name, result, 'installed')}\n`,
        );
      },
    );
}
