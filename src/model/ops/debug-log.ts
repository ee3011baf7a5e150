/**
 * `juju debug-log` for a model: the `/model/<uuid>/log` websocket
 * (`api/common/logs.go`), authenticated with HTTP Basic auth and read as a
 * stream of {@link LogRecord}s. The first frame is the server's "initial
 * error" (`{}` when all is well); each later frame is one log record.
 * @module
 */
import {
  type ConnectionOptions,
  checkServerIdentity,
  type PeerCertificate,
  connect as tlsConnect,
} from "node:tls";
import WebSocket from "ws";
import type { Credentials } from "../../rpc/credentials.js";
import {
  AbortError,
  ConnectError,
  ConnectionClosedError,
  JujuError,
  type LibjujuError,
  ProtocolError,
} from "../../rpc/errors.js";
import { JUJU_API_SERVER_NAME } from "../../rpc/ws-transport.js";
import * as ac from "../arg-check.js";
import { InvalidArgumentError } from "../errors.js";

/** One debug-log record (`params.LogMessage`). */
export interface LogRecord {
  /** The entity tag that logged it: `unit-mysql-0`, `machine-0`. */
  entity: string;
  /** When it was logged. */
  timestamp: Date;
  /** `TRACE`, `DEBUG`, `INFO`, `WARNING`, `ERROR` or `CRITICAL`. */
  severity: string;
  /** The logging module, e.g. `juju.worker.uniter.operation`. */
  module: string;
  /** Source location, `file.go:line`. */
  location: string;
  /** The log message. */
  message: string;
  /** Labels; the logger tags of a version-1 record are under `logger-tags`, comma separated. */
  labels: Record<string, string>;
}

/** A debug-log level. */
export type LogLevel = "TRACE" | "DEBUG" | "INFO" | "WARNING" | "ERROR";

/** Options of `Model.debugLog`. */
export interface DebugLogOptions {
  /** The lowest level to show. Default: all. */
  level?: LogLevel;
  /** Start from the beginning of the log (the backlog is then ignored). */
  replay?: boolean;
  /** Stop after the existing records instead of waiting for new ones. */
  noTail?: boolean;
  /** How many of the last matching records to send first (the CLI's `--lines`). Default 10. */
  lines?: number;
  /** Stop after this many records (counted by the client). */
  limit?: number;
  /**
   * Only these entities: `mysql/0` (a unit), `mysql` (all its units), `0`
   * or `0/lxd/1` (machines), or tags with `*` wildcards (`unit-mysql-*`).
   */
  include?: readonly string[];
  /** Not these entities (same forms as `include`). */
  exclude?: readonly string[];
  /** Only these logging modules (and their sub-modules). */
  includeModule?: readonly string[];
  /** Not these logging modules (and their sub-modules). */
  excludeModule?: readonly string[];
  /** Only records with one of these labels (`{key: value}`). */
  includeLabels?: Readonly<Record<string, string>>;
  /** Not records with one of these labels (`{key: value}`). */
  excludeLabels?: Readonly<Record<string, string>>;
  /** Only records from this time on. */
  startTime?: Date;
  /** Ends the stream (the iterator then throws `AbortError`). */
  signal?: AbortSignal;
}

/** Where and as whom to open the debug-log socket. */
export interface DebugLogAccess {
  /** `host:port`. */
  endpoint: string;
  modelUuid: string;
  credentials: Credentials | undefined;
  /** PEM of the controller CA. */
  caCert?: string | undefined;
  insecureSkipVerify?: boolean | undefined;
}

