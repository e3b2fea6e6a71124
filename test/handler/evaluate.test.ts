import { describe, expect, it } from 'vitest';
import { EvalSyntaxError, evaluate } from '../../src/handler/control/evaluate';

describe('evaluate', () => {
  it('evaluates an expression, statements ending in an expression, and top-level await', async () => {
    expect(await evaluate('1 + 2', {})).toBe(3);
    expect(await evaluate('const x: number = 20; x * 2 + 2', {})).toBe(42);
    expect(await evaluate('await Promise.resolve(7)', {})).toBe(7);
    expect(await evaluate('let s = 0; for (const n of [1, 2, 3]) s += n;', {})).toBeUndefined();
    expect(await evaluate('({ a: 1 })', {})).toEqual({ a: 1 });
  });

  it('binds the scope and reports syntax errors clearly', async () => {
    expect(await evaluate('helper(20) + base', { helper: (n: number) => n * 2, base: 2 })).toBe(42);
    await expect(evaluate('1 +', {})).rejects.toBeInstanceOf(EvalSyntaxError);
    await expect(evaluate('1 +', {})).rejects.toThrow(/cannot parse the expression: Expression expected/);
    await expect(evaluate('nosuchname', {})).rejects.toThrow(/nosuchname is not defined/);
  });
});
