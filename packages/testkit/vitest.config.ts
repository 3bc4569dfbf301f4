import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // PGlite takes a few seconds to start.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
