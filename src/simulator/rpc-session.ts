/**
 * One API websocket connection: JSON framing (`rpc/jsoncodec`), concurrent
 * dispatch (`rpc/server.go`), login state and per-connection resources.
 * @module
 */
import type { Duplex } from "node:stream";
import type { RawData, WebSocket } from "ws";
import type { HostPort } from "../protocol/frames.js";
import { callMayChangeState } from "./changes.js";
import { Fields, goField } from "./decode.js";
import { callNotImplemented, Errors, ServerError } from "./errors.js";
import { login, type MacaroonLogin, type RedirectTarget } from "./facades/admin.js";
import type { CallContext, FacadeRegistry } from "./facades/registry.js";
import type { ConnectionInfo, FaultInjector } from "./faults.js";
import type { LoginGuard } from "./login-guard.js";
import { checkCall } from "./permissions.js";
import type { ControllerStore, ModelRecord } from "./store.js";
import type { AllWatcherCursor } from "./watcher-hub.js";

/** Identifies a connection to a frame tap. */
export interface SessionInfo {
  /** The connection's id, unique per simulator. */
  id: number;
  /** The model of a model connection. */
  modelUuid?: string;
}

/** Observer of every frame, for tests (schema conformance). */
export type FrameTap = (dir: "in" | "out", frame: unknown, session: SessionInfo) => void;

/** What sessions share: state, methods and the server's knobs. */
export interface SessionEnv {
  store: ControllerStore;
  registry: FacadeRegistry;
  /** The API addresses sent in Login replies. */
  servers(): HostPort[][];
  /** The redirect registered for a model, if any. */
  redirectFor(modelUuid: string): RedirectTarget | undefined;
  /** Artificial delay before a method runs (fault injection), in ms. */
  delayFor(facade: string, method: string): number;
  /**
   * Injected network latency: how long the next reply waits before it is
   * sent, in ms of the store's clock (absent or 0: none).
   */
  replyLatency?(): number;
  onFrame?: FrameTap;
  /** Login timeout and throttling of failed logins; absent: neither. */
  loginGuard?: LoginGuard;
  /** Fault injection (faults.ts); absent: none. */
  faults?: FaultInjector;
  /** External users' macaroon login; absent: passwords only. */
  macaroonAuth?: MacaroonLogin;
}

/** The route a connection came in on. */
export interface SessionRoute {
  kind: "model" | "controller";
  modelUuid?: string;
  /** Where the connection comes from (remote address), for login throttling. */
  source?: string;
}

/** A decoded request header (`rpc.Header`). */
interface Header {
  /** 1 for the current hyphenated keys, 0 for the legacy CamelCase ones. */
  format: 0 | 1;
  requestId: number;
  type: string;
  version: number;
  id: string;
  request: string;
  params: unknown;
}

/** A frame that the codec cannot read: Go ends the connection. */
class BadFrame extends Error {}

type FieldGetter = (obj: Record<string, unknown>, key: string) => unknown;
const plainField: FieldGetter = (obj, key) => obj[key];

// The keys a current client sends, spelt as the codec spells them. A frame
// using only these needs no case-insensitive matching, which is most of the
// cost of reading a header.
/** Bytes of replies a connection may have waiting for its reader before it is disconnected. */
export const MAX_OUTGOING_BYTES = 64 * 1024 * 1024;

const HEADER_KEYS = new Set(["request-id", "type", "version", "id", "request", "params"]);
function onlyHeaderKeys(obj: Record<string, unknown>): boolean {
  for (const k in obj) if (!HEADER_KEYS.has(k)) return false;
  return true;
}

function str(obj: Record<string, unknown>, key: string, get: FieldGetter = goField): string {
  const v = get(obj, key);
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw new BadFrame(`${key}: not a string`);
  return v;
}

function uint(
  obj: Record<string, unknown>,
  key: string,
  signed: boolean,
  get: FieldGetter = goField,
): number {
  const v = get(obj, key);
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number" || !Number.isInteger(v) || (!signed && v < 0)) {
    throw new BadFrame(`${key}: not an integer`);
  }
  return v;
}

