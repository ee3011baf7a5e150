/**
 * The charm HTTP endpoints of a Juju 3.6 controller (`apiserver/charms.go`,
 * `apiserver/objects.go`, routes in `apiserver/apiserver.go`):
 *
 * - `POST /model/<uuid>/charms?series=&schema=&arch=&name=&revision=` (and
 *   `/charms` for the controller model): the legacy upload python-libjuju
 *   and Juju ≤ 3.3 clients use. `Content-Type: application/zip`; the
 *   archive may hold the charm in a subdirectory. Replies 200 with header
 *   `Juju-Curl: <url>` and `{"charm-url": "local:…"}`.
 * - `PUT /model-<uuid>/charms/<name>-<sha256[:7]>` with `Juju-Curl:
 *   local:[arch/][series/]name[-rev]`: the 3.x Go client's upload; the
 *   hash prefix must match the body. Same reply.
 * - `GET /model/<uuid>/charms?url=<curl>[&file=<path>|*][&icon=1]`: the
 *   file list (`{"files": […]}`), one file, or the whole archive; and
 *   `GET /model-<uuid>/charms/<name>-<sha256[:7]>`: the archive.
 *
 * Errors are `params.CharmsResponse` JSON, `{"error": "cannot upload
 * charm: …", "error-code": "bad request"}`, with the status of the code;
 * authentication failures are text/plain 401s from the auth middleware;
 * methods no route takes get the mux's text/plain 405. The simulator adds
 * what the real controller lacks: a body size cap (413) and zip-bomb limits.
 * @module
 */
import { createReadStream, rmSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, posix } from "node:path";
import { CharmZip } from "./charm-archive-reader.js";
import type { CharmRecord } from "./entities.js";
import { ServerError } from "./errors.js";
import {
  authenticate,
  authFailed,
  authorizationFailed,
  BodyTooLargeError,
  hasModelAccess,
  httpTextError,
  methodNotAllowed,
  spoolBody,
} from "./http-common.js";
import {
  type CharmUrlParts,
  parseCharmUrl,
  storeLocalCharm,
  validateSeries,
} from "./local-charms.js";
import type { ControllerStore, ModelRecord } from "./store.js";
import { isValidUuid } from "./tags.js";

/** The icon sent for `icon=1` when the charm has none (a plain placeholder of our own). */
export const DEFAULT_CHARM_ICON = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100">
  <circle cx="50" cy="50" r="48" fill="#e95420"/>
  <text x="50" y="62" font-family="sans-serif" font-size="36" text-anchor="middle" fill="#fff">charm</text>
