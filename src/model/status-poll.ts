/**
 * The status-poll state source: `Client.FullStatus` at an adaptive
 * interval, each snapshot diffed against the previous one into the deltas
 * an AllWatcher would have sent, feeding the same `ModelState`, observers,
 * `events()` and waits. For controllers without an AllWatcher (Juju 4);
 * docs/status-poll.md says what a polled entity lacks. No Node-only imports.
 * @module
 */
import type { CallOptions, RpcRequest } from "../rpc/connection.js";
import {
  FacadeVersionError,
  JujuNotFoundError,
  LibjujuError,
  ProtocolError,
} from "../rpc/errors.js";
import type { LoginInfo } from "../rpc/login.js";
import type { Delta, EntityData } from "./delta.js";
import { BufferedStream } from "./event-stream.js";
import type { ModelEvent } from "./observers.js";
import {
  charmEntity,
  diffSnapshots,
  SnapshotCache,
  type SnapshotContext,
  type StatusSnapshot,
  snapshotDeltas,
  snapshotFromStatus,
  statusCharmUrls,
  statusCharmVersion,
} from "./status-poll-snapshot.js";
import { applyBatch, type ModelWatcherOptions, type StateSource } from "./watcher.js";

/**
 * How often a status-polled model looks at the controller. The interval
 * is `interval` while polls find changes (and right after the client
 * changed the model), and grows by `backoff` with each quiet poll up to
 * `maxInterval`.
 */
export interface StatusPollOptions {
  /** Milliseconds between polls while the model changes. Default 1000. */
  interval?: number;
  /** Longest wait between polls of a quiet model, in ms. Default 5000. */
  maxInterval?: number;
  /** Factor the interval grows by after each poll that found nothing new. Default 1.5. */
  backoff?: number;
  /** Delay (ms) of the poll that follows a change the client made (deploy, config…). Default 100. */
  afterWrite?: number;
}

/** The {@link StatusPollOptions} with every default filled in. */
export interface StatusPollPolicy {
  readonly interval: number;
  readonly maxInterval: number;
  readonly backoff: number;
  readonly afterWrite: number;
}

/** Bad {@link StatusPollOptions}. */
export class StatusPollOptionError extends LibjujuError {
  constructor(message: string) {
    super(message, "ERR_INVALID_ARGUMENT");
  }
}

/** Fills in and checks {@link StatusPollOptions}; throws {@link StatusPollOptionError} on a bad value. */
export function statusPollPolicy(o: StatusPollOptions = {}): StatusPollPolicy {
  const num = (name: keyof StatusPollOptions, v: unknown, def: number, min: number): number => {
    if (v === undefined) return def;
    if (typeof v !== "number" || !Number.isFinite(v) || v < min) {
      throw new StatusPollOptionError(
        `statusPoll.${name} must be a finite number ≥ ${min}, got ${JSON.stringify(v)}`,
      );
    }
    return v;
  };
  const interval = num("interval", o.interval, 1000, 1);
  const maxInterval = num("maxInterval", o.maxInterval, Math.max(5000, interval), 1);
  if (maxInterval < interval) {
    throw new StatusPollOptionError(
      `statusPoll.maxInterval (${maxInterval}) must not be below statusPoll.interval (${interval})`,
    );
  }
  return {
    interval,
    maxInterval,
    backoff: num("backoff", o.backoff, 1.5, 1),
    afterWrite: num("afterWrite", o.afterWrite, Math.min(100, interval), 0),
  };
}

/**
 * The next interval after a poll: back to `interval` when it found changes,
 * else `backoff` times the last one, capped at `maxInterval`.
 */
export function nextInterval(policy: StatusPollPolicy, current: number, changed: boolean): number {
  if (changed) return policy.interval;
  return Math.min(policy.maxInterval, Math.max(policy.interval, current * policy.backoff));
}

/**
 * The pause after a poll that took `elapsed` ms: the interval counts from
 * the start of one poll to the start of the next, but a poll slower than
 * the interval is followed by a pause of half its duration, so that a
 * large model's polls never run back to back (at most 2/3 of the time).
 */
