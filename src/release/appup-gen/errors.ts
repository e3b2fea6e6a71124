/** Why appup generation cannot go on; the message says what to do. */
export class GenerateError extends Error {
  constructor(
    /** A short machine-readable reason, printed by --json (e.g. `no_previous_release`). */
    readonly kind: string,
    message: string,
  ) {
    super(message);
    this.name = 'GenerateError';
  }
}
