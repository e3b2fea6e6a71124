/**
 * `hotrel tar`: the upgrade package of a release, `releases/<rel>-<vsn>.tar.gz`: slim (only what
 * its base releases lack, the default) or full (`--full`), with MANIFEST.json first, a sha256 per
 * file, and the same bytes for the same release (src/release/package).
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import { makePackage, type PackageResult } from '../../release/package';
import { CliError } from '../errors';
import { collect, reportError, type Output } from '../output';
import { showPath } from '../show-path';
import { findReleaseRoot } from '../release-root';

export interface TarOptions {
  root?: string;
  name?: string;
  target?: string;
  full?: boolean;
  base?: string[];
  out?: string;
  dryRun?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('tar')
    .summary('make the upgrade package releases/<rel>-<vsn>.tar.gz')
    .description(
      'Pack a release (the newest under the release root, or --target) as an upgrade package. By default the ' +
        'package is slim: the release files and relup, and only the application versions (and the third-party ' +
        "packages directory) that its base releases, the relup's up-from versions, lack; MANIFEST.json lists the " +
        'bases, the directories the target must already have, and a sha256 per file. --full packs the whole ' +
        'release. The same release gives the same bytes.',
    )
    .option('--root <dir>', 'release root (holds lib/ and releases/)')
    .option('--name <name>', 'release name, for the root _build/rel/<name>')
    .option('--target <vsn>', 'release to pack (default: the newest)')
    .option('--full', 'pack the whole release, not only what the bases lack')
    .option(
      '--base <vsn>',
      'slim: only for this base release (repeatable; default: every up-from of the relup)',
      collect,
    )
    .option('--out <file>', 'where to write it (default: releases/<rel>-<vsn>.tar.gz in the release root)')
    .option('--dry-run', 'print what the package would hold, write nothing')
    .option('--json', 'print the result (or the error) as JSON on stdout')
    .action(async (options: TarOptions) => {
      process.exitCode = await runTar(options, process.cwd(), {
        out: (text) => process.stdout.write(`${text}\n`),
        err: (text) => process.stderr.write(`${text}\n`),
      });
    });
}

/** Makes the package; returns its result. */
export async function tarPackage(options: TarOptions, cwd: string): Promise<PackageResult> {
  if (options.full === true && options.base !== undefined && options.base.length > 0) {
    throw new CliError('--base applies to slim packages; leave it out with --full', 'bad_options');
  }
  const root = findReleaseRoot(options, cwd);
  return makePackage({
    root,
    target: options.target,
    full: options.full === true,
    bases: options.base ?? [],
    out: options.out === undefined ? undefined : path.resolve(cwd, options.out),
    dryRun: options.dryRun === true,
  });
}

export function describePackage(result: PackageResult, cwd: string, dryRun: boolean): string {
  const m = result.manifest;
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  const files = Object.keys(m.files).length;
  const what = m.full
    ? `full package of ${m.name} ${m.vsn}`
    : `slim package of ${m.name} ${m.vsn} for ${m.bases.length === 1 ? 'release' : 'releases'} ${m.bases.join(', ')}`;
  const size = dryRun
    ? `${kb(result.contentSize)} of files`
    : `${kb(result.size)}, ${kb(result.contentSize)} of files`;
  const lines = [
    `${dryRun ? 'dry run: would write' : 'wrote'} ${showPath(result.file, cwd)}: ${what} (${files} files, ${size})`,
  ];
  if (m.requires.length > 0) lines.push(`  needs on the target: ${m.requires.join(', ')}`);
  return lines.join('\n');
}

/** Runs the command; returns the exit code. Writes nothing unless the whole package is made. */
export async function runTar(options: TarOptions, cwd: string, output: Output): Promise<number> {
  try {
    const result = await tarPackage(options, cwd);
    if (options.json === true) {
      output.out(
        JSON.stringify(
          {
            file: showPath(result.file, cwd),
            size: result.size,
            contentSize: result.contentSize,
            manifest: result.manifest,
            dryRun: options.dryRun === true,
          },
          null,
          2,
        ),
      );
    } else {
      output.out(describePackage(result, cwd, options.dryRun === true));
    }
    return 0;
  } catch (error) {
    return reportError('tar', error, options.json === true, output);
  }
}
