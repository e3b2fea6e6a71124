/** Errors a control client reports; each says what to do. */

export class NodeNotRunningError extends Error {
  constructor(readonly socketPath: string) {
    super(`the node is not running (nothing listens on ${socketPath}); start it with: bin/<rel> daemon`);
    this.name = 'NodeNotRunningError';
  }
}

export class AuthenticationError extends Error {
  constructor(detail: string) {
    super(
      `the node refused the connection: ${detail}. Use the release's own bin/ script, or set HOTREL_COOKIE ` +
        `to the content of <root>/releases/COOKIE`,
    );
    this.name = 'AuthenticationError';
  }
}

export class CommandTimeoutError extends Error {
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(
      `no answer to '${command}' within ${timeoutMs} ms: the node may be busy or hung; ` +
        `check it with 'ping', or raise the limit with --timeout`,
    );
    this.name = 'CommandTimeoutError';
  }
}

/** An error the node reported for a command (its message comes from the node). */
export class RemoteCommandError extends Error {
  constructor(
    readonly command: string,
    message: string,
    readonly code: string | undefined,
    readonly details: unknown,
  ) {
    super(message);
    this.name = 'RemoteCommandError';
  }
}
