/**
 * The link of a `Model` to its controller across reconnects: which
 * logged-in connection is current, the AllWatcher on it, reconnecting with
 * backoff when the link is lost (then resyncing the state), the connection
 * state and its listeners, the `events()` streams (which outlive one
 * watcher) and {@link ModelConnection}, the connection object callers
 * keep. No Node-only imports.
 * @module
 */
import type { ConnectedApi } from "../rpc/connect-core.js";
import type { ApiConnection, CallOptions, Connection, RpcRequest } from "../rpc/connection.js";
import {
  AbortError,
  ConnectionClosedError,
  JujuError,
  LibjujuError,
  ProtocolError,
  TimeoutError,
} from "../rpc/errors.js";
import { FacadeClient, type FacadeName } from "../rpc/facade-client.js";
import { hostPortsToEndpoints, type LoginInfo } from "../rpc/login.js";
import type { FacadeVersionMap } from "../rpc/negotiate.js";
import { BufferedStream } from "./event-stream.js";
import type { ModelEvent } from "./observers.js";
import {
  backoffDelay,
  type ConnectionChange,
  type ConnectionState,
  isRetrySafe,
  type ReconnectPolicy,
} from "./reconnect.js";
import { UnknownDeltaKindError } from "./state.js";
import type { StateSource } from "./watcher.js";

/** How many times a read-only call is sent again after lost links. */
const MAX_CALL_RETRIES = 3;
/** Watcher restarts on one link that may fail in a row before the link is dropped. */
const MAX_WATCHER_RESTARTS = 3;
/** How long disconnect waits for the watcher to stop before closing anyway. */
const STOP_GRACE_MS = 2000;

/** What a {@link ModelSession} is built from. */
export interface ModelSessionOptions {
  /** The first logged-in connection. */
  api: ConnectedApi;
  /** The endpoints the model was configured with (dialled after the controller's own). */
  configuredEndpoints: readonly string[];
  /** Undefined: do not reconnect. */
  reconnect: ReconnectPolicy | undefined;
  /**
   * Opens a new logged-in connection to the same model over these
   * endpoints, trusting `caCert`. Undefined: the model cannot reconnect.
   */
  reopen?: (
    endpoints: readonly string[],
    caCert: string | undefined,
    signal: AbortSignal,
  ) => Promise<ConnectedApi>;
  /**
   * Builds the state source (AllWatcher or status poller) for a connection
   * (events must be handed to `emit`); undefined when the model does not watch.
   */
  watcher?: (connection: Connection, emit: (event: ModelEvent) => void) => StateSource;
  /** Told of each malformed batch of deltas (the watcher is then restarted and the state resynced). */
  onProtocolError?: (error: ProtocolError) => void;
}

/** Options of `Model.events()`. */
export interface EventsOptions {
  /** Ends the iterator (normally). */
  signal?: AbortSignal;
  /** Also yield a {@link ConnectionChange} for every change of the connection state. */
  connectionEvents?: boolean;
}

type Stream = { stream: BufferedStream<ModelEvent | ConnectionChange>; connection: boolean };

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A model's link across reconnects. Internal to `Model`. */
export class ModelSession {
  readonly #opts: ModelSessionOptions;
  #api: ConnectedApi;
  #state: ConnectionState = "connected";
  #watcher: StateSource | undefined;
  /** True while a watcher restart resyncs the state on a live link. */
  #resyncing = false;
  #watcherRestarts = 0;
  #epoch = 0;
  #userClosed = false;
  #outage: AbortController | undefined;
  /** The loss to report when we dropped the link ourselves. */
  #dropReason: LibjujuError | undefined;
  #final: LibjujuError | undefined;
  readonly #changeListeners = new Set<(change: ConnectionChange) => void>();
  readonly #stateListeners = new Set<() => void>();
  readonly #readyWaiters = new Set<() => void>();
  readonly #streams = new Set<Stream>();
  readonly #lost: Promise<never>;
  #rejectLost!: (err: LibjujuError) => void;
  readonly #closed: Promise<LibjujuError | undefined>;
  #resolveClosed!: (reason: LibjujuError | undefined) => void;
  /** The connection object callers keep. */
  readonly connection: ModelConnection;

