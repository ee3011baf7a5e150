/**
 * AllWatcher deltas as they arrive on the wire: `["unit", "change", {...}]`.
 * @module
 */

/** The kinds of entity a Juju 3.6 AllWatcher reports. */
export type EntityKind =
  | "model"
  | "machine"
  | "application"
  | "unit"
  | "relation"
  | "annotation"
  | "action"
  | "charm"
  | "remoteApplication"
  | "applicationOffer"
  | "block"
  | "branch";

/** What happened to the entity. `add` is synthesized by the client for a change to an unknown entity. */
export type DeltaAction = "change" | "remove";

/** The full entity fields of a delta (Juju's `params.*Info` json tags). */
export type EntityData = Readonly<Record<string, unknown>>;

/** One delta: a 3-element array on the wire. */
export type Delta = readonly [kind: string, action: DeltaAction, entity: EntityData];

/**
 * The field that identifies an entity of each kind. Relations are keyed by
 * their numeric `id` (stringified) and offers by `offer-name`, which unlike
 * the application name is unique per offer.
 */
export const ID_FIELDS: Readonly<Record<EntityKind, string>> = {
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
