/**
 * What entity classes and model operations need from the model that owns
 * them: the connection, the live state, typed entity lookups and waits.
 * @module
 */
import type { ApiConnection } from "../rpc/connection.js";
import type { EntityKind } from "./delta.js";
import type { Action } from "./entities/action.js";
import type { Annotation } from "./entities/annotation.js";
import type { Application } from "./entities/application.js";
import type { ApplicationOffer } from "./entities/application-offer.js";
import type { Charm } from "./entities/charm.js";
import type { Machine } from "./entities/machine.js";
import type { ModelInfoEntity } from "./entities/model-info.js";
import type { Relation } from "./entities/relation.js";
import type { RemoteApplication } from "./entities/remote-application.js";
import type { Unit } from "./entities/unit.js";
import type { EntityContext, ModelEntity } from "./entity.js";
import type { ModelState } from "./state.js";

/** The entity class of each kind. */
export interface EntityTypes {
  /** The model itself. */
  model: ModelInfoEntity;
  /** Machines. */
  machine: Machine;
  /** Applications. */
  application: Application;
  /** Units. */
  unit: Unit;
  /** Relations. */
  relation: Relation;
  /** Annotations. */
  annotation: Annotation;
  /** Actions. */
  action: Action;
  /** Charms. */
  charm: Charm;
  /** Remote (consumed offer) applications. */
  remoteApplication: RemoteApplication;
  /** Application offers. */
  applicationOffer: ApplicationOffer;
  /** Blocks (untyped view). */
  block: ModelEntity<"block">;
  /** Branches (untyped view). */
  branch: ModelEntity<"branch">;
}

/** Options of the waits done by operations (for an entity to appear or go). */
export interface OperationWaitOptions {
  /** Milliseconds before giving up with `WaitTimeoutError`. Default 120 000. */
  timeout?: number;
  /** Stops waiting (rejects with an `AbortError`). */
  signal?: AbortSignal;
}

/** Default time operations wait for their result to show in the model. */
export const DEFAULT_OPERATION_TIMEOUT = 120_000;

/** The model as seen by its entities and operations. */
export interface ModelContext extends EntityContext {
  /** The model's API connection (the same object across reconnects). */
  readonly connection: ApiConnection;
  /** The model UUID. */
  readonly uuid: string;
  /** The live state (empty when not watching). */
  readonly state: ModelState;
  /** The latest view of a live entity, or undefined. */
  entity<K extends EntityKind>(kind: K, id: string): EntityTypes[K] | undefined;
  /** Latest views of every live entity of a kind. */
  entities<K extends EntityKind>(kind: K): EntityTypes[K][];
  /**
   * Resolves once `condition` holds, re-checked on every delta. Rejects
   * with `WaitTimeoutError` naming `what`, or when the connection is lost.
   */
  waitFor(what: string, condition: () => boolean, options?: OperationWaitOptions): Promise<void>;
  /** Throws `NotWatchingError` naming `operation` when the model does not watch. */
  requireWatching(operation: string): void;
}
