/**
 * A Juju API connection: JSON-RPC over a {@link Transport}, with request-id
 * multiplexing, per-call timeouts and cancellation, a pinger, and typed
 * errors. No Node-only imports: runs wherever a Transport can be built.
 * @module
 */
import type { RequestFrame, ResponseFrame } from "../protocol/frames.js";
import {
  AbortError,
  ConnectionClosedError,
  JujuError,
  type LibjujuError,
  ProtocolError,
  redactSecrets,
  TimeoutError,
} from "./errors.js";
import { FacadeClient, type FacadeName } from "./facade-client.js";
import type { LoginInfo } from "./login.js";
import { type FacadeVersionMap, requireFacadeVersion } from "./negotiate.js";
import { CloseCodes, type Transport, type TransportCloseInfo } from "./transport.js";

/** One RPC call, as given to {@link Connection.rpc}. */
export interface RpcRequest {
  /** Facade name, e.g. `"Client"`. */
  type: string;
  /** Facade version. */
  version: number;
  /** Method name, e.g. `"FullStatus"`. */
  request: string;
  /** Object id within the facade (the watcher id for `AllWatcher`); usually omitted. */
  id?: string;
  /** Method params; omitted params are sent as `{}`. */
  params?: unknown;
}

/** Per-call options. */
export interface CallOptions {
  /** Cancels the call: it rejects with {@link AbortError} and a late reply is ignored. */
  signal?: AbortSignal;
  /**
   * Milliseconds to wait for the reply before rejecting with
   * {@link TimeoutError}. Overrides the connection's default; 0 means no timeout.
   */
  timeout?: number;
}

/** A frame seen by the {@link ConnectionOptions.onFrame} tap. */
export type FrameDirection = "in" | "out";

/** Options of a {@link Connection}. */
export interface ConnectionOptions {
  /** Default per-call timeout in milliseconds; 0 (the default) waits forever. */
  timeout?: number;
  /**
   * Milliseconds between `Pinger.Ping` calls once logged in. Default 10 000
   * (as python-libjuju); 0 disables the pinger. A failed ping closes the connection.
   */
  pingInterval?: number;
  /**
   * Milliseconds a ping may take before the connection is considered dead
   * (a half-open link: the peer vanished without closing). Default: 40% of
   * `pingInterval` (4 000), so a dead link is noticed within
   * `pingInterval + pingTimeout` (14 s by default), under 2 intervals.
   */
  pingTimeout?: number;
  /**
   * Tap on every frame sent (`"out"`) and every parsed frame received
   * (`"in"`). Credentials in frames (Login's `credentials`, `macaroons`,
   * any `password`…) are replaced by `"<redacted>"` before the tap sees them.
   */
  onFrame?: (direction: FrameDirection, frame: RequestFrame | ResponseFrame) => void;
  /**
   * Called for server frames that break the protocol but do not close the
   * connection (a reply to an unknown request-id, a frame without a
   * request-id). Frames that cannot be parsed close the connection instead.
   */
  onProtocolError?: (error: ProtocolError) => void;
  /** A label for the far end, used in error messages (e.g. the URL). */
  endpoint?: string;
}

interface Pending {
  request: RpcRequest;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  /** Clears the call's timer and abort listener; absent when it has neither. */
  cleanup?: () => void;
}

/**
 * What callers of a Juju API connection use: implemented by
 * {@link Connection} (one socket) and by a `Model`'s connection, which
 * survives reconnects.
 */
export interface ApiConnection {
  /** Sends one request; see {@link Connection.rpc}. */
  rpc<R = unknown>(request: RpcRequest, options?: CallOptions): Promise<R>;
  /** A typed client for one facade at its negotiated version; see {@link Connection.facade}. */
  facade<F extends FacadeName>(name: F): FacadeClient<F>;
  /** The facade version negotiated at login, or `undefined`. */
  facadeVersion(name: string): number | undefined;
  /** What the Login reply said, once logged in. */
  readonly loginInfo: LoginInfo | undefined;
  /** Facade → negotiated version. */
  readonly facadeVersions: FacadeVersionMap;
  /** The far end (URL), when known. */
  readonly endpoint: string | undefined;
  /** True once closed for good. */
  readonly isClosed: boolean;
  /** Number of calls waiting for their reply. */
  readonly pendingCount: number;
  /** Resolves (never rejects) once closed for good, with the reason (undefined after `close()`). */
  closed(): Promise<LibjujuError | undefined>;
  /** Closes; in-flight calls reject with {@link ConnectionClosedError}. */
  close(): Promise<void>;
}