/** `Codec.readMessage`: hyphenated keys first, the legacy format when `request-id` is 0 or absent. */
function readHeader(frame: unknown): Header {
  if (typeof frame !== "object" || frame === null || Array.isArray(frame)) {
    if (frame === null)
      return {
        format: 0,
        requestId: 0,
        type: "",
        version: 0,
        id: "",
        request: "",
        params: undefined,
      };
    throw new BadFrame("not an object");
  }
  const o = frame as Record<string, unknown>;
  const get = onlyHeaderKeys(o) ? plainField : goField;
  // Every field is decoded (and type-checked) in both passes, as json.Unmarshal does.
  const v1 = {
    requestId: uint(o, "request-id", false, get),
    type: str(o, "type", get),
    version: uint(o, "version", true, get),
    id: str(o, "id", get),
    request: str(o, "request", get),
  };
  str(o, "error", get);
  str(o, "error-code", get);
  if (v1.requestId !== 0) return { format: 1, ...v1, params: get(o, "params") };
  const v0 = {
    requestId: uint(o, "RequestId", false),
    type: str(o, "Type"),
    version: uint(o, "Version", true),
    id: str(o, "Id"),
    request: str(o, "Request"),
  };
  str(o, "Error");
  str(o, "ErrorCode");
  return { format: 0, ...v0, params: goField(o, "Params") };
}

/** Builds a reply in the request's format, with Go's field order and omitempty rules. */
function replyFrame(h: Header, result: unknown, err?: ServerError): Record<string, unknown> {
  const legacy = h.format === 0;
  const out: Record<string, unknown> = {};
  if (legacy || h.requestId !== 0) out[legacy ? "RequestId" : "request-id"] = h.requestId;
  if (err !== undefined) {
    if (err.message !== "") out[legacy ? "Error" : "error"] = err.message;
    if (err.code !== "") out[legacy ? "ErrorCode" : "error-code"] = err.code;
    if (err.info !== undefined && Object.keys(err.info).length > 0) {
      out[legacy ? "ErrorInfo" : "error-info"] = err.info;
    }
  }
  // The body is never nil (an empty struct on errors), so `response` is always present.
  out[legacy ? "Response" : "response"] = result ?? {};
  return out;
}

/** One websocket API connection. */
export class RpcSession {
  private loggedIn = false;
  private user = "";
  private loginChain: Promise<unknown> = Promise.resolve();
  private closing = false;
  private closed = false;
  private shutdownPromise: Promise<void> | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private readonly watchers = new Map<string, AllWatcherCursor>();
  private resourceCounter = 0;
  private readonly wakeDelays = new Set<() => void>();
  private readonly info: SessionInfo;
  private badFrame = false;
  private resolveDone: () => void = () => undefined;
  /** Resolves when the websocket is closed. */
  readonly done: Promise<void>;

  private corked = false;

  constructor(
    private readonly ws: WebSocket,
    readonly id: number,
    private readonly route: SessionRoute,
    private readonly env: SessionEnv,
    /** The connection's socket, when known: replies of one tick are written together. */
    private readonly socket?: Duplex,
  ) {
    this.done = new Promise<void>((resolve) => {
      this.resolveDone = resolve;
    });
    this.info = route.modelUuid === undefined ? { id } : { id, modelUuid: route.modelUuid };
    ws.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    ws.on("close", () => this.onClosed());
    ws.on("error", () => this.onClosed());
    const guard = env.loginGuard;
    if (guard !== undefined && guard.timeoutMs > 0) {
      // A socket that never logs in is closed; login or close cancels this.
      const t = guard.clock.setTimer(guard.timeoutMs, () => {
        if (!this.loggedIn) void this.shutdown();
      });
      this.cancelLoginTimer = () => t.cancel();
    }
  }

  private cancelLoginTimer: () => void = () => undefined;

  /** Who this connection is, for fault filters. */
  get connectionInfo(): ConnectionInfo {
    return {
      id: this.id,
      kind: this.route.kind,
      ...(this.route.modelUuid === undefined ? {} : { modelUuid: this.route.modelUuid }),
      user: this.user,
    };
  }

  /** Cuts the connection without a close handshake (fault injection: a network failure). */
  terminate(): void {
    this.ws.terminate();
  }

