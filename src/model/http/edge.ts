/**
 * What local charm and resource uploads need from the platform, as an
 * interface: HTTPS requests to the controller with a streamed file body,
 * and reading local files (charm archives and directories, resource files).
 * The model core stays free of Node modules; the Node implementation lives
 * in `node-edge.ts` and is loaded only when an upload starts (as the `ssh2`
 * connector of manual provisioning is).
 * @module
 */
import type { CharmFiles } from "../../charm/metadata.js";
import type { Credentials } from "../../rpc/credentials.js";

/** Where and as whom HTTP requests go: the model connection's endpoint, CA and credentials. */
export interface HttpTarget {
  /** `host:port` of the API server that answered the websocket login. */
  endpoint: string;
  /** PEM of the controller CA. */
  caCert?: string | undefined;
  /** Skip TLS verification (explicit opt-in only). */
  insecureSkipVerify?: boolean | undefined;
  /** Authentication headers: `Authorization` (Basic) and/or `Cookie` (macaroons). */
  headers: Record<string, string>;
}

/** Bytes sent so far out of the total, reported while a body streams. */
export interface UploadProgress {
  /** Bytes written to the connection so far. */
  sent: number;
  /** Size of the whole body. */
  total: number;
}

/** A request body: a file streamed from disk, or a few bytes in memory. */
export type HttpBody = { file: string; size: number } | { data: Uint8Array };

/** One HTTP request to the controller. */
export interface HttpCall {
  method: "GET" | "PUT" | "POST";
  /** Path and query, e.g. `/model/<uuid>/charms?series=jammy`. */
  path: string;
  /** Request headers besides the authentication ones. */
  headers: Record<string, string>;
  body?: HttpBody;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

/** The controller's answer: status, headers (lower-case names) and body text (bounded). */
export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What reading a charm archive (a `.charm` zip) tells about it. */
export interface CharmArchiveFacts {
  size: number;
  /** Hex SHA-256 of the whole file (Juju's charm reference uses its first 7 digits). */
  sha256: string;
  /** The metadata files at the archive's root, as text. */
  files: CharmFiles;
  /** The `revision` entry's text, when there is one. */
  revision?: string;
  /** Juju's client check (`hasHooksFolderOrDispatchFile`): hooks or a dispatch file. */
  hasHooksOrDispatch: boolean;
}

/** A size and a hex digest of a file's content. */
export interface ContentFacts {
  size: number;
  /** Hex digest. */
  hex: string;
}

/** The platform side of uploads (implemented for Node in `node-edge.ts`). */
export interface LocalEdge {
  /** Sends one request; resolves with the reply whatever its status. */
  http(target: HttpTarget, call: HttpCall): Promise<HttpReply>;
  /** `directory`, `file`, or `undefined` when nothing is there. */
  kind(path: string): Promise<"directory" | "file" | undefined>;
  /** Resolves `~`, relative paths and the like to an absolute path. */
  resolve(path: string): string;
  /** Reads a charm archive: size, hash, metadata files (typed errors for bad files). */
  inspectCharmArchive(path: string, signal?: AbortSignal): Promise<CharmArchiveFacts>;
  /** Writes the charm in `dir` to a temporary archive (with its facts); `cleanup` removes it. */
  archiveCharmDir(
    dir: string,
    signal?: AbortSignal,
  ): Promise<{ path: string; cleanup: () => Promise<void>; facts: CharmArchiveFacts }>;
  /** The charm files of a directory (metadata.yaml, charmcraft.yaml…), checked as Juju reads a charm directory. */
  readCharmDirFiles(dir: string): Promise<CharmFiles>;
  /** Size and hex SHA-384 of a file (what resource uploads send as `Content-Sha384`). */
  fileSha384(path: string, signal?: AbortSignal): Promise<ContentFacts>;
  /** Hex SHA-384 of bytes. */
  bytesSha384(data: Uint8Array): Promise<string>;
  /** A text file's content, or `undefined` when there is no such file. */
  readTextIfExists(path: string): Promise<string | undefined>;
  /**
   * GETs `path` into a temporary file (streamed); on a non-200 answer the
   * reply is returned instead. `cleanup` removes the file. `body` is sent
   * with the GET where Juju's handler reads one (the backups download).
   */
  download(
    target: HttpTarget,
    path: string,
    signal?: AbortSignal,
    body?: { data: Uint8Array; contentType: string },
  ): Promise<{ file: string; cleanup: () => Promise<void> } | { reply: HttpReply }>;
  /**
   * A digest of a charm archive's content from its zip directory: the names,
   * CRC-32s, sizes and exec bits of its files and symlinks, leaving out the
   * `revision` entry the controller rewrites. Two archives of the same
   * charm tree have the same digest even when their bytes differ.
   */
  charmContentDigest(path: string): Promise<string>;
}

/** Loads the Node edge (only when an upload starts: it pulls in fs, https and zip code). */
export async function nodeEdge(): Promise<LocalEdge> {
  return (await import("./node-edge.js")).nodeLocalEdge;
}

/** Base64 of a UTF-8 string without Node's `Buffer` (works in browsers too). */
function base64(text: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/**
 * The authentication headers Juju's HTTP handlers accept from a user, as the
 * Go client builds them (`api.authHTTPRequest`): Basic `user-<name>:<password>`
 * when there is a password, else the login macaroons as `macaroon-*` cookies
 * (`httpbakery.NewCookie`: base64 of the JSON macaroon slice).
 */
export function authHeaders(credentials: Credentials | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (credentials === undefined) return out;
  if (credentials.password !== undefined) {
    out.Authorization = `Basic ${base64(`${credentials.userTag}:${credentials.password}`)}`;
    return out;
  }
  const slices = credentials.macaroons ?? [];
  if (slices.length > 0) {
    // The server reads every cookie whose name starts with "macaroon-".
    out.Cookie = slices
      .map((s, i) => `macaroon-libjuju-${i}=${base64(JSON.stringify(s))}`)
      .join("; ");
    out["Bakery-Protocol-Version"] = "3";
  }
  return out;
}