export function pollDelay(interval: number, elapsed: number): number {
  return Math.max(interval - elapsed, Math.min(elapsed, interval) / 2);
}

/** What the poller needs from a connection. */
export interface StatusPollConnection {
  rpc<R = unknown>(request: RpcRequest, options?: CallOptions): Promise<R>;
  facadeVersion(name: string): number | undefined;
  readonly loginInfo?: LoginInfo | undefined;
}

/** Options of a {@link StatusPoller}. */
export interface StatusPollerOptions extends ModelWatcherOptions {
  /** The polling policy. */
  poll?: StatusPollOptions;
  /** The model's UUID when the login did not say (it always does on a model connection). */
  modelUuid?: string;
}

/** When the state was last known to match the controller's: the last successful poll. */
export interface PollObservation {
  /** The poll's `controller-timestamp` (the controller's clock), when it sent one. */
  controllerTimestamp: string | undefined;
  /** This client's clock (ms epoch) when that poll was sent: a lower bound of when the status was taken. */
  sentAt: number;
}

/** One measured poll, for benchmarks and debugging. */
export interface PollStats {
  /** Milliseconds spent building the snapshot, diffing and applying (not the RPC). */
  cpuMs: number;
  /** Deltas the poll produced. */
  deltas: number;
}

/**
 * Polls `Client.FullStatus` and applies what changed between snapshots as
 * AllWatcher deltas. {@link start} resolves once the first snapshot is
 * applied; a poll that fails ends the source ({@link failed}), and the
 * model's session starts a new one that resyncs, as it does for an
 * AllWatcher.
 */
export class StatusPoller implements StateSource {
  /** Always `"status-poll"`. */
  readonly kind = "status-poll" as const;
  readonly #conn: StatusPollConnection;
  readonly #opts: StatusPollerOptions;
  readonly #policy: StatusPollPolicy;
  readonly #changeListeners = new Set<() => void>();
  readonly #streams = new Set<BufferedStream<ModelEvent>>();
  #snapshot: StatusSnapshot = new Map();
  readonly #cache = new SnapshotCache();
  #interval: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the pending timer fires (ms epoch). */
  #dueAt = 0;
  #inFlight: Promise<void> | undefined;
  #pokedWhileBusy = false;
  #started = false;
  #stopping = false;
  #dead = false;
  #failed: Promise<never>;
  #fail!: (err: LibjujuError) => void;
  #lastStats: PollStats | undefined;
  #observed: PollObservation | undefined;
  readonly #tasks = new TaskFollower();
  /** The `charm` entities of the charms in use, by URL: `Charms.CharmInfo` is asked once per URL. */
  readonly #charms = new Map<string, EntityData>();

