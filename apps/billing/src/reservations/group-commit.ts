/**
 * Group commit: calls that arrive while a batch's transaction is in flight wait and go
 * together in the next one. A call that finds nothing in flight starts its batch at once, so a
 * lone call pays no added latency; under load, one transaction (one commit, one fsync)
 * serves many calls.
 *
 * `run` answers each item in order with its result, or with an Error that fails that call
 * alone. When the whole batch fails (a deadlock with another replica), each of its calls runs
 * again alone, so one call's failure never fails the others.
 */
export function groupCommit<Item, Result>(
  run: (items: Item[]) => Promise<Array<Result | Error>>,
  options: { maxBatch: number; maxInFlight?: number },
): (item: Item) => Promise<Result> {
  const maxInFlight = options.maxInFlight ?? 1;
  let waiting: Array<{ item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }> =
    [];
  let inFlight = 0;

  const next = () => {
    while (inFlight < maxInFlight && waiting.length > 0) {
      const batch = waiting.slice(0, options.maxBatch);
      waiting = waiting.slice(batch.length);
      inFlight++;
      void runBatch(batch).finally(() => {
        inFlight--;
        next();
      });
    }
  };

  const runBatch = async (batch: typeof waiting) => {
    try {
      const results = await run(batch.map((call) => call.item));
      for (const [index, call] of batch.entries()) settleCall(call, results[index]!);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      await Promise.all(
        batch.map(async (call) => {
          try {
            const [result] = await run([call.item]);
            settleCall(call, result!);
          } catch (alone) {
            call.reject(alone);
          }
        }),
      );
    }
  };

  const settleCall = (call: (typeof waiting)[number], result: Result | Error) => {
    if (result instanceof Error) call.reject(result);
    else call.resolve(result);
  };

  return (item) =>
    new Promise<Result>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      next();
    });
}
