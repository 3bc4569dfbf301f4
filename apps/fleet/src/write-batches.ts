/**
 * Gathers writes that arrive one at a time (a heartbeat, a job result, a receipt: thousands a
 * second from a farm's agent streams) into set-based statements. One batch is written at a
 * time; what arrives meanwhile waits for the next, so under load batches grow and the database
 * sees a few statements a second instead of one round trip per report, and when idle a write
 * goes out on the next turn of the event loop.
 *
 * Each caller's promise settles when its batch does: with its own answer (`write` returns one
 * per item, in order) or with the batch's error. Callers that must stay in order (a device's
 * heartbeats, a message's result before its receipts) already wait for each other, so an item
 * is never in a batch with one it must follow.
 */
export class WriteBatches<Item, Answer> {
  readonly #write: (items: Item[]) => Promise<Answer[]>;
  readonly #maxItems: number;
  readonly #waiting: Array<{
    item: Item;
    resolve: (answer: Answer) => void;
    reject: (error: unknown) => void;
  }> = [];
  #writing: Promise<void> | undefined;
  #scheduled = false;

  constructor(write: (items: Item[]) => Promise<Answer[]>, options: { maxItems: number }) {
    this.#write = write;
    this.#maxItems = options.maxItems;
  }

  add(item: Item): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#writing || this.#scheduled) return;
    this.#scheduled = true;
    // After the current I/O callbacks: reports read from the streams in this turn join the batch.
    setImmediate(() => {
      this.#scheduled = false;
      this.#writing = this.#writeNext().finally(() => {
        this.#writing = undefined;
        if (this.#waiting.length > 0) this.#schedule();
      });
    });
  }

  async #writeNext(): Promise<void> {
    const batch = this.#waiting.splice(0, this.#maxItems);
    if (batch.length === 0) return;
    try {
      const answers = await this.#write(batch.map((entry) => entry.item));
      for (const [i, entry] of batch.entries()) entry.resolve(answers[i]!);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
