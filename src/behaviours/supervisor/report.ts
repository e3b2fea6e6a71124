/** Supervisor reports (OTP's SUPERVISOR REPORT), through the node's pino logger. */
import { formatReason, logger, type ExitReason, type Pid } from '../../runtime';
import { describeModule } from '../core/module-name';
import type { NormalizedSpec } from './spec';

/** OTP's error contexts. */
export type ErrorContext = 'child_terminated' | 'start_error' | 'shutdown_error' | 'shutdown';

/** What a report says about the child concerned. */
export function offender(spec: NormalizedSpec, pid: Pid | undefined): Record<string, unknown> {
  return {
    id: spec.id,
    pid: pid === undefined ? undefined : String(pid),
    start:
      typeof spec.start === 'function'
        ? `[function ${spec.start.name || 'anonymous'}]`
        : `${describeModule(spec.start.module)}.${spec.start.function}`,
    restart: spec.restart,
    shutdown: spec.shutdown,
    type: spec.type,
  };
}

export function reportSupervisor(
  supervisor: string,
  context: ErrorContext,
  reason: ExitReason,
  child: Record<string, unknown>,
): void {
  logger().error(
    {
      supervisor,
      errorContext: context,
      err: reason instanceof Error ? reason : undefined,
      reason: reason instanceof Error ? undefined : reason,
      offender: child,
    },
    `supervisor ${supervisor}: ${context} of child ${String(child.id)}: ${formatReason(reason)}`,
  );
}

/** A child started (OTP's progress report; debug level, as OTP's default logger level hides it). */
export function reportProgress(supervisor: string, spec: NormalizedSpec, pid: Pid): void {
  logger().debug(
    { supervisor, started: offender(spec, pid) },
    `supervisor ${supervisor} started child ${spec.id}`,
  );
}
