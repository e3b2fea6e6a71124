/**
 * `bin/<rel> unpack <vsn | file.tar.gz>`: verifies an upgrade package (manifest, checksums,
 * paths, links, the base a slim package needs) and puts its files in place; the release becomes
 * `unpacked`. A refused package changes nothing.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { parseTimeout, type LauncherContext } from '../context';
import { LONG_MS, progress } from '../release-flow';

export function register(program: Command, ctx: LauncherContext): void {
  program
    .command('unpack')
    .description(`verify and unpack releases/<rel>-<vsn>.tar.gz (or the .tar.gz given)`)
    .argument('<vsn>', 'a release version, or the path of a .tar.gz package')
    .option('--timeout <ms>', 'how long to wait', parseTimeout, LONG_MS)
    .option('--json', 'print the result as JSON')
    .action(async (what: string, opts: { timeout: number; json?: boolean }) => {
      const arg = what.endsWith('.tar.gz') ? path.resolve(what) : what;
      const r = (await ctx.call('unpack', [arg], { timeoutMs: opts.timeout, onProgress: progress })) as {
        vsn: string;
        written: number;
        kept: number;
        replaced: string[];
        alreadyRegistered: boolean;
      };
      process.stdout.write(
        opts.json === true
          ? `${JSON.stringify(r)}\n`
          : `${ctx.name} ${r.vsn} unpacked (${r.written} files written, ${r.kept} already there` +
              `${r.replaced.length > 0 ? `, ${r.replaced.length} left over by an earlier attempt replaced` : ''})\n`,
      );
    });
}