</svg>
`;

/** HTTP status of an error code (`apiservererrors.ServerErrorAndStatus`). */
function statusOf(code: string): number {
  switch (code) {
    case "unauthorized access":
      return 401;
    case "not found":
    case "model not found":
      return 404;
    case "bad request":
      return 400;
    case "method not allowed":
      return 405;
    case "forbidden":
      return 403;
    case "not yet available":
      return 409;
    default:
      return 500;
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** `sendJSONError`: the error as `params.CharmsResponse` (a string, not an Error object). */
function sendCharmsError(res: ServerResponse, err: ServerError, status = statusOf(err.code)): void {
  const body: Record<string, unknown> = { error: err.message };
  if (err.code !== "") body["error-code"] = err.code;
  if (err.info !== undefined) body["error-info"] = err.info;
  sendJson(res, status, body, status === 413 ? { Connection: "close" } : {});
}

type Route =
  | { kind: "legacy"; uuid: string | undefined }
  | { kind: "object"; uuid: string; object: string };

/** Which charm endpoint a path is, if any (malformed model UUIDs are left to the router). */
function routeOf(pathname: string): Route | undefined {
  if (pathname === "/charms") return { kind: "legacy", uuid: undefined };
  let m = /^\/model\/([^/]+)\/charms$/.exec(pathname);
  if (m !== null) {
    const uuid = decodeURIComponent(m[1] ?? "");
    return isValidUuid(uuid) ? { kind: "legacy", uuid } : undefined;
  }
  m = /^\/model-([^/]+)\/charms\/([^/]+)$/.exec(pathname);
  if (m !== null) {
    return {
      kind: "object",
      uuid: decodeURIComponent(m[1] ?? ""),
      object: decodeURIComponent(m[2] ?? ""),
    };
  }
  return undefined;
}

/**
 * Serves a charm request if `req` is one; returns false for any other path.
 */
export function handleCharmsRequest(
  store: ControllerStore,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const url = new URL(req.url ?? "/", "https://localhost");
  const route = routeOf(url.pathname);
  if (route === undefined) return false;
  const method = req.method ?? "GET";
  const allowed = route.kind === "legacy" ? ["GET", "HEAD", "POST"] : ["GET", "HEAD", "PUT"];
  if (!allowed.includes(method)) {
    req.resume();
    methodNotAllowed(res, allowed);
    return true;
  }
  if (route.kind === "object" && !isValidUuid(route.uuid)) {
    req.resume();
    httpTextError(res, 400, `invalid model UUID ${JSON.stringify(route.uuid)}`);
    return true;
  }
  const auth = authenticate(store, req.headers.authorization);
  if ("error" in auth) {
    req.resume();
    authFailed(res, auth.error);
    return true;
  }
  const uuid = route.uuid ?? store.controllerModel.uuid;
  const model = store.models.get(uuid);
  const upload = method === "POST" || method === "PUT";
  const prefix = upload ? "cannot upload charm" : "cannot retrieve charm";
  if (model === undefined) {
    req.resume();
    sendCharmsError(
      res,
      new ServerError(`${prefix}: unknown model: ${JSON.stringify(uuid)}`, "model not found"),
    );
    return true;
  }
  if (!hasModelAccess(store, model, auth.user, upload ? "write" : "read")) {
    req.resume();
    authorizationFailed(res, "permission denied");
    return true;
  }
  const fail = (e: unknown) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (e instanceof BodyTooLargeError) {
      sendCharmsError(res, e.annotate(prefix), 413);
      return;
    }
    // Whatever of the body was not read is drained so that the reply gets through.
    req.resume();
    const err =
      e instanceof ServerError ? e : new ServerError(e instanceof Error ? e.message : String(e));
    sendCharmsError(res, err.annotate(prefix));
  };
  if (upload) {
    const run =
      route.kind === "legacy" ? postCharm(model, req, url) : putCharm(model, req, route.object);
    run.then((rec) => {
      sendJson(res, 200, { "charm-url": rec.url }, { "Juju-Curl": rec.url });
    }, fail);
    return true;
  }
  req.resume();
  try {
    if (route.kind === "legacy") getCharm(model, req, res, url);
    else getObject(model, req, res, route.object);
  } catch (e) {
    fail(e);
  }
  return true;
}

function checkZip(req: IncomingMessage): void {
  const ctype = req.headers["content-type"] ?? "";
  if (ctype !== "application/zip") {
    throw new ServerError(`expected Content-Type: application/zip, got: ${ctype}`, "bad request");
  }
}

/** Spools the body, runs `fn` on the file, removes the file whatever happens. */
async function withUpload<T>(
  model: ModelRecord,
  req: IncomingMessage,
  fn: (body: { path: string; sha256: string }) => Promise<T>,
): Promise<T> {
  const store = model.controller;
  let body: Awaited<ReturnType<typeof spoolBody>>;
  try {
    body = await spoolBody(req, store.charmBlobDir(), store.maxUploadBytes);
  } catch (e) {
    if (e instanceof ServerError) throw e;
    throw new ServerError(`processing upload: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return await fn(body);
  } finally {
    rmSync(body.path, { force: true });
  }
}

/** `charmsHandler.ServePost` + `processPost`. */
async function postCharm(model: ModelRecord, req: IncomingMessage, url: URL): Promise<CharmRecord> {
  checkZip(req);
  const q = url.searchParams;
  const schema = q.get("schema") || "local";
  if (schema !== "local") {
    req.resume();
    throw new ServerError(
      "charms may only be uploaded during model migration import",
      "bad request",
    );
  }
  const series = q.get("series") ?? "";
  if (series !== "") validateSeries(series);
  let revision = -1;
  const revText = q.get("revision") ?? "";
  if (revText !== "") {
    if (!/^[-+]?\d+$/.test(revText)) {
      req.resume();
      throw new ServerError(
        `revision: strconv.Atoi: parsing ${JSON.stringify(revText)}: invalid syntax`,
        "bad request",
      );
    }
    revision = Number(revText);
  }
  const parts: CharmUrlParts = {
    schema,
    architecture: q.get("arch") ?? "",
    series,
    name: q.get("name") ?? "",
    revision,
  };
  return withUpload(model, req, (body) =>
    badRequest(storeLocalCharm(model, body.path, { url: parts, findRoot: true })),
  );
}

/** `objectsCharmHandler.ServePut` + `processPut`. */
async function putCharm(
  model: ModelRecord,
  req: IncomingMessage,
  object: string,
): Promise<CharmRecord> {
  checkZip(req);
  const dash = object.lastIndexOf("-");
  if (dash === -1) {
    req.resume();
    throw new ServerError(
      `${JSON.stringify(object)} is not a valid charm object path`,
      "bad request",
    );
  }
  const name = object.slice(0, dash);
  const sha = object.slice(dash + 1);
  const curlText = String(req.headers["juju-curl"] ?? "");
  let curl: CharmUrlParts;
  try {
    curl = parseCharmUrl(curlText);
  } catch {
    req.resume();
    throw new ServerError(`${JSON.stringify(curlText)} is not a valid charm url`, "bad request");
  }
  if (curl.schema !== "local") {
    req.resume();
    throw new ServerError(
      "non-local charms may only be uploaded during model migration import",
      "bad request",
    );
  }
  return withUpload(model, req, async (body) => {
    const got = body.sha256.slice(0, 7);
    if (got !== sha) {
      throw new ServerError(
        `Uploaded charm sha256 (${got}) does not match sha in url (${sha})`,
        "bad request",
      );
    }
    return badRequest(
      storeLocalCharm(model, body.path, { url: { ...curl, name }, findRoot: false }),
    );
  });
}

