import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Makes sure of PostgreSQL and NATS before any test (or stops the run saying what to
    // install) and migrates the template database the tests' gateways copy.
    globalSetup: ['./test/support/global-setup.ts'],
    // These tests start whole gateways (PGlite boots in a few seconds on a busy 2-core box).
    testTimeout: 90_000,
    hookTimeout: 90_000,
  },
});
