import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Makes sure of PostgreSQL and NATS before any test, or stops the run saying what to install.
    globalSetup: ['../../packages/testkit/src/global-setup/postgres-and-nats.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
