/**
 * `GET /model/<uuid>/backups`: the download of a backup archive made by
 * `Backups.Create` (`apiserver/backup.go`): the body is JSON `{"id": <filename>}`,
 * the answer the archive as `application/octet-stream`; superusers only.
 * @module
 */
import { createReadStream, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { backupArchive } from "./facades/controller-admin.js";
import {
  authenticate,
  authFailed,
  authorizationFailed,
  httpTextError,
  methodNotAllowed,
} from "./http-common.js";
import type { ControllerStore } from "./store.js";

const PATH_RE = /^\/model\/([^/]+)\/backups$/;

function jsonError(res: ServerResponse, status: number, message: string, code = ""): void {
  const body = JSON.stringify({ error: message, "error-code": code });
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** Serves the backups endpoint; returns false when the request is for another path. */
export function handleBackupsRequest(
  store: ControllerStore,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const url = new URL(req.url ?? "/", "https://localhost");
  const m = PATH_RE.exec(url.pathname);
  if (m === null) return false;
  if (req.method !== "GET") {
    req.resume();
    methodNotAllowed(res, ["GET"]);
    return true;
  }
  const auth = authenticate(store, req.headers.authorization);
  if ("error" in auth) {
    req.resume();
    authFailed(res, auth.error);
    return true;
  }
  if (store.users.get(auth.user)?.controllerAccess !== "superuser") {
    req.resume();
    authorizationFailed(res, "permission denied");
    return true;
  }
  if (!store.models.has(m[1] ?? "")) {
    req.resume();
    httpTextError(res, 404, `unknown model: ${JSON.stringify(m[1])}`);
    return true;
  }
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    let id: unknown;
    try {
      id = (JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { id?: unknown }).id;
    } catch (e) {
      jsonError(res, 400, `while extracting args: ${(e as Error).message}`, "bad request");
      return;
    }
    const path = typeof id === "string" ? backupArchive(store, id) : undefined;
    if (path === undefined) {
      jsonError(res, 404, `backup file ${JSON.stringify(id)} not found`, "not found");
      return;
    }
    res.writeHead(200, {
      "Content-Type": "application/octet-stream",
      "Content-Length": statSync(path).size,
    });
    createReadStream(path).pipe(res);
  });
  return true;
}