const APP_RE = /^[a-z][a-z0-9]*(-[a-z0-9]*[a-z][a-z0-9]*)*$/;
const UNIT_RE = /^([a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*)\/(\d+)$/;
const MACHINE_RE = /^\d+(\/[a-z]+\/\d+)*$/;

/**
 * An entity as the CLI sends it: a machine id becomes `machine-<id>`, a
 * unit `unit-<app>-<n>`, an application `unit-<app>-*`; anything else (tags,
 * wildcards) is passed as is.
 */
export function debugLogEntity(name: string): string {
  if (MACHINE_RE.test(name)) return `machine-${name.replaceAll("/", "-")}`;
  const unit = UNIT_RE.exec(name);
  if (unit !== null) return `unit-${unit[1]}-${unit[2]}`;
  if (APP_RE.test(name)) return `unit-${name}-*`;
  return name;
}

/** The `/log` query for the options. */
export function debugLogQuery(o: DebugLogOptions): URLSearchParams {
  ac.checkOptions("debugLog", o, {
    level: ac.oneOf("TRACE", "DEBUG", "INFO", "WARNING", "ERROR"),
    replay: ac.bool,
    noTail: ac.bool,
    lines: ac.int(0),
    limit: ac.int(0),
    include: ac.arrayOf(ac.name),
    exclude: ac.arrayOf(ac.name),
    includeModule: ac.arrayOf(ac.name),
    excludeModule: ac.arrayOf(ac.name),
    includeLabels: ac.recordOf(ac.str),
    excludeLabels: ac.recordOf(ac.str),
    startTime: ac.check("a valid Date", (v) => v instanceof Date && !Number.isNaN(v.getTime())),
    signal: ac.signal,
  });
  const q = new URLSearchParams();
  for (const e of o.include ?? []) q.append("includeEntity", debugLogEntity(e));
  for (const e of o.exclude ?? []) q.append("excludeEntity", debugLogEntity(e));
  for (const m of o.includeModule ?? []) q.append("includeModule", m);
  for (const m of o.excludeModule ?? []) q.append("excludeModule", m);
  for (const [k, v] of Object.entries(o.includeLabels ?? {}))
    q.append("includeLabels", `${k}=${v}`);
  for (const [k, v] of Object.entries(o.excludeLabels ?? {}))
    q.append("excludeLabels", `${k}=${v}`);
  const lines = o.lines ?? 10;
  if (!Number.isInteger(lines) || lines < 0) {
    throw new InvalidArgumentError("lines", `lines must be a non-negative integer, got ${lines}`);
  }
  if (o.limit !== undefined && (!Number.isInteger(o.limit) || o.limit < 0)) {
    throw new InvalidArgumentError("limit", `limit must be a non-negative integer, got ${o.limit}`);
  }
  // Juju 3.6 reads `maxLines` as the backlog, so the limit stays on the client.
  if (lines > 0) q.set("backlog", String(lines));
  if (o.level !== undefined) q.set("level", o.level);
  if (o.replay) q.set("replay", "true");
  if (o.noTail) q.set("noTail", "true");
  if (o.startTime !== undefined) q.set("startTime", o.startTime.toISOString());
  return q;
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Decodes one record frame; throws {@link ProtocolError} on anything malformed. */
export function parseLogRecord(text: string): LogRecord {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ProtocolError(`debug-log: a record is not JSON: ${text.slice(0, 200)}`, { cause: e });
  }
  if (!isObj(v))
    throw new ProtocolError(`debug-log: a record is not an object: ${text.slice(0, 200)}`);
  const str = (k: string, optional = false): string => {
    const x = v[k];
    if (typeof x === "string") return x;
    if (optional && (x === undefined || x === null)) return "";
    throw new ProtocolError(`debug-log: record field ${JSON.stringify(k)} is not a string`);
  };
  const ts = new Date(str("ts"));
  if (Number.isNaN(ts.getTime())) {
    throw new ProtocolError(`debug-log: bad record timestamp ${JSON.stringify(v.ts)}`);
  }
  const lab = v.lab;
  let labels: Record<string, string> = {};
  if (Array.isArray(lab) && lab.every((x) => typeof x === "string")) {
    if (lab.length > 0) labels = { "logger-tags": lab.join(",") };
  } else if (isObj(lab) && Object.values(lab).every((x) => typeof x === "string")) {
    labels = { ...(lab as Record<string, string>) };
  } else if (lab !== undefined && lab !== null) {
    throw new ProtocolError('debug-log: record field "lab" is malformed');
  }
  return {
    entity: str("tag"),
    timestamp: ts,
    severity: str("sev"),
    module: str("mod"),
    location: str("loc", true),
    message: str("msg"),
    labels,
  };
}

/** Decodes the initial frame: undefined when all is well, else the server's error. */
function initialError(text: string): LibjujuError | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return new ProtocolError(`debug-log: the initial frame is not JSON: ${text.slice(0, 200)}`, {
      cause: e,
    });
  }
  if (!isObj(v)) return new ProtocolError("debug-log: the initial frame is not an object");
  const err = v.error;
  if (err === undefined || err === null) return undefined;
  if (!isObj(err) || typeof err.message !== "string") {
    return new ProtocolError("debug-log: malformed initial error");
  }
  if (err.message === "" && (err.code ?? "") === "") return undefined;
  const code = typeof err.code === "string" ? err.code : "";
  return JujuError.fromWire({ message: err.message, code });
}

/** The websocket URL of a model's debug log. */
export function debugLogUrl(endpoint: string, modelUuid: string, query: URLSearchParams): string {
  const qs = query.toString();
  return `wss://${endpoint}/model/${modelUuid}/log${qs === "" ? "" : `?${qs}`}`;
}

