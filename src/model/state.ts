/**
 * The client's cache of a model: every entity the AllWatcher reported,
 * normalized by (kind, id), each with a bounded history of its states.
 * @module
 */
import { LibjujuError } from "../rpc/errors.js";
import { type Delta, type EntityData, type EntityKind, entityId, isEntityKind } from "./delta.js";
import { type EntityContext, type EntityFactory, ModelEntity } from "./entity.js";

/** Options of a {@link ModelState}. */
export interface ModelStateOptions {
  /**
   * How many states to keep per entity (≥ 1), or `Infinity` for all of
   * them. Older states are dropped; `previous()` past them returns undefined.
   * Default 16.
   */
  historyCap?: number;
}

/** A delta named an entity kind this client does not know. */
export class UnknownDeltaKindError extends LibjujuError {
  constructor(kind: string) {
    super(`unknown delta kind ${JSON.stringify(kind)}`, "ERR_UNKNOWN_DELTA_KIND");
  }
}

/**
 * One entity's history. Versions are absolute (0 is the first state ever
 * seen) so that a view keeps pointing at the same state while older ones
 * are dropped.
 */
export class EntityRecord {
  /** The entity kind. */
  readonly kind: EntityKind;
  /** The entity id. */
  readonly id: string;
  /** True once a `remove` delta was applied. */
  removed = false;
  /** Number of states ever recorded; the latest is `total - 1`. */
  total = 0;
  readonly #cap: number;
  // A ring buffer of at most `cap` states (a plain growing array when unbounded).
  readonly #ring: EntityData[] = [];

  constructor(kind: EntityKind, id: string, cap: number) {
    this.kind = kind;
    this.id = id;
    this.#cap = cap;
  }

