/** Where a node's control socket lives, and the limits of Unix socket paths. */
import path from 'node:path';

/** Linux's sun_path holds 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH = 107;

export function controlSocketPath(root: string): string {
  const override = process.env.HOTREL_CONTROL_SOCKET;
  const p =
    override !== undefined && override !== ''
      ? path.resolve(override)
      : path.join(root, 'tmp', 'control.sock');
  if (Buffer.byteLength(p) > MAX_SOCKET_PATH) {
    throw new Error(
      `the control socket path ${p} is ${Buffer.byteLength(p)} bytes, over the ${MAX_SOCKET_PATH}-byte limit of Unix ` +
        `sockets; set HOTREL_CONTROL_SOCKET to a shorter path (for the node and its clients alike)`,
    );
  }
  return p;
}
