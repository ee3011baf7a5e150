/**
 * Fault injection for tests: drop connections (all, some, or after N
 * frames), delay or fail a facade method with a chosen error, stall watcher
 * `Next` calls until released, restart the API server keeping state. The
 * RPC dispatch (`rpc-session.ts`) asks {@link FaultInjector.beforeCall}
 * before every logged-in call and reports frames to
 * {@link FaultInjector.frameReceived}; nothing here costs anything until a
 * fault is set.
 * @module
 */
import { ServerError } from "./errors.js";

/** What a connection looks like to a fault filter (and to `connections()`). */
export interface ConnectionInfo {
  /** The server's id of the connection (1, 2, …). */
  id: number;
  /** `model` for `/model/<uuid>/api`, `controller` for `/api`. */
  kind: "model" | "controller";
  /** The model of a model connection. */
  modelUuid?: string;
  /** The logged-in user's name, `""` before login. */
  user: string;
}

/** Selects connections: every given field must match; empty selects all. */
export interface ConnectionFilter {
  /** The connection's id. */
  id?: number;
  /** Model or controller connections. */
  kind?: "model" | "controller";
  /** Connections to this model. */
  modelUuid?: string;
  /** Connections logged in as this user. */
  user?: string;
}

/** An error a faulted method replies with: Juju's `error` and `error-code`. */
export interface InjectedError {
  /** The error message. */
  message: string;
  /** Juju's error code, e.g. `not found`, `unauthorized access`; default none. */
  code?: string;
}

/** Which calls a method fault applies to. */
export interface MethodSelector {
  /** The facade name, e.g. `Application`. */
  facade: string;
  /** The method name, e.g. `Deploy`. */
  method: string;
  /** Only this facade version; default any. */
  version?: number;
}

/** What the dispatch must do with one call. */
export interface CallFault {
  /** Wait this many ms (real time) before running the call. */
  delayMs?: number;
  /** Do not run the call before this resolves (stalled watchers). */
  stall?: Promise<void>;
  /** Reply with this error instead of running the call. */
  error?: ServerError;
}

/** A connection as the injector drives it. */
export interface FaultTarget {
  readonly connectionInfo: ConnectionInfo;
  /** Cuts the connection at once, as a network failure would (no close handshake). */
  terminate(): void;
}

/** What the injector needs from the server it is attached to. */
export interface FaultHost {
  /** The open API connections. */
  connections(): FaultTarget[];
  /** Closes the listener and every connection, then listens again on the same port. */
  restart(downtimeMs: number): Promise<void>;
}

/** A fault that cannot be set as asked (bad argument); `code` is Juju's `not valid`. */
export class FaultError extends Error {
  /** Stable code for callers that branch. */
  readonly code = "not valid";
  constructor(message: string) {
    super(message);
    this.name = "FaultError";
  }
}

interface MethodRule {
  sel: MethodSelector;
  /** Calls left to affect; Infinity for all. */
  left: number;
  delayMs?: number;
  error?: InjectedError;
}

interface FrameRule {
  filter: ConnectionFilter;
  left: number;
}

function isWatcherNext(facade: string, method: string): boolean {
  return method === "Next" && facade.endsWith("Watcher");
}

function matches(info: ConnectionInfo, f: ConnectionFilter | undefined): boolean {
  if (f === undefined) return true;
  if (f.id !== undefined && f.id !== info.id) return false;
  if (f.kind !== undefined && f.kind !== info.kind) return false;
  if (f.modelUuid !== undefined && f.modelUuid !== info.modelUuid) return false;
  if (f.user !== undefined && f.user !== info.user) return false;
  return true;
}

function checkTimes(times: number | undefined): number {
  if (times === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isInteger(times) || times < 1) {
    throw new FaultError(`times must be a positive integer, got ${JSON.stringify(times)}`);
  }
  return times;
}

