/**
 * What entity classes need from the model that owns them: what operations
 * get ({@link OpsContext}: the connection, the live state, waits), plus
 * typed entity lookups and observers. Operations never see this one.
 * @module
 */
export {
  DEFAULT_OPERATION_TIMEOUT,
  type OperationWaitOptions,
  type OpsContext,
} from "./ops-context.js";

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
import type { OpsContext } from "./ops-context.js";

/** The entity class of each kind. */
export interface EntityTypes {
  /** The model itself (`model` deltas). */
  model: ModelInfoEntity;
  /** Machines and containers. */
  machine: Machine;
  /** Applications. */
  application: Application;
  /** Units. */
  unit: Unit;
  /** Relations. */
  relation: Relation;
  /** Annotations of an entity. */
  annotation: Annotation;
  /** Tasks (actions and `juju exec` runs). */
  action: Action;
  /** Charms the model has. */
  charm: Charm;
  /** Consumed (SAAS) applications. */
  remoteApplication: RemoteApplication;
  /** Offers of the model's applications. */
  applicationOffer: ApplicationOffer;
  /** Disabled command sets (`juju disable-command`). */
  block: ModelEntity<"block">;
  /** Model generations (branches). */
  branch: ModelEntity<"branch">;
}

/**
 * The model as seen by its entities: what operations get
 * ({@link OpsContext}), plus observers and typed entity lookups.
 */
export interface ModelContext extends OpsContext, EntityContext {
  /** The latest view of a live entity, or undefined. */
  entity<K extends EntityKind>(kind: K, id: string): EntityTypes[K] | undefined;
  /** Latest views of every live entity of a kind. */
  entities<K extends EntityKind>(kind: K): EntityTypes[K][];
}
