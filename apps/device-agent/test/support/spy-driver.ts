import type { SimDriver } from '../../src/index.js';

/**
 * Wraps a driver to count sends and, while held, to keep them from starting, so a test
 * decides when a send finishes (e.g. only once the stream is down).
 */
export function spyDriver(driver: SimDriver) {
  let release: () => void = () => {};
  let gate: Promise<void> = Promise.resolve();
  const counts = { started: 0, finished: 0 };
  const wrapped: SimDriver = {
    ...driver,
    async send(job) {
      counts.started += 1;
      await gate;
      try {
        return await driver.send(job);
      } finally {
        counts.finished += 1;
      }
    },
  };
  return {
    driver: wrapped,
    counts,
    hold() {
      gate = new Promise((resolve) => {
        release = resolve;
      });
    },
    release: () => release(),
  };
}
