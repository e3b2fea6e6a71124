/** Errors of CLI commands: a message that says what is wrong and what to do. */

export class CliError extends Error {
  constructor(
    message: string,
    /** A short machine-readable reason, printed by --json (e.g. `no_release_root`). */
    readonly kind: string = 'cli_error',
  ) {
    super(message);
    this.name = 'CliError';
  }
}
