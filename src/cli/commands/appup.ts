/**
 * `hotrel appup generate`: writes an appup for every application of a release that changed
 * since the older releases, from the diff of the built releases (src/release/appup-gen,
 * docs/appup-generation.md), and prints what it generated and why.
 *
 * Defaults (like knit): the current release root is `_build/rel/<name>`, the target its newest
 * release, and every older release in the same root is a from-version. `--previous DIR` takes
 * the older releases from another root; `--previous-version V` only that one.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import {
  formatReport,
  generateAppups,
  parsePurgeSpec,
  readReleaseSet,
  writeAppups,
  type GenerateResult,
} from '../../release/appup-gen';
import { collect, reportError, type Output } from '../output';
import { showPath } from '../show-path';
import { findReleaseRoot } from '../release-root';

export interface AppupGenerateOptions {
  current?: string;
  name?: string;
  target?: string;
  previous?: string;
  previousVersion?: string;
  purge?: string;
  restart?: string[];
  dryRun?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  const appup = program
    .command('appup')
    .summary('generate appups from the diff of built releases')
    .description('Appups: how each application moves between versions (see `hotrel appup generate --help`).');
  appup
    .command('generate')
    .summary('write the appups of a release from the diff with the older releases')
    .description(
      'Compare the newest release (or --target) with every older release under the same root (or the one ' +
        '--previous-version names, or those under --previous DIR) and write lib/<app>-<vsn>/<app>.appup.json for ' +
        'every application that changed: added, removed and changed modules by code identity; GenServer/GenStatem ' +
        'modules updated with a code change, supervisors updated so that added children start and removed ones ' +
        'stop, other modules loaded; callee before caller; the downgrade inverted. A hand-written appup ' +
        '(<app>.appup.ts|json in the package) wins and is only checked. Prints every instruction and why.',
    )
    .option(
      '--current <dir>',
      'release root holding the release to generate for (default: _build/rel/<name>)',
    )
    .option('--name <name>', 'release name, for the root _build/rel/<name>')
    .option('--target <vsn>', 'release to generate appups for (default: the newest under --current)')
    .option('--previous <dir>', 'release root holding the older releases (default: --current)')
    .option('--previous-version <vsn>', 'only this older release (default: every older release)')
    .option(
      '--purge <spec>',
      'purge methods: "module=soft|brutal|pre/post;...;default=soft|brutal" (default brutal, or the module\'s upgrade.purge)',
    )
    .option(
      '--restart <app>',
      'restart this application instead of upgrading its modules (repeatable)',
      collect,
    )
    .option('--dry-run', 'print the appups, write nothing')
    .option('--json', 'print the result (or the error) as JSON on stdout')
    .action((options: AppupGenerateOptions) => {
      process.exitCode = runAppupGenerate(options, process.cwd(), {
        out: (text) => process.stdout.write(`${text}\n`),
        err: (text) => process.stderr.write(`${text}\n`),
      });
    });
}

/** Computes every appup and writes them (unless a dry run); returns the result and files written. */
export function appupGenerate(
  options: AppupGenerateOptions,
  cwd: string,
): { root: string; result: GenerateResult; written: string[] } {
  const root = findReleaseRoot({ root: options.current, name: options.name }, cwd);
  const purge = options.purge === undefined ? undefined : parsePurgeSpec(options.purge);
  const current = readReleaseSet(root);
  const previous =
    options.previous === undefined || path.resolve(cwd, options.previous) === root
      ? current
      : readReleaseSet(findReleaseRoot({ root: options.previous }, cwd));
  const result = generateAppups({
    current,
    previous,
    target: options.target,
    previousVersion: options.previousVersion,
    options: { purge, restart: options.restart ?? [] },
  });
  const written = options.dryRun === true ? [] : writeAppups(root, result);
  return { root, result, written };
}

/** Runs the command; returns the exit code. Writes nothing unless everything succeeded. */
export function runAppupGenerate(options: AppupGenerateOptions, cwd: string, output: Output): number {
  try {
    const { result, written } = appupGenerate(options, cwd);
    if (options.json === true) {
      output.out(
        JSON.stringify(
          {
            target: result.target.vsn,
            bases: result.bases,
            apps: result.apps,
            warnings: result.warnings,
            written: written.map((f) => showPath(f, cwd)),
            dryRun: options.dryRun === true,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    output.out(formatReport(result));
    for (const w of result.warnings) output.err(`warning: ${w}`);
    const generated = result.apps.filter((a) => a.action === 'generated').length;
    output.out(
      options.dryRun === true
        ? `dry run: nothing written (${generated} appup${generated === 1 ? '' : 's'} would be)`
        : `wrote ${written.length} appup${written.length === 1 ? '' : 's'}${written.length > 0 ? `: ${written.map((f) => showPath(f, cwd)).join(', ')}` : ''}`,
    );
    return 0;
  } catch (error) {
    return reportError('appup generate', error, options.json === true, output);
  }
}
