/**
 * The AllWatcher loop: `Client.WatchAll`, then `AllWatcher.Next` until
 * stopped, feeding each batch into the {@link ModelState}, the observers,
 * the waits and any `for await` consumers.
 * @module
 */
import type { CallOptions, RpcRequest } from "../rpc/connection.js";
import { FacadeVersionError, JujuError, LibjujuError, ProtocolError } from "../rpc/errors.js";
import type { Delta } from "./delta.js";
import type { EntityFactory } from "./entity.js";
import { BufferedStream } from "./event-stream.js";
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
  /**
   * Receives every event, after the observers were handed it (a `Model`
   * feeds its own `events()` streams with it, which outlive one watcher).
   */
  emit?: (event: ModelEvent) => void;
}

/** Where a `Model`'s live state comes from: `Client.WatchAll` or `Client.FullStatus` polls. */
export type StateSourceKind = "allwatcher" | "status-poll";

/**
 * What a `Model` needs from the thing that keeps its state up to date: a
 * `ModelWatcher` (AllWatcher) or a `StatusPoller` (status polls, for
 * controllers without an AllWatcher). Both feed the same `ModelState`,
 * observers and `events()`.
 */
export interface StateSource {
  /** Which kind of source this is. */
  readonly kind: StateSourceKind;
  /** Rejects when the source dies (connection lost, server error, bad data). */
  readonly failed: Promise<never>;
  /** Calls `fn` after each batch of deltas was applied; returns an unsubscribe. */
  onStateChange(fn: () => void): () => void;
  /** Resolves once the whole model is in the state; `resync` reconciles with what is there. */
  start(options?: { resync?: boolean; signal?: AbortSignal }): Promise<void>;
  /** Stops the source; resolves when it has stopped. */
  stop(): Promise<void>;
  /**
   * Told that the client just changed the model (the request and its
   * result): a poller looks again soon, and follows the tasks it enqueued.
   */
  poke?(request?: RpcRequest, result?: unknown): void;
  /**
   * A poller's last look at the controller (its `controller-timestamp`, and
   * this client's time when it asked): the state is only known to be current
   * up to then. Undefined for the AllWatcher, whose state is pushed.
   */
  readonly observed?:
    | {
        /** The poll's `controller-timestamp`, when it had one. */
        controllerTimestamp: string | undefined;
        /** This client's time (ms) when it asked. */
        sentAt: number;
      }
    | undefined;
}

// python-libjuju matches this text: Juju sends it with no error code.
const STOPPED_MESSAGE = "watcher was stopped";

/**
 * Runs one AllWatcher over a connection. The first `Next` returns the whole
 * model; {@link start} resolves once it is applied. After a reconnect, a new
 * ModelWatcher on the same state resyncs instead of duplicating history.
 *
 * The loop fails ({@link failed}, and `events()` streams throw) with the
 * call's error when `Next` fails, with the server's `watcher was stopped`
 * error when the watcher was stopped without {@link stop} being called, and
 * with a {@link ProtocolError} when a batch of deltas is malformed (nothing
 * of that batch is applied).
 */
