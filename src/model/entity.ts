/**
 * `ModelEntity`: a view of one state in an entity's history.
 * @module
 */
import { LibjujuError } from "../rpc/errors.js";
import type { EntityData, EntityKind } from "./delta.js";
import type { ObserverFn, Unsubscribe } from "./observers.js";
import type { EntityRecord } from "./state.js";

/** `safeData` was read on an entity that was removed from the model. */
export class DeadEntityError extends LibjujuError {
  constructor(kind: string, id: string) {
    super(`${kind} ${JSON.stringify(id)} is dead (removed from the model)`, "dead");
  }
}

/** What an entity needs from the model that owns it. */
export interface EntityContext {
  addObserver(
    fn: ObserverFn,
    filter: {
      entityType?: EntityKind;
      action?: "add" | "change" | "remove";
      entityId?: string | RegExp;
    },
  ): Unsubscribe;
}

/** Builds entity views; models plug in their per-kind classes here. */
export type EntityFactory = (record: EntityRecord, version: number) => ModelEntity;

/**
 * One entity of the model as it was at one point of its history. The view
 * of the latest state is `current`; `previous()` and `next()` walk the
 * history and return undefined past either end (including states dropped by
 * the history cap).
 */
export class ModelEntity {
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
  get entityType(): EntityKind {
    return this.record.kind;
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

  /** The state this view shows, or undefined once dropped by the history cap. */
  get data(): EntityData | undefined {
    return this.record.at(this.version);
  }

  /** Like {@link data}, but throws {@link DeadEntityError} when the entity is dead or the state gone. */
  get safeData(): EntityData {
    const d = this.data;
    if (this.dead || d === undefined) throw new DeadEntityError(this.entityType, this.entityId);
    return d;
  }

  /** One field of the state (wire name, e.g. `"machine-id"`). */
  get<T = unknown>(field: string): T | undefined {
    return this.data?.[field] as T | undefined;
  }

  /** A view of the latest state. */
  latest(): ModelEntity {
    return this.version === this.record.latest
      ? this
      : this.#factory(this.record, this.record.latest);
  }

  /** A view of the state before this one, or undefined at the oldest kept state. */
  previous(): ModelEntity | undefined {
    const v = this.version - 1;
    return v >= this.record.oldest ? this.#factory(this.record, v) : undefined;
  }

  /** A view of the state after this one, or undefined at the latest. */
  next(): ModelEntity | undefined {
    const v = this.version + 1;
    return v <= this.record.latest ? this.#factory(this.record, v) : undefined;
  }

  /** Calls `fn` on every later change of this entity; returns the unsubscribe function. */
  onChange(fn: ObserverFn): Unsubscribe {
    return this.context.addObserver(fn, {
      entityType: this.entityType,
      action: "change",
      entityId: this.entityId,
    });
  }

  /** Calls `fn` when this entity is removed; returns the unsubscribe function. */
  onRemove(fn: ObserverFn): Unsubscribe {
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
