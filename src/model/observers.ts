/**
 * Observers of model changes: filtered callbacks, held strongly, run one
 * at a time in delta order.
 * @module
 */
import type { Delta, EntityKind } from "./delta.js";
import type { ModelEntity } from "./entity.js";

/** One change of the model, as seen by observers. */
export interface ModelEvent {
  /** The entity kind (`application`, `unit`, …). */
  entityType: EntityKind;
  /** The entity id. */
  entityId: string;
  /** `add` for an entity seen for the first time; otherwise Juju's action. */
  action: "add" | "change" | "remove";
  /** The raw delta. */
  delta: Delta;
  /** The entity before the change (undefined for `add`). */
  old: ModelEntity | undefined;
  /** The entity after the change (a dead view for `remove`). */
  new: ModelEntity;
}

/** An observer callback. A returned promise is awaited before the next event is dispatched. */
export type ObserverFn = (event: ModelEvent) => void | Promise<void>;

/** Removes an observer. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/** Which events an observer receives; every given criterion must match. */
export interface ObserverFilter {
  entityType?: EntityKind;
  action?: "add" | "change" | "remove";
  /** An exact id, or a pattern tested against the id. */
  entityId?: string | RegExp;
  predicate?: (event: ModelEvent) => boolean;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Subclass and define `on<Kind><Action>` methods (`onUnitAdd`,
 * `onApplicationChange`, `onRelationRemove`, `onApplicationOfferChange`…);
 * events without a specific handler go to {@link onChange}.
 */
export abstract class ModelObserver {
  /** Fallback for events without a specific handler. */
  onChange(_event: ModelEvent): void | Promise<void> {}

  /** Dispatches an event to the handler named after it. */
  handle(event: ModelEvent): void | Promise<void> {
    const name = `on${capitalize(event.entityType)}${capitalize(event.action)}`;
    const handler = (this as unknown as Record<string, unknown>)[name];
    if (typeof handler === "function") return (handler as ObserverFn).call(this, event);
    return this.onChange(event);
  }
}

/** An observer threw or rejected; carries the event it failed on. */
export interface ObserverFailure {
  error: unknown;
  event: ModelEvent;
}

interface Entry {
  fn: ObserverFn;
  filter: ObserverFilter;
}

function matches(filter: ObserverFilter, e: ModelEvent): boolean {
  if (filter.entityType !== undefined && filter.entityType !== e.entityType) return false;
  if (filter.action !== undefined && filter.action !== e.action) return false;
  const id = filter.entityId;
  if (id !== undefined && (typeof id === "string" ? id !== e.entityId : !id.test(e.entityId)))
    return false;
  return filter.predicate ? filter.predicate(e) : true;
}

/**
 * The set of observers of one model. `dispatch` queues events; they are
 * delivered strictly in order, each observer awaited in turn, so an
 * observer never sees a later change before an earlier one.
 */
export class ObserverRegistry {
  readonly #entries = new Set<Entry>();
  #queue: Promise<void> = Promise.resolve();
  readonly #onError: (failure: ObserverFailure) => void;

  /** `onError` receives every exception thrown or rejection returned by an observer. */
  constructor(onError: (failure: ObserverFailure) => void) {
    this.#onError = onError;
  }

  /** Adds an observer; returns its unsubscribe function. */
  add(observer: ObserverFn | ModelObserver, filter: ObserverFilter = {}): Unsubscribe {
    const fn: ObserverFn = observer instanceof ModelObserver ? (e) => observer.handle(e) : observer;
    const entry = { fn, filter };
    this.#entries.add(entry);
    return () => {
      this.#entries.delete(entry);
    };
  }

  /** Number of observers. */
  get size(): number {
    return this.#entries.size;
  }

  /** Queues an event for delivery; the returned promise settles once it was delivered. */
  dispatch(event: ModelEvent): Promise<void> {
    if (this.#entries.size === 0) return this.#queue;
    this.#queue = this.#queue.then(() => this.#deliver(event));
    return this.#queue;
  }

  /** Resolves when every queued event was delivered. */
  idle(): Promise<void> {
    return this.#queue;
  }

  async #deliver(event: ModelEvent): Promise<void> {
    for (const entry of [...this.#entries]) {
      if (!this.#entries.has(entry)) continue; // unsubscribed by an earlier observer
      try {
        if (matches(entry.filter, event)) await entry.fn(event);
      } catch (error) {
        this.#onError({ error, event });
      }
    }
  }
}
