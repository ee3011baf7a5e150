/**
 * Pieces shared by the simulator's plain-HTTPS endpoints (charms,
 * resources): Basic authentication of a local user as Juju's
 * `httpcontext.AuthHandler` does it, the API server mux's answer to a
 * method no route takes, and request bodies streamed to a temporary file
 * under a size cap.
 * @module
 */
import { createHash } from "node:crypto";
import { createWriteStream, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { ServerError } from "./errors.js";
import type { ControllerStore, ModelRecord } from "./store.js";
import { localUserName, parseTag } from "./tags.js";
import { effectiveModelAccess, type ModelAccess, userMeta } from "./users.js";

/** Go's `http.Error`: text/plain with a trailing newline. */
export function httpTextError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "X-Content-Type-Options": "nosniff",
    ...headers,
  });
  res.end(`${message}\n`);
}

/** The authentication middleware's answer: text/plain 401. */
export function authFailed(res: ServerResponse, message: string): void {
  httpTextError(res, 401, `authentication failed: ${message}`);
}

/** The authorization middleware's answer: text/plain 403. */
export function authorizationFailed(res: ServerResponse, message: string): void {
  httpTextError(res, 403, `authorization failed: ${message}`);
}

/**
 * The API server mux (bmizerany/pat) when a path is served but not for the
 * request's method: 405 with the methods that are.
 */
export function methodNotAllowed(res: ServerResponse, allowed: readonly string[]): void {
  httpTextError(res, 405, "Method Not Allowed", { Allow: allowed.join(", ") });
}

/** Checks `Authorization: Basic user-<name>:<password>`; returns the user name or an error text. */
export function authenticate(
  store: ControllerStore,
  header: string | undefined,
): { user: string } | { error: string } {
  if (header === undefined || header === "") return { error: "no credentials provided" };
  const m = /^Basic\s+(\S+)$/i.exec(header);
  const decoded = m === null ? "" : Buffer.from(m[1] ?? "", "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) return { error: "invalid request format" };
  const tagText = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  let tag: { kind: string; id: string };
  try {
    tag = parseTag(tagText);
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
  // Only local users with passwords exist in the simulator (no agents, no macaroons).
  const name = tag.kind === "user" ? localUserName(tag.id) : undefined;
  const user = name === undefined ? undefined : store.users.get(name);
  if (user === undefined || user.password !== password || userMeta(store, user).disabled) {
    return { error: "invalid entity name or password" };
  }
  return { user: user.name };
}

const RANK: Record<ModelAccess, number> = { read: 1, write: 2, admin: 3 };

/** Whether `user` has at least `access` on `model` (superusers have admin everywhere). */
export function hasModelAccess(
  store: ControllerStore,
  model: ModelRecord,
  user: string,
  access: ModelAccess,
): boolean {
  const have = effectiveModelAccess(store, model, user);
  return have !== undefined && RANK[have] >= RANK[access];
}

/** A request body written to a temporary file. */
export interface SpooledBody {
  path: string;
  size: number;
  /** Hex SHA-256 of the body. */
  sha256: string;
  /** Hex SHA-384 of the body. */
  sha384: string;
}

/** The body was larger than the simulator accepts. */
export class BodyTooLargeError extends ServerError {
  constructor(readonly limit: number) {
    super(`request body too large: the limit is ${limit} bytes`, "");
    this.name = "BodyTooLargeError";
  }
}

let spoolSeq = 0;

/**
 * Streams `req`'s body into a new file under `dir`, hashing as it goes;
 * refuses a declared or actual size over `limit` (the file is removed).
 * Memory use does not grow with the body.
 */
export function spoolBody(req: IncomingMessage, dir: string, limit: number): Promise<SpooledBody> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new BodyTooLargeError(limit));
  }
  const path = join(dir, `upload-${process.pid}-${++spoolSeq}`);
  const sha256 = createHash("sha256");
  const sha384 = createHash("sha384");
  let size = 0;
  return new Promise((resolve, reject) => {
    const file = createWriteStream(path, { mode: 0o600 });
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      req.unpipe(file);
      file.destroy();
      rmSync(path, { force: true });
      reject(e);
    };
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        fail(new BodyTooLargeError(limit));
        return;
      }
      sha256.update(c);
      sha384.update(c);
    });
    req.on("error", fail);
    req.on("aborted", () => fail(new ServerError("processing upload: unexpected EOF")));
    file.on("error", fail);
    file.on("finish", () => {
      if (failed) return;
      resolve({ path, size, sha256: sha256.digest("hex"), sha384: sha384.digest("hex") });
    });
    req.pipe(file);
  });
}
