/**
 * The debug-log websocket, `/model/<uuid>/log` and `/log` (the controller
 * model), as `apiserver/debuglog.go` serves it: the socket is upgraded
 * first, then Basic authentication, the model and the query are checked
 * inside it. The first text frame is the "initial error" (`{}` on success,
 * `{"error":{message,code}}` then a 1001 close on failure); each log record
 * follows as one frame. `noTail` ends the stream after the backlog.
 * @module
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket, WebSocketServer } from "ws";
import { ErrorCodes } from "../protocol/frames.js";
import { ServerError } from "./errors.js";
import { authenticate as authenticateBasic, hasModelAccess } from "./http-common.js";
import {
  checkBacklog,
  type DebugLogParams,
  initialRecords,
  logRecordWire,
  logStoreOf,
  readDebugLogParams,
  recordFilter,
} from "./logs.js";
import type { ControllerStore, ModelRecord } from "./store.js";
import { isValidUuid } from "./tags.js";

const LOG_PATH_RE = /^\/model\/([^/]*)\/log$/;

/** The model UUID a `/log` path names (`""` for the controller model), or undefined for other paths. */
export function debugLogRoute(rawUrl: string | undefined): string | undefined {
  const path = new URL(rawUrl ?? "/", "https://localhost").pathname;
  if (path === "/log") return "";
  const m = LOG_PATH_RE.exec(path);
  return m === null ? undefined : decodeURIComponent(m[1] ?? "");
}

/**
 * Checks `Authorization: Basic user-<name>:<password>` (`http-common.ts`,
 * disabled users refused) and returns the user's name.
 */
function authenticate(store: ControllerStore, header: string | undefined): string {
  const auth = authenticateBasic(store, header);
  if ("error" in auth) {
    throw new ServerError(`authentication failed: ${auth.error}`, ErrorCodes.unauthorized);
  }
  return auth.user;
}

/** Sends the initial error frame; on failure the socket then closes with 1001 (going away). */
function sendInitial(ws: WebSocket, err: ServerError | undefined): void {
  if (err === undefined) {
    ws.send("{}\n");
    return;
  }
  ws.send(`${JSON.stringify({ error: { message: err.message, code: err.code } })}\n`);
  ws.close(1001, "");
}

function asServerError(e: unknown): ServerError {
  return e instanceof ServerError ? e : new ServerError(e instanceof Error ? e.message : String(e));
}

/** Streams a model's log on an open socket per the parsed query. */
function stream(ws: WebSocket, model: ModelRecord, p: DebugLogParams): void {
  const store = logStoreOf(model.state);
  const match = recordFilter(p);
  sendInitial(ws, undefined);
  try {
    checkBacklog(p);
  } catch {
    // The tailer dies after the OK was sent: the stream just ends.
    ws.close(1000, "");
    return;
  }
  const send = (e: Parameters<typeof logRecordWire>[0]) =>
    ws.send(JSON.stringify(logRecordWire(e, p.version)));
  for (const e of initialRecords(store.records(), p, match)) send(e);
  if (p.noTail) {
    ws.close(1000, "");
    return;
  }
  const unsubscribe = store.subscribe((e) => {
    if (ws.readyState === ws.OPEN && match(e)) send(e);
  });
  ws.on("close", unsubscribe);
}

/**
 * Serves a `/log` websocket upgrade; returns false when the path is not a
 * debug-log path. An invalid UUID gets the router's HTTP 400.
 */
export function handleDebugLogUpgrade(
  wss: WebSocketServer,
  store: ControllerStore,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): boolean {
  const uuid = debugLogRoute(req.url);
  if (uuid === undefined) return false;
  if (uuid !== "" && !isValidUuid(uuid)) {
    const body = `invalid model UUID ${JSON.stringify(uuid)}\n`;
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    return true;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on("error", () => {});
    try {
      const user = authenticate(store, req.headers.authorization);
      const model = uuid === "" ? store.controllerModel : store.models.get(uuid);
      if (model === undefined) {
        throw new ServerError(`unknown model: ${JSON.stringify(uuid)}`, ErrorCodes.modelNotFound);
      }
      // Reading a model's log needs read access to it (superusers read every model's).
      if (!hasModelAccess(store, model, user, "read")) {
        throw new ServerError("authorization failed: permission denied", ErrorCodes.unauthorized);
      }
      const params = readDebugLogParams(new URL(req.url ?? "/", "https://localhost").searchParams);
      stream(ws, model, params);
    } catch (e) {
      sendInitial(ws, asServerError(e));
    }
  });
  return true;
}
