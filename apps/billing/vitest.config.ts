import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Makes sure of PostgreSQL before any test (or stops the run saying what to install) and
    // migrates the template database the `database` fixture copies.
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
