/**
 * Runs tasks concurrently except where they share a key: tasks with the same key run one
 * after another in the order they were admitted, and at most `limit` run at once. The first
 * failure is kept and thrown by the next `admit` (and by `idle`), so the caller stops feeding.
 */
export class KeyedLanes {
  readonly #limit: number;
  readonly #tails = new Map<string, Promise<void>>();
  readonly #waiting: Array<() => void> = [];
  #running = 0;
  #failure: { error: unknown } | undefined;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Resolves once the task is admitted (not finished): back-pressure for the reader. */
  async admit(key: string, task: () => Promise<void>): Promise<void> {
    while (this.#running >= this.#limit && !this.#failure) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    if (this.#failure) throw this.#failure.error;
    this.#running++;
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const run: Promise<void> = previous
      .then(task)
      .catch((error: unknown) => {
        this.#failure ??= { error };
      })
      .finally(() => {
        this.#running--;
        this.#waiting.shift()?.();
        if (this.#tails.get(key) === run) this.#tails.delete(key);
      });
    this.#tails.set(key, run);
  }

  /** Waits for everything admitted; throws the first failure, if any. */
  async idle(): Promise<void> {
    while (this.#tails.size > 0) await Promise.all(this.#tails.values());
    if (this.#failure) throw this.#failure.error;
  }
}
