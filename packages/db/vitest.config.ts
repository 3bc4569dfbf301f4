import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Makes sure of PostgreSQL before any test, or stops the run saying what to install.
    globalSetup: ['../testkit/src/global-setup/postgres.ts'],
    include: ['test/**/*.test.ts'],
    // Each test opens a fresh database: PGlite takes a few seconds to start, Postgres creates and drops one.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
