/**
 * `hotrel upgrade-pack`: release, appup generate, relup and tar in one command (knit's "just type
 * knit", seed 000). Builds the project's release, generates the appups against every older
 * release beside it, compiles the relup and writes the slim upgrade package. The first release of
 * a root has nothing to upgrade from: it gets a full package.
 *
 * The built release stays whatever happens next (it is a valid build); the appups and the relup
 * are put back as they were if a later step fails, so a failed run leaves no half-made upgrade.
 */
import fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { layout } from '../../model/layout';
import { formatReport, parsePurgeSpec, writeAppups } from '../../release/appup-gen';
import { buildRelease } from '../../release/build/release';
import { CliError } from '../errors';
import { collect, reportError, type Output } from '../output';
import { showPath } from '../show-path';
import { appupGenerate } from './appup';
import { runRelup } from './relup';
import { describePackage, tarPackage } from './tar';

export interface UpgradePackOptions {
  project?: string;
  typecheck?: boolean;
  previousVersion?: string;
  purge?: string;
  restart?: string[];
  out?: string;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('upgrade-pack')
    .summary('release, appup generate, relup and tar in one step')
    .description(
      "Build the project's release (hotrel release), generate the appups of its applications against every " +
        'older release beside it (hotrel appup generate), compile its relup (hotrel relup) and write the slim ' +
        'upgrade package releases/<rel>-<vsn>.tar.gz (hotrel tar). The first release gets a full package.',
    )
    .option('--project <dir>', 'the project directory (default: the current directory)')
    .option('--no-typecheck', 'skip type-checking the project')
    .option('--previous-version <vsn>', 'only upgrade from this older release (default: every older release)')
    .option('--purge <spec>', 'purge methods: "module=soft|brutal|pre/post;...;default=..."')
    .option(
      '--restart <app>',
      'restart this application instead of upgrading its modules (repeatable)',
      collect,
    )
    .option('--out <file>', 'where to write the package (default: releases/<rel>-<vsn>.tar.gz)')
    .option('--quiet', 'print only the result')
    .action(async (options: UpgradePackOptions) => {
      process.exitCode = await runUpgradePack(options, process.cwd(), {
        out: (text) => process.stdout.write(`${text}\n`),
        err: (text) => process.stderr.write(`${text}\n`),
      });
    });
}

/** Files this run may write, with what they held before, so a failed run can put them back. */
class Undo {
  private readonly saved = new Map<string, Buffer | null>();
  remember(file: string): void {
    if (!this.saved.has(file)) this.saved.set(file, fs.existsSync(file) ? fs.readFileSync(file) : null);
  }
  restore(): void {
    for (const [file, content] of this.saved) {
      if (content === null) fs.rmSync(file, { force: true });
      else fs.writeFileSync(file, content);
    }
  }
}

export async function runUpgradePack(
  options: UpgradePackOptions,
  cwd: string,
  output: Output,
): Promise<number> {
  const say = (text: string): void => {
    if (options.quiet !== true) output.out(text);
  };
  const undo = new Undo();
  try {
    // Options are checked before anything is built.
    if (options.purge !== undefined) parsePurgeSpec(options.purge);
    const project = path.resolve(cwd, options.project ?? '.');
    const built = await buildRelease({ project, typecheck: options.typecheck !== false, log: say });
    const { root, release } = built;
    const rel = (f: string): string => showPath(f, cwd) || '.';

    const older = [...readdir(layout.releasesDir(root))].filter((v) => v !== release.vsn);
    if (options.previousVersion === undefined && older.length === 0) {
      const result = await tarPackage({ root, target: release.vsn, full: true, out: options.out }, cwd);
      output.out(
        `${release.name} ${release.vsn} is the first release in ${rel(root)}: nothing to upgrade from`,
      );
      output.out(describePackage(result, cwd, false));
      return 0;
    }

    // Appups: computed first, then written (remembering what was there).
    const plan = appupGenerate(
      {
        current: root,
        target: release.vsn,
        previousVersion: options.previousVersion,
        purge: options.purge,
        restart: options.restart,
        dryRun: true,
      },
      cwd,
    );
    say(formatReport(plan.result));
    for (const w of plan.result.warnings) output.err(`warning: ${w}`);
    for (const app of plan.result.apps) {
      if (app.action === 'generated' && app.file !== undefined) undo.remember(path.join(root, app.file));
    }
    writeAppups(root, plan.result);

    // Relup: every older release the appups cover.
    undo.remember(layout.relupFile(root, release.vsn));
    let relupText = '';
    const relupCode = runRelup(
      {
        root,
        target: release.vsn,
        ...(options.previousVersion === undefined ? {} : { upfrom: [options.previousVersion] }),
        json: true,
      },
      cwd,
      { out: (t) => (relupText += t), err: () => {} },
    );
    const relup = JSON.parse(relupText) as {
      error?: { kind: string; message: string };
      relup?: { up: { vsn: string }[] };
      warnings?: { message: string }[];
    };
    if (relupCode !== 0 || relup.error !== undefined) {
      throw new CliError(`relup: ${relup.error?.message ?? 'failed'}`, relup.error?.kind ?? 'relup_failed');
    }
    for (const w of relup.warnings ?? []) output.err(`warning: ${w.message}`);
    say(`relup of ${release.vsn}: up from and down to ${relup.relup!.up.map((s) => s.vsn).join(', ')}`);

    const result = await tarPackage({ root, target: release.vsn, out: options.out }, cwd);
    output.out(describePackage(result, cwd, false));
    return 0;
  } catch (error) {
    undo.restore();
    return reportError('upgrade-pack', error, false, output);
  }
}

function readdir(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'release.json')))
    .map((e) => e.name);
}