export class ModelWatcher implements StateSource {
  /** Always `"allwatcher"`. */
  readonly kind = "allwatcher" as const;
  readonly #conn: WatcherConnection;
  readonly #opts: ModelWatcherOptions;
  readonly #changeListeners = new Set<() => void>();
  readonly #streams = new Set<BufferedStream<ModelEvent>>();
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
    try {
      this.#apply(first, options.resync ?? false);
    } catch (err) {
      throw asApplyError(err);
    }
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
    const stream: BufferedStream<ModelEvent> = new BufferedStream(
      () => this.#streams.delete(stream),
      signal,
    );
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
    const res = await this.#conn.rpc<unknown>(
      {
        type: "AllWatcher",
        version: this.#version("AllWatcher"),
        id: this.#watcherId!,
        request: "Next",
        params: {},
      },
      signal ? { signal } : {},
    );
    return checkDeltas(res);
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      let deltas: Delta[];
      try {
        deltas = await this.#next();
      } catch (err) {
        // Our own Stop ends the loop; a stop we did not ask for is a failure.
        if (this.#stopping) break;
        this.#fail(err as LibjujuError);
        for (const s of this.#streams) s.fail(err);
        return;
      }
      try {
        this.#apply(deltas, false);
      } catch (err) {
        const error = asApplyError(err);
        this.#fail(error);
        for (const s of this.#streams) s.fail(error);
        return;
      }
    }
    for (const s of this.#streams) s.end();
  }

  #apply(deltas: readonly Delta[], resync: boolean): void {
    applyBatch(this.#opts, deltas, resync, this.#streams);
    for (const fn of this.#changeListeners) fn();
  }
}

/**
 * Applies a batch of deltas to the state (`resync`: reconciling, see
 * `ModelState.resync`) and hands each resulting event to the observers,
 * `emit` and `streams`, in order. Shared by every {@link StateSource}.
 * @internal
 */
export function applyBatch(
  opts: ModelWatcherOptions,
  deltas: readonly Delta[],
  resync: boolean,
  streams: Iterable<BufferedStream<ModelEvent>> = [],
): void {
  const { state, observers, entityFactory, strict } = opts;
  const applied: AppliedDelta[] = resync
    ? state.resync(deltas, strict)
    : deltas.flatMap((d) => state.applyDelta(d, strict) ?? []);
  for (const a of applied) {
    // The wire data is taken to be of its kind's shape (protocol/entity-data.ts),
    // and the factory builds the class of the kind: the event is typed by kind.
    const event = {
      entityType: a.kind,
      entityId: a.id,
      action: a.action,
      delta: [a.kind, a.action === "remove" ? "remove" : "change", a.record.at(a.newVersion)!],
      old: a.oldVersion === undefined ? undefined : entityFactory(a.record, a.oldVersion),
      new: entityFactory(a.record, a.newVersion),
    } as unknown as ModelEvent;
    void observers.dispatch(event);
    opts.emit?.(event);
    for (const s of streams) s.push(event);
  }
}

/** True for the server's answer to `Next` on a stopped watcher (Juju sends no error code). */
export function isWatcherStopped(err: unknown): boolean {
  return err instanceof JujuError && err.message === STOPPED_MESSAGE;
}

const DELTA_ACTIONS = new Set(["change", "remove"]);

/**
 * The deltas of a `Next` reply, checked: `deltas` is a list (or null) of
 * `[kind, "change" | "remove", {…}]`. Anything else is a
 * {@link ProtocolError} naming the first bad delta.
 */
export function checkDeltas(reply: unknown): Delta[] {
  if (typeof reply !== "object" || reply === null || Array.isArray(reply)) {
    throw new ProtocolError("AllWatcher.Next: the reply is not an object");
  }
  const deltas = (reply as { deltas?: unknown }).deltas;
  if (deltas === undefined || deltas === null) return [];
  if (!Array.isArray(deltas)) {
    throw new ProtocolError(`AllWatcher.Next: "deltas" is a ${typeof deltas}, not a list`);
  }
  for (let i = 0; i < deltas.length; i++) {
    const d: unknown = deltas[i];
    const bad = (why: string) =>
      new ProtocolError(`AllWatcher.Next: delta ${i} is malformed: ${why}`);
    if (!Array.isArray(d) || d.length < 3) throw bad("not a [kind, action, entity] list");
    if (typeof d[0] !== "string") throw bad("the kind is not a string");
    if (typeof d[1] !== "string" || !DELTA_ACTIONS.has(d[1])) {
      throw bad(`unknown action ${JSON.stringify(d[1])}`);
    }
    if (typeof d[2] !== "object" || d[2] === null || Array.isArray(d[2])) {
      throw bad("the entity is not an object");
    }
  }
  return deltas as Delta[];
}

/** What a failure to apply a batch becomes: libjuju errors as they are, anything else a {@link ProtocolError}. */
function asApplyError(err: unknown): LibjujuError {
  return err instanceof LibjujuError
    ? err
    : new ProtocolError(`AllWatcher.Next: cannot apply the deltas: ${String(err)}`, {
        cause: err,
      });
}
