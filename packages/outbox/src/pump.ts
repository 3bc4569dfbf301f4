/**
 * A pump drains a queue of work kept in the database: `drainOnce` handles everything due
 * and returns; the pump runs it when kicked (right after a commit that added work) and on a
 * timer (to catch work added by another replica or left by a crash). A kick during a pass
 * schedules one more pass, so nothing added meanwhile waits for the timer.
 */
export interface Pump {
  kick(): void;
  /** Resolves once a pass started after this call has finished. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export function startPump(options: {
  drainOnce: () => Promise<void>;
  pollMs: number;
  onError: (error: unknown, consecutiveFailures: number) => void;
}): Pump {
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;

  async function run(): Promise<void> {
    do {
      again = false;
      try {
        await options.drainOnce();
        failures = 0;
      } catch (error) {
        failures++;
        options.onError(error, failures);
        // Back off before the next pass so a down dependency is not hammered.
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** failures, 5_000)).unref());
        again = true;
      }
    } while (again && !stopped);
  }

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = run().finally(() => {
      running = undefined;
    });
  }

  const poll = (): void => {
    kick();
    timer = setTimeout(poll, options.pollMs);
    timer.unref();
  };
  poll();

  return {
    kick,
    async flush() {
      kick();
      again = true;
      while (running) await running;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