/** The part of an Admin.Login result the connection keeps. See `login.ts`. */
export interface ConnectionLoginState {
  /** Facade → version negotiated at login. */
  facadeVersions: FacadeVersionMap;
  /** Facade → versions the server offered. */
  serverFacades: ReadonlyMap<string, readonly number[]>;
  /** Facade → versions the client knows. */
  clientFacades: Readonly<Record<string, readonly number[]>>;
  /** The Login reply. */
  info: LoginInfo;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A Juju API connection over one transport. Calls may be issued
 * concurrently; replies are matched by request-id, in any order.
 *
 * @example
 * ```ts
 * await using conn = new Connection(transport);
 * const status = await conn.rpc({ type: "Client", version: 8, request: "FullStatus" });
 * ```
 */
export class Connection implements ApiConnection {
  readonly #transport: Transport;
  readonly #options: ConnectionOptions;
  readonly #pending = new Map<number, Pending>();
  /** Ids of calls abandoned (aborted or timed out) whose reply may still arrive. */
  readonly #abandoned = new Set<number>();
  #nextId = 1;
  #closeReason: LibjujuError | undefined;
  #isClosed = false;
  #resolveClosed!: (reason: LibjujuError | undefined) => void;
  readonly #closed: Promise<LibjujuError | undefined>;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #login: ConnectionLoginState | undefined;

