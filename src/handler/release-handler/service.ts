/**
 * The release handler as a boot service: boot starts it once the applications are up (the
 * `release_handler` process), merges its commands into the control socket's, and stops it first
 * when the node stops. Node restarts it asks for (a reboot into an old release, a relup's node
 * restart, an install that cannot be rolled back in process) stop the node with a non-zero exit
 * code, which heart (`bin/<rel> daemon --heart`) answers by booting it again from
 * `releases/start.json` — or once from `releases/new_start.json`.
 */
import { logger } from '../../runtime';
import { registerBootService } from '../boot/extensions';
import { releaseHandlerCommands } from './commands';
import { startReleaseHandler, stopReleaseHandler } from './server';

/** The exit code of a node that stops to be restarted by heart. */
export const RESTART_EXIT_CODE = 1;

registerBootService({
  name: 'release_handler',
  async start(ctx) {
    await startReleaseHandler({
      root: ctx.root,
      release: ctx.release,
      restartNode: (reason) => {
        const underHeart = typeof process.send === 'function' && process.connected;
        logger().warn(
          { reason },
          `restarting the node: ${reason}` +
            (underHeart ? '' : ' (not running under heart: start it again with bin/<rel> daemon --heart)'),
        );
        ctx.stopNode(RESTART_EXIT_CODE);
      },
    });
    return { commands: releaseHandlerCommands(), stop: stopReleaseHandler };
  },
});
