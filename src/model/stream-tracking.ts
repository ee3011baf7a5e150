/**
 * Streams a model hands out (`debugLog()`), tracked so that `disconnect()`
 * can end them and nothing keeps the process alive.
 * @module
 */

/** Keeps `stream` in `open` until it ends, so that disconnect can end it. */
export function trackStream<T>(
  stream: AsyncIterableIterator<T>,
  open: Set<AsyncIterableIterator<T>>,
): AsyncIterableIterator<T> {
  const tracked: AsyncIterableIterator<T> = {
    async next() {
      try {
        const r = await stream.next();
        if (r.done) open.delete(tracked);
        return r;
      } catch (err) {
        open.delete(tracked);
        throw err;
      }
    },
    async return() {
      open.delete(tracked);
      return (await stream.return?.()) ?? { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return tracked;
    },
  };
  open.add(tracked);
  return tracked;
}
