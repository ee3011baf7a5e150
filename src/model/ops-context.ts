/**
 * What model operations (`src/model/ops/`) need from the model: the
 * connection, the live state as wire data, and waits. Operations return
 * wire data and ids; the entity classes and `Model` wrap them, so the
 * operations never depend on the entity classes.
 * @module
 */
import type { EntityDataOf, EntityKind } from "../protocol/entity-data.js";
import type { ApiConnection } from "../rpc/connection.js";
import type { ModelState } from "./state.js";

/** Options of the waits done by operations (for an entity to appear or go). */
export interface OperationWaitOptions {
  /** Milliseconds before giving up with `WaitTimeoutError`. Default 120 000. */
  timeout?: number;
  /** Aborts the operation and its wait (`AbortError`). */
  signal?: AbortSignal;
}

/** Default time operations wait for their result to show in the model. */
export const DEFAULT_OPERATION_TIMEOUT = 120_000;

/** The model as seen by its operations. */
export interface OpsContext {
  /** The model's API connection (the same object across reconnects). */
  readonly connection: ApiConnection;
  /** The model UUID. */
  readonly uuid: string;
  /** The live state (empty when not watching). */
  readonly state: ModelState;
  /**
   * Resolves once `condition` holds, re-checked on every delta. Rejects
   * with `WaitTimeoutError` naming `what`, or when the connection is lost.
   */
  waitFor(what: string, condition: () => boolean, options?: OperationWaitOptions): Promise<void>;
  /** Throws `NotWatchingError` naming `operation` when the model does not watch. */
  requireWatching(operation: string): void;
}

/** The latest wire data of a live entity of `kind`, typed by kind; undefined when absent or removed. */
export function liveData<K extends EntityKind>(
  ctx: OpsContext,
  kind: K,
  id: string,
): EntityDataOf<K> | undefined {
  return ctx.state.entityData(kind, id) as EntityDataOf<K> | undefined;
}
