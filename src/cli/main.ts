#!/usr/bin/env node
/**
 * The `hotrel` command line. Each command lives in its own file under `./commands/` and exports
 * `register(program)`; this file finds them at start-up, so adding a command touches no shared
 * file. Runs as `hotrel` (dist/cli/main.js) and, in development, as `npx tsx src/cli/main.ts`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';

/** The command modules next to this file: `commands/*.ts` in development, `*.js` once built. */
export function commandFiles(dir = path.join(__dirname, 'commands')): string[] {
  const own = path.extname(__filename);
  return fs
    .readdirSync(dir)
    .filter((f) => path.extname(f) === own && !f.endsWith('.d.ts') && !/\.test\./.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function buildProgram(): Command {
  const program = new Command('hotrel')
    .description('Erlang/OTP-style releases and live hot code upgrades for TypeScript on Node.js')
    .version(packageVersion())
    .showHelpAfterError('(run `hotrel --help` to see the commands and their options)');
  for (const file of commandFiles()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- commands are discovered at run time
    const mod = require(file) as { register?: (program: Command) => void };
    if (typeof mod.register !== 'function') {
      throw new Error(`${file} does not export register(program): every file in cli/commands must`);
    }
    mod.register(program);
  }
  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  await buildProgram().parseAsync([...argv]);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `hotrel: internal error (please report it): ${(error as Error)?.stack ?? String(error)}\n`,
    );
    process.exitCode = 70;
  });
}
