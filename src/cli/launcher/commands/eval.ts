/** `bin/<rel> eval '<expression>'`: evaluates TypeScript in the live node and prints the result. */
import type { Command } from 'commander';
import { parseTimeout, type LauncherContext } from '../context';

export function register(program: Command, ctx: LauncherContext): void {
  program
    .command('eval')
    .description(
      "evaluate TypeScript in the running node (hotrel's API in scope), e.g. eval 'processCount()'",
    )
    .argument('<expression>', 'an expression, or statements ending in one; await allowed')
    .option('--json', 'print the result as JSON')
    .option('--timeout <ms>', 'how long to wait', parseTimeout, 60_000)
    .action(async (expression: string, opts: { json?: boolean; timeout: number }) => {
      const out = (await ctx.call('eval', [expression], { timeoutMs: opts.timeout })) as {
        text: string;
        json?: unknown;
      };
      process.stdout.write(`${opts.json === true ? JSON.stringify(out.json ?? null) : out.text}\n`);
    });
}
