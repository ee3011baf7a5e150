/**
 * Observers of model changes: filtered callbacks, held strongly, run one
 * at a time in delta order.
 * @module
 */
import type { EntityTypes } from "./context.js";
import type { DeltaOf, EntityKind } from "./delta.js";

/** What happened: `add` for an entity seen for the first time; otherwise Juju's action. */
export type EventAction = "add" | "change" | "remove";

/** One change of an entity of kind `K`, its views typed by kind (`new` is a `Unit` for units). */
export interface ModelEventOf<K extends EntityKind> {
  /** The entity kind (`application`, `unit`, …): narrows the event. */
  entityType: K;
  /** The entity id. */
  entityId: string;
  /** `add` for an entity seen for the first time; otherwise Juju's action. */
  action: EventAction;
  /** The raw delta. */
  delta: DeltaOf<K>;
  /** The entity before the change (undefined for `add`). */
  old: EntityTypes[K] | undefined;
  /** The entity after the change (a dead view for `remove`). */
  new: EntityTypes[K];
}

/**
 * One change of the model, as seen by observers: a union discriminated by
 * `entityType`, so `if (e.entityType === "unit")` makes `e.new` a `Unit`.
 * `ModelEvent<"unit">` is the event of one kind.
 */
export type ModelEvent<K extends EntityKind = EntityKind> = {
  [P in K]: ModelEventOf<P>;
}[K];

/** An observer callback. A returned promise is awaited before the next event is dispatched. */
export type ObserverFn<K extends EntityKind = EntityKind> = (
  event: ModelEvent<K>,
) => void | Promise<void>;

