/**
 * `hotrel relup`: compiles `releases/<vsn>/relup.json` for a release from the appups of its
 * applications (OTP's systools:make_relup), and prints the scripts.
 *
 * Defaults (like knit): the target is the newest release under the root, and the relup upgrades
 * from and downgrades to every older release; an older release that some changed application's
 * appup does not cover is left out with a warning. `--upfrom`/`--downto` name the releases
 * instead (either one alone sets both), and then every one of them must be covered.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import { writeJsonAtomic } from '../../model/files';
import { formatRelup } from '../../model/format';
import { layout } from '../../model/layout';
import type { Release } from '../../model/release';
import { makeRelup, type RelupResult } from '../../release/relup';
import { CliError } from '../errors';
import { collect, reportError, type Output } from '../output';
import { findReleaseRoot, readApps, readAppups, readReleases } from '../release-root';
import { compareVersions } from '../versions';

export interface RelupCommandOptions {
  root?: string;
  name?: string;
  target?: string;
  upfrom?: string[];
  downto?: string[];
  restartEmulator?: boolean;
  dryRun?: boolean;
  warningsAsErrors?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('relup')
    .summary('compile releases/<vsn>/relup.json from the appups')
    .description(
      'Compile the relup of a release (OTP systools semantics): the low-level scripts that upgrade a running ' +
        'node to it from older releases and downgrade it back. By default the target is the newest release ' +
        'under the release root and the relup covers every older release (one that an appup does not cover is ' +
        'left out with a warning). The release root is --root, or _build/rel/<name> with <name> from --name or ' +
        'the only directory under _build/rel.',
    )
    .option('--root <dir>', 'release root (holds lib/ and releases/)')
    .option('--name <name>', 'release name, for the root _build/rel/<name>')
    .option('--target <vsn>', 'release to compile the relup of (default: the newest)')
    .option('--upfrom <vsn>', 'release to upgrade from (repeatable; alone, it sets --downto too)', collect)
    .option('--downto <vsn>', 'release to downgrade to (repeatable; alone, it sets --upfrom too)', collect)
    .option('--restart-emulator', 'end every script with a node restart')
    .option('--dry-run', 'compute and print the relup, write nothing')
    .option('--warnings-as-errors', 'fail if there is any warning')
    .option('--json', 'print the result (or the error) as JSON on stdout')
    .action((options: RelupCommandOptions) => {
      process.exitCode = runRelup(options, process.cwd(), {
        out: (text) => process.stdout.write(`${text}\n`),
        err: (text) => process.stderr.write(`${text}\n`),
      });
    });
}

/** Runs the command; returns the exit code. Writes nothing unless everything succeeded. */
export function runRelup(options: RelupCommandOptions, cwd: string, output: Output): number {
  try {
    const { root, target, result, file } = compile(options, cwd);
    const written = options.dryRun === true ? null : file;
    if (written !== null) writeJsonAtomic(written, result.relup);
    if (options.json === true) {
      output.out(
        JSON.stringify(
          {
            relup: result.relup,
            warnings: result.warnings,
            file: written === null ? null : path.relative(cwd, written),
            dryRun: options.dryRun === true,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    output.out(formatRelup(result.relup, target.name));
    for (const w of result.warnings) output.err(`warning: ${w.message}`);
    output.out(
      written === null
        ? `dry run: nothing written (would write ${path.relative(cwd, file)})`
        : `wrote ${path.relative(cwd, written)} (release root ${path.relative(cwd, root) || '.'})`,
    );
    return 0;
  } catch (error) {
    return reportError('relup', error, options.json === true, output);
  }
}

function compile(options: RelupCommandOptions, cwd: string) {
  const root = findReleaseRoot(options, cwd);
  const releases = readReleases(root);
  const versions = [...releases.keys()].sort(compareVersions);
  if (versions.length === 0) {
    throw new CliError(
      `no release under ${path.join(root, 'releases')}: build one with \`hotrel release\``,
      'no_release',
    );
  }
  const targetVsn = options.target ?? versions.at(-1)!;
  const target = pick(releases, targetVsn, root);

  const given = { up: options.upfrom ?? [], down: options.downto ?? [] };
  const explicit = given.up.length > 0 || given.down.length > 0;
  const older = versions.filter((v) => compareVersions(v, targetVsn) < 0);
  const upfrom = explicit ? (given.up.length > 0 ? given.up : given.down) : older;
  const downto = explicit ? (given.down.length > 0 ? given.down : given.up) : older;
  if (upfrom.length === 0 && downto.length === 0) {
    throw new CliError(
      `release ${targetVsn} is the oldest under ${root}: there is nothing to upgrade from; ` +
        'build the next version first, or name releases with --upfrom/--downto',
      'nothing_to_do',
    );
  }
  const bases = (list: string[]): { release: Release }[] =>
    [...new Set(list)].map((v) => ({ release: pick(releases, v, root) }));
  const up = bases(upfrom);
  const down = bases(downto);
  const involved = [target, ...up.map((b) => b.release), ...down.map((b) => b.release)];

  const result: RelupResult = makeRelup({
    target,
    upFrom: up,
    downTo: down,
    apps: readApps(root, involved),
    appups: readAppups(root, target),
    options: {
      restartEmulator: options.restartEmulator === true,
      warningsAsErrors: options.warningsAsErrors === true,
      skipUncovered: !explicit,
    },
  });
  if (result.relup.up.length === 0 && result.relup.down.length === 0) {
    throw new CliError(
      `no appup of ${target.name} ${targetVsn} covers any older release (${result.warnings
        .map((w) => w.message)
        .join('; ')}); add appup entries for the releases to upgrade from`,
      'nothing_covered',
    );
  }
  return { root, target, result, file: layout.relupFile(root, targetVsn) };
}

function pick(releases: ReadonlyMap<string, Release>, vsn: string, root: string): Release {
  const release = releases.get(vsn);
  if (release === undefined) {
    const known = [...releases.keys()].sort(compareVersions).join(', ');
    throw new CliError(
      `no release ${vsn} under ${path.join(root, 'releases')} (there are: ${known}); name one of those`,
      'no_such_release',
    );
  }
  return release;
}
