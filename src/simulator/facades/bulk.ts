/**
 * Bulk calls: one result per argument, each either a value or
 * `{error: {message, code}}` (`params.ErrorResults` and friends).
 * @module
 */
import type { Fields } from "../decode.js";
import { ServerError } from "../errors.js";

/** Runs `fn` per item; a {@link ServerError} becomes that item's `{error}`. */
export function bulk<T>(items: Fields[], fn: (item: Fields) => T): Array<T | { error: unknown }> {
  return items.map((item) => {
    try {
      return fn(item);
    } catch (e) {
      if (e instanceof ServerError) return { error: e.toWire() };
      throw e;
    }
  });
}

/** Like {@link bulk} for calls answering `params.ErrorResults`: `{}` on success. */
export function errorResults(items: Fields[], fn: (item: Fields) => void): { results: unknown[] } {
  return {
    results: bulk(items, (i) => {
      fn(i);
      return {};
    }),
  };
}
