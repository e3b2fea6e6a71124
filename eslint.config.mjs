// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

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
);
