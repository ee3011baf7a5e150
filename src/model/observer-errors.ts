/**
 * Where a model's observer errors go: to the `onObserverError` listeners
 * when there are any; else never silently: a process warning, and the
 * pending (or next) wait fails with the {@link ObserverError}.
 * @module
 */

import { AbortError } from "../rpc/errors.js";
import { ObserverError } from "./errors.js";
import type { ObserverFailure, Unsubscribe } from "./observers.js";

/** Routes observer failures to listeners, or to the waits of the model. */
export class ObserverErrorRouter {
  readonly #listeners = new Set<(e: ObserverError) => void>();
  #pending: ObserverError[] = [];
  readonly #waitAborts = new Set<(e: ObserverError) => void>();

  /** Adds a listener of every observer error from now on; returns the unsubscribe function. */
  listen(listener: (error: ObserverError) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Reports an observer's failure (the `ObserverRegistry` calls this). */
  failed(failure: ObserverFailure): void {
    const error = new ObserverError(failure.error, failure.event);
    if (this.#listeners.size > 0) {
      for (const l of this.#listeners) l(error);
      return;
    }
    // Nobody listens: never silent. Warn now, and fail the pending (or next) wait.
    process.emitWarning(error.message, {
      type: "LibjujuObserverWarning",
      detail: String(error.cause),
    });
    if (this.#waitAborts.size > 0) for (const abort of [...this.#waitAborts]) abort(error);
    else this.#pending.push(error);
  }

  /**
   * Runs a wait, failing it with a pending or new {@link ObserverError}
   * when nobody else handles observer errors; `signal` aborts it with an
   * {@link AbortError} naming `operation`.
   */
  async guard(
    operation: string,
    signal: AbortSignal | undefined,
    run: (signal: AbortSignal) => Promise<void>,
  ): Promise<void> {
    const pending = this.#pending.splice(0);
    if (pending.length > 0) {
      const [first] = pending as [ObserverError];
      throw pending.length === 1
        ? first
        : new ObserverError(first.cause, first.event, pending.length - 1);
    }
    const inner = new AbortController();
    const onAbort = () => inner.abort();
    if (signal?.aborted) throw new AbortError(`${operation} aborted`);
    signal?.addEventListener("abort", onAbort, { once: true });
    let failObserver!: (e: ObserverError) => void;
    const observerFailed = new Promise<never>((_, reject) => {
      failObserver = (e) => {
        reject(e);
        inner.abort();
      };
    });
    this.#waitAborts.add(failObserver);
    const waited = run(inner.signal);
    try {
      await Promise.race([waited, observerFailed]);
    } finally {
      this.#waitAborts.delete(failObserver);
      signal?.removeEventListener("abort", onAbort);
      waited.catch(() => {});
      observerFailed.catch(() => {});
    }
  }
}
