import { defineConfig } from 'vitest/config';

// The browser test starts a whole gateway and drives Chromium: generous, and never an assertion.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 240_000, hookTimeout: 240_000 },
});