  /** The oldest version still kept. */
  get oldest(): number {
    return Number.isFinite(this.#cap) ? Math.max(0, this.total - this.#cap) : 0;
  }

  /** The latest version. */
  get latest(): number {
    return this.total - 1;
  }

  /** The state at an absolute version, or undefined when it is not (or no longer) kept. */
  at(version: number): EntityData | undefined {
    if (!Number.isInteger(version) || version < this.oldest || version >= this.total)
      return undefined;
    return Number.isFinite(this.#cap) ? this.#ring[version % this.#cap] : this.#ring[version];
  }

  /** The latest state. */
  get current(): EntityData | undefined {
    return this.at(this.total - 1);
  }

  /** States still kept, oldest first. */
  history(): EntityData[] {
    const out: EntityData[] = [];
    for (let v = this.oldest; v < this.total; v++) out.push(this.at(v)!);
    return out;
  }

  /** Appends a state. */
  push(data: EntityData): void {
    if (Number.isFinite(this.#cap)) this.#ring[this.total % this.#cap] = data;
    else this.#ring.push(data);
    this.total++;
  }
}

/**
 * The result of applying one delta. It destructures as python-libjuju's
 * `old, new = state.apply_delta(delta)`: `const [old, now] = state.applyDelta(d)!`.
 */
export interface AppliedDelta extends Iterable<ModelEntity | undefined> {
  /** The entity kind. */
  kind: EntityKind;
  /** The entity id. */
  id: string;
  /** What happened to the entity. */
  action: "add" | "change" | "remove";
  /** The entity's record (all its kept states). */
  record: EntityRecord;
  /** Version of the state before the delta, or undefined when the entity was new. */
  oldVersion: number | undefined;
  /** Version of the state the delta recorded. */
  newVersion: number;
  /** A view of the entity before the delta; undefined when it was new. */
  readonly old: ModelEntity | undefined;
  /** A view of the entity after the delta (`dead` when the delta removed it). */
  readonly new: ModelEntity;
}

/** `connected: false` views: not bound to a model, so observers cannot be added. */
const DETACHED: EntityContext = {
  addObserver() {
    throw new LibjujuError(
      "this entity view is not connected to a model (getEntity with connected: false)",
      "ERR_NOT_CONNECTED",
    );
  },
};

const detachedFactory: EntityFactory = (r, v) => new ModelEntity(r, v, DETACHED);

function applied(
  factory: () => EntityFactory,
  a: Omit<AppliedDelta, "old" | "new" | typeof Symbol.iterator>,
): AppliedDelta {
  return {
    ...a,
    get old() {
      return a.oldVersion === undefined ? undefined : factory()(a.record, a.oldVersion);
    },
    get new() {
      return factory()(a.record, a.newVersion);
    },
    *[Symbol.iterator]() {
      yield this.old;
      yield this.new;
    },
  };
}

/** The model cache. Applying deltas is synchronous and allocation-light. */
export class ModelState {
  /** How many states are kept per entity (see {@link ModelStateOptions.historyCap}). */
  readonly historyCap: number;
  readonly #entities = new Map<EntityKind, Map<string, EntityRecord>>();
  #factory: EntityFactory = detachedFactory;

  constructor(options: ModelStateOptions = {}) {
    const cap = options.historyCap ?? 16;
    if (!(cap === Number.POSITIVE_INFINITY || (Number.isInteger(cap) && cap >= 1))) {
      throw new RangeError(`historyCap must be a positive integer or Infinity, got ${cap}`);
    }
    this.historyCap = cap;
  }

  /**
   * Makes entity views of this state with `factory` (a {@link Model} binds
   * its own, so views are `Application`, `Unit`… with their operations).
   * Until bound, views are plain {@link ModelEntity} objects not connected to a model.
   */
  bindEntities(factory: EntityFactory): void {
    this.#factory = factory;
  }

  #table(kind: EntityKind): Map<string, EntityRecord> {
    let t = this.#entities.get(kind);
    if (!t) {
      t = new Map();
      this.#entities.set(kind, t);
    }
    return t;
  }

  /**
   * Applies one delta. Returns undefined for a kind this client does not know
   * (unless `strict`, which throws {@link UnknownDeltaKindError}).
   * A `change` to an entity that was removed starts it afresh (Juju may reuse
   * names such as an application's).
   */
  applyDelta(delta: Delta, strict = false): AppliedDelta | undefined {
    const [kind, action, data] = delta;
    if (!isEntityKind(kind)) {
      if (strict) throw new UnknownDeltaKindError(kind);
      return undefined;
    }
    const id = entityId(kind, data);
    const table = this.#table(kind);
    let record = table.get(id);
    const known = record !== undefined && !record.removed;
    if (action === "remove") {
      if (!record) {
        record = new EntityRecord(kind, id, this.historyCap);
        table.set(id, record);
      }
      const oldVersion = known ? record.latest : undefined;
      record.push(data);
      record.removed = true;
      return applied(() => this.#factory, {
        kind,
        id,
        action: "remove",
        record,
        oldVersion,
        newVersion: record.latest,
      });
    }
    if (!record || record.removed) {
      record = new EntityRecord(kind, id, this.historyCap);
      table.set(id, record);
    }
    const oldVersion = known ? record.latest : undefined;
    record.push(data);
    return applied(() => this.#factory, {
      kind,
      id,
      action: known ? "change" : "add",
      record,
      oldVersion,
      newVersion: record.latest,
    });
  }

  /**
   * Applies the first batch of a new AllWatcher after a reconnect: states
   * equal to the current one are not recorded again, and live entities
   * missing from the batch are removed (they went away while disconnected).
   * Returns the deltas that changed something.
   */
  resync(deltas: readonly Delta[], strict = false): AppliedDelta[] {
    const seen = new Set<string>();
    const applied: AppliedDelta[] = [];
    for (const delta of deltas) {
      const [kind, action, data] = delta;
      if (!isEntityKind(kind)) {
        if (strict) throw new UnknownDeltaKindError(kind);
        continue;
      }
      const id = entityId(kind, data);
      seen.add(`${kind}\0${id}`);
      const record = this.#entities.get(kind)?.get(id);
      if (action === "change" && record && !record.removed && deepEqual(record.current, data))
        continue;
      const r = this.applyDelta(delta, strict);
      if (r) applied.push(r);
    }
    for (const [kind, table] of this.#entities) {
      for (const [id, record] of table) {
        if (record.removed || seen.has(`${kind}\0${id}`)) continue;
        const r = this.applyDelta([kind, "remove", record.current ?? {}]);
        if (r) applied.push(r);
      }
    }
    return applied;
  }

  /** The record of an entity, live or removed. */
  getRecord(kind: EntityKind, id: string): EntityRecord | undefined {
    return this.#entities.get(kind)?.get(id);
  }

  /**
   * The latest state of a live entity; with `historyIndex`, the state at that
   * index of the kept history (python-libjuju's `entity_data`): 0 is the
   * oldest kept state, negative indexes count from the end (-1 the latest
   * state, also of a removed entity). Undefined when there is no such state.
   */
  entityData(kind: EntityKind, id: string, historyIndex?: number): EntityData | undefined {
    const r = this.getRecord(kind, id);
    if (historyIndex === undefined) return r && !r.removed ? r.current : undefined;
    const v = r === undefined ? undefined : this.#versionAt(r, historyIndex);
    return v === undefined ? undefined : r!.at(v);
  }

  /** The absolute version at a history index (negative from the end), or undefined. */
  #versionAt(r: EntityRecord, historyIndex: number): number | undefined {
    if (!Number.isInteger(historyIndex)) {
      throw new RangeError(`historyIndex must be an integer, got ${historyIndex}`);
    }
    const kept = r.total - r.oldest;
    const i = historyIndex < 0 ? historyIndex + kept : historyIndex;
    return i < 0 || i >= kept ? undefined : r.oldest + i;
  }