  /**
   * Closes the connection the way `rpc.Conn.Close` does: new requests get
   * `connection is shut down`, watchers stop, replies in flight are sent,
   * then the websocket closes.
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.closing = true;
      for (const wake of this.wakeDelays) wake();
      for (const w of this.watchers.values()) w.stop();
      while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
      if (!this.closed) {
        // No status code: gorilla's Close sends an empty close frame.
        this.ws.close();
        const timer = setTimeout(() => this.ws.terminate(), 1000);
        await this.done;
        clearTimeout(timer);
      }
    })();
    return this.shutdownPromise;
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelLoginTimer();
    this.closing = true;
    for (const wake of this.wakeDelays) wake();
    for (const w of this.watchers.values()) w.stop();
    this.watchers.clear();
    this.resolveDone();
  }

  private onMessage(data: RawData, _isBinary: boolean): void {
    // After an unreadable frame Go stops reading the connection altogether.
    if (this.closed || this.badFrame) return;
    // Usually a Buffer already: decode it in place rather than copying it first.
    const text = Buffer.isBuffer(data)
      ? data.toString("utf8")
      : Array.isArray(data)
        ? Buffer.concat(data).toString("utf8")
        : Buffer.from(data).toString("utf8");
    let frame: unknown;
    let header: Header;
    try {
      frame = JSON.parse(text);
      this.env.onFrame?.("in", frame, this.info);
      header = readHeader(frame);
    } catch {
      // The codec cannot read the stream: Go's input loop ends and the
      // connection is closed without a reply.
      this.badFrame = true;
      void this.shutdown();
      return;
    }
    // A frame that is not a request is read as a reply to a call the server
    // never made, and dropped.
    if (header.type === "" && header.request === "") return;
    const faults = this.env.faults;
    if (faults?.active === true && faults.frameReceived(this.connectionInfo)) {
      this.ws.terminate();
      return;
    }
    if (this.closing) {
      this.send(replyFrame(header, undefined, Errors.shutdown()));
      return;
    }
    const p = this.handle(header).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  private async handle(h: Header): Promise<void> {
    let reply: Record<string, unknown>;
    try {
      const result = await this.dispatch(h).finally(() => {
        // Cheap change tracking for `libjuju sim --state` (changes.ts).
        if (callMayChangeState(h.type, h.request)) this.env.store.changes.bump();
      });
      // Stalled watchers (fault injection): a reply already computed waits too.
      const held = this.env.faults?.active === true ? this.env.faults.heldReply(h) : undefined;
      if (held !== undefined) await this.until(held);
      reply = replyFrame(h, result);
    } catch (e) {
      const err =
        e instanceof ServerError ? e : new ServerError(e instanceof Error ? e.message : String(e));
      reply = replyFrame(h, undefined, err);
    }
    let text = JSON.stringify(reply);
    // A reply that could never fit under the outgoing cap fails its call
    // instead of dropping the connection (Juju's writer would block; the
    // simulator bounds memory): the client gets a typed error, not a hang.
    if (text.length > MAX_OUTGOING_BYTES / 3 && Buffer.byteLength(text) > MAX_OUTGOING_BYTES) {
      const size = Buffer.byteLength(text);
      reply = replyFrame(
        h,
        undefined,
        new ServerError(
          `${h.type}.${h.request} reply of ${size} bytes exceeds the simulator's limit of ${MAX_OUTGOING_BYTES} bytes per connection`,
        ),
      );
      text = JSON.stringify(reply);
    }
    const latency = this.env.replyLatency?.() ?? 0;
    if (latency > 0) await this.sleepOnClock(latency);
    this.send(reply, text);
  }

  /** Waits `ms` of the store's clock; a closing connection cuts the wait short. */
  private async sleepOnClock(ms: number): Promise<void> {
    if (this.closing) return;
    await new Promise<void>((resolve) => {
      const wake = () => {
        timer.cancel();
        this.wakeDelays.delete(wake);
        resolve();
      };
      const timer = this.env.store.clock.setTimer(ms, wake);
      this.wakeDelays.add(wake);
    });
  }

  private send(frame: Record<string, unknown>, text?: string): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.env.onFrame?.("out", frame, this.info);
    // Replies finished in the same tick leave in one write, as Go's buffered
    // writer would flush them, instead of one syscall each.
    const socket = this.socket;
    if (socket && !this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    this.ws.send(text ?? JSON.stringify(frame));
    // A client that stops reading must not make the server hold its replies
    // without bound (in Go the writer blocks); past the mark it is dropped.
    if (this.ws.bufferedAmount > MAX_OUTGOING_BYTES) this.ws.terminate();
  }

