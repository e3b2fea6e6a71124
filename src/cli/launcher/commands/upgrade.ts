/**
 * `bin/<rel> upgrade <vsn> [--dry-run]`: moves the running node to release `vsn` without a
 * restart — unpacks `releases/<rel>-<vsn>.tar.gz` if needed, checks the install, installs it
 * (processes suspended together, states converted, rolled back in process on failure) and makes
 * it permanent (as relx's and distillery's upgrade). `--dry-run` prints the plan and changes
 * nothing.
 */
import type { Command } from 'commander';
import { parseTimeout, type LauncherContext } from '../context';
import { describeFlow, LONG_MS, runFlow } from '../release-flow';

export function register(program: Command, ctx: LauncherContext): void {
  program
    .command('upgrade')
    .description('unpack (if needed), install and make permanent a newer release, live')
    .argument('<vsn>', 'the release version to upgrade to')
    .option(
      '--dry-run',
      'print the plan (processes suspended, killed, code loaded) and change nothing; the release must be unpacked',
    )
    .option('--suspend-timeout <ms>', 'how long each process may take to suspend', parseTimeout)
    .option('--code-change-timeout <ms>', 'how long each state conversion may take', parseTimeout)
    .option('--timeout <ms>', 'how long to wait for the whole operation', parseTimeout, LONG_MS)
    .option('--json', 'print the result as JSON')
    .action(async (vsn: string, opts: Options) => run(ctx, vsn, opts, 'up'));
}

export interface Options {
  dryRun?: boolean;
  suspendTimeout?: number;
  codeChangeTimeout?: number;
  timeout: number;
  json?: boolean;
}

export async function run(
  ctx: LauncherContext,
  vsn: string,
  opts: Options,
  direction: 'up' | 'down',
): Promise<void> {
  const result = await runFlow(ctx, vsn, {
    dryRun: opts.dryRun === true,
    permanent: true,
    direction,
    suspendTimeout: opts.suspendTimeout,
    codeChangeTimeout: opts.codeChangeTimeout,
    timeoutMs: opts.timeout,
  });
  process.stdout.write(
    `${opts.json === true ? JSON.stringify(result) : describeFlow(ctx.name, result, direction === 'up' ? 'upgraded' : 'downgraded')}\n`,
  );
}
