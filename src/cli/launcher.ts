/**
 * `bin/<rel>`: the commands of a release (foreground, daemon, stop, ping, pid, versions, eval,
 * rpc, remote_console, info, and the release handler's unpack/install/upgrade/downgrade/remove).
 * Reached through `bin/hotrel-launch.js`, which picks the release to run and calls {@link main}.
 * Each command lives in its own file under `launcher/commands/`, found at start-up.
 */
import { Command, CommanderError } from 'commander';
import { commandFiles } from './main';
import path from 'node:path';
import { EXIT, createContext, reportFailure, type LauncherContext } from './launcher/context';

export function buildLauncher(ctx: LauncherContext): Command {
  const program = new Command(`bin/${ctx.name}`)
    .description(`Control the ${ctx.name} release at ${ctx.root}`)
    .exitOverride()
    .showHelpAfterError(`(run bin/${ctx.name} help to see the commands)`)
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.ok} ok, ${EXIT.failed} the command failed, ${EXIT.usage} wrong usage, ` +
        `${EXIT.notRunning} the node is not running, ${EXIT.refused} the node refused the connection (cookie), ` +
        `${EXIT.timeout} the node did not answer in time.`,
    );
  for (const file of commandFiles(path.join(__dirname, 'launcher', 'commands'))) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- commands are discovered at run time
    const mod = require(file) as { register?: (program: Command, ctx: LauncherContext) => void };
    if (typeof mod.register !== 'function') throw new Error(`${file} does not export register(program, ctx)`);
    mod.register(program, ctx);
  }
  program
    .command('help')
    .description('show the commands')
    .action(() => program.outputHelp());
  return program;
}

export async function main(
  root: string,
  argv: readonly string[],
  options: { startFile: string },
): Promise<void> {
  const ctx = createContext(root, options.startFile);
  const program = buildLauncher(ctx);
  if (argv.length === 0) {
    program.outputHelp();
    process.exitCode = EXIT.usage;
    return;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    process.exitCode = reportFailure(`bin/${ctx.name}`, err);
  }
}
