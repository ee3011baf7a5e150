/**
 * The AllWatcher machinery of one model: an entity log that keeps every
 * entity's latest wire-shaped state with a revision number, and cursors that
 * hand each watcher the changes since its previous `Next`, collapsed to the
 * latest state per entity (Go's `core/multiwatcher` store).
 * @module
 */
import type { EntityDataOf, EntityKind } from "../protocol/entity-data.js";
import type { ChangeCounter } from "./changes.js";
import { Errors } from "./errors.js";
import { StatusHistory } from "./status-history.js";

/** A wire-shaped entity as sent inside a delta (`params.*Info` json fields). */
export type EntityInfo = Record<string, unknown>;

/** One AllWatcher delta as it goes over the wire: `[kind, "change"|"remove", entity]`. */
export type Delta = [kind: string, op: "change" | "remove", entity: EntityInfo];

interface Entry {
  kind: string;
  id: string;
  entity: EntityInfo;
  /** Revision of the last change (or of the removal). */
  revno: number;
  /** Revision at which the entity (re)appeared, so removals of entities a watcher never saw are skipped. */
  createdRevno: number;
  removed: boolean;
}

/**
 * All entities of one model keyed by (kind, id), with a change counter.
 * Producers call {@link EntityLog.set} and {@link EntityLog.remove}; every
 * call wakes the watchers that are waiting in `Next`.
 */
export class EntityLog {
  /** Every status the entities went through (`Client.StatusHistory`). */
  readonly statusHistory = new StatusHistory();
  /** The controller's change counter, bumped on every change here (set by the model owning the log). */
  changes: ChangeCounter | undefined;
  private revno = 0;
  private readonly entries = new Map<string, Entry>();
  private readonly cursors = new Set<AllWatcherCursor>();

  /** The current revision: it grows by one on each change. */
  get revision(): number {
    return this.revno;
  }

  /**
   * Stores the full new state of an entity (its kind's wire shape) and
   * notifies watchers. A state equal to the stored one changes nothing and
   * sends no delta, as Go's `store.Update` (core/multiwatcher/store.go:
   * `reflect.DeepEqual(info, entry.info)`).
   */
  set<K extends EntityKind>(kind: K, id: string, entity: EntityDataOf<K>): void {
    const key = `${kind}\u0000${id}`;
    const old = this.entries.get(key);
    if (old !== undefined && !old.removed && sameValue(old.entity, entity)) return;
    this.revno++;
    const createdRevno = old === undefined || old.removed ? this.revno : old.createdRevno;
    this.entries.set(key, {
      kind,
      id,
      entity: structuredClone(entity),
      revno: this.revno,
      createdRevno,
      removed: false,
    });
    this.statusHistory.observe(kind, id, entity);
    this.changes?.bump();
    this.wake();
  }

  /** Marks an entity removed; its `remove` delta carries the last known state. No-op if unknown. */
  remove(kind: string, id: string): void {
    const key = `${kind}\u0000${id}`;
    const old = this.entries.get(key);
    if (old === undefined || old.removed) return;
    this.revno++;
    this.entries.set(key, { ...old, revno: this.revno, removed: true });
    this.changes?.bump();
    this.prune();
    this.wake();
  }

  /** The current state of an entity (a copy), or undefined. */
  get<K extends EntityKind>(kind: K, id: string): EntityDataOf<K> | undefined {
    const e = this.entries.get(`${kind}\u0000${id}`);
    // Only `set` stores entities, each of its kind's shape.
    return e === undefined || e.removed
      ? undefined
      : (structuredClone(e.entity) as EntityDataOf<K>);
  }

  /** The current entities of one kind (copies), in order of creation. */
  list<K extends EntityKind>(kind: K): EntityDataOf<K>[] {
    return [...this.entries.values()]
      .filter((e) => e.kind === kind && !e.removed)
      .sort((a, b) => a.createdRevno - b.createdRevno)
      .map((e) => structuredClone(e.entity) as EntityDataOf<K>);
  }

