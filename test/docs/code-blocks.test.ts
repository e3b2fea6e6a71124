/**
 * The TypeScript in the user documentation compiles against hotrel's API: every ```ts block of
 * the pages below is written to a file (named by a first line `// file: name.ts`, else
 * `block-<n>.ts`) beside the page's other blocks, so they can import each other, and the whole
 * set is type-checked with the repository's compiler options, `hotrel` resolving to src/.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/tmp';

const REPO = path.join(__dirname, '..', '..');
const PAGES = ['docs/upgrade-friendly-code.md', 'docs/guide.md'];

interface Block {
  file: string;
  /** Line of the block's first code line in the page. */
  line: number;
  code: string;
}

function blocksOf(page: string): Block[] {
  const lines = fs.readFileSync(path.join(REPO, page), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```ts') continue;
    const start = i + 1;
    let end = start;
    while (lines[end] !== '```') end++;
    const code = lines.slice(start, end).join('\n');
    const named = /^\/\/ file: (\S+\.ts)$/.exec(lines[start] ?? '');
    blocks.push({ file: named?.[1] ?? `block-${blocks.length + 1}.ts`, line: start + 1, code });
    i = end;
  }
  return blocks;
}

function compilerOptions(): ts.CompilerOptions {
  const configFile = path.join(REPO, 'tsconfig.json');
  const parsed = ts.parseJsonConfigFileContent(
    ts.readConfigFile(configFile, ts.sys.readFile).config,
    ts.sys,
    REPO,
  );
  // Emit settings (rootDir, outDir, declarations) cannot matter to a check, and rootDir would refuse the temp dir.
  const { rootDir: _rootDir, outDir: _outDir, declaration: _declaration, ...checkOnly } = parsed.options;
  return {
    ...checkOnly,
    noEmit: true,
    baseUrl: REPO,
    paths: { hotrel: ['src/index.ts'], 'hotrel/*': ['src/*'] },
    typeRoots: [path.join(REPO, 'node_modules', '@types')],
  };
}

describe('code in the documentation', () => {
  for (const page of PAGES) {
    it(`${page}: every TypeScript block type-checks`, () => {
      const blocks = blocksOf(page);
      expect(blocks.length).toBeGreaterThan(0);
      const dir = tmpDir('hotrel-docs-');
      // Third-party imports (ws, ...) resolve as from the repository.
      fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
      const byFile = new Map<string, Block>();
      for (const b of blocks) {
        expect(byFile.has(b.file), `${page}:${b.line}: a second block named ${b.file}`).toBe(false);
        byFile.set(b.file, b);
        fs.writeFileSync(path.join(dir, b.file), b.code);
      }
      const program = ts.createProgram(
        blocks.map((b) => path.join(dir, b.file)),
        compilerOptions(),
      );
      const problems = ts
        .getPreEmitDiagnostics(program)
        .filter((d) => d.category === ts.DiagnosticCategory.Error)
        .map((d) => {
          const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
          if (d.file === undefined || d.start === undefined) return msg;
          const block = byFile.get(path.basename(d.file.fileName));
          const { line } = d.file.getLineAndCharacterOfPosition(d.start);
          return block === undefined
            ? `${d.file.fileName}:${line + 1}: ${msg}`
            : `${page}:${block.line + line}: ${msg}`;
        });
      expect(problems).toEqual([]);
    });
  }
});
