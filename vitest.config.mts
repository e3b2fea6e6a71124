import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Each test file runs in its own child process: the runtime and the code server are
    // per-Node-process singletons, and some tests force GCs or open inspector sessions.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
