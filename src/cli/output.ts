/**
 * What the build-side commands share: where they write, how repeatable options collect, and one
 * classification of their errors into a short kind (printed by --json) and a message that says
 * what to do. An error nobody classified is a bug, and is rethrown to be reported as one.
 */
import { ModelError } from '../model/validate';
import { GenerateError, PurgeSpecError } from '../release/appup-gen';
import { AppupSourceError } from '../release/appup';
import { PackageError as DependencyError } from '../release/build/packages';
import { BuildError } from '../release/build/compile-app';
import { PackageError } from '../release/package';
import { ProjectError } from '../release/project/describe';
import { RelupError } from '../release/relup';
import { CliError } from './errors';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const stdio: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Commander's collector for a repeatable option (`--upfrom 1.0.0 --upfrom 1.0.1`). */
export const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  value,
];

export function describeError(error: unknown): { kind: string; message: string } {
  if (
    error instanceof RelupError ||
    error instanceof GenerateError ||
    error instanceof PackageError ||
    error instanceof CliError
  ) {
    return { kind: error.kind, message: error.message };
  }
  if (error instanceof ProjectError) return { kind: 'bad_project', message: error.message };
  if (error instanceof BuildError || error instanceof AppupSourceError)
    return { kind: 'build_failed', message: error.message };
  if (error instanceof DependencyError) return { kind: 'dependencies', message: error.message };
  if (error instanceof PurgeSpecError) return { kind: 'bad_purge_spec', message: error.message };
  if (error instanceof ModelError)
    return { kind: 'invalid_file', message: `${error.message}\nfix the file and run again` };
  const e = error as NodeJS.ErrnoException;
  if (typeof e?.code === 'string' && typeof e.message === 'string')
    return { kind: 'io_error', message: e.message };
  throw error;
}

/** Reports a command's failure (as JSON with --json) and returns the exit code, 1. */
export function reportError(command: string, error: unknown, json: boolean, output: Output): number {
  const { kind, message } = describeError(error);
  if (json) output.out(JSON.stringify({ error: { kind, message } }, null, 2));
  else output.err(`hotrel ${command}: error (${kind}): ${message}`);
  return 1;
}
