/**
 * Group commit: calls that arrive while earlier ones are being committed wait, and go together
 * in the next group, so N concurrent callers share one transaction (one statement per table for
 * all of them) instead of queueing N transactions, each with its round trips and its WAL flush.
 * A call that finds a free slot runs at once, alone: no added latency at low load.
 */
export interface GroupCommit<In, Out> {
  submit(item: In): Promise<Out>;
}

export interface GroupCommitOptions<In, Out> {
  /**
   * Runs one group; answers one result per item, in order. An `Error` answer fails that call
   * alone (an account that does not exist, say); throwing fails the group (see below).
   */
  run(items: In[]): Promise<Array<Out | Error>>;
  /** The size of an item (messages), so a group stays under `maxSize`; a larger item goes alone. */
  sizeOf(item: In): number;
  maxSize: number;
  /** Groups in flight at once: while one waits for its commit, the next can be prepared. */
  concurrency: number;
}

interface Waiting<In, Out> {
  item: In;
  resolve(value: Out): void;
  reject(error: unknown): void;
}

export function createGroupCommit<In, Out>(options: GroupCommitOptions<In, Out>): GroupCommit<In, Out> {
  const queue: Array<Waiting<In, Out>> = [];
  let inFlight = 0;

  function takeGroup(): Array<Waiting<In, Out>> {
    const group = [queue.shift()!];
    let size = options.sizeOf(group[0]!.item);
    while (queue.length > 0 && size + options.sizeOf(queue[0]!.item) <= options.maxSize) {
      const next = queue.shift()!;
      size += options.sizeOf(next.item);
      group.push(next);
    }
    return group;
  }

  async function runGroup(group: Array<Waiting<In, Out>>): Promise<void> {
    try {
      const results = await options.run(group.map((waiting) => waiting.item));
      group.forEach((waiting, i) => {
        answer(waiting, results[i]!);
      });
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      // One caller's bad input must not fail the others that happened to share its transaction:
      // each runs again alone and gets its own outcome.
      await Promise.all(
        group.map((waiting) =>
          options.run([waiting.item]).then(
            (results) => answer(waiting, results[0]!),
            (alone: unknown) => waiting.reject(alone),
          ),
        ),
      );
    }
  }

  function answer(waiting: Waiting<In, Out>, result: Out | Error): void {
    if (result instanceof Error) waiting.reject(result);
    else waiting.resolve(result);
  }

  function pump(): void {
    while (inFlight < options.concurrency && queue.length > 0) {
      const group = takeGroup();
      inFlight++;
      void runGroup(group).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  return {
    submit(item) {
      return new Promise<Out>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        pump();
      });
    },
  };
}
