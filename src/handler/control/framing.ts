/**
 * Newline-delimited JSON over a stream: one message per line. A line longer than the limit is a
 * protocol error (a misbehaving or hostile peer), not a reason to buffer without bound.
 */
import type { Socket } from 'node:net';

export const MAX_LINE = 16 * 1024 * 1024;

export function writeMessage(socket: Socket, msg: unknown): void {
  if (!socket.destroyed) socket.write(JSON.stringify(msg) + '\n');
}

/**
 * Calls `onMessage` for every complete JSON line. Returns a function that stops reading lines
 * and gives back whatever bytes arrived after the last line (for switching to a raw stream).
 */
export function readMessages(
  socket: Socket,
  onMessage: (msg: unknown) => void,
  onError: (err: Error) => void,
): () => Buffer {
  let buffered: Buffer = Buffer.alloc(0);
  let stopped = false;
  const onData = (chunk: Buffer): void => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    for (;;) {
      if (stopped) return;
      const nl = buffered.indexOf(10);
      if (nl < 0) break;
      const line = buffered.subarray(0, nl).toString('utf8');
      buffered = buffered.subarray(nl + 1);
      if (line.trim() === '') continue;
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        onError(new Error(`malformed message (not JSON): ${line.slice(0, 80)}`));
        return;
      }
      onMessage(msg);
    }
    if (buffered.length > MAX_LINE) onError(new Error(`message longer than ${MAX_LINE} bytes`));
  };
  socket.on('data', onData);
  return () => {
    stopped = true;
    socket.off('data', onData);
    const rest = buffered;
    buffered = Buffer.alloc(0);
    return rest;
  };
}
