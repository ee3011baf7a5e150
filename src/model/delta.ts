/**
 * AllWatcher deltas as they arrive on the wire: `["unit", "change", {...}]`.
 * The entity of each kind is typed in `protocol/entity-data.ts`.
 * @module
 */
import type { EntityDataOf, EntityKind } from "../protocol/entity-data.js";

export type * from "../protocol/entity-data.js";

/** What happened to the entity. `add` is synthesized by the client for a change to an unknown entity. */
export type DeltaAction = "change" | "remove";

/**
 * The entity fields of a delta of any kind, untyped (Juju's `params.*Info`
 * json tags); {@link EntityDataOf} gives the typed shape of one kind.
 */
export type EntityData = Readonly<Record<string, unknown>>;

/** A delta of kind `K`, its entity typed. */
export type DeltaOf<K extends EntityKind> = readonly [
  kind: K,
  action: DeltaAction,
  entity: Readonly<EntityDataOf<K>>,
];

/**
 * One delta as read from the wire: a 3-element array whose kind may be one
 * this client does not know, so its entity is untyped. Events carry the
 * typed {@link DeltaOf} of their kind.
 */
export type Delta = readonly [kind: string, action: DeltaAction, entity: EntityData];

/**
 * The field that identifies an entity of each kind. Relations are keyed by
 * their numeric `id` (stringified) and offers by `offer-name`, which unlike
 * the application name is unique per offer.
 */
export const ID_FIELDS: { readonly [K in EntityKind]: keyof EntityDataOf<K> & string } = {
  model: "model-uuid",
  machine: "id",
  application: "name",
  unit: "name",
  relation: "id",
  annotation: "tag",
  action: "id",
  charm: "charm-url",
  remoteApplication: "name",
  applicationOffer: "offer-name",
  block: "id",
  branch: "id",
};

/** True for the entity kinds this client knows. */
export function isEntityKind(kind: string): kind is EntityKind {
  return Object.hasOwn(ID_FIELDS, kind);
}

/** The id of the entity a delta is about, as a string. */
export function entityId(kind: EntityKind, data: EntityData): string {
  const v = data[ID_FIELDS[kind]];
  return typeof v === "string" ? v : String(v);
}
