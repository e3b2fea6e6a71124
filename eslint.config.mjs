// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import { builtinModules } from 'node:module';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', '**/_build/**', 'coverage/**', '**/*.js', '**/*.cjs', '**/*.mjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Layering (DESIGN.md §3): a lower layer never imports a higher one.
      'no-restricted-imports': 'off',
    },
  },
  ...[
    ['runtime', ['code', 'behaviours', 'handler', 'release', 'cli']],
    ['code', ['behaviours', 'handler', 'release', 'cli']],
    ['behaviours', ['handler', 'release', 'cli']],
    ['model', ['runtime', 'code', 'behaviours', 'handler', 'release', 'cli']],
    ['handler', ['release', 'cli']],
    ['release', ['handler', 'cli', 'runtime', 'behaviours']],
  ].map(([layer, above]) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: /** @type {string[]} */ (above).map((a) => ({
            group: [`../${a}`, `../${a}/*`, `../../${a}/*`],
            message: `src/${layer} must not import src/${a}: layers only import downwards (DESIGN.md §3).`,
          })),
        },
      ],
    },
  })),
  {
    // The relup compiler is pure (issue 6): no file system, no process, no clock, no randomness.
    // Repeats the release layer's import rule: flat config replaces a rule's options per block.
    files: ['src/release/relup/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)].map((name) => ({
            name,
            message: 'the relup compiler is pure: no Node.js built-in modules (the CLI does the I/O).',
          })),
          patterns: [
            ...['handler', 'cli', 'runtime', 'behaviours'].map((a) => ({
              group: [`../../${a}`, `../../${a}/*`],
              message: `src/release must not import src/${a}: layers only import downwards (DESIGN.md §3).`,
            })),
            {
              group: ['../../model/files'],
              message: 'the relup compiler is pure: model/files does disk I/O.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...[
          'process',
          'require',
          'globalThis',
          'Date',
          'setTimeout',
          'setInterval',
          'setImmediate',
          'fetch',
          'console',
        ].map((name) => ({ name, message: 'the relup compiler is pure and deterministic.' })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'the relup compiler is deterministic.' },
      ],
    },
  },
);