  constructor(conn: StatusPollConnection, options: StatusPollerOptions) {
    this.#conn = conn;
    this.#opts = options;
    this.#policy = statusPollPolicy(options.poll);
    this.#interval = this.#policy.interval;
    this.#failed = new Promise<never>((_, reject) => {
      this.#fail = reject;
    });
    this.#failed.catch(() => {});
  }

  /** Rejects when polling dies (connection lost, server error, malformed reply). */
  get failed(): Promise<never> {
    return this.#failed;
  }

  /** The polling policy in force. */
  get policy(): StatusPollPolicy {
    return this.#policy;
  }

  /** The interval the next scheduled poll uses (ms). */
  get currentInterval(): number {
    return this.#interval;
  }

  /**
   * When the state was last known to match the controller's. Between polls
   * the state may be up to one interval behind: a period measured on this
   * state (an idle period) is only proven up to this point.
   */
  get observed(): PollObservation | undefined {
    return this.#observed;
  }

  /** Figures of the last poll. */
  get lastPoll(): PollStats | undefined {
    return this.#lastStats;
  }

  /**
   * Calls `fn` after each poll (the first, those that changed the state, and
   * quiet ones, which prove the state current up to a later time); returns
   * an unsubscribe.
   */
  onStateChange(fn: () => void): () => void {
    this.#changeListeners.add(fn);
    return () => {
      this.#changeListeners.delete(fn);
    };
  }

  /** Polls once and applies the whole model; then keeps polling. */
  async start(options: { resync?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    const status = await this.#fullStatus(options.signal);
    await this.#charmInfos(status, options.signal);
    const tasks = await this.#taskDeltas(options.signal);
    const snapshot = this.#build(status);
    const deltas = [...snapshotDeltas(snapshot), ...tasks];
    this.#snapshot = snapshot;
    this.#apply(deltas, options.resync ?? false, true);
    this.#started = true;
    this.#schedule(this.#interval);
  }

  /** Stops polling; resolves once a poll in flight has ended. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight?.catch(() => {});
    for (const s of this.#streams) s.end();
  }

  /**
   * The client changed the model: poll again within `afterWrite`, at the
   * fast interval. Tasks it enqueued (`Action.EnqueueOperation`, `Run`,
   * `RunOnAllMachines`) are followed from then on (see {@link TaskFollower}).
   */
  poke(request?: RpcRequest, result?: unknown): void {
    if (request?.type === "Action") this.#tasks.follow(result);
    if (!this.#started || this.#stopping || this.#dead) return;
    this.#interval = this.#policy.interval;
    if (this.#inFlight !== undefined) {
      this.#pokedWhileBusy = true;
      return;
    }
    const due = Date.now() + this.#policy.afterWrite;
    if (this.#timer === undefined || this.#dueAt > due) this.#schedule(this.#policy.afterWrite);
  }

  /** Polls now (after a poll in flight, if any) and applies what changed. */
  async pollNow(): Promise<void> {
    if (this.#inFlight !== undefined) await this.#inFlight.catch(() => {});
    if (this.#stopping || this.#dead) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#tick();
  }

  /** An async iterator over every model event from now on. Ends when the poller stops. */
  events(signal?: AbortSignal): AsyncIterableIterator<ModelEvent> {
    const stream: BufferedStream<ModelEvent> = new BufferedStream(
      () => this.#streams.delete(stream),
      signal,
    );
    this.#streams.add(stream);
    return stream;
  }

  #schedule(delay: number): void {
    if (this.#stopping || this.#dead) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#dueAt = Date.now() + delay;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#tick();
    }, delay);
  }

  #tick(): Promise<void> {
    const started = Date.now();
    const run = this.#pollOnce();
    this.#inFlight = run;
    return run.finally(() => {
      if (this.#inFlight === run) this.#inFlight = undefined;
      if (this.#pokedWhileBusy) {
        this.#pokedWhileBusy = false;
        this.#schedule(this.#policy.afterWrite);
      } else if (this.#timer === undefined) {
        this.#schedule(pollDelay(this.#interval, Date.now() - started));
      }
    });
  }

  async #pollOnce(): Promise<void> {
    let status: unknown;
    let tasks: Delta[];
    try {
      status = await this.#fullStatus();
      await this.#charmInfos(status);
      tasks = await this.#taskDeltas();
    } catch (err) {
      if (this.#stopping) return;
      this.#die(err instanceof LibjujuError ? err : new ProtocolError(String(err), { cause: err }));
      return;
    }
    if (this.#stopping) return;
    const t0 = performance.now();
    let deltas: Delta[];
    try {
      const snapshot = this.#build(status);
      deltas = diffSnapshots(this.#snapshot, snapshot);
      if (tasks.length > 0) deltas.push(...tasks);
      this.#snapshot = snapshot;
      this.#apply(deltas, false, false);
    } catch (err) {
      this.#die(
        err instanceof LibjujuError
          ? err
          : new ProtocolError(`Client.FullStatus: cannot apply the status: ${String(err)}`, {
              cause: err,
            }),
      );
      return;
    }
    this.#lastStats = { cpuMs: performance.now() - t0, deltas: deltas.length };
    this.#interval = nextInterval(this.#policy, this.#interval, deltas.length > 0);
  }

  #die(err: LibjujuError): void {
    if (this.#dead) return;
    this.#dead = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#fail(err);
    for (const s of this.#streams) s.fail(err);
  }

  async #fullStatus(signal?: AbortSignal): Promise<unknown> {
    const version = this.#conn.facadeVersion("Client");
    if (version === undefined)
      throw new FacadeVersionError("the controller offers no usable version of Client");
    const sentAt = Date.now();
    const reply = await this.#conn.rpc<unknown>(
      { type: "Client", version, request: "FullStatus", params: { patterns: [] } },
      signal ? { signal } : {},
    );
    if (typeof reply !== "object" || reply === null || Array.isArray(reply)) {
      throw new ProtocolError("Client.FullStatus: the reply is not an object");
    }
    const ts = (reply as { "controller-timestamp"?: unknown })["controller-timestamp"];
    this.#observed = { controllerTimestamp: typeof ts === "string" ? ts : undefined, sentAt };
    return reply;
  }

  /**
   * `Charms.CharmInfo` for each charm the status shows that this poller has
   * not read yet (FullStatus names charms but carries none of their facts),
   * so that a polled model has `charm` entities as the AllWatcher's. A charm
   * gone between the two calls is read again on the next poll.
   */
  async #charmInfos(status: unknown, signal?: AbortSignal): Promise<void> {
    const urls = statusCharmUrls(status);
    const used = new Set(urls);
    for (const url of this.#charms.keys()) if (!used.has(url)) this.#charms.delete(url);
    const missing = urls.filter((url) => !this.#charms.has(url));
    const version = this.#conn.facadeVersion("Charms");
    if (missing.length === 0 || version === undefined) return;
    const uuid = this.#conn.loginInfo?.modelUuid ?? this.#opts.modelUuid ?? "";
    await Promise.all(
      missing.map(async (url) => {
        try {
          const info = await this.#conn.rpc<unknown>(
            { type: "Charms", version, request: "CharmInfo", params: { url } },
            signal ? { signal } : {},
          );
          this.#charms.set(url, charmEntity(uuid, url, info, statusCharmVersion(status, url)));
        } catch (err) {
          if (!(err instanceof JujuNotFoundError)) throw err;
        }
      }),
    );
  }

  /** `Action.Actions` for the followed tasks not yet seen final, as `action` deltas. */
  async #taskDeltas(signal?: AbortSignal): Promise<Delta[]> {
    const tags = this.#tasks.pending();
    if (tags.length === 0) return [];
    const version = this.#conn.facadeVersion("Action");
    if (version === undefined) return [];
    const reply = await this.#conn.rpc<unknown>(
      {
        type: "Action",
        version,
        request: "Actions",
        params: { entities: tags.map((tag) => ({ tag })) },
      },
      signal ? { signal } : {},
    );
    const uuid = this.#conn.loginInfo?.modelUuid ?? this.#opts.modelUuid ?? "";
    return this.#tasks.update(reply, uuid, tags);
  }

  #build(status: unknown): StatusSnapshot {
    const info = this.#conn.loginInfo;
    const modelUuid = info?.modelUuid ?? this.#opts.modelUuid;
    if (modelUuid === undefined) {
      throw new ProtocolError("status polling needs a model connection (the login named no model)");
    }
    const ctx: SnapshotContext = { modelUuid, charms: this.#charms };
    if (info?.controllerUuid) ctx.controllerUuid = info.controllerUuid;
    return snapshotFromStatus(status, ctx, this.#cache);
  }

  /**
   * Applies a poll's deltas, then tells the listeners, even after a quiet
   * poll: each poll moves {@link observed} forward, and a wait counting an
   * idle period up to it must look again.
   */
  #apply(deltas: readonly Delta[], resync: boolean, always: boolean): void {
    if (deltas.length > 0 || always) applyBatch(this.#opts, deltas, resync, this.#streams);
    for (const fn of this.#changeListeners) fn();
  }
}

/**
 * Which source `auto` picks for a logged-in connection: the AllWatcher
 * when the controller offers it and is older than Juju 4, else status polls.
 */
export function autoStateSource(conn: {
  facadeVersion(name: string): number | undefined;
  readonly loginInfo?: LoginInfo | undefined;
}): "allwatcher" | "status-poll" {
  const major = Number.parseInt(conn.loginInfo?.serverVersion ?? "", 10);
  if (Number.isFinite(major) && major >= 4) return "status-poll";
  if (conn.facadeVersion("AllWatcher") === undefined) return "status-poll";
  return "allwatcher";
}

// Go's zero time: what the AllWatcher's `action` entity holds until a task starts or ends.
const ZERO_TIME = "0001-01-01T00:00:00Z";

/** `unit-mysql-0` → `mysql/0`, `machine-0-lxd-1` → `0/lxd/1`: the receiver as the AllWatcher names it. */
export function receiverName(tag: string): string {
  if (tag.startsWith("machine-")) return tag.slice("machine-".length).replaceAll("-", "/");
  const unit = /^unit-(.+)-(\d+)$/.exec(tag);
  return unit ? `${unit[1]}/${unit[2]}` : tag;
}

const FINAL_TASK_STATUSES = new Set(["completed", "failed", "cancelled", "aborted", "error"]);

/**
 * The tasks a status-polled model follows. FullStatus carries no actions
 * (and Juju 4 has no AllWatcher to push them), so the tasks this client
 * enqueues are read with `Action.Actions` on each poll until they reach a
 * final status, and turned into the `action` deltas (`params.ActionInfo`
 * fields) the AllWatcher would have sent. Tasks enqueued by other clients
 * are not seen (docs/status-poll.md).
 */
export class TaskFollower {
  /** Task tag → the last `action` entity emitted (undefined until first read). */
  readonly #tasks = new Map<string, Record<string, unknown> | undefined>();

  /** Follows the tasks in an `Action` facade reply (`EnqueuedActions`); ignores anything else. */
  follow(result: unknown): void {
    const list = (result as { actions?: unknown } | null | undefined)?.actions;
    if (!Array.isArray(list)) return;
    for (const r of list) {
      const tag = (r as { action?: { tag?: unknown } } | null)?.action?.tag;
      if (typeof tag === "string" && tag.startsWith("action-") && !this.#tasks.has(tag))
        this.#tasks.set(tag, undefined);
    }
  }

  /** The tags still to read. */
  pending(): string[] {
    return [...this.#tasks.keys()];
  }

  /**
   * The deltas for an `Action.Actions` reply: a `change` for each task new
   * or changed since the last read; a task in a final status is then
   * dropped (nothing changes any more).
   */
  update(reply: unknown, modelUuid: string, asked: readonly string[]): Delta[] {
    const results = (reply as { results?: unknown } | null | undefined)?.results;
    if (!Array.isArray(results) || results.length !== asked.length) {
      throw new ProtocolError("Action.Actions: the reply does not have one result per task");
    }
    const out: Delta[] = [];
    const str = (v: unknown, zero = "") => (typeof v === "string" && v !== "" ? v : zero);
    for (const [i, tag] of asked.entries()) {
      const r = results[i] as Record<string, unknown> | null;
      if (!this.#tasks.has(tag)) continue;
      // A task the controller does not know (any more): not asked for again.
      if ((r?.error as { message?: unknown } | undefined)?.message) {
        this.#tasks.delete(tag);
        continue;
      }
      const action = r?.action as { receiver?: unknown; name?: unknown } | undefined;
      const entity: Record<string, unknown> = {
        "model-uuid": modelUuid,
        id: tag.slice("action-".length),
        receiver: receiverName(str(action?.receiver)),
        name: str(action?.name),
        status: str(r?.status),
        message: str(r?.message),
        enqueued: str(r?.enqueued, ZERO_TIME),
        started: str(r?.started, ZERO_TIME),
        completed: str(r?.completed, ZERO_TIME),
      };
      const before = this.#tasks.get(tag);
      if (before === undefined || JSON.stringify(before) !== JSON.stringify(entity)) {
        out.push(["action", "change", entity]);
      }
      if (FINAL_TASK_STATUSES.has(entity.status as string)) this.#tasks.delete(tag);
      else this.#tasks.set(tag, entity);
    }
    return out;
  }
}
