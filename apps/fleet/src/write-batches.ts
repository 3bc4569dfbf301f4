/**
 * Gathers writes that arrive one at a time (a heartbeat, a job result, a receipt: thousands a
 * second from a farm's agent streams) into set-based statements. Under load, batches grow and
 * the database sees a few statements a second instead of one round trip per report; when idle,
 * a write goes out on the next turn of the event loop.
 *
 * Items are spread over `shards` by `shardOf` (a device id, a job id); each shard writes one
 * batch at a time, so two batches written at once never touch the same row: they cannot wait
 * for each other's row locks in a cycle. Several shards keep several connections busy, which
 * matters when the database is slow (each batch is a round trip or a transaction).
 *
 * Each caller's promise settles when its batch does: with its own answer (`write` returns one
 * per item, in order) or with the batch's error. Callers that must stay in order (a device's
 * heartbeats, a message's result before its receipts) already wait for each other, so an item
 * is never in a batch with one it must follow.
 */
export class WriteBatches<Item, Answer> {
  readonly #write: (items: Item[]) => Promise<Answer[]>;
  readonly #maxItems: number;
  readonly #shardOf: (item: Item) => string;
  readonly #shards: Shard<Item, Answer>[];

  constructor(
    write: (items: Item[]) => Promise<Answer[]>,
    options: { maxItems: number; shards?: number; shardOf?: (item: Item) => string },
  ) {
    this.#write = write;
    this.#maxItems = options.maxItems;
    this.#shardOf = options.shardOf ?? (() => '');
    this.#shards = Array.from({ length: options.shards ?? 1 }, () => ({ waiting: [], writing: false }));
  }

  add(item: Item): Promise<Answer> {
    const shard = this.#shards[hash(this.#shardOf(item)) % this.#shards.length]!;
    return new Promise<Answer>((resolve, reject) => {
      shard.waiting.push({ item, resolve, reject });
      this.#schedule(shard);
    });
  }

  #schedule(shard: Shard<Item, Answer>): void {
    if (shard.writing) return;
    shard.writing = true;
    // After the current I/O callbacks: reports read from the streams in this turn join the batch.
    setImmediate(() => {
      void this.#writeNext(shard).finally(() => {
        shard.writing = false;
        if (shard.waiting.length > 0) this.#schedule(shard);
      });
    });
  }

  async #writeNext(shard: Shard<Item, Answer>): Promise<void> {
    const batch = shard.waiting.splice(0, this.#maxItems);
    if (batch.length === 0) return;
    try {
      const answers = await writeRetryingDeadlocks(() => this.#write(batch.map((entry) => entry.item)));
      for (const [i, entry] of batch.entries()) entry.resolve(answers[i]!);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}

interface Shard<Item, Answer> {
  waiting: Array<{ item: Item; resolve: (answer: Answer) => void; reject: (error: unknown) => void }>;
  /** A batch is being written (or about to be): the next waits for it. */
  writing: boolean;
}

/**
 * A batch's statement locks its rows in whatever order the plan visits them, so it may meet a
 * transaction locking some of the same rows in another order (a state change of many devices):
 * PostgreSQL then aborts one of them (40P01). The batch was rolled back whole; write it again.
 */
async function writeRetryingDeadlocks<T>(write: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= attempts || (error as { code?: unknown }).code !== '40P01') throw error;
    }
  }
}

/** A string's FNV-1a hash: spreads ids over shards the same way every time. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