/**
 * Opens a model's debug log. Records arrive through the returned iterator;
 * the server's initial error is thrown as a {@link JujuError} (a wrong
 * password as `JujuUnauthorizedError`), a malformed record as
 * {@link ProtocolError}. Breaking out of a `for await`, `limit`, the signal
 * or the end of the stream closes the socket.
 */
export function openDebugLog(
  access: DebugLogAccess,
  options: DebugLogOptions = {},
): AsyncIterableIterator<LogRecord> {
  const query = debugLogQuery(options);
  const password = access.credentials?.password;
  if (access.credentials === undefined || password === undefined) {
    throw new InvalidArgumentError("credentials", "debug-log needs a user name and password");
  }
  const url = debugLogUrl(access.endpoint, access.modelUuid, query);
  const auth = Buffer.from(`${access.credentials.userTag}:${password}`).toString("base64");
  const tls: ConnectionOptions = access.insecureSkipVerify
    ? { rejectUnauthorized: false }
    : {
        rejectUnauthorized: true,
        servername: JUJU_API_SERVER_NAME,
        checkServerIdentity: (_h: string, cert: PeerCertificate) =>
          checkServerIdentity(JUJU_API_SERVER_NAME, cert),
        ...(access.caCert ? { ca: access.caCert } : {}),
      };
  const limit = options.limit;
  const signal = options.signal;

  const queue: LogRecord[] = [];
  let failure: Error | undefined;
  let finished = false;
  let started = false;
  let delivered = 0;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const ws = new WebSocket(url, {
    ...(tls as WebSocket.ClientOptions),
    headers: { Authorization: `Basic ${auth}` },
    perMessageDeflate: false,
    followRedirects: false,
    createConnection: (opts: object) =>
      tlsConnect({ ...(opts as ConnectionOptions), path: undefined }),
  });
  const stop = (err?: Error) => {
    if (finished) return;
    finished = true;
    if (err !== undefined) failure ??= err;
    signal?.removeEventListener("abort", onAbort);
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else if (ws.readyState === WebSocket.OPEN) {
      ws.close(1000, "");
      // A peer that never answers the close handshake must not keep the process alive.
      const t = setTimeout(() => ws.terminate(), 1000);
      (t as { unref?: () => void }).unref?.();
      ws.once("close", () => clearTimeout(t));
    }
    notify();
  };
  const onAbort = () => {
    queue.length = 0;
    stop(new AbortError("debug-log aborted"));
  };
  ws.on("error", (err: Error) => {
    if (!started) {
      stop(
        new ConnectError(
          `cannot connect to ${url.replace(/\?.*$/, "")}: ${err.message}`,
          access.endpoint,
          { cause: err },
        ),
      );
    } else {
      stop(
        new ConnectionClosedError(`debug-log: the connection failed: ${err.message}`, {
          cause: err,
          retryable: true,
        }),
      );
    }
  });
  ws.on("message", (data: WebSocket.RawData) => {
    if (finished) return;
    const text = Buffer.isBuffer(data)
      ? data.toString("utf8")
      : Array.isArray(data)
        ? Buffer.concat(data).toString("utf8")
        : Buffer.from(data).toString("utf8");
    if (!started) {
      started = true;
      const err = initialError(text);
      if (err !== undefined) stop(err);
      return;
    }
    try {
      queue.push(parseLogRecord(text));
    } catch (e) {
      stop(e as Error);
      return;
    }
    notify();
  });
  ws.on("close", (code: number, reason: Buffer) => {
    if (!started) {
      stop(
        new ConnectionClosedError(
          `debug-log closed before it started (${code} ${reason.toString("utf8")})`,
          { retryable: true },
        ),
      );
    } else if (code === 1000) {
      // The server ended the stream (noTail, or its tailer stopped).
      stop();
    } else {
      stop(
        new ConnectionClosedError(
          `debug-log: the connection was lost (${code}${reason.length ? ` ${reason.toString("utf8")}` : ""})`,
          { retryable: true },
        ),
      );
    }
  });
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });

  const iterator: AsyncIterableIterator<LogRecord> = {
    async next(): Promise<IteratorResult<LogRecord>> {
      for (;;) {
        if (limit !== undefined && delivered >= limit) {
          stop();
          return { done: true, value: undefined };
        }
        const rec = queue.shift();
        if (rec !== undefined) {
          delivered++;
          return { done: false, value: rec };
        }
        if (failure !== undefined) {
          const err = failure;
          failure = undefined;
          queue.length = 0;
          throw err;
        }
        if (finished) return { done: true, value: undefined };
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
    async return(): Promise<IteratorResult<LogRecord>> {
      stop();
      queue.length = 0;
      failure = undefined;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
