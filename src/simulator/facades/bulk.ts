/**
 * Bulk calls: one result per argument, each either a value or
 * `{error: {message, code}}` (`params.ErrorResults` and friends).
 * @module
 */
import { DecodeError } from "../decode.js";
import { ServerError } from "../errors.js";

/** One failed item of a bulk reply: `{error: {message, code, info?}}` (`params.Error`). */
export interface ErrorItem {
  error: ReturnType<ServerError["toWire"]>;
}

/** Runs `fn` per item; a {@link ServerError} becomes that item's `{error}`. */
export function bulk<I, T>(items: readonly I[], fn: (item: I) => T): Array<T | ErrorItem> {
  return items.map((item) => {
    try {
      return fn(item);
    } catch (e) {
      // A params decoding error fails the whole call, as Go decodes params before the method runs.
      if (e instanceof ServerError && !(e instanceof DecodeError)) return { error: e.toWire() };
      throw e;
    }
  });
}

/** Like {@link bulk} for calls answering `params.ErrorResults`: `{}` on success. */
export function errorResults<I>(
  items: readonly I[],
  fn: (item: I) => void,
): { results: Array<Record<string, never> | ErrorItem> } {
  return {
    results: bulk(items, (i): Record<string, never> => {
      fn(i);
      return {};
    }),
  };
}

/**
 * How long one request may hold the event loop before yielding (ms). Juju
 * serves each connection on its own goroutines, so one large bulk request
 * never stalls other clients; here a request yields between slices instead.
 */
export const SLICE_BUDGET_MS = 4;

/** Lets timers, sockets and other connections' requests run before continuing. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `step(i)` for `i` from 0 to `count - 1`, yielding to the event loop
 * whenever a slice has run for {@link SLICE_BUDGET_MS}: the work of a request
 * with many entities (or many new units) is spread over many turns of the
 * loop, so pings and other clients are answered in between.
 */
export async function sliced(count: number, step: (i: number) => void): Promise<void> {
  let sliceStart = performance.now();
  for (let i = 0; i < count; i++) {
    // Reading the clock every 64 items keeps its cost out of small steps.
    if ((i & 63) === 63 && performance.now() - sliceStart >= SLICE_BUDGET_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
    step(i);
  }
}

/** {@link bulk} processed in slices (see {@link sliced}), for methods that take many entities. */
export async function bulkSliced<I, T>(
  items: readonly I[],
  fn: (item: I) => T,
): Promise<Array<T | ErrorItem>> {
  const out: Array<T | ErrorItem> = new Array(items.length);
  await sliced(items.length, (i) => {
    out[i] = bulk([items[i]!], fn)[0]!;
  });
  return out;
}

/** `{results}` of {@link bulkSliced}: the reply of most bulk methods. */
export async function bulkResults<I, T>(
  items: readonly I[],
  fn: (item: I) => T,
): Promise<{ results: Array<T | ErrorItem> }> {
  return { results: await bulkSliced(items, fn) };
}

/**
 * `fn` over `items` in slices (see {@link sliced}), a {@link ServerError}
 * becoming that item's `{error}`: for bulk methods whose arguments are
 * plain values (tags) rather than structs.
 */
export async function mapSliced<I, T>(
  items: readonly I[],
  fn: (item: I) => T,
): Promise<Array<T | ErrorItem>> {
  const out: Array<T | ErrorItem> = new Array(items.length);
  await sliced(items.length, (i) => {
    try {
      out[i] = fn(items[i]!);
    } catch (e) {
      if (e instanceof ServerError && !(e instanceof DecodeError)) out[i] = { error: e.toWire() };
      else throw e;
    }
  });
  return out;
}