  /**
   * A view of an entity at a history index (default -1: the latest state;
   * negative indexes count from the end), or undefined when the entity or
   * that state is unknown (python-libjuju's `get_entity`). With
   * `connected: false` the view is a plain {@link ModelEntity} not bound to
   * the model (no observers, no operations).
   */
  getEntity(
    kind: EntityKind,
    id: string,
    historyIndex = -1,
    connected = true,
  ): ModelEntity | undefined {
    const r = this.getRecord(kind, id);
    const v = r === undefined ? undefined : this.#versionAt(r, historyIndex);
    if (v === undefined) return undefined;
    return (connected ? this.#factory : detachedFactory)(r!, v);
  }

  /** The live entities of a kind as views of their latest state, by id. */
  #liveMap(kind: EntityKind): ReadonlyMap<string, ModelEntity> {
    const out = new Map<string, ModelEntity>();
    for (const r of this.live(kind)) out.set(r.id, this.#factory(r, r.latest));
    return out;
  }

  /** The live applications by name (views of their latest state). */
  get applications(): ReadonlyMap<string, ModelEntity> {
    return this.#liveMap("application");
  }

  /** The live machines by id. */
  get machines(): ReadonlyMap<string, ModelEntity> {
    return this.#liveMap("machine");
  }

  /** The live units by name. */
  get units(): ReadonlyMap<string, ModelEntity> {
    return this.#liveMap("unit");
  }

  /** The live relations by relation id. */
  get relations(): ReadonlyMap<string, ModelEntity> {
    return this.#liveMap("relation");
  }

  /** Every state still kept for an entity, oldest first (empty when unknown). */
  entityHistory(kind: EntityKind, id: string): EntityData[] {
    return this.getRecord(kind, id)?.history() ?? [];
  }

  /** The live entities of one kind, by id. */
  *live(kind: EntityKind): IterableIterator<EntityRecord> {
    for (const r of this.#entities.get(kind)?.values() ?? []) if (!r.removed) yield r;
  }

  /** Number of live entities of one kind. */
  count(kind: EntityKind): number {
    let n = 0;
    for (const _ of this.live(kind)) n++;
    return n;
  }

  /** Forgets everything. */
  clear(): void {
    this.#entities.clear();
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
      return false;
  }
  return true;
}
