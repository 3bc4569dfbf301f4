import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Redelivery tests wait out real ack-wait timers against a real NATS server.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
