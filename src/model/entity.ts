/**
 * `ModelEntity`: a view of one state in an entity's history.
 * @module
 */
import { LibjujuError } from "../rpc/errors.js";
import type { EntityDataOf, EntityKind } from "./delta.js";
import type { ObserverFilter, ObserverFn, Unsubscribe } from "./observers.js";
import type { EntityRecord } from "./state.js";

/** `safeData` was read on an entity that was removed from the model. */
export class DeadEntityError extends LibjujuError {
  constructor(kind: string, id: string) {
    super(`${kind} ${JSON.stringify(id)} is dead (removed from the model)`, "ERR_DEAD_ENTITY");
  }
}

/** What an entity needs from the model that owns it. */
export interface EntityContext {
  /** Registers `fn` for the deltas `filter` selects; returns the function that removes it. */
  addObserver<K extends EntityKind>(
    fn: ObserverFn<K>,
    filter: ObserverFilter<K> & { entityType: K },
  ): Unsubscribe;
}

/** Builds entity views; models plug in their per-kind classes here. */
export type EntityFactory = (record: EntityRecord, version: number) => ModelEntity;

/**
 * One entity of the model as it was at one point of its history. The view
 * of the latest state is `current`; `previous()` and `next()` walk the
 * history and return undefined past either end (including states dropped by
 * the history cap). `K` is the entity kind: {@link data} has that kind's
 * wire shape (`protocol/entity-data.ts`).
 */
export class ModelEntity<K extends EntityKind = EntityKind> {
  /** The record holding this entity's history. */
  protected readonly record: EntityRecord;
  /** The absolute version this view shows. */
  readonly version: number;
  /** The model context (observers, operations). */
  protected readonly context: EntityContext;
  readonly #factory: EntityFactory;

  constructor(
    record: EntityRecord,
    version: number,
    context: EntityContext,
    factory?: EntityFactory,
  ) {
    this.record = record;
    this.version = version;
    this.context = context;
    this.#factory = factory ?? ((r, v) => new ModelEntity(r, v, context));
  }

  /** The entity kind, e.g. `unit`. */
  get entityType(): K {
    return this.record.kind as K;
  }

  /** The entity id, e.g. `mysql/0`. */
  get entityId(): string {
    return this.record.id;
  }

  /** True while the entity is in the model. */
  get alive(): boolean {
    return !this.record.removed;
  }

  /** True once the entity was removed from the model. */
  get dead(): boolean {
    return this.record.removed;
  }

  /** True when this view shows the latest known state. */
  get current(): boolean {
    return this.version === this.record.latest;
  }

  /**
   * The state this view shows (the wire fields of kind `K`), or undefined
   * once dropped by the history cap.
   */
  get data(): Readonly<EntityDataOf<K>> | undefined {
    // The record holds what the wire sent for this kind.
    return this.record.at(this.version) as Readonly<EntityDataOf<K>> | undefined;
  }

  /** Like {@link data}, but throws {@link DeadEntityError} when the entity is dead or the state gone. */
  get safeData(): Readonly<EntityDataOf<K>> {
    const d = this.data;
    if (this.dead || d === undefined) throw new DeadEntityError(this.entityType, this.entityId);
    return d;
  }

  /** One field of the state by its wire name (e.g. `"machine-id"`), typed by kind. */
  get<F extends keyof EntityDataOf<K>>(field: F): EntityDataOf<K>[F] | undefined;
  /** One field of the state by any name (fields a newer Juju may add). */
  get<T = unknown>(field: string): T | undefined;
  get(field: string): unknown {
    return (this.data as Readonly<Record<string, unknown>> | undefined)?.[field];
  }

  /** A view of the latest state. */
  latest(): this {
    return this.version === this.record.latest
      ? this
      : (this.#factory(this.record, this.record.latest) as this);
  }

  /** A view of the state before this one, or undefined at the oldest kept state. */
  previous(): this | undefined {
    const v = this.version - 1;
    return v >= this.record.oldest ? (this.#factory(this.record, v) as this) : undefined;
  }

  /** A view of the state after this one, or undefined at the latest. */
  next(): this | undefined {
    const v = this.version + 1;
    return v <= this.record.latest ? (this.#factory(this.record, v) as this) : undefined;
  }

  /** Calls `fn` on every later change of this entity; returns the unsubscribe function. */
  onChange(fn: ObserverFn<K>): Unsubscribe {
    return this.context.addObserver(fn, {
      entityType: this.entityType,
      action: "change",
      entityId: this.entityId,
    });
  }

  /** Calls `fn` when this entity is removed; returns the unsubscribe function. */
  onRemove(fn: ObserverFn<K>): Unsubscribe {
    return this.context.addObserver(fn, {
      entityType: this.entityType,
      action: "remove",
      entityId: this.entityId,
    });
  }

  /** `unit mysql/0 (v3)`. */
  toString(): string {
    return `${this.entityType} ${this.entityId} (v${this.version}${this.dead ? ", dead" : ""})`;
  }
}
