/**
 * `hotrel release`: type-checks the project and builds its release into
 * `<output>/<name>/` (default `_build/rel/<name>`), beside the versions already there.
 */
import type { Command } from 'commander';
import { AppupSourceError } from '../../release/appup';
import { ModelError } from '../../model/validate';
import { BuildError, buildRelease } from '../../release/build/release';
import { PackageError } from '../../release/build/packages';
import { ProjectError } from '../../release/project/describe';

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
        const known =
          err instanceof BuildError ||
          err instanceof ProjectError ||
          err instanceof PackageError ||
          err instanceof ModelError ||
          err instanceof AppupSourceError;
        if (!known) throw err;
        if (options.json === true)
          process.stdout.write(`${JSON.stringify({ error: { message: err.message } })}\n`);
        else process.stderr.write(`hotrel release: ${err.message}\n`);
        process.exitCode = 1;
      }
    });
}
