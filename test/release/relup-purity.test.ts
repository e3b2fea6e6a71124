/**
 * The relup compiler is a pure module: neither it nor anything it imports (the model included)
 * touches files, the process, the clock or randomness. Walks the real import graph from the
 * compiler's entry point with the TypeScript parser.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const ENTRY = path.join(ROOT, 'src/release/relup/index.ts');
/** Third-party packages the compiler may use: both are pure (schemas, version ranges). */
const ALLOWED_PACKAGES = new Set(['zod', 'semver']);
const FORBIDDEN_GLOBALS = new Set([
  'process',
  'require',
  'globalThis',
  'Date',
  'setTimeout',
  'setInterval',
  'fetch',
]);

function resolveLocal(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')])
    if (fs.existsSync(candidate)) return candidate;
  throw new Error(`cannot resolve ${spec} from ${from}`);
}

/** Every source file reachable from `entry`, and every non-relative import they make. */
function importGraph(entry: string): { files: string[]; external: Map<string, string[]> } {
  const files: string[] = [];
  const external = new Map<string, string[]>();
  const queue = [entry];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const file = queue.shift()!;
    files.push(file);
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    for (const { fileName: spec } of info.importedFiles) {
      if (spec.startsWith('.')) {
        const target = resolveLocal(file, spec);
        if (!seen.has(target)) {
          seen.add(target);
          queue.push(target);
        }
      } else {
        external.set(spec, [...(external.get(spec) ?? []), path.relative(ROOT, file)]);
      }
    }
  }
  return { files, external };
}

/** Uses of forbidden globals (not declared locally) and of Math.random in one file. */
function impureUses(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && FORBIDDEN_GLOBALS.has(node.text)) {
      const parent = node.parent;
      const isPropertyName =
        (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        (ts.isPropertyAssignment(parent) && parent.name === node) ||
        ts.isPropertySignature(parent);
      if (!isPropertyName) found.push(`${path.relative(ROOT, file)}: ${node.text}`);
    }
    if (ts.isPropertyAccessExpression(node) && node.getText() === 'Math.random') {
      found.push(`${path.relative(ROOT, file)}: Math.random`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('the relup compiler is pure', () => {
  const graph = importGraph(ENTRY);

  it('reaches the model but not its disk access', () => {
    const relative = graph.files.map((f) => path.relative(ROOT, f));
    expect(relative).toContain('src/model/validate.ts');
    expect(relative).not.toContain('src/model/files.ts');
    expect(relative.every((f) => f.startsWith('src/release/relup/') || f.startsWith('src/model/'))).toBe(
      true,
    );
  });

  it('imports no Node.js built-in module and only pure packages', () => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const offending = [...graph.external.entries()].filter(
      ([spec]) => builtins.has(spec) || !ALLOWED_PACKAGES.has(spec),
    );
    expect(offending).toEqual([]);
  });

  it('uses no process, clock, timer or randomness', () => {
    expect(graph.files.flatMap(impureUses)).toEqual([]);
  });

  it('the check notices an impure file (it can fail)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'purity-'));
    const file = path.join(dir, 'impure.ts');
    fs.writeFileSync(
      file,
      "import * as fs from 'node:fs';\nexport const t = Date.now() + process.pid + Math.random();\n",
    );
    try {
      expect(impureUses(file).map((u) => u.split(': ')[1])).toEqual(['Date', 'process', 'Math.random']);
      expect([...importGraph(file).external.keys()]).toEqual(['node:fs']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