  /** Wraps an open transport. The connection owns it from now on. */
  constructor(transport: Transport, options: ConnectionOptions = {}) {
    this.#transport = transport;
    this.#options = options;
    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    transport.setReceiver((text) => this.#receive(text));
    void transport.closed.then((info) => this.#onTransportClosed(info));
  }

  /** The far end, as given in {@link ConnectionOptions.endpoint}. */
  get endpoint(): string | undefined {
    return this.#options.endpoint;
  }

  /** True once the connection is closed (or closing). */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Number of calls waiting for their reply. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Resolves (never rejects) when the connection has closed: with
   * `undefined` after {@link close}, otherwise with the reason — a
   * {@link ConnectionClosedError} when the socket closed or a ping failed,
   * a {@link ProtocolError} when the server sent an unreadable frame.
   */
  closed(): Promise<LibjujuError | undefined> {
    return this.#closed;
  }

  /**
   * Sends one request and resolves with the server's `response`.
   * Rejects with a {@link JujuError} subclass for a server error reply,
   * {@link TimeoutError}, {@link AbortError}, or {@link ConnectionClosedError}.
   */
  rpc<R = unknown>(request: RpcRequest, options: CallOptions = {}): Promise<R> {
    if (this.#isClosed) {
      return Promise.reject(
        this.#closedError(`cannot call ${request.type}.${request.request}`, request, false),
      );
    }
    const signal = options.signal;
    if (signal?.aborted) {
      return Promise.reject(
        new AbortError(`${request.type}.${request.request} aborted`, { cause: signal.reason }),
      );
    }
    const requestId = this.#nextId++;
    const frame: RequestFrame = {
      "request-id": requestId,
      type: request.type,
      version: request.version,
      request: request.request,
      params: request.params ?? {},
    };
    if (request.id !== undefined) frame.id = request.id;
    let text: string;
    try {
      text = JSON.stringify(frame);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<R>((resolve, reject) => {
      const pending: Pending = { request, resolve: resolve as (v: unknown) => void, reject };
      this.#pending.set(requestId, pending);
      const timeout = options.timeout ?? this.#options.timeout ?? 0;
      // Most calls have neither a timeout nor a signal: no closures for them.
      if (timeout > 0 || signal) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const onAbort = () => {
          this.#abandon(requestId);
          reject(
            new AbortError(`${request.type}.${request.request} aborted`, { cause: signal?.reason }),
          );
        };
        pending.cleanup = () => {
          if (timer) clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        };
        if (timeout > 0) {
          timer = setTimeout(() => {
            this.#abandon(requestId);
            reject(
              new TimeoutError(
                `${request.type}(${request.version}).${request.request} timed out after ${timeout} ms`,
              ),
            );
          }, timeout);
        }
        signal?.addEventListener("abort", onAbort, { once: true });
      }
      this.#tap("out", frame);
      try {
        this.#transport.send(text);
      } catch (err) {
        this.#pending.delete(requestId);
        pending.cleanup?.();
        reject(
          err instanceof ConnectionClosedError
            ? this.#closedError(`cannot call ${request.type}.${request.request}`, request, false)
            : err,
        );
      }
    });
  }

  /**
   * A typed client for one facade, using the version negotiated at login.
   * Throws {@link FacadeVersionError} when client and server share no version.
   * See {@link FacadeClient}.
   */
  facade<F extends FacadeName>(name: F): FacadeClient<F> {
    const version = requireFacadeVersion(name, this.#login);
    return new FacadeClient(this, name, version, this.#login?.info.jujuMajor ?? 3);
  }

  /** The facade version negotiated at login, or `undefined` when there is none. */
  facadeVersion(name: string): number | undefined {
    return this.#login?.facadeVersions.get(name);
  }

  /** What the Login reply said, once logged in. */
  get loginInfo(): LoginInfo | undefined {
    return this.#login?.info;
  }

  /** Facade → negotiated version, empty before login. */
  get facadeVersions(): FacadeVersionMap {
    return this.#login?.facadeVersions ?? new Map();
  }

  /**
   * Records the facade versions negotiated at login and starts the pinger.
   * Called by `login()`; not needed by library users.
   */
  completeLogin(state: ConnectionLoginState): void {
    this.#login = state;
    this.#startPinger();
  }

  /** Closes the connection; in-flight calls reject with {@link ConnectionClosedError}. */
  close(): Promise<void> {
    this.#shutdown(undefined, CloseCodes.normal, "closed by client");
    return this.#closed.then(() => undefined);
  }

  /** Closes the connection (`await using conn = …`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #startPinger(): void {
    const interval = this.#options.pingInterval ?? 10_000;
    if (interval <= 0 || this.#pingTimer || this.#isClosed) return;
    const version = this.#login?.facadeVersions.get("Pinger") ?? 1;
    let inFlight = false;
    this.#pingTimer = setInterval(() => {
      if (inFlight || this.#isClosed) return;
      inFlight = true;
      this.rpc(
        { type: "Pinger", version, request: "Ping" },
        { timeout: this.#options.pingTimeout ?? Math.max(1, Math.round(interval * 0.4)) },
      ).then(
        () => {
          inFlight = false;
        },
        (err: unknown) => {
          inFlight = false;
          if (this.#isClosed) return;
          const message = err instanceof Error ? err.message : String(err);
          this.#shutdown(
            new ConnectionClosedError(`connection closed: ping failed: ${message}`, {
              cause: err,
              retryable: true,
            }),
            CloseCodes.goingAway,
            "ping failed",
          );
        },
      );
    }, interval);
    // A pinger alone must not keep a Node process alive.
    (this.#pingTimer as { unref?: () => void }).unref?.();
  }

  #tap(direction: FrameDirection, frame: RequestFrame | ResponseFrame): void {
    const onFrame = this.#options.onFrame;
    if (!onFrame) return;
    try {
      onFrame(direction, redactSecrets(frame) as RequestFrame | ResponseFrame);
    } catch {
      // A faulty tap must not break the connection.
    }
  }

  #reportProtocolError(error: ProtocolError): void {
    try {
      this.#options.onProtocolError?.(error);
    } catch {
      // A faulty hook must not break the connection.
    }
  }

  #abandon(requestId: number): void {
    const pending = this.#pending.get(requestId);
    if (!pending) return;
    pending.cleanup?.();
    this.#pending.delete(requestId);
    this.#abandoned.add(requestId);
  }

  #receive(text: string): void {
    if (this.#isClosed) return;
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch (err) {
      const sample = text.length > 80 ? `${text.slice(0, 80)}…` : text;
      this.#shutdown(
        new ProtocolError(`server sent a frame that is not JSON: ${JSON.stringify(sample)}`, {
          cause: err,
        }),
        CloseCodes.protocolError,
        "invalid JSON frame",
      );
      return;
    }
    if (!isObject(frame)) {
      this.#shutdown(
        new ProtocolError(
          `server sent a frame that is not a JSON object: ${Array.isArray(frame) ? "array" : typeof frame}`,
        ),
        CloseCodes.protocolError,
        "frame is not an object",
      );
      return;
    }
    const requestId = frame["request-id"];
    this.#tap("in", frame as unknown as ResponseFrame);
    if (typeof requestId !== "number" || !Number.isInteger(requestId) || requestId < 1) {
      this.#reportProtocolError(
        new ProtocolError(
          `server sent a frame without a valid request-id: ${JSON.stringify(requestId ?? null)}`,
        ),
      );
      return;
    }
    const pending = this.#pending.get(requestId);
    if (!pending) {
      if (this.#abandoned.delete(requestId)) return; // late reply to an aborted/timed-out call
      this.#reportProtocolError(
        new ProtocolError(`server replied to unknown request-id ${requestId}`),
      );
      return;
    }
    this.#pending.delete(requestId);
    pending.cleanup?.();
    const { request } = pending;
    const message = frame.error;
    if (typeof message === "string" && message !== "") {
      const code = frame["error-code"];
      const info = frame["error-info"];
      pending.reject(
        JujuError.fromWire(
          {
            message,
            code: typeof code === "string" ? code : "",
            info: isObject(info) ? info : null,
          },
          {
            facade: request.type,
            version: request.version,
            method: request.request,
            requestId,
          },
        ),
      );
      return;
    }
    pending.resolve(frame.response ?? {});
  }

  /**
   * The error of a call the closed connection could not answer. `sent`:
   * the request went out, so the server may have applied it.
   */
  #closedError(what: string, request: RpcRequest, sent: boolean): ConnectionClosedError {
    const reason = this.#closeReason;
    const method = `${request.type}.${request.request}`;
    const applied = sent ? "; it may or may not have been applied" : "";
    if (!reason) {
      return new ConnectionClosedError(`${what}: the connection was closed${applied}`, {
        mayHaveBeenApplied: sent,
        method,
      });
    }
    return new ConnectionClosedError(`${what}: ${reason.message}${applied}`, {
      cause: reason,
      retryable: true,
      mayHaveBeenApplied: sent,
      method,
    });
  }

  #onTransportClosed(info: TransportCloseInfo): void {
    if (this.#isClosed) {
      this.#finish();
      return;
    }
    const reason =
      info.error instanceof ProtocolError
        ? info.error
        : new ConnectionClosedError(
            `connection closed by the server (${info.code}${info.reason ? `: ${info.reason}` : ""})`,
            info.error ? { cause: info.error, retryable: true } : { retryable: true },
          );
    this.#shutdown(reason, info.code, info.reason);
  }

  /** Marks the connection closed, rejects in-flight calls and closes the transport. */
  #shutdown(reason: LibjujuError | undefined, code: number, text: string): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#closeReason = reason;
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = undefined;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    this.#abandoned.clear();
    for (const p of pending) {
      p.cleanup?.();
      p.reject(
        this.#closedError(
          `${p.request.type}.${p.request.request} was not answered`,
          p.request,
          true,
        ),
      );
    }
    if (!this.#transport.isClosed) this.#transport.close(code, text.slice(0, 120));
    // Resolve closed() once the transport is really closed, so that a
    // caller awaiting it may immediately start a new connection.
    void this.#transport.closed.then(() => this.#finish());
  }

  #finish(): void {
    this.#resolveClosed(this.#closeReason);
  }
}