  constructor(options: ModelSessionOptions, callTimeout: number | undefined) {
    this.#opts = options;
    this.#api = options.api;
    this.#lost = new Promise<never>((_, reject) => {
      this.#rejectLost = reject;
    });
    // Waits attach their own handlers; an unobserved loss is not an unhandled rejection.
    this.#lost.catch(() => {});
    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.connection = new ModelConnection(this, callTimeout);
    this.#watchLink(this.#api);
  }

  /** Starts the first watcher (when watching); rejects when it cannot. */
  async start(): Promise<void> {
    if (this.#opts.watcher) await this.#startWatcher(false);
  }

  /** The current logged-in connection (closed while the link is down). */
  get api(): ConnectedApi {
    return this.#api;
  }

  /** The connection state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** True when reconnecting is on. */
  get reconnects(): boolean {
    return this.#opts.reconnect !== undefined && this.#opts.reopen !== undefined;
  }

  /** The current state source (AllWatcher or status poller), when watching. */
  get watcher(): StateSource | undefined {
    return this.#watcher;
  }

  /**
   * When a status-polled state was last known to match the controller's
   * (see `StateSource.observed`); undefined for the AllWatcher.
   */
  get observed(): { controllerTimestamp: string | undefined; sentAt: number } | undefined {
    return this.#watcher?.observed;
  }

  /** The error the session ended with, when it ended. */
  get finalError(): LibjujuError | undefined {
    return this.#final;
  }

  /** True while the link is up and the state in sync with the controller. */
  get connected(): boolean {
    return this.#state === "connected" && !this.#api.connection.isClosed;
  }

  /** True when the live state may be behind the controller's (link down, or resyncing). */
  get stale(): boolean {
    return !this.connected || this.#resyncing;
  }

  /** Changes whenever the state may have missed changes (a lost link, a watcher restart). */
  get epoch(): number {
    return this.#epoch;
  }

  /** Rejects when the session ends: a final loss, or `disconnect()`. */
  get lost(): Promise<never> {
    return this.#lost;
  }

  /** Resolves when the session ends: undefined after `disconnect()`, else the loss. */
  closed(): Promise<LibjujuError | undefined> {
    return this.#closed;
  }

  /** Calls `listener` on each connection state change; returns an unsubscribe. */
  onConnectionChange(listener: (change: ConnectionChange) => void): () => void {
    this.#changeListeners.add(listener);
    return () => {
      this.#changeListeners.delete(listener);
    };
  }

  /**
   * Calls `listener` after each batch of deltas applied while in sync, and
   * once after each resync; returns an unsubscribe. Waits re-check on it.
   */
  onStateChange(listener: () => void): () => void {
    this.#stateListeners.add(listener);
    return () => {
      this.#stateListeners.delete(listener);
    };
  }

  /** A stream of model events (and connection changes when asked) from now on. */
  events(options: EventsOptions = {}): AsyncIterableIterator<ModelEvent | ConnectionChange> {
    const entry: Stream = {
      stream: new BufferedStream(() => this.#streams.delete(entry), options.signal),
      connection: options.connectionEvents ?? false,
    };
    if (this.#final) entry.stream.fail(this.#final);
    else if (this.#userClosed) entry.stream.end();
    else this.#streams.add(entry);
    return entry.stream;
  }

  /**
   * Resolves with the live connection once the model is connected (at once
   * when it is). Rejects with the session's final error once it ended, with
   * {@link TimeoutError} after `timeout` ms (0: none), or {@link AbortError}.
   */
  whenConnected(signal?: AbortSignal, timeout = 0, what = "call"): Promise<Connection> {
    if (this.connected) return Promise.resolve(this.#api.connection);
    if (this.#state === "disconnected") return Promise.reject(this.#endedError(what));
    return new Promise<Connection>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cleanup = () => {
        this.#readyWaiters.delete(check);
        if (timer) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const check = () => {
        if (this.connected) {
          cleanup();
          resolve(this.#api.connection);
        } else if (this.#state === "disconnected") {
          cleanup();
          reject(this.#endedError(what));
        }
      };
      const onAbort = () => {
        cleanup();
        reject(new AbortError(`${what} aborted while waiting for the model to reconnect`));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      if (timeout > 0) {
        timer = setTimeout(() => {
          cleanup();
          reject(
            new TimeoutError(
              `${what} timed out after ${timeout} ms waiting for the model to reconnect`,
            ),
          );
        }, timeout);
      }
      this.#readyWaiters.add(check);
    });
  }

  #endedError(what: string): ConnectionClosedError {
    const reason = this.#final;
    return new ConnectionClosedError(
      reason
        ? `cannot ${what}: the model connection is closed: ${reason.message}`
        : `cannot ${what}: the model was disconnected`,
      reason ? { cause: reason } : {},
    );
  }

  /**
   * Ends the session: stops the watcher, closes the connection, ends the
   * `events()` streams normally and fails pending waits. Idempotent.
   */
  async disconnect(): Promise<void> {
    if (this.#userClosed) return;
    this.#userClosed = true;
    this.#outage?.abort();
    const alreadyFinal = this.#final !== undefined;
    if (!alreadyFinal) {
      this.#setState("disconnected", { attempt: 0, error: undefined });
      this.#rejectLost(new ConnectionClosedError("the model was disconnected"));
    }
    for (const { stream } of [...this.#streams]) stream.end();
    const watcher = this.#watcher;
    const conn = this.#api.connection;
    if (watcher && !conn.isClosed) {
      // Juju fails the pending Next on Stop; a server that does not is
      // cut off after a grace period by closing the connection.
      const stopped = watcher.stop();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        stopped,
        new Promise((resolve) => {
          timer = setTimeout(resolve, STOP_GRACE_MS);
        }),
      ]);
      clearTimeout(timer);
      await conn.close();
      await stopped;
    } else {
      await conn.close();
    }
    if (!alreadyFinal) this.#resolveClosed(undefined);
  }

  // ---- link and watcher ----------------------------------------------------

  #watchLink(api: ConnectedApi): void {
    void api.connection.closed().then((reason) => this.#onLinkClosed(api, reason));
  }

  #onLinkClosed(api: ConnectedApi, reason: LibjujuError | undefined): void {
    // Only the current link, once in use: a link that fails while a
    // reconnect attempt sets it up is that attempt's failure.
    if (api !== this.#api || this.#userClosed || this.#state !== "connected") return;
    this.#epoch++;
    const cause =
      this.#dropReason ??
      reason ??
      new ConnectionClosedError("the model connection was closed", { retryable: true });
    this.#dropReason = undefined;
    if (!this.reconnects) {
      this.#end(
        new ConnectionClosedError(`lost the connection to the model: ${cause.message}`, {
          cause,
        }),
      );
      return;
    }
    void this.#reconnect(cause);
  }

  async #startWatcher(resync: boolean): Promise<void> {
    const make = this.#opts.watcher;
    if (!make) return;
    const api = this.#api;
    const watcher = make(api.connection, (event) => this.#emit(event));
    this.#watcher = watcher;
    watcher.onStateChange(() => {
      if (watcher !== this.#watcher || this.stale) return;
      this.#watcherRestarts = 0;
      this.#notifyState();
    });
    watcher.failed.catch((err: unknown) => this.#onWatcherFailed(api, watcher, err));
    await watcher.start({ resync });
  }

  /** A watcher died while its link may still be up. */
  #onWatcherFailed(api: ConnectedApi, watcher: StateSource, err: unknown): void {
    if (watcher !== this.#watcher || api !== this.#api || this.#userClosed) return;
    if (this.#state !== "connected" || api.connection.isClosed) return; // the link's loss handles it
    if (err instanceof ConnectionClosedError) return;
    if (err instanceof UnknownDeltaKindError) {
      // strictDeltas: the caller asked for this to be fatal.
      this.#end(err);
      void api.connection.close();
      return;
    }
    // A malformed batch, a stop we did not ask for, a server error:
    // start a new watcher on the same link and resync.
    if (err instanceof ProtocolError) {
      try {
        this.#opts.onProtocolError?.(err);
      } catch {
        // A faulty hook must not stop the resync.
      }
    }
    void this.#restartWatcher(api, err);
  }

  async #restartWatcher(api: ConnectedApi, cause: unknown): Promise<void> {
    this.#resyncing = true;
    this.#epoch++;
    const old = this.#watcher;
    void old?.stop().catch(() => {});
    while (api === this.#api && !this.#userClosed && this.#state === "connected") {
      this.#watcherRestarts++;
      if (this.#watcherRestarts > MAX_WATCHER_RESTARTS) {
        // The link itself may be bad: start over with a new one.
        this.#resyncing = false;
        this.#dropLink(
          new ConnectionClosedError(
            `the ${this.#watcher?.kind === "status-poll" ? "status poller" : "AllWatcher"} kept failing (${message(cause)}); reconnecting`,
            { cause, retryable: true },
          ),
        );
        return;
      }
      const delay = backoffDelay(this.#watcherRestarts, this.#opts.reconnect ?? DEFAULT_RESTART);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      if (api !== this.#api || this.#userClosed || api.connection.isClosed) break;
      try {
        await this.#startWatcher(true);
        this.#resyncing = false;
        this.#notifyState();
        return;
      } catch (err) {
        cause = err;
        if (err instanceof ConnectionClosedError || api.connection.isClosed) break;
      }
    }
    this.#resyncing = false;
  }

  /** Closes the current link as lost, so that the reconnect path takes over. */
  #dropLink(reason: LibjujuError): void {
    this.#dropReason = reason;
    void this.#api.connection.close();
  }

  async #reconnect(cause: LibjujuError): Promise<void> {
    const policy = this.#opts.reconnect!;
    const reopen = this.#opts.reopen!;
    const outage = new AbortController();
    this.#outage = outage;
    this.#setState("reconnecting", { attempt: 0, error: cause });
    let last: unknown = cause;
    let attempt = 0;
    while (attempt < policy.maxAttempts) {
      attempt++;
      const delay = backoffDelay(attempt, policy);
      if (delay > 0) await sleep(delay, outage.signal);
      if (this.#userClosed) return;
      let api: ConnectedApi;
      try {
        api = await reopen(this.#addresses(), this.#api.caCert, outage.signal);
      } catch (err) {
        if (this.#userClosed) return;
        last = err;
        // The controller answered and refused (wrong password, model gone,
        // no access): trying again will not help.
        if (err instanceof JujuError) break;
        this.#setState("reconnecting", { attempt, error: asLibjujuError(err) });
        continue;
      }
      if (this.#userClosed) {
        await api.connection.close();
        return;
      }
      this.#api = api;
      this.#watchLink(api);
      try {
        await this.#startWatcher(true);
      } catch (err) {
        if (this.#userClosed) return;
        last = err;
        await api.connection.close();
        if (err instanceof UnknownDeltaKindError) break;
        this.#setState("reconnecting", { attempt, error: asLibjujuError(err) });
        continue;
      }
      if (this.#userClosed) return;
      if (api.connection.isClosed) {
        last = (await api.connection.closed()) ?? last;
        this.#setState("reconnecting", { attempt, error: asLibjujuError(last) });
        continue;
      }
      this.#outage = undefined;
      this.#watcherRestarts = 0;
      this.#setState("connected", { attempt, error: undefined, endpoint: api.endpoint });
      this.#notifyState();
      return;
    }
    const why = asLibjujuError(last);
    this.#end(
      new ConnectionClosedError(
        `lost the connection to the model and could not reconnect` +
          ` (${attempt} attempt${attempt === 1 ? "" : "s"}): ${why.message}`,
        { cause: why },
      ),
      attempt,
    );
  }

  /** Where to dial: the controller's own addresses first, then the configured ones. */
  #addresses(): string[] {
    const out: string[] = [];
    const add = (list: readonly string[]) => {
      for (const e of list) if (!out.includes(e)) out.push(e);
    };
    add(hostPortsToEndpoints(this.#api.info.servers ?? []));
    add(this.#api.endpoints);
    add(this.#opts.configuredEndpoints);
    return out;
  }

  /** Ends the session for good with `error`: waits reject, streams throw. */
  #end(error: LibjujuError, attempt = 0): void {
    if (this.#final || this.#userClosed) return;
    this.#final = error;
    this.#outage?.abort();
    this.#rejectLost(error);
    this.#setState("disconnected", { attempt, error });
    for (const { stream } of [...this.#streams]) stream.fail(error);
    this.#resolveClosed(error);
  }

  // ---- notifications -------------------------------------------------------

  #setState(
    state: ConnectionState,
    detail: { attempt: number; error: LibjujuError | undefined; endpoint?: string },
  ): void {
    const previous = this.#state;
    this.#state = state;
    const change: ConnectionChange = {
      type: "connection",
      state,
      previous,
      attempt: detail.attempt,
      error: detail.error,
      endpoint: detail.endpoint,
    };
    for (const { stream, connection } of this.#streams) if (connection) stream.push(change);
    for (const l of [...this.#changeListeners]) {
      try {
        l(change);
      } catch {
        // A faulty listener must not break the reconnect.
      }
    }
    this.#notifyReady();
  }

  #notifyReady(): void {
    for (const w of [...this.#readyWaiters]) w();
  }

  #notifyState(): void {
    for (const l of [...this.#stateListeners]) l();
  }

  #emit(event: ModelEvent): void {
    for (const { stream } of this.#streams) stream.push(event);
  }
}

/** Backoff between watcher restarts when reconnecting is off. */
const DEFAULT_RESTART: ReconnectPolicy = {
  maxAttempts: MAX_WATCHER_RESTARTS,
  initialDelay: 100,
  maxDelay: 2000,
  factor: 2,
  jitter: 0.5,
};

function asLibjujuError(err: unknown): LibjujuError {
  if (err instanceof LibjujuError) return err;
  return new ConnectionClosedError(message(err), { cause: err, retryable: true });
}

/**
 * The connection of a `Model` (`model.connection`): the same object across
 * reconnects. A call made while the link is down waits for the reconnect
 * (within its timeout). A call in flight when the link drops rejects with a
 * retryable {@link ConnectionClosedError} (`mayHaveBeenApplied: true`),
 * except the read-only calls of `RETRY_SAFE_CALLS`, which are sent again
 * once reconnected (up to 3 times). Calls that hold server-side ids (an
 * `AllWatcher` id…) do not survive a reconnect.
 */
export class ModelConnection implements ApiConnection {
  readonly #session: ModelSession;
  readonly #callTimeout: number;

  /** Built by the model. */
  constructor(session: ModelSession, callTimeout: number | undefined) {
    this.#session = session;
    this.#callTimeout = callTimeout ?? 0;
  }

  async rpc<R = unknown>(request: RpcRequest, options: CallOptions = {}): Promise<R> {
    const timeout = options.timeout ?? this.#callTimeout;
    const deadline = timeout > 0 ? Date.now() + timeout : undefined;
    const what = `${request.type}.${request.request}`;
    let retries = 0;
    for (;;) {
      const remaining = deadline === undefined ? 0 : Math.max(1, deadline - Date.now());
      const conn = await this.#session.whenConnected(options.signal, remaining, `call ${what}`);
      const call: CallOptions = {};
      if (options.signal) call.signal = options.signal;
      if (deadline !== undefined) call.timeout = Math.max(1, deadline - Date.now());
      else if (options.timeout !== undefined) call.timeout = options.timeout;
      try {
        const result = await conn.rpc<R>(request, call);
        // A call that may have changed the model: a status poller looks again soon.
        if (!isRetrySafe(request)) this.#session.watcher?.poke?.(request, result);
        return result;
      } catch (err) {
        if (!(err instanceof ConnectionClosedError) || !err.retryable) throw err;
        if (!this.#session.reconnects || this.#session.state === "disconnected") throw err;
        // Not sent: safe to send once reconnected. Sent: only reads are.
        if (err.mayHaveBeenApplied && !(isRetrySafe(request) && retries++ < MAX_CALL_RETRIES)) {
          throw err;
        }
      }
    }
  }

  facade<F extends FacadeName>(name: F): FacadeClient<F> {
    // The current link's negotiation (and its error naming both sides' versions).
    const { version, major } = this.#session.api.connection.facade(name);
    return new FacadeClient(this, name, version, major);
  }

  facadeVersion(name: string): number | undefined {
    return this.#session.api.connection.facadeVersion(name);
  }

  /** The Login reply of the current link. */
  get loginInfo(): LoginInfo | undefined {
    return this.#session.api.connection.loginInfo;
  }

  get facadeVersions(): FacadeVersionMap {
    return this.#session.api.connection.facadeVersions;
  }

  get endpoint(): string | undefined {
    return this.#session.api.connection.endpoint;
  }

  /** True once the model is disconnected for good (not while reconnecting). */
  get isClosed(): boolean {
    return this.#session.state === "disconnected";
  }

  get pendingCount(): number {
    return this.#session.api.connection.pendingCount;
  }

  closed(): Promise<LibjujuError | undefined> {
    return this.#session.closed();
  }

  /** Disconnects the model (see `Model.disconnect`). */
  close(): Promise<void> {
    return this.#session.disconnect();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
