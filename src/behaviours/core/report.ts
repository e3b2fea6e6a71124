/**
 * Crash and supervisor reports. Behaviour processes are spawned with `crashReport: false` and log
 * their own, richer reports here (OTP's "gen_server terminating" and supervisor reports), through
 * the node's pino logger.
 */
import { formatReason, isNormalExit, logger, type ExitReason, type Pid } from '../../runtime';
import { describeModule } from './module-name';

/** Logs that a behaviour process is terminating abnormally (nothing for normal/shutdown reasons). */
export function reportTermination(details: {
  behaviour: string;
  pid: Pid;
  name: string | undefined;
  module: unknown;
  reason: ExitReason;
  lastMessage?: unknown;
  state?: unknown;
}): void {
  if (isNormalExit(details.reason)) return;
  const { behaviour, pid, name, module, reason, lastMessage, state } = details;
  logger().error(
    {
      err: reason instanceof Error ? reason : undefined,
      reason: reason instanceof Error ? undefined : reason,
      behaviour,
      pid: String(pid),
      name,
      module: describeModule(module),
      lastMessage,
      state,
    },
    `${behaviour} ${name ?? String(pid)} terminating with reason ${formatReason(reason)}`,
  );
}

/** Logs a failed init (an exception, not a returned `stop`), as OTP's crash report does. */
export function reportInitFailure(
  behaviour: string,
  pid: Pid,
  name: string | undefined,
  module: unknown,
  reason: ExitReason,
): void {
  logger().error(
    {
      err: reason instanceof Error ? reason : undefined,
      reason: reason instanceof Error ? undefined : reason,
      behaviour,
      pid: String(pid),
      name,
      module: describeModule(module),
    },
    `${behaviour} ${name ?? String(pid)} failed in init: ${formatReason(reason)}`,
  );
}
