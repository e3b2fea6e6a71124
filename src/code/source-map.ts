/**
 * A loaded version's source map, parsed on first use (most versions never appear in a trace).
 *
 * Node's `--enable-source-maps` does not cover code compiled with `vm.compileFunction` on
 * Node 20 (loading.md §4.5), so the code server keeps one map per version itself and drops it
 * when the version is purged.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SourceMap } from 'node:module';

export interface OriginalPosition {
  /** Absolute path of the source file. */
  source: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export class VersionSourceMap {
  private parsed: SourceMap | null | undefined = undefined;

  /**
   * @param text the map (JSON)
   * @param base the directory its relative `sources` are relative to (the generated file's)
   */
  constructor(
    private text: string,
    private readonly base: string,
  ) {}

  /** The original position of a generated one (1-based line and column), if the map has it. */
  lookup(line: number, column: number): OriginalPosition | undefined {
    const map = this.load();
    if (map === null) return undefined;
    const entry = map.findEntry(line - 1, column - 1) as Partial<{
      originalSource: string;
      originalLine: number;
      originalColumn: number;
    }>;
    if (entry.originalSource === undefined || entry.originalLine === undefined) return undefined;
    return {
      source: this.resolve(entry.originalSource),
      line: entry.originalLine + 1,
      column: (entry.originalColumn ?? 0) + 1,
    };
  }

  private load(): SourceMap | null {
    if (this.parsed === undefined) {
      try {
        this.parsed = new SourceMap(JSON.parse(this.text) as never);
      } catch {
        this.parsed = null;
      }
      this.text = '';
    }
    return this.parsed;
  }

  private resolve(source: string): string {
    if (source.startsWith('file://')) return fileURLToPath(source);
    if (path.isAbsolute(source) || /^[a-z]+:/i.test(source)) return source;
    const root =
      (this.load() as unknown as { payload?: { sourceRoot?: string } } | null)?.payload?.sourceRoot ?? '';
    return path.resolve(this.base, root, source);
  }
}

/** The map of a `//# sourceMappingURL=data:application/json;base64,...` comment, if the code has one. */
export function inlineSourceMap(code: string): string | undefined {
  const match =
    /\/\/[#@] sourceMappingURL=data:application\/json(?:;charset=[^;,]+)?;base64,([A-Za-z0-9+/=]+)\s*$/.exec(
      code,
    );
  return match === null ? undefined : Buffer.from(match[1]!, 'base64').toString('utf8');
}

/** The code without a trailing `//# sourceMappingURL=` comment (what identifies the code). */
export function withoutSourceMapComment(code: string): string {
  return code.replace(/\n?\/\/[#@] sourceMappingURL=[^\n]*\s*$/, '');
}
