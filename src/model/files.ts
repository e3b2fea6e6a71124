/**
 * Reading and writing the model's files on disk. Kept apart from the rest of the model (and out
 * of its index) so that pure code, the relup compiler above all, cannot reach the file system by
 * importing the model.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelError, parseModelText, type ModelFileKind, type ModelFiles } from './validate';

/**
 * Reads and validates one file. `label` names the file in errors (default: the path). A missing
 * or unreadable file is a ModelError too, whose message says so.
 */
export function readModelFile<K extends ModelFileKind>(kind: K, file: string, label = file): ModelFiles[K] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT' ? 'file not found' : `cannot read the file: ${(error as Error).message}`;
    throw new ModelError(label, [{ path: [], where: '', message }]);
  }
  return parseModelText(kind, text, label);
}

/**
 * Writes `value` as JSON atomically: a temporary file in the same directory, fsync, rename. A
 * reader (or a crash) sees the old file or the new one, never a torn one (DESIGN.md §6).
 */
export function writeJsonAtomic(file: string, value: unknown): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, `${JSON.stringify(value, null, 2)}\n`);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  // Make the rename itself durable.
  try {
    const dirFd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dirFd);
    } finally {
      fs.closeSync(dirFd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}
