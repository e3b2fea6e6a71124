import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHeart } from '../../src/handler/heart';
import { tmpDir } from '../helpers/tmp';

const nodeScript = path.join(__dirname, '..', 'fixtures', 'heart', 'node.js');

function heartFor(mode: string, extra: Partial<Parameters<typeof runHeart>[0]> = {}) {
  const dir = tmpDir();
  const lines: string[] = [];
  const heart = runHeart({
    command: () => ({
      file: process.execPath,
      args: [nodeScript],
      env: { ...process.env, HEART_TEST_DIR: dir, HEART_TEST_MODE: mode },
    }),
    log: (l) => lines.push(l),
    ...extra,
  });
  return { dir, lines, heart };
}

/** Resolves when `file` appears in `dir` (watching, not polling). */
function appears(dir: string, file: string): Promise<void> {
  return new Promise((resolve) => {
    const w = fs.watch(dir, () => {
      if (fs.existsSync(path.join(dir, file))) {
        w.close();
        resolve();
      }
    });
    if (fs.existsSync(path.join(dir, file))) {
      w.close();
      resolve();
    }
  });
}

describe('heart', () => {
  it('restarts a node killed with SIGKILL, and stops it in order on request', async () => {
    const { dir, lines, heart } = heartFor('crash-once');
    await appears(dir, 'ready-2');
    expect(lines.some((l) => l.includes('node died (SIGKILL); restarting'))).toBe(true);
    heart.stop();
    expect(await heart.done).toBe(0);
  });

  it('lets an orderly exit end it', async () => {
    const { heart, dir } = heartFor('exit-ok');
    expect(await heart.done).toBe(0);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('start-'))).toHaveLength(1);
  });

  it('kills and restarts a node that stops beating', async () => {
    const { dir, lines, heart } = heartFor('hang', { beatTimeoutMs: 200 });
    await appears(dir, 'ready-2');
    expect(lines.some((l) => l.includes('no heartbeat for 200 ms'))).toBe(true);
    heart.stop();
    expect(await heart.done).toBe(0);
  });

  it('gives up on a node that dies too often', async () => {
    const { dir, lines, heart } = heartFor('crash-always', { maxRestarts: 2 });
    expect(await heart.done).toBe(1);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('start-'))).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/giving up/);
  });
});