  private async delay(facade: string, method: string): Promise<void> {
    const ms = this.env.delayFor(facade, method);
    if (ms <= 0 || this.closing) return;
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.wakeDelays.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.wakeDelays.add(wake);
    });
  }

  /** Waits for `p`; a closing connection cuts the wait short. */
  private async until(p: Promise<void>): Promise<void> {
    if (this.closing) return;
    await new Promise<void>((resolve) => {
      const wake = () => {
        this.wakeDelays.delete(wake);
        resolve();
      };
      this.wakeDelays.add(wake);
      void p.then(wake);
    });
  }

  private realSleep(ms: number): Promise<void> {
    // Unref'd: a delayed call must not keep a process alive that is otherwise done.
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
  }

  private async dispatch(h: Header): Promise<unknown> {
    const uuid = this.route.modelUuid;
    const redirect = uuid === undefined ? undefined : this.env.redirectFor(uuid);
    if (
      this.route.kind === "model" &&
      uuid !== undefined &&
      redirect === undefined &&
      !this.loggedIn &&
      !this.env.store.models.has(uuid)
    ) {
      throw Errors.unknownModel(uuid);
    }
    if (!this.loggedIn) return this.dispatchAdmin(h, redirect);

    const spec = this.env.registry.find(h.type, h.version, h.request, this.route.kind);
    if (spec instanceof ServerError) throw spec;
    const params = new Fields(spec.params === undefined ? undefined : h.params, spec.params ?? "");
    // Access control (permissions.ts), after the params decoded as Go unmarshals before the call.
    const denied = checkCall(
      this.env.store,
      this.user,
      this.env.store.models.get(uuid ?? this.env.store.controllerModel.uuid),
      h.type,
      h.request,
    );
    if (denied !== undefined) throw denied;
    // Fault injection only: most calls have no delay and skip the extra await.
    if (this.env.delayFor(h.type, h.request) > 0) await this.delay(h.type, h.request);
    const fault =
      this.env.faults?.active === true
        ? this.env.faults.beforeCall(h.type, h.version, h.request)
        : undefined;
    if (fault !== undefined) {
      if (fault.stall !== undefined) await this.until(fault.stall);
      if (fault.delayMs !== undefined) await this.until(this.realSleep(fault.delayMs));
      if (fault.error !== undefined) throw fault.error;
    }
    return await spec.call(this.context(h), params);
  }

  /** The root before login (`apiserver/admin_root.go`): only Admin(3). */
  private async dispatchAdmin(h: Header, redirect: RedirectTarget | undefined): Promise<unknown> {
    if (h.type !== "Admin") throw callNotImplemented(h.type, h.version);
    if (h.version !== 3) throw Errors.oldLogin();
    if (h.request === "RedirectInfo") {
      if (h.id !== "") throw Errors.badId();
      // Juju never multiplexes controllers; only JAAS answers this.
      throw new ServerError("not redirected");
    }
    // The admin object is looked up with version 0, hence "Admin.Frob".
    if (h.request !== "Login") throw callNotImplemented("Admin", 0, h.request);
    const params = new Fields(h.params, "params.LoginRequest");
    if (h.id !== "") throw Errors.badId();
    const prev = this.loginChain;
    const mine = (async () => {
      await prev.catch(() => undefined);
      await this.delay("Admin", "Login");
      // Only possible when two Logins race on one connection.
      if (this.loggedIn) throw new ServerError("already logged in");
      const guard = this.env.loginGuard;
      const source = this.route.source ?? "";
      guard?.admit(source);
      let outcome: ReturnType<typeof login>;
      try {
        outcome = login(
          {
            store: this.env.store,
            kind: this.route.kind,
            servers: this.env.servers(),
            ...(this.route.modelUuid === undefined ? {} : { modelUuid: this.route.modelUuid }),
            ...(redirect === undefined ? {} : { redirect }),
            ...(this.env.macaroonAuth === undefined ? {} : { macaroonAuth: this.env.macaroonAuth }),
          },
          params,
        );
        // Discharge required: a result that leaves the connection logged out.
        if (outcome.user === undefined) return outcome.result;
      } catch (e) {
        // Only bad credentials count towards the throttle.
        if (e instanceof ServerError && e.message === Errors.unauthorized().message) {
          guard?.failed(source);
        }
        throw e;
      }
      this.loggedIn = true;
      this.cancelLoginTimer();
      this.user = outcome.user;
      return outcome.result;
    })();
    this.loginChain = mine;
    return await mine;
  }

  private model(): ModelRecord {
    const uuid = this.route.modelUuid ?? this.env.store.controllerModel.uuid;
    const m = this.env.store.models.get(uuid);
    if (m === undefined) throw Errors.notFound(`model ${uuid}`);
    return m;
  }

  private context(h: Header): CallContext {
    return {
      version: h.version,
      id: h.id,
      store: this.env.store,
      user: this.user,
      model: () => this.model(),
      addWatcher: (cursor) => {
        const id = String(++this.resourceCounter);
        this.watchers.set(id, cursor);
        return id;
      },
      watcher: (id) => {
        const w = this.watchers.get(id);
        if (w === undefined) throw Errors.unknownWatcher();
        return w;
      },
      stopWatcher: (id) => {
        const w = this.watchers.get(id);
        if (w === undefined) throw Errors.unknownWatcher();
        this.watchers.delete(id);
        w.stop();
      },
    };
  }
}
