/**
 * Helpers for Juju's bulk replies, `{"results": [{…, "error"?: {message, code, info?}}]}`,
 * where some items may succeed while others fail.
 * @module
 */
import type { WireError } from "../protocol/frames.js";
import { type BulkFailure, type CallSite, JujuBulkError, JujuError } from "./errors.js";

/** One item of a bulk reply: its value, or its error. */
export type BulkItem<T> =
  | { ok: true; index: number; value: T }
  | { ok: false; index: number; error: JujuError };

const wireError = (item: unknown): WireError | undefined => {
  if (!item || typeof item !== "object") return undefined;
  const err = (item as { error?: unknown }).error;
  if (!err || typeof err !== "object") return undefined;
  const message = (err as { message?: unknown }).message;
  return typeof message === "string" && message !== "" ? (err as WireError) : undefined;
};

/**
 * Splits a bulk reply into per-item outcomes, so successes are kept next to
 * the failures. Items whose `error.message` is set become `{ok: false}` with
 * a typed {@link JujuError}; others become `{ok: true, value}`.
 * `site` (facade, method…) is recorded on each error.
 */
export function bulkResults<T>(
  response: { results?: readonly T[] | null } | null | undefined,
  site: CallSite = {},
): BulkItem<T>[] {
  const results = response?.results ?? [];
  return results.map((item, index): BulkItem<T> => {
    const err = wireError(item);
    return err
      ? { ok: false, index, error: JujuError.fromWire(err, { ...site, bulkIndex: index }) }
      : { ok: true, index, value: item };
  });
}

/**
 * Like {@link bulkResults}, but throws when any item failed: the item's own
 * error (e.g. a `JujuNotFoundError` with Juju's message) for a call of one
 * item, otherwise a {@link JujuBulkError} naming every failed item.
 * Returns the items when none failed.
 */
export function bulkResultsStrict<T>(
  response: { results?: readonly T[] | null } | null | undefined,
  site: CallSite = {},
): T[] {
  const items = bulkResults(response, site);
  const failures: BulkFailure[] = [];
  const values: T[] = [];
  for (const item of items) {
    if (item.ok) values.push(item.value);
    else failures.push({ index: item.index, error: item.error });
  }
  if (failures.length > 0) {
    if (items.length === 1) throw failures[0]!.error;
    throw new JujuBulkError(failures, [...(response?.results ?? [])], site);
  }
  return values;
}

/**
 * Rethrows a {@link JujuBulkError} with exactly one failed item as that
 * item's own error (e.g. `JujuNotFoundError`), anything else as it is: for
 * calls whose items usually succeed or fail together.
 */
export function rethrowSingleFailure(e: unknown): never {
  if (e instanceof JujuBulkError && e.failures.length === 1 && e.failures[0] !== undefined) {
    throw e.failures[0].error;
  }
  throw e;
}
