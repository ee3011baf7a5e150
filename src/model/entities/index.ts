/**
 * The entity classes, and the factory that builds the view of each kind.
 * @module
 */
import type { ModelContext } from "../context.js";
import type { EntityKind } from "../delta.js";
import { type EntityFactory, ModelEntity } from "../entity.js";
import type { EntityRecord } from "../state.js";
import { Action } from "./action.js";
import { Annotation } from "./annotation.js";
import { Application } from "./application.js";
import { ApplicationOffer } from "./application-offer.js";
import { Charm } from "./charm.js";
import { Machine } from "./machine.js";
import { ModelInfoEntity } from "./model-info.js";
import { Relation } from "./relation.js";
import { RemoteApplication } from "./remote-application.js";
import { Unit } from "./unit.js";

export type { HardwareCharacteristics, MachineAddress } from "./machine.js";
export type { RelationEndpoint } from "./relation.js";
export type { UnitPort } from "./unit.js";
export {
  Action,
  Annotation,
  Application,
  ApplicationOffer,
  Charm,
  Machine,
  ModelInfoEntity,
  Relation,
  RemoteApplication,
  Unit,
};

type EntityClass = new (
  record: EntityRecord,
  version: number,
  context: ModelContext,
  factory?: EntityFactory,
) => ModelEntity;

const CLASSES: Readonly<Record<EntityKind, EntityClass>> = {
  model: ModelInfoEntity,
  machine: Machine,
  application: Application,
  unit: Unit,
  relation: Relation,
  annotation: Annotation,
  action: Action,
  charm: Charm,
  remoteApplication: RemoteApplication,
  applicationOffer: ApplicationOffer,
  block: ModelEntity,
  branch: ModelEntity,
};

/** An {@link EntityFactory} building the class of each entity kind, bound to `context`. */
export function entityFactory(context: ModelContext): EntityFactory {
  const factory: EntityFactory = (record, version) =>
    new CLASSES[record.kind](record, version, context, factory);
  return factory;
}
