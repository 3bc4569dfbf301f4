/**
 * A FIFO async mutex. The holder is handed over directly to the next waiter on unlock, so a
 * newcomer can never overtake a queued waiter.
 */
export class Mutex {
  #locked = false;
  readonly #waiters: Array<() => void> = [];

  /** Resolves once the caller holds the lock; rejects (without taking it) if `signal` aborts first. */
  lock(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#waiters.indexOf(grant);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(signal?.reason);
      };
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#waiters.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  unlock(): void {
    if (!this.#locked) throw new Error('Mutex.unlock called while not locked');
    const next = this.#waiters.shift();
    if (next) next();
    else this.#locked = false;
  }
}
