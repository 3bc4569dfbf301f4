import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Makes sure of NATS before any test, or stops the run saying what to install.
    globalSetup: ['../../packages/testkit/src/global-setup/nats.ts'],
    include: ['test/**/*.test.ts'],
    // Redelivery tests wait out real ack-wait timers against a real NATS server.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
