import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Rendering with kubectl, making a PKI and loading the schema validators take seconds each
    // on a busy 2-core machine; no assertion is about speed.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
