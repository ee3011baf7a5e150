/**
 * The resource upload and download endpoint,
 * `/model/<uuid>/applications/<app>/resources/<name>[?pendingid=…]`
 * (`apiserver/resources.go` `ResourcesHandler`): Basic authentication of a
 * local user, `GET` streams the stored blob, `PUT` checks the headers the
 * way `extractUploadRequest` does and stores the body for the pending or
 * active resource. Handler errors are `params.ErrorResult` JSON with the
 * status of their code; authentication errors are text/plain 401s.
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ServerError } from "./errors.js";
import {
  authenticate,
  authFailed,
  authorizationFailed,
  BodyTooLargeError,
  hasModelAccess,
} from "./http-common.js";
import {
  type CharmResourceValue,
  checkFingerprintLength,
  dockerDetailsYaml,
  resourcesOf,
  resourceWire,
  validateCharmResource,
} from "./resources.js";
import type { ControllerStore } from "./store.js";
import { isValidUuid } from "./tags.js";

const PATH_RE = /^\/model\/([^/]+)\/applications\/([^/]+)\/resources\/([^/]+)$/;

/** HTTP status of an error code (`apiservererrors.ServerErrorAndStatus`). */
function statusOf(code: string): number {
  switch (code) {
    case "unauthorized":
      return 401;
    case "not found":
    case "model not found":
    case "user not found":
      return 404;
    case "bad request":
    case "operation is blocked":
      return 400;
    case "method not allowed":
      return 405;
    case "forbidden":
      return 403;
    default:
      return 500;
  }
}

/** `sendError`: `{"error": {message, code}}` with the code's status. */
function sendError(res: ServerResponse, err: ServerError): void {
  const body = JSON.stringify({ error: err.toWire() });
  res.writeHead(statusOf(err.code), {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** `mime.ParseMediaType` for the part Juju reads: the `filename` parameter. */
function contentDispositionFilename(disp: string): string {
  const parts = disp.split(";");
  const mediaType = (parts[0] ?? "").trim();
  if (mediaType === "") {
    throw new ServerError("badly formatted Content-Disposition: mime: no media type");
  }
  for (const p of parts.slice(1)) {
    const eq = p.indexOf("=");
    if (eq === -1) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    let value = p.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1).replace(/\\(.)/g, "$1");
    }
    if (key === "filename") return decodeWord(value);
  }
  throw new ServerError("missing filename in resource upload request");
}

/** `decodeParam`: an RFC 2047 encoded-word (B or Q), or the text itself when not encoded. */
function decodeWord(s: string): string {
  const m = /^=\?([^?]+)\?([bBqQ])\?([^?]*)\?=$/.exec(s);
  if (m === null) return s;
  const [, , enc, text = ""] = m;
  if (enc === "b" || enc === "B") return Buffer.from(text, "base64").toString("utf8");
  const bytes = text
    .replaceAll("_", " ")
    .replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  return Buffer.from(bytes, "latin1").toString("utf8");
}

/** Go's `hex.DecodeString` with its error texts. */
function decodeHex(s: string): Buffer {
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? "";
    if (!/[0-9a-fA-F]/.test(c)) {
      const cp = c.codePointAt(0) ?? 0;
      throw new ServerError(
        `encoding/hex: invalid byte: U+${cp.toString(16).toUpperCase().padStart(4, "0")} ${JSON.stringify(c).replace(/^"|"$/g, "'")}`,
      );
    }
  }
  if (s.length % 2 === 1) throw new ServerError("encoding/hex: odd length hex string");
  return Buffer.from(s, "hex");
}

/** `path.Ext`. */
function ext(p: string): string {
  const slash = p.lastIndexOf("/");
  const dot = p.lastIndexOf(".");
  return dot > slash ? p.slice(dot) : "";
}

