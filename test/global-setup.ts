/**
 * Builds hotrel's dist/ before the tests when it is missing or older than src/: releases built
 * by the tests embed hotrel's compiled code, as a user's releases embed the installed package.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.ts'))
      t = Math.max(t, fs.statSync(path.join(e.parentPath, e.name)).mtimeMs);
  }
  return t;
}

export default function setup(): void {
  const root = path.join(__dirname, '..');
  const stamp = path.join(root, 'dist', '.build-stamp');
  const srcTime = Math.max(
    newest(path.join(root, 'src')),
    fs.statSync(path.join(root, 'package.json')).mtimeMs,
  );
  if (fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= srcTime) return;
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  fs.writeFileSync(stamp, new Date().toISOString());
}
