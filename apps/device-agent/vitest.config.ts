import { defineConfig } from 'vitest/config';

// The adb driver's tests run a fake adb as a process per command: a send is a dozen of them.
export default defineConfig({ test: { testTimeout: 30_000, hookTimeout: 30_000 } });