/** `errors.NewBadRequest(err, "")`: every processing error becomes a bad request. */
async function badRequest<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ServerError) throw new ServerError(e.message, "bad request", e.info);
    throw new ServerError(e instanceof Error ? e.message : String(e), "bad request");
  }
}

function findLocal(model: ModelRecord, curl: string): CharmRecord {
  const rec = model.state.findCharm(curl);
  if (rec === undefined) {
    throw new ServerError(
      `cannot get charm from state: charm ${JSON.stringify(curl)} not found`,
      "not found",
    );
  }
  if (rec.archive === undefined) {
    // Charmhub charms are recorded from metadata only: the simulated controller never downloads them.
    throw new ServerError(
      `cannot get charm from state: charm ${JSON.stringify(curl)} not yet available`,
      "not yet available",
    );
  }
  return rec;
}

/** `charmsHandler.ServeGet`: file list, one file, or the archive. */
function getCharm(model: ModelRecord, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const q = url.searchParams;
  const curl = q.get("url") ?? "";
  if (curl === "") throw new ServerError("expected url=CharmURL query argument", "bad request");
  try {
    parseCharmUrl(curl);
  } catch (e) {
    throw new ServerError((e as Error).message, "bad request");
  }
  let file = q.get("file") ?? "";
  let icon = false;
  if (file !== "") file = posix.normalize(file).replace(/\/+$/, "");
  else if (q.get("icon") === "1") {
    icon = true;
    file = "icon.svg";
  }
  const rec = findLocal(model, curl);
  const archive = rec.archive as NonNullable<CharmRecord["archive"]>;
  if (file === "*") {
    sendArchive(req, res, archive.path);
    return;
  }
  void sendFromArchive(req, res, archive.path, file, icon).catch((e: unknown) => {
    const err = e instanceof ServerError ? e : new ServerError(String(e));
    if (res.headersSent) res.destroy();
    else sendCharmsError(res, err.annotate("cannot retrieve charm"));
  });
}

/** `objectsCharmHandler.ServeGet`: the archive whose stored SHA-256 starts with the object's hash. */
function getObject(
  model: ModelRecord,
  req: IncomingMessage,
  res: ServerResponse,
  object: string,
): void {
  const dash = object.lastIndexOf("-");
  if (dash === -1) {
    throw new ServerError(
      `${JSON.stringify(object)} is not a valid charm object path`,
      "bad request",
    );
  }
  const sha = object.slice(dash + 1);
  const rec = [...model.state.charms.values()].find(
    (c) => c.archive !== undefined && sha !== "" && c.archive.sha256.startsWith(sha),
  );
  if (rec?.archive === undefined) {
    throw new ServerError(
      `cannot get charm from state: charm with sha256 ${JSON.stringify(sha)} not found`,
      "not found",
    );
  }
  sendArchive(req, res, rec.archive.path);
}

/** `http.ServeFile` of the stored archive. */
function sendArchive(req: IncomingMessage, res: ServerResponse, path: string): void {
  const st = statSync(path);
  res.writeHead(200, {
    "Content-Type": "application/zip",
    "Content-Length": st.size,
    "Accept-Ranges": "bytes",
    "Last-Modified": st.mtime.toUTCString(),
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  createReadStream(path)
    .on("error", () => res.destroy())
    .pipe(res);
}

/** Content types Go's `mime.TypeByExtension` knows for the files charms carry. */
const MIME: Readonly<Record<string, string>> = {
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".xml": "text/xml; charset=utf-8",
  ".pdf": "application/pdf",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
};

/** The manifest (`file` empty) or one entry (`common.CharmArchiveEntry`). */
async function sendFromArchive(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  file: string,
  icon: boolean,
): Promise<void> {
  const zip = await CharmZip.open(path);
  try {
    if (file === "") {
      const names = new Set<string>();
      for (const e of zip.entries) {
        let n = posix.normalize(e.name);
        while (n !== "." && n !== "") {
          names.add(n);
          n = posix.dirname(n);
        }
      }
      sendJson(res, 200, { files: [...names].sort() });
      return;
    }
    const entry = zip.entries.find((e) => posix.normalize(e.name) === file);
    let contents: Buffer;
    if (entry === undefined) {
      if (!icon) throw new ServerError("charm file not found", "not found");
      contents = Buffer.from(DEFAULT_CHARM_ICON);
    } else if (entry.kind === "dir") {
      throw new ServerError("directory listing not allowed", "forbidden");
    } else {
      contents = await zip.read(entry, 256 * 1024 ** 2);
    }
    const headers: Record<string, string | number> = { "Content-Length": contents.length };
    const ctype = MIME[extname(file).toLowerCase()];
    if (ctype !== undefined) headers["Content-Type"] = ctype;
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : contents);
  } finally {
    zip.close();
  }
}
