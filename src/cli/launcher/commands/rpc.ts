/** `bin/<rel> rpc <module> <function> [json args...]`: calls an exported function of the live node. */
import type { Command } from 'commander';
import { parseTimeout, type LauncherContext } from '../context';

export function register(program: Command, ctx: LauncherContext): void {
  program
    .command('rpc')
    .description('call a function of a module of the running release, e.g. rpc kvapp:kv get \'"a"\'')
    .argument('<module>', 'a module id <app>:<relpath>')
    .argument('<function>', 'an exported function')
    .argument('[args...]', 'arguments, each one JSON')
    .option('--json', 'print the result as JSON')
    .option('--timeout <ms>', 'how long to wait', parseTimeout, 60_000)
    .action(
      async (moduleId: string, fn: string, args: string[], opts: { json?: boolean; timeout: number }) => {
        const parsed = args.map((a, i) => {
          try {
            return JSON.parse(a) as unknown;
          } catch {
            throw new Error(`argument ${i + 1} is not JSON: ${a} (quote strings: '"text"')`);
          }
        });
        const out = (await ctx.call('rpc', [moduleId, fn, ...parsed], { timeoutMs: opts.timeout })) as {
          text: string;
          json?: unknown;
        };
        process.stdout.write(`${opts.json === true ? JSON.stringify(out.json ?? null) : out.text}\n`);
      },
    );
}
