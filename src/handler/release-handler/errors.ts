/**
 * Errors of the release handler. Each has a `code` (OTP's error atom where OTP has one, e.g.
 * `no_such_release`, `already_installed`, `bad_status`, `old_processes`), a message that says what
 * to do, and `details` for tools (`--json`). The control socket passes all three to the client.
 */

export type ReleaseHandlerErrorCode =
  | 'no_such_release'
  | 'no_such_file'
  | 'already_installed'
  | 'existing_release'
  | 'bad_status'
  | 'permanent'
  | 'running'
  | 'bad_package'
  | 'needs_base'
  | 'bad_release'
  | 'no_matching_relup'
  | 'bad_relup_file'
  | 'illegal_option'
  | 'illegal_instruction_after_point_of_no_return'
  | 'old_processes'
  | 'bad_lib_vsn'
  | 'no_such_lib'
  | 'restart_new_emulator'
  | 'suspend_failed'
  | 'suspended_supervisor'
  | 'code_change_failed'
  | 'apply_failed'
  | 'install_failed'
  | 'rolled_back'
  | 'restarting'
  | 'busy';

export class ReleaseHandlerError extends Error {
  constructor(
    readonly code: ReleaseHandlerErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ReleaseHandlerError';
  }
}

/** A short text for any thrown value (for messages and `details`). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    const text = JSON.stringify(err, (_k, v: unknown) => (v instanceof Error ? v.message : v));
    return text ?? String(err);
  } catch {
    return String(err);
  }
}
