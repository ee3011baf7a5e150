/**
 * A buffered async iterator fed by pushes: the shape of `events()`
 * streams. Ends normally only through {@link BufferedStream.end} (the
 * consumer stopped, or the model was disconnected); a failure is thrown
 * from `next()` after the buffered items.
 * @module
 */

/** A push-fed async iterator. */
export class BufferedStream<T> implements AsyncIterableIterator<T> {
  readonly #buffer: T[] = [];
  #waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  #ended = false;
  #error: unknown;
  readonly #detach: () => void;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.end();

  /** `detach` runs once when the stream ends or fails; `signal` ends it. */
  constructor(detach: () => void, signal?: AbortSignal) {
    this.#detach = detach;
    this.#signal = signal;
    if (signal?.aborted) queueMicrotask(() => this.end());
    else signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** True once ended or failed. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Delivers one item (ignored once ended). */
  push(item: T): void {
    if (this.#ended) return;
    if (this.#waiter) {
      this.#waiter.resolve({ value: item, done: false });
      this.#waiter = undefined;
    } else this.#buffer.push(item);
  }

  /** Ends the stream normally: buffered items are still delivered, then `done`. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#release();
    this.#waiter?.resolve({ value: undefined, done: true });
    this.#waiter = undefined;
  }

  /** Fails the stream: buffered items are delivered, then `next()` throws `err`. */
  fail(err: unknown): void {
    if (this.#ended) return;
    this.#error = err;
    this.#ended = true;
    this.#release();
    this.#waiter?.reject(err);
    this.#waiter = undefined;
  }

  #release(): void {
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#detach();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#buffer.length > 0)
      return Promise.resolve({ value: this.#buffer.shift()!, done: false });
    if (this.#error !== undefined) {
      const err = this.#error;
      this.#error = undefined;
      return Promise.reject(err);
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.#buffer.length = 0;
    this.#error = undefined;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
