/**
 * `bin/<rel> make_permanent <vsn>`: the installed release becomes the one the node boots
 * (`releases/start.json`); old code of brutal_purge modules is purged.
 */
import type { Command } from 'commander';
import type { LauncherContext } from '../context';
import type { PermanentAnswer } from '../release-flow';

export function register(program: Command, ctx: LauncherContext): void {
  program
    .command('make_permanent')
    .description('make the installed (current) release the one the node boots')
    .argument('<vsn>', 'the release version')
    .option('--json', 'print the result as JSON')
    .action(async (vsn: string, opts: { json?: boolean }) => {
      const r = (await ctx.call('make_permanent', [vsn])) as PermanentAnswer;
      const lines = [`${ctx.name} ${vsn} ${r.alreadyPermanent ? 'was already' : 'is'} permanent`];
      if (r.purged.length > 0) lines.push(`old code purged: ${r.purged.join(', ')}`);
      for (const line of r.killed) lines.push(`  killed (it still ran that old code): ${line}`);
      process.stdout.write(opts.json === true ? `${JSON.stringify(r)}\n` : `${lines.join('\n')}\n`);
    });
}
