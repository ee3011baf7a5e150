/**
 * The AllWatcher loop: `Client.WatchAll`, then `AllWatcher.Next` until
 * stopped, feeding each batch into the {@link ModelState}, the observers,
 * the waits and any `for await` consumers.
 * @module
 */
import type { CallOptions, RpcRequest } from "../rpc/connection.js";
import { FacadeVersionError, JujuError, type LibjujuError } from "../rpc/errors.js";
import type { Delta } from "./delta.js";
import type { EntityFactory } from "./entity.js";
import type { ModelEvent, ObserverRegistry } from "./observers.js";
import type { AppliedDelta, ModelState } from "./state.js";

/** What the watcher needs from a connection. */
export interface WatcherConnection {
  rpc<R = unknown>(request: RpcRequest, options?: CallOptions): Promise<R>;
  facadeVersion(name: string): number | undefined;
}

/** Options of a {@link ModelWatcher}. */
export interface ModelWatcherOptions {
  state: ModelState;
  observers: ObserverRegistry;
  /** Builds the entity views handed to observers. */
  entityFactory: EntityFactory;
  /** Throw on delta kinds this client does not know, instead of skipping them. */
  strict?: boolean;
}

// python-libjuju matches this text: Juju sends it with no error code.
const STOPPED_MESSAGE = "watcher was stopped";

/**
 * Runs one AllWatcher over a connection. The first `Next` returns the whole
 * model; {@link start} resolves once it is applied. After a reconnect, a new
 * ModelWatcher on the same state resyncs instead of duplicating history.
 */
export class ModelWatcher {
  readonly #conn: WatcherConnection;
  readonly #opts: ModelWatcherOptions;
  readonly #changeListeners = new Set<() => void>();
  readonly #streams = new Set<EventStream>();
  #watcherId: string | undefined;
  #stopping = false;
  #failed: Promise<never>;
  #fail!: (err: LibjujuError) => void;
  #done: Promise<void> | undefined;

  constructor(conn: WatcherConnection, options: ModelWatcherOptions) {
    this.#conn = conn;
    this.#opts = options;
    this.#failed = new Promise<never>((_, reject) => {
      this.#fail = reject;
    });
    // Nobody may be listening for a failure: don't let it become an unhandled rejection.
    this.#failed.catch(() => {});
  }

  /** Rejects when the watch loop dies (connection lost, server error). */
  get failed(): Promise<never> {
    return this.#failed;
  }

  /** Calls `fn` after each batch of deltas was applied; returns an unsubscribe. */
  onStateChange(fn: () => void): () => void {
    this.#changeListeners.add(fn);
    return () => {
      this.#changeListeners.delete(fn);
    };
  }

  /**
   * Starts watching. Resolves when the first batch (the whole model) has
   * been applied. `resync` makes that batch reconcile with existing state.
   */
  async start(options: { resync?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    const clientVersion = this.#version("Client");
    const res = await this.#conn.rpc<{ "watcher-id": string }>(
      { type: "Client", version: clientVersion, request: "WatchAll", params: {} },
      options.signal ? { signal: options.signal } : {},
    );
    this.#watcherId = res["watcher-id"];
    const first = await this.#next(options.signal);
    this.#apply(first, options.resync ?? false);
    this.#done = this.#loop();
  }

  /** Stops the watcher; resolves when the loop has ended. */
  async stop(): Promise<void> {
    if (this.#stopping) return this.#done;
    this.#stopping = true;
    if (this.#watcherId !== undefined) {
      try {
        await this.#conn.rpc({
          type: "AllWatcher",
          version: this.#version("AllWatcher"),
          id: this.#watcherId,
          request: "Stop",
          params: {},
        });
      } catch {
        // The connection may already be gone; the loop ends either way.
      }
    }
    await this.#done;
    for (const s of this.#streams) s.end();
  }

  /** An async iterator over every model event from now on, in order. Ends when the watcher stops. */
  events(signal?: AbortSignal): AsyncIterableIterator<ModelEvent> {
    const stream = new EventStream(() => this.#streams.delete(stream), signal);
    this.#streams.add(stream);
    return stream;
  }

  #version(facade: string): number {
    const v = this.#conn.facadeVersion(facade);
    if (v === undefined)
      throw new FacadeVersionError(`the controller offers no usable version of ${facade}`);
    return v;
  }

  async #next(signal?: AbortSignal): Promise<Delta[]> {
    const res = await this.#conn.rpc<{ deltas: Delta[] | null }>(
      {
        type: "AllWatcher",
        version: this.#version("AllWatcher"),
        id: this.#watcherId!,
        request: "Next",
        params: {},
      },
      signal ? { signal } : {},
    );
    return res.deltas ?? [];
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      let deltas: Delta[];
      try {
        deltas = await this.#next();
      } catch (err) {
        if (this.#stopping || (err instanceof JujuError && err.message === STOPPED_MESSAGE)) break;
        this.#fail(err as LibjujuError);
        for (const s of this.#streams) s.fail(err);
        return;
      }
      try {
        this.#apply(deltas, false);
      } catch (err) {
        this.#fail(err as LibjujuError);
        for (const s of this.#streams) s.fail(err);
        return;
      }
    }
    for (const s of this.#streams) s.end();
  }

  #apply(deltas: readonly Delta[], resync: boolean): void {
    const { state, observers, entityFactory, strict } = this.#opts;
    const applied: AppliedDelta[] = resync
      ? state.resync(deltas, strict)
      : deltas.flatMap((d) => state.applyDelta(d, strict) ?? []);
    for (const a of applied) {
      const event: ModelEvent = {
        entityType: a.kind,
        entityId: a.id,
        action: a.action,
        delta: [a.kind, a.action === "remove" ? "remove" : "change", a.record.at(a.newVersion)!],
        old: a.oldVersion === undefined ? undefined : entityFactory(a.record, a.oldVersion),
        new: entityFactory(a.record, a.newVersion),
      };
      void observers.dispatch(event);
      for (const s of this.#streams) s.push(event);
    }
    for (const fn of this.#changeListeners) fn();
  }
}

/** A buffered async iterator of events. */
class EventStream implements AsyncIterableIterator<ModelEvent> {
  readonly #buffer: ModelEvent[] = [];
  #waiter:
    | { resolve: (r: IteratorResult<ModelEvent>) => void; reject: (e: unknown) => void }
    | undefined;
  #ended = false;
  #error: unknown;
  readonly #detach: () => void;

  constructor(detach: () => void, signal?: AbortSignal) {
    this.#detach = detach;
    signal?.addEventListener("abort", () => this.end(), { once: true });
  }

  push(e: ModelEvent): void {
    if (this.#ended) return;
    if (this.#waiter) {
      this.#waiter.resolve({ value: e, done: false });
      this.#waiter = undefined;
    } else this.#buffer.push(e);
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#detach();
    this.#waiter?.resolve({ value: undefined, done: true });
    this.#waiter = undefined;
  }

  fail(err: unknown): void {
    if (this.#ended) return;
    this.#error = err;
    this.#ended = true;
    this.#detach();
    this.#waiter?.reject(err);
    this.#waiter = undefined;
  }

  next(): Promise<IteratorResult<ModelEvent>> {
    const e = this.#buffer.shift();
    if (e) return Promise.resolve({ value: e, done: false });
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<ModelEvent>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ModelEvent> {
    return this;
  }
}
