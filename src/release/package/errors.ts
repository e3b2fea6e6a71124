/** Why an upgrade package cannot be made; the message says what to do. */
export class PackageError extends Error {
  constructor(
    /** A short machine-readable reason (e.g. `no_relup`). */
    readonly kind: string,
    message: string,
  ) {
    super(message);
    this.name = 'PackageError';
  }
}