  /** @internal The live entities in order of creation, for `snapshot.ts`. */
  exportEntries(): Array<[kind: string, id: string, entity: EntityInfo]> {
    return [...this.entries.values()]
      .filter((e) => !e.removed)
      .sort((a, b) => a.createdRevno - b.createdRevno)
      .map((e) => [e.kind, e.id, structuredClone(e.entity)]);
  }

  /**
   * @internal Replaces every entity with `entities` (a snapshot being
   * restored): entities missing from it are removed, the others are set
   * anew in the given order, so that open watchers get `remove` and
   * `change` deltas and the creation order is the snapshot's.
   */
  resync(entities: ReadonlyArray<readonly [kind: string, id: string, entity: EntityInfo]>): void {
    for (const e of [...this.entries.values()]) if (!e.removed) this.remove(e.kind, e.id);
    for (const [kind, id, entity] of entities) {
      this.set(kind as EntityKind, id, entity as EntityDataOf<EntityKind>);
    }
  }

  /** Starts a watcher whose first `next()` returns every current entity. */
  watch(): AllWatcherCursor {
    const cursor = new AllWatcherCursor(this);
    this.cursors.add(cursor);
    return cursor;
  }

  /** Stops every watcher of this log (the model is gone or the server stops). */
  stopAll(): void {
    for (const c of [...this.cursors]) c.stop();
  }

  /** @internal Changes after `since` (or the whole model when `since` is undefined), oldest first. */
  changesSince(since: number | undefined): Delta[] {
    const out: Entry[] = [];
    for (const e of this.entries.values()) {
      if (since === undefined) {
        if (!e.removed) out.push(e);
      } else if (e.revno > since) {
        // A watcher that never saw the entity gets no remove delta for it.
        if (e.removed && e.createdRevno > since) continue;
        out.push(e);
      }
    }
    out.sort((a, b) => a.revno - b.revno);
    return out.map((e) => [e.kind, e.removed ? "remove" : "change", structuredClone(e.entity)]);
  }

  /** @internal Called by a cursor when it stops. */
  detach(cursor: AllWatcherCursor): void {
    this.cursors.delete(cursor);
    this.prune();
  }

  /** Drops removal tombstones that every live watcher has already been given. */
  private prune(): void {
    let min = Number.POSITIVE_INFINITY;
    for (const c of this.cursors) {
      // A cursor that has not had its first Next yet only ever sees live entities.
      if (c.seen !== undefined) min = Math.min(min, c.seen);
    }
    for (const [key, e] of this.entries) {
      if (e.removed && e.revno <= min) this.entries.delete(key);
    }
  }

  private wake(): void {
    for (const c of this.cursors) c.wake();
  }
}

/** Deep equality of wire-shaped values (JSON data: plain objects, arrays, primitives). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) =>
    sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

/** One AllWatcher: remembers the revision it last reported. */
export class AllWatcherCursor {
  /** @internal The revision reported by the previous `next()`, undefined before the first. */
  seen: number | undefined;
  private stopped = false;
  private waiter: { resolve: () => void } | undefined;

  /** @internal Use {@link EntityLog.watch}. */
  constructor(private readonly log: EntityLog) {}

  /** Whether {@link AllWatcherCursor.stop} was called. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * The next batch of deltas: the whole model on the first call, afterwards
   * waits until something changed. Rejects with `watcher was stopped` when
   * the watcher is stopped while waiting.
   */
  async next(): Promise<Delta[]> {
    for (;;) {
      if (this.stopped) throw Errors.watcherStopped();
      const deltas = this.log.changesSince(this.seen);
      if (deltas.length > 0 || this.seen === undefined) {
        this.seen = this.log.revision;
        return deltas;
      }
      await new Promise<void>((resolve) => {
        this.waiter = { resolve };
      });
    }
  }

  /** Stops the watcher; a pending `next()` rejects. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.log.detach(this);
    this.wake();
  }

  /** @internal Wakes a pending `next()` so it re-checks for changes. */
  wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.resolve();
  }
}
