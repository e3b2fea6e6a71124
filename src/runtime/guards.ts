/**
 * Keeps a failing process from taking the Node process down.
 *
 * A process's own promise is always handled by the runtime. A promise a process created and
 * forgot (a floating `fetch()` that rejects) would otherwise crash Node (the default since
 * Node 15); on a hotrel node it is reported and the node keeps running, as an Erlang node does.
 * `HOTREL_UNHANDLED_REJECTIONS=strict` keeps Node's default.
 */
import { logger } from './log';

let installed = false;

export function installNodeGuards(): void {
  if (installed) return;
  installed = true;
  if (process.env.HOTREL_UNHANDLED_REJECTIONS === 'strict') return;
  process.on('unhandledRejection', (reason) => {
    logger().error(
      {
        err: reason instanceof Error ? reason : undefined,
        reason: reason instanceof Error ? undefined : reason,
      },
      'unhandled promise rejection (the node keeps running)',
    );
  });
}