/** Removes an observer. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/** Which events an observer receives; every given criterion must match. */
export interface ObserverFilter<K extends EntityKind = EntityKind> {
  /** Only events of this kind; also narrows the events the observer is typed for. */
  entityType?: K;
  /** Only deltas of this action (`add`, `change` or `remove`). */
  action?: EventAction;
  /** An exact id, or a pattern tested against the id. */
  entityId?: string | RegExp;
  /** A last test of the event (method syntax: a filter of one kind is still a filter). */
  predicate?(event: ModelEvent<K>): boolean;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Subclass and define `on<Kind><Action>` methods (`onUnitAdd`,
 * `onApplicationChange`, `onRelationRemove`, `onApplicationOfferChange`…);
 * events without a specific handler go to {@link onChange}. Each handler is
 * declared here with its event typed by kind (`onUnitAdd` gets a
 * `ModelEvent<"unit">`), so a subclass implements it with `override`.
 */
export abstract class ModelObserver {
  /** Handles `add` events of `model` entities. */
  onModelAdd?(event: ModelEvent<"model">): void | Promise<void>;
  /** Handles `change` events of `model` entities. */
  onModelChange?(event: ModelEvent<"model">): void | Promise<void>;
  /** Handles `remove` events of `model` entities. */
  onModelRemove?(event: ModelEvent<"model">): void | Promise<void>;
  /** Handles `add` events of `machine` entities. */
  onMachineAdd?(event: ModelEvent<"machine">): void | Promise<void>;
  /** Handles `change` events of `machine` entities. */
  onMachineChange?(event: ModelEvent<"machine">): void | Promise<void>;
  /** Handles `remove` events of `machine` entities. */
  onMachineRemove?(event: ModelEvent<"machine">): void | Promise<void>;
  /** Handles `add` events of `application` entities. */
  onApplicationAdd?(event: ModelEvent<"application">): void | Promise<void>;
  /** Handles `change` events of `application` entities. */
  onApplicationChange?(event: ModelEvent<"application">): void | Promise<void>;
  /** Handles `remove` events of `application` entities. */
  onApplicationRemove?(event: ModelEvent<"application">): void | Promise<void>;
  /** Handles `add` events of `unit` entities. */
  onUnitAdd?(event: ModelEvent<"unit">): void | Promise<void>;
  /** Handles `change` events of `unit` entities. */
  onUnitChange?(event: ModelEvent<"unit">): void | Promise<void>;
  /** Handles `remove` events of `unit` entities. */
  onUnitRemove?(event: ModelEvent<"unit">): void | Promise<void>;
  /** Handles `add` events of `relation` entities. */
  onRelationAdd?(event: ModelEvent<"relation">): void | Promise<void>;
  /** Handles `change` events of `relation` entities. */
  onRelationChange?(event: ModelEvent<"relation">): void | Promise<void>;
  /** Handles `remove` events of `relation` entities. */
  onRelationRemove?(event: ModelEvent<"relation">): void | Promise<void>;
  /** Handles `add` events of `annotation` entities. */
  onAnnotationAdd?(event: ModelEvent<"annotation">): void | Promise<void>;
  /** Handles `change` events of `annotation` entities. */
  onAnnotationChange?(event: ModelEvent<"annotation">): void | Promise<void>;
  /** Handles `remove` events of `annotation` entities. */
  onAnnotationRemove?(event: ModelEvent<"annotation">): void | Promise<void>;
  /** Handles `add` events of `action` entities. */
  onActionAdd?(event: ModelEvent<"action">): void | Promise<void>;
  /** Handles `change` events of `action` entities. */
  onActionChange?(event: ModelEvent<"action">): void | Promise<void>;
  /** Handles `remove` events of `action` entities. */
  onActionRemove?(event: ModelEvent<"action">): void | Promise<void>;
  /** Handles `add` events of `charm` entities. */
  onCharmAdd?(event: ModelEvent<"charm">): void | Promise<void>;
  /** Handles `change` events of `charm` entities. */
  onCharmChange?(event: ModelEvent<"charm">): void | Promise<void>;
  /** Handles `remove` events of `charm` entities. */
  onCharmRemove?(event: ModelEvent<"charm">): void | Promise<void>;
  /** Handles `add` events of `remoteApplication` entities. */
  onRemoteApplicationAdd?(event: ModelEvent<"remoteApplication">): void | Promise<void>;
  /** Handles `change` events of `remoteApplication` entities. */
  onRemoteApplicationChange?(event: ModelEvent<"remoteApplication">): void | Promise<void>;
  /** Handles `remove` events of `remoteApplication` entities. */
  onRemoteApplicationRemove?(event: ModelEvent<"remoteApplication">): void | Promise<void>;
  /** Handles `add` events of `applicationOffer` entities. */
  onApplicationOfferAdd?(event: ModelEvent<"applicationOffer">): void | Promise<void>;
  /** Handles `change` events of `applicationOffer` entities. */
  onApplicationOfferChange?(event: ModelEvent<"applicationOffer">): void | Promise<void>;
  /** Handles `remove` events of `applicationOffer` entities. */
  onApplicationOfferRemove?(event: ModelEvent<"applicationOffer">): void | Promise<void>;
  /** Handles `add` events of `block` entities. */
  onBlockAdd?(event: ModelEvent<"block">): void | Promise<void>;
  /** Handles `change` events of `block` entities. */
  onBlockChange?(event: ModelEvent<"block">): void | Promise<void>;
  /** Handles `remove` events of `block` entities. */
  onBlockRemove?(event: ModelEvent<"block">): void | Promise<void>;
  /** Handles `add` events of `branch` entities. */
  onBranchAdd?(event: ModelEvent<"branch">): void | Promise<void>;
  /** Handles `change` events of `branch` entities. */
  onBranchChange?(event: ModelEvent<"branch">): void | Promise<void>;
  /** Handles `remove` events of `branch` entities. */
  onBranchRemove?(event: ModelEvent<"branch">): void | Promise<void>;

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
  /** What the observer threw. */
  error: unknown;
  /** The event it was handling. */
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

  /** Adds an observer of one kind of entity; returns its unsubscribe function. */
  add<K extends EntityKind>(
    observer: ObserverFn<K>,
    filter: ObserverFilter<K> & { entityType: K },
  ): Unsubscribe;
  /** Adds an observer; returns its unsubscribe function. */
  add(observer: ObserverFn | ModelObserver, filter?: ObserverFilter): Unsubscribe;
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