/** The body in memory, refused past `limit` bytes (declared or actual). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new BodyTooLargeError(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners("data");
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function upload(
  store: ControllerStore,
  req: IncomingMessage,
  uuid: string,
  app: string,
  name: string,
  pendingId: string,
  user: string,
): Promise<Record<string, unknown>> {
  const body = await readBody(req, store.maxUploadBytes);
  const ctype = req.headers["content-type"] ?? "";
  if (ctype !== "application/octet-stream") {
    throw new ServerError(`unsupported content type ${JSON.stringify(ctype)}`);
  }
  let fingerprint: Buffer;
  try {
    fingerprint = decodeHex(String(req.headers["content-sha384"] ?? ""));
    checkFingerprintLength(fingerprint);
  } catch (e) {
    if (e instanceof ServerError) throw e.annotate("invalid fingerprint");
    throw e;
  }
  const filename = contentDispositionFilename(String(req.headers["content-disposition"] ?? ""));
  const sizeRaw = req.headers["content-length"] ?? String(body.length);
  if (!/^[-+]?\d+$/.test(sizeRaw)) {
    throw new ServerError(
      `invalid size: strconv.ParseInt: parsing ${JSON.stringify(sizeRaw)}: invalid syntax`,
    );
  }
  const model = store.models.get(uuid);
  if (model === undefined)
    throw new ServerError(`unknown model: ${JSON.stringify(uuid)}`, "model not found");
  const registry = resourcesOf(model);
  const target =
    pendingId !== "" ? registry.getPending(app, name, pendingId) : registry.get(app, name);
  if (target.type === "file") {
    const want = ext(target.path);
    if (ext(filename) !== want) {
      throw new ServerError(
        `incorrect extension on resource upload ${JSON.stringify(filename)}, expected ${JSON.stringify(want)}`,
      );
    }
  }
  // `updateResource`: an upload replaces origin, revision, fingerprint and size.
  const updated: CharmResourceValue = {
    name: target.name,
    type: target.type,
    path: target.path,
    description: target.description,
    origin: "upload",
    revision: 0,
    fingerprint,
    size: Number(sizeRaw),
  };
  validateCharmResource(updated);
  return { resource: resourceWire(registry.store(target, updated, body, user)) };
}

/**
 * Serves a resource request if `req` is one; returns false for any other
 * path (including malformed model UUIDs, which the router answers).
 */
export function handleResourcesRequest(
  store: ControllerStore,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const url = new URL(req.url ?? "/", "https://localhost");
  const m = PATH_RE.exec(url.pathname);
  if (m === null) return false;
  const uuid = decodeURIComponent(m[1] ?? "");
  if (!isValidUuid(uuid)) return false;
  const app = decodeURIComponent(m[2] ?? "");
  const name = decodeURIComponent(m[3] ?? "");
  const auth = authenticate(store, req.headers.authorization);
  if ("error" in auth) {
    req.resume();
    authFailed(res, auth.error);
    return true;
  }
  const model = store.models.get(uuid);
  const fail = (e: unknown) => {
    if (e instanceof BodyTooLargeError) {
      const body = JSON.stringify({ error: e.toWire() });
      res.writeHead(413, { "Content-Type": "application/json", Connection: "close" });
      res.end(body);
    } else if (e instanceof ServerError) sendError(res, e);
    else sendError(res, new ServerError(e instanceof Error ? e.message : String(e)));
  };
  if (model === undefined) {
    req.resume();
    fail(new ServerError(`unknown model: ${JSON.stringify(uuid)}`, "model not found"));
    return true;
  }
  if (!hasModelAccess(store, model, auth.user, req.method === "GET" ? "read" : "write")) {
    req.resume();
    authorizationFailed(res, "permission denied");
    return true;
  }
  if (req.method === "GET") {
    req.resume();
    try {
      const r = resourcesOf(model).get(app, name);
      // Charmhub resources are never fetched by the simulated controller.
      if (r.blob === undefined)
        throw new ServerError(`resource ${JSON.stringify(name)} not found`, "not found");
      const data = r.docker === undefined ? r.blob : dockerDetailsYaml(r.docker);
      res.writeHead(200, {
        "Content-Type": "application/octet-stream",
        "Content-Length": data.length,
      });
      res.end(data);
    } catch (e) {
      fail(e);
    }
    return true;
  }
  if (req.method === "PUT") {
    upload(store, req, uuid, app, name, url.searchParams.get("pendingid") ?? "", auth.user).then(
      (result) => {
        const body = JSON.stringify(result);
        res.writeHead(200, {
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(body),
        });
        res.end(body);
      },
      fail,
    );
    return true;
  }
  req.resume();
  fail(new ServerError(`unsupported method: ${JSON.stringify(req.method)}`, "method not allowed"));
  return true;
}