function checkName(what: string, v: unknown): string {
  if (typeof v !== "string" || v === "") {
    throw new FaultError(`${what} must be a non-empty string, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** The fault injector of one simulator (`simulator.faults`). */
export class FaultInjector {
  private methodRules: MethodRule[] = [];
  private frameRules: FrameRule[] = [];
  private stalled: { promise: Promise<void>; release: () => void } | undefined;
  private host: FaultHost | undefined;

  /** @internal Connects the injector to its server (the simulator does this once it listens). */
  attach(host: FaultHost): void {
    this.host = host;
  }

  private server(): FaultHost {
    if (this.host === undefined) throw new FaultError("the simulator is not listening");
    return this.host;
  }

  /** The open API connections. */
  connections(): ConnectionInfo[] {
    return this.server()
      .connections()
      .map((c) => ({ ...c.connectionInfo }));
  }

  /** Cuts the matching connections (all by default) as a network failure would; returns how many. */
  dropConnections(filter?: ConnectionFilter): number {
    let n = 0;
    for (const c of this.server().connections()) {
      if (!matches(c.connectionInfo, filter)) continue;
      c.terminate();
      n++;
    }
    return n;
  }

  /**
   * Cuts a matching connection once it has received `frames` more request
   * frames (counted over all matching connections); the frame that reaches
   * the count is not answered.
   */
  dropAfterFrames(frames: number, filter?: ConnectionFilter): void {
    if (!Number.isInteger(frames) || frames < 1) {
      throw new FaultError(`frames must be a positive integer, got ${JSON.stringify(frames)}`);
    }
    this.frameRules.push({ filter: { ...filter }, left: frames });
  }

  /** Makes calls of `facade.method` reply with `error` (the next `times` calls, or all). */
  failMethod(sel: MethodSelector, error: InjectedError, times?: number): void {
    checkName("facade", sel.facade);
    checkName("method", sel.method);
    checkName("error message", error.message);
    if (error.code !== undefined && typeof error.code !== "string") {
      throw new FaultError(`error code must be a string, got ${JSON.stringify(error.code)}`);
    }
    this.methodRules.push({
      sel: { ...sel },
      left: checkTimes(times),
      error: { message: error.message, ...(error.code === undefined ? {} : { code: error.code }) },
    });
  }

  /** Delays calls of `facade.method` by `ms` of real time (the next `times` calls, or all). */
  delayMethod(sel: MethodSelector, ms: number, times?: number): void {
    checkName("facade", sel.facade);
    checkName("method", sel.method);
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
      throw new FaultError(`delay must be a non-negative number of ms, got ${JSON.stringify(ms)}`);
    }
    this.methodRules.push({ sel: { ...sel }, left: checkTimes(times), delayMs: ms });
  }

  /**
   * Watcher `Next` calls (AllWatcher and the others) hang from now on until
   * {@link releaseWatchers}, the ones already waiting included (a reply
   * they computed is held back); the state keeps changing, clients just do
   * not hear of it. A closing connection ends its stalled calls.
   */
  stallWatchers(): void {
    if (this.stalled !== undefined) return;
    let release: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.stalled = { promise, release };
  }

  /** Lets stalled watcher calls (and new ones) proceed. */
  releaseWatchers(): void {
    this.stalled?.release();
    this.stalled = undefined;
  }

  /** Closes the listener and every connection, then listens again on the same port with the same state. */
  async restart(downtimeMs = 0): Promise<void> {
    if (typeof downtimeMs !== "number" || !Number.isFinite(downtimeMs) || downtimeMs < 0) {
      throw new FaultError(
        `downtime must be a non-negative number of ms, got ${JSON.stringify(downtimeMs)}`,
      );
    }
    await this.server().restart(downtimeMs);
  }

  /** Removes every fault (stalled watchers are released). */
  clear(): void {
    this.methodRules = [];
    this.frameRules = [];
    this.releaseWatchers();
  }

  /** Whether any fault is set (the dispatch skips the hooks otherwise). */
  get active(): boolean {
    return this.methodRules.length > 0 || this.frameRules.length > 0 || this.stalled !== undefined;
  }

  /**
   * Called by a connection for every request frame it reads; true when the
   * connection must be cut now (a `dropAfterFrames` count was reached).
   */
  frameReceived(info: ConnectionInfo): boolean {
    if (this.frameRules.length === 0) return false;
    let drop = false;
    for (const r of this.frameRules) {
      if (!matches(info, r.filter)) continue;
      r.left--;
      if (r.left <= 0) drop = true;
    }
    this.frameRules = this.frameRules.filter((r) => r.left > 0);
    return drop;
  }

  /** For a watcher `Next` whose result is ready: what its reply must wait for while watchers are stalled. */
  heldReply(call: { type: string; request: string }): Promise<void> | undefined {
    if (this.stalled === undefined || !isWatcherNext(call.type, call.request)) return undefined;
    return this.stalled.promise;
  }

  /** @internal What to do with a logged-in call before it runs; undefined: nothing. */
  beforeCall(facade: string, version: number, method: string): CallFault | undefined {
    if (this.methodRules.length === 0 && this.stalled === undefined) return undefined;
    const out: CallFault = {};
    if (this.stalled !== undefined && isWatcherNext(facade, method)) {
      out.stall = this.stalled.promise;
    }
    for (const r of this.methodRules) {
      const s = r.sel;
      if (s.facade !== facade || s.method !== method) continue;
      if (s.version !== undefined && s.version !== version) continue;
      r.left--;
      if (r.delayMs !== undefined) out.delayMs = (out.delayMs ?? 0) + r.delayMs;
      if (r.error !== undefined && out.error === undefined) {
        out.error = new ServerError(r.error.message, r.error.code ?? "");
      }
    }
    this.methodRules = this.methodRules.filter((r) => r.left > 0);
    return out.stall === undefined && out.delayMs === undefined && out.error === undefined
      ? undefined
      : out;
  }
}
