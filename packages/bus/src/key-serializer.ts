/**
 * Runs tasks so that tasks sharing a key run one at a time in submission order, while tasks
 * with different keys run concurrently. At most `capacity` tasks are accepted (queued or
 * running) at once; callers check `full` / `whenNotFull()` before taking more work, so a
 * consumer never holds more unacknowledged deliveries than it can work on (the bus's delivery
 * worker), and a reader of a stream never holds more reports than it can write (fleet's agent
 * gateway).
 */
export interface KeySerializer {
  /** True when `capacity` tasks are queued or running. */
  readonly full: boolean;
  /** Resolves once a slot is free, or once the serializer is closed. */
  whenNotFull(): Promise<void>;
  /**
   * Queues `run` behind every earlier task with the same key. If the serializer is closed
   * before `run` starts, `drop` is called instead, so the caller can hand the work back.
   * Resolves after the task finished (or was dropped) and its slot is free again.
   */
  submit(key: string, run: () => Promise<void>, drop: () => void): Promise<void>;
  /** Waits until every task accepted so far has finished; later tasks may still be submitted. */
  idle(): Promise<void>;
  /** Drops tasks that have not started and waits for the running ones. */
  close(): Promise<void>;
}

interface Task {
  started: boolean;
  run: () => Promise<void>;
  drop: () => void;
  finished: () => void;
}

export function createKeySerializer(capacity: number): KeySerializer {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }
  // The head of each key's queue is the task running (or about to run) for that key.
  const queues = new Map<string, Task[]>();
  let accepted = 0;
  let closed = false;
  let slotWaiters: Array<() => void> = [];
  let idleWaiters: Array<() => void> = [];

  const wake = (waiters: Array<() => void>): void => {
    for (const resolve of waiters) resolve();
  };

  const release = (task: Task): void => {
    accepted--;
    if (accepted < capacity || closed) {
      const waiters = slotWaiters;
      slotWaiters = [];
      wake(waiters);
    }
    if (accepted === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      wake(waiters);
    }
    task.finished();
  };

  const runQueue = async (key: string, queue: Task[]): Promise<void> => {
    // Start on a later tick: a task must never run inside its submitter's stack (for the
    // memory bus that would be inside publish()).
    await Promise.resolve();
    for (let task = queue[0]; task !== undefined; task = queue[0]) {
      task.started = true;
      try {
        await task.run();
      } catch {
        // Tasks settle their own failures (nak); a throw here must not stall the key.
      }
      queue.shift();
      release(task);
    }
    queues.delete(key);
  };

  return {
    get full() {
      return accepted >= capacity;
    },

    whenNotFull() {
      if (accepted < capacity || closed) return Promise.resolve();
      return new Promise((resolve) => slotWaiters.push(resolve));
    },

    submit(key, run, drop) {
      if (closed) {
        drop();
        return Promise.resolve();
      }
      return new Promise<void>((finished) => {
        accepted++;
        const task: Task = { started: false, run, drop, finished };
        const queue = queues.get(key);
        if (queue) {
          queue.push(task);
          return;
        }
        const fresh = [task];
        queues.set(key, fresh);
        void runQueue(key, fresh);
      });
    },

    idle() {
      if (accepted === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },

    close() {
      if (!closed) {
        closed = true;
        for (const queue of queues.values()) {
          // At most the head has started; everything else goes back to the caller now.
          const notStarted = queue[0]?.started ? queue.splice(1) : queue.splice(0);
          for (const waiting of notStarted) {
            waiting.drop();
            release(waiting);
          }
        }
        wake(slotWaiters);
        slotWaiters = [];
      }
      if (accepted === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
