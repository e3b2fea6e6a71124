/**
 * `hotrel release`: type-checks the project and builds its release into
 * `<output>/<name>/` (default `_build/rel/<name>`), beside the versions already there.
 */
import type { Command } from 'commander';
import { buildRelease } from '../../release/build/release';
import { reportError, stdio } from '../output';

interface ReleaseCommandOptions {
  project: string;
  typecheck: boolean;
  force?: boolean;
  includeNode?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('release')
    .summary('build the release (compiled applications, packages, launcher) into _build/rel/<name>')
    .description(
      'Type-check the project, compile each module on its own with its source map, and write the release ' +
        '(lib/<app>-<vsn>, lib/deps-<hash>, releases/<vsn>, bin/<rel>) into the output directory ' +
        '(hotrel.release.output, default _build/rel) beside the versions already built there.',
    )
    .option('--project <dir>', 'the project directory (holding the root package.json)', '.')
    .option('--no-typecheck', 'skip type-checking')
    .option('--force', 'replace an application or release version that exists with different content')
    .option('--include-node', 'copy this Node.js binary into the release (node/<version>/bin/node)')
    .option('--json', 'print the result as JSON')
    .action(async (options: ReleaseCommandOptions) => {
      try {
        const result = await buildRelease({
          project: options.project,
          typecheck: options.typecheck,
          force: options.force === true,
          includeNode: options.includeNode === true,
          log: options.json === true ? undefined : (line) => process.stdout.write(`${line}\n`),
        });
        if (options.json === true) {
          process.stdout.write(
            `${JSON.stringify({ root: result.root, release: result.release, built: result.built, unchanged: result.unchanged }, null, 2)}\n`,
          );
        }
      } catch (err) {
        process.exitCode = reportError('release', err, options.json === true, stdio);
      }
    });
}
