import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // These tests start whole gateways (PGlite boots in a few seconds on a busy 2-core box).
    testTimeout: 90_000,
    hookTimeout: 90_000,
  },
});
