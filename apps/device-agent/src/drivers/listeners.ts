/**
 * Listeners for a driver's events. A listener that throws must not stop the others or
 * break the driver's own timers, so failures are handed to `onError` instead.
 */
export class Listeners<T> {
  readonly #listeners: Array<(event: T) => void> = [];

  constructor(private readonly onError: (error: unknown) => void = () => {}) {}

  add(listener: (event: T) => void): void {
    this.#listeners.push(listener);
  }

  emit(event: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
