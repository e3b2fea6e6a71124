/**
 * Events of the application controller.
 *
 * - An application exited on its own (not through `stop`): after its start type's consequences
 *   were applied.
 * - The node must stop: an application whose exit stops the node (a permanent one, or a
 *   transient one abnormally) exited. OTP halts the node; here it is an event, so tests and the
 *   node's boot code decide. With no listener the process exits with status 1, as a node does.
 */
import { formatReason, logger, type ExitReason } from '../../runtime';
import type { StartType } from './spec';

/** An application that exited on its own. */
export interface ApplicationExitEvent {
  readonly application: string;
  readonly type: StartType;
  readonly reason: ExitReason;
  /** Whether its exit stopped the other applications and the node. */
  readonly nodeStopped: boolean;
}

const exitListeners = new Set<(event: ApplicationExitEvent) => void>();

/** Registers a listener for applications exiting on their own; returns its remover. */
export function onApplicationExit(listener: (event: ApplicationExitEvent) => void): () => void {
  exitListeners.add(listener);
  return () => {
    exitListeners.delete(listener);
  };
}

/** @internal */
export function emitApplicationExit(event: ApplicationExitEvent): void {
  for (const listener of [...exitListeners]) {
    try {
      listener(event);
    } catch (err) {
      logger().error({ err }, 'an application-exit listener threw; ignored');
    }
  }
}

/** Why the node must stop. */
export interface NodeStopEvent {
  readonly application: string;
  readonly type: StartType;
  readonly reason: ExitReason;
}

const listeners = new Set<(event: NodeStopEvent) => void>();

/**
 * Registers a listener for "the node must stop" (the other applications are already stopped
 * when it is called). Returns a function that removes it. While any listener is registered,
 * the process is not exited.
 */
export function onNodeStop(listener: (event: NodeStopEvent) => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** @internal */
export function emitNodeStop(event: NodeStopEvent): void {
  logger().fatal(
    { application: event.application, type: event.type, reason: event.reason },
    `application ${event.application} (${event.type}) exited with reason ${formatReason(event.reason)}: the node must stop`,
  );
  if (listeners.size === 0) {
    process.exitCode = 1;
    setImmediate(() => process.exit(1));
    return;
  }
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch (err) {
      logger().error({ err }, 'a node-stop listener threw; ignored');
    }
  }
}
