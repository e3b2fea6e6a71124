/** The application compiler: one TypeScript file in, CommonJS + source map out. */
import { SourceMap } from 'node:module';
import { describe, expect, it } from 'vitest';
import { compileModule, formatDiagnostics, hasErrors } from '../../src/code';

describe('compileModule', () => {
  it('emits CommonJS that reads imported bindings at each call, and a source map of the .ts file', () => {
    const source = [
      "import { f } from './other';",
      "import * as self from './m';",
      'export const vsn = "1.0.0";',
      'export function run(x: number): number {',
      '  return f(x) + self.local(x);',
      '}',
      'export function local(x: number): number { return x; }',
      '',
    ].join('\n');
    const out = compileModule(source, '/app/src/m.ts');
    expect(out.diagnostics).toEqual([]);
    expect(out.code).toContain('require("./other")');
    expect(out.code).toMatch(/\(0, other_1\.f\)\(x\)/); // a property read at every call
    expect(out.code).toContain('exports.vsn =');
    expect(out.code).not.toContain(': number'); // types erased
    const map = JSON.parse(out.map) as { sources: string[]; file: string };
    expect(map.sources).toEqual(['m.ts']);
    const line = out.code.split('\n').findIndex((l) => l.includes('other_1.f'));
    const column = out.code.split('\n')[line]!.indexOf('(0, other_1.f)');
    const entry = new SourceMap(JSON.parse(out.map) as never).findEntry(line, column) as {
      originalLine: number;
    };
    expect(entry.originalLine + 1).toBe(5);
  });

  it('is a pure function of (source, file name)', () => {
    const source = 'export const a: number = 1;\nexport default function () { return a; }\n';
    expect(compileModule(source, '/x/a.ts')).toEqual(compileModule(source, '/x/a.ts'));
  });

  it('refuses top-level await, naming the file, line and column', () => {
    const source = [
      'export const a = 1;',
      'async function fine() { await a; }',
      'const b = await Promise.resolve(2);',
      'for await (const x of []) {}',
      'export const c = async () => { for await (const y of []) {} };',
    ].join('\n');
    const out = compileModule(source, '/app/src/tla.ts');
    expect(hasErrors(out.diagnostics)).toBe(true);
    expect(out.diagnostics.map((d) => [d.file, d.line, d.column, d.code])).toEqual([
      ['/app/src/tla.ts', 3, 11, 'hotrel-top-level-await'],
      ['/app/src/tla.ts', 4, 1, 'hotrel-top-level-await'],
    ]);
    expect(formatDiagnostics(out.diagnostics)).toMatch(
      /^\/app\/src\/tla\.ts:3:11: error: top-level await is not allowed/,
    );
  });

  it('refuses import.meta, which CommonJS does not have', () => {
    const out = compileModule('export const here = import.meta.url;\n', '/app/src/meta.ts');
    expect(out.diagnostics).toMatchObject([
      { line: 1, column: 21, code: 'hotrel-import-meta', category: 'error' },
    ]);
    expect(out.diagnostics[0]!.message).toMatch(/__filename/);
  });

  it('reports syntax errors with positions', () => {
    const out = compileModule('export const = 1;\n', '/app/src/bad.ts');
    expect(out.diagnostics[0]).toMatchObject({
      file: '/app/src/bad.ts',
      line: 1,
      column: 14,
      category: 'error',
    });
  });

  it('does not type-check (that is the release builder’s job)', () => {
    const out = compileModule('export const n: number = "not a number";\n', '/app/src/t.ts');
    expect(out.diagnostics).toEqual([]);
  });
});
