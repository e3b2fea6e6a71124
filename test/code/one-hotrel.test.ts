/** There is exactly one hotrel (runtime + code server) per Node process. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'hotrel-copy-'));
afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

describe('one hotrel per Node process', () => {
  it('refuses to load a second copy of the code server', () => {
    fs.cpSync(path.join(root, 'src'), path.join(copy, 'src'), { recursive: true });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
    const script = [
      `require(${JSON.stringify(path.join(root, 'src/code'))});`,
      'try {',
      `  require(${JSON.stringify(path.join(copy, 'src/code'))});`,
      "  console.log('loaded twice');",
      '} catch (err) {',
      '  console.log(err.message);',
      '}',
    ].join('\n');
    const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out).toMatch(
      /^a second hotrel code server is being loaded \(.*hotrel-copy-.*server\.ts; the first came from .*\/src\/code\/server\.ts\)/,
    );
    expect(out).toMatch(/there must be exactly one copy of hotrel per Node process/);
  });

  it("gives application code 'hotrel' from the tree that is running, under Node's own loader", () => {
    const app = fs.mkdtempSync(path.join(os.tmpdir(), 'hotrel-self-'));
    fs.writeFileSync(
      path.join(app, 'm.ts'),
      "import { spawn } from 'hotrel';\nexport const theSpawn = spawn;\n",
    );
    const script = [
      `const code = require(${JSON.stringify(path.join(root, 'src/code'))});`,
      `const runtime = require(${JSON.stringify(path.join(root, 'src/runtime'))});`,
      `code.addApplication({ name: 'selfapp', dir: ${JSON.stringify(app)}, form: 'ts' });`,
      "code.load('selfapp:m').then(() => console.log(code.getModule('selfapp:m').theSpawn === runtime.spawn));",
    ].join('\n');
    const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    fs.rmSync(app, { recursive: true, force: true });
    expect(out.trim()).toBe('true');
  });
});
