/**
 * The Node implementation of {@link LocalEdge}: HTTPS requests to the
 * controller (its CA, `juju-apiserver` as the verified name, as the
 * websocket transport does) with file bodies streamed from disk
 * (`fs.createReadStream`, never buffered whole), charm archives read lazily
 * with `yauzl`, charm directories archived with `CharmArchiveGenerator`
 * into a temporary file.
 * @module
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { homedir, tmpdir } from "node:os";
import { join, resolve as resolvePath } from "node:path";
import { pipeline } from "node:stream/promises";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import yauzl from "yauzl";
import { CharmArchiveGenerator } from "../../charm/archive.js";
import { readCharmDir } from "../../charm/charm-dir.js";
import type { CharmFiles } from "../../charm/metadata.js";
import { AbortError, ConnectError } from "../../rpc/errors.js";
import { JUJU_API_SERVER_NAME } from "../../rpc/ws-transport.js";
import { LocalCharmError, LocalFileError } from "../ops/local-charm-errors.js";
import type {
  CharmArchiveFacts,
  ContentFacts,
  HttpCall,
  HttpReply,
  HttpTarget,
  LocalEdge,
} from "./edge.js";

// Replies are small JSON documents; a larger one is cut (and reported as such).
const MAX_REPLY = 1 << 20;
// Metadata files larger than this are not charm metadata.
const MAX_METADATA = 4 << 20;
const CHUNK = 1 << 20;

const ARCHIVE_FILES: Readonly<Record<string, keyof CharmFiles | "revision">> = {
  "metadata.yaml": "metadata",
  "charmcraft.yaml": "charmcraft",
  "config.yaml": "config",
  "actions.yaml": "actions",
  "lxd-profile.yaml": "lxdProfile",
  "manifest.yaml": "manifest",
  revision: "revision",
};

function fileError(e: unknown, path: string, what: string): LocalFileError {
  const errno = (e as NodeJS.ErrnoException).code;
  const reason =
    errno === "ENOENT"
      ? "no such file or directory"
      : errno === "EACCES" || errno === "EPERM"
        ? "permission denied"
        : errno === "EISDIR"
          ? "is a directory"
          : (e as Error).message;
  return new LocalFileError(`cannot read ${what} "${path}": ${reason}`, path, errno, {
    cause: e,
  });
}

function abortError(signal: AbortSignal | undefined, what: string): AbortError {
  return new AbortError(`${what} aborted`, { cause: signal?.reason });
}

/** TLS as the websocket transport verifies the controller: its CA, `juju-apiserver` as the name. */
function tlsOptions(target: HttpTarget): RequestOptions {
  if (target.insecureSkipVerify) return { rejectUnauthorized: false };
  return {
    rejectUnauthorized: true,
    servername: JUJU_API_SERVER_NAME,
    checkServerIdentity: (_h: string, cert: PeerCertificate) =>
      checkServerIdentity(JUJU_API_SERVER_NAME, cert),
    ...(target.caCert ? { ca: target.caCert } : {}),
  };
}

/** Sends one request, streaming a file body with progress; the reply body is read whole (bounded). */
function http(target: HttpTarget, call: HttpCall): Promise<HttpReply> {
  const { signal } = call;
  if (signal?.aborted) return Promise.reject(abortError(signal, `${call.method} ${call.path}`));
  const i = target.endpoint.lastIndexOf(":");
  const host = target.endpoint.slice(0, i).replace(/^\[|\]$/g, "");
  const port = Number(target.endpoint.slice(i + 1));
  const headers: Record<string, string | number> = { ...call.headers, ...target.headers };
  const body = call.body;
  const total = body === undefined ? 0 : "file" in body ? body.size : body.data.byteLength;
  if (body !== undefined) headers["Content-Length"] = total;
  const options: RequestOptions = {
    host,
    port,
    method: call.method,
    path: call.path,
    headers,
    agent: false,
    ...tlsOptions(target),
  };
  return new Promise<HttpReply>((resolve, reject) => {
    let settled = false;
    let reply: IncomingMessage | undefined;
    let source: ReturnType<typeof createReadStream> | undefined;
    const finish = (err: Error | undefined, value?: HttpReply) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      // The file is not read further once the exchange is over (answered early, failed, aborted).
      source?.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    const req = httpsRequest(options);
    const onAbort = () => {
      req.destroy();
      finish(abortError(signal, `${call.method} ${call.path}`));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    req.on("response", (res) => {
      reply = res;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        if (size < MAX_REPLY) chunks.push(c);
        size += c.length;
      });
      res.on("end", () => {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
        }
        finish(undefined, {
          status: res.statusCode ?? 0,
          headers: out,
          body: Buffer.concat(chunks).toString("utf8").slice(0, MAX_REPLY),
        });
        // The server answered (maybe early, refusing the body): stop sending.
        req.destroy();
      });
      res.on("error", (e) => finish(e));
      res.on("close", () => {
        if (!res.complete) {
          finish(
            new ConnectError(
              `${call.method} https://${target.endpoint}${call.path.replace(/\?.*$/, "")}: the connection closed before the reply ended`,
              target.endpoint,
            ),
          );
        }
      });
    });
    req.on("error", (e) => {
      // A server that answers and closes before reading the whole body
      // (401, 413) makes the write fail: its answer is what counts.
      if (reply !== undefined) return;
      finish(
        new ConnectError(
          `${call.method} https://${target.endpoint}${call.path.replace(/\?.*$/, "")}: ${e.message}`,
          target.endpoint,
          { cause: e },
        ),
      );
    });
    if (body === undefined) {
      req.end();
      return;
    }
    if ("data" in body) {
      req.end(body.data);
      call.onProgress?.({ sent: total, total });
      return;
    }
    const rs = createReadStream(body.file, { highWaterMark: CHUNK });
    source = rs;
    let sent = 0;
    rs.on("data", (c) => {
      sent += c.length;
      call.onProgress?.({ sent, total });
    });
    rs.on("error", (e) => {
      req.destroy();
      finish(fileError(e, body.file, "file"));
    });
    rs.pipe(req);
  });
}

async function kind(path: string): Promise<"directory" | "file" | undefined> {
  try {
    const st = await stat(path);
    return st.isDirectory() ? "directory" : "file";
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw fileError(e, path, "path");
  }
}

function resolve(path: string): string {
  const p = path === "~" || path.startsWith("~/") ? join(homedir(), path.slice(1)) : path;
  return resolvePath(p);
}

/** Hashes a file as it streams (never whole in memory). */
async function digestFile(
  path: string,
  algorithm: "sha256" | "sha384",
  signal?: AbortSignal,
): Promise<ContentFacts> {
  const hash = createHash(algorithm);
  let size = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) {
      if (signal?.aborted) throw abortError(signal, `hashing "${path}"`);
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (e) {
    if (e instanceof AbortError) throw e;
    throw fileError(e, path, "file");
  }
  return { size, hex: hash.digest("hex") };
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<string> {
  return new Promise((resolveText, reject) => {
    if (entry.uncompressedSize > MAX_METADATA) {
      reject(new Error(`${entry.fileName} is larger than ${MAX_METADATA} bytes`));
      return;
    }
    zip.openReadStream(entry, (err, rs) => {
      if (err) {
        reject(err);
        return;
      }
      const chunks: Buffer[] = [];
      rs.on("data", (c: Buffer) => chunks.push(c));
      rs.on("end", () => resolveText(Buffer.concat(chunks).toString("utf8")));
      rs.on("error", reject);
    });
  });
}

/** Reads the root metadata files of a zip, and whether it has hooks or a dispatch file. */
function scanZip(
  path: string,
): Promise<{ files: CharmFiles; revision?: string; hasHooksOrDispatch: boolean }> {
  return new Promise((resolveScan, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err) {
        reject(err);
        return;
      }
      const files: CharmFiles = {};
      let revision: string | undefined;
      let hooks = 0;
      let dispatch = false;
      zip.on("error", reject);
      zip.on("entry", (entry: yauzl.Entry) => {
        const name = entry.fileName;
        // api/client/charms hasHooksFolderOrDispatchFile, as Juju's client checks it.
        if (name.includes("hooks/")) hooks++;
        if (name.includes("dispatch")) dispatch = true;
        const key = ARCHIVE_FILES[name];
        if (key === undefined) {
          zip.readEntry();
          return;
        }
        readEntry(zip, entry).then((text) => {
          if (key === "revision") revision = text;
          else files[key] = text;
          zip.readEntry();
        }, reject);
      });
      zip.on("end", () => {
        resolveScan({
          files,
          ...(revision !== undefined ? { revision } : {}),
          hasHooksOrDispatch: dispatch || hooks > 1,
        });
      });
      zip.readEntry();
    });
  });
}

async function inspectCharmArchive(path: string, signal?: AbortSignal): Promise<CharmArchiveFacts> {
  let size: number;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    size = st.size;
  } catch (e) {
    throw fileError(e, path, "charm archive");
  }
  if (size === 0) throw new LocalCharmError(`charm archive "${path}" is empty (0 bytes)`, path);
  let scanned: Awaited<ReturnType<typeof scanZip>>;
  try {
    scanned = await scanZip(path);
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code;
    if (errno !== undefined) throw fileError(e, path, "charm archive");
    throw new LocalCharmError(
      `"${path}" is not a valid charm archive: ${(e as Error).message}`,
      path,
      { cause: e },
    );
  }
  if (scanned.files.metadata === undefined && scanned.files.charmcraft === undefined) {
    throw new LocalCharmError(`invalid charm archive "${path}": missing metadata.yaml`, path);
  }
  const { hex } = await digestFile(path, "sha256", signal);
  return { size, sha256: hex, ...scanned };
}

async function archiveCharmDir(
  dir: string,
  signal?: AbortSignal,
): Promise<{ path: string; cleanup: () => Promise<void>; facts: CharmArchiveFacts }> {
  // The generator walks and checks the tree itself: only the metadata files are read here.
  const files = await readMetadataFiles(dir);
  const tmp = await mkdtemp(join(tmpdir(), "libjuju-charm-"));
  const cleanup = () => rm(tmp, { recursive: true, force: true });
  const file = join(tmp, "charm.charm");
  try {
    // The generator hashes what it writes: no second pass over the archive.
    const result = await new CharmArchiveGenerator(dir).makeArchive(file, {
      ...(signal ? { signal } : {}),
    });
    let hooks = 0;
    let dispatch = false;
    for (const e of result.entries) {
      if (e.name.includes("hooks/")) hooks++;
      if (e.name.includes("dispatch")) dispatch = true;
    }
    return {
      path: file,
      cleanup,
      facts: {
        size: result.size,
        sha256: result.sha256,
        files,
        revision: String(result.revision),
        hasHooksOrDispatch: dispatch || hooks > 1,
      },
    };
  } catch (e) {
    await cleanup();
    if (signal?.aborted) throw abortError(signal, `archiving "${dir}"`);
    throw e;
  }
}

async function readCharmDirFiles(dir: string): Promise<CharmFiles> {
  // readCharmDir checks the directory as Juju does (metadata, symlinks, ignore rules).
  readCharmDir(dir);
  return readMetadataFiles(dir);
}

async function readMetadataFiles(dir: string): Promise<CharmFiles> {
  const files: CharmFiles = {};
  for (const [name, key] of Object.entries(ARCHIVE_FILES)) {
    if (key === "revision") continue;
    try {
      files[key] = await readFile(join(dir, name), "utf8");
    } catch (e) {
      const errno = (e as NodeJS.ErrnoException).code;
      if (errno === "ENOENT") continue;
      throw fileError(e, join(dir, name), "charm file");
    }
  }
  return files;
}

async function fileSha384(path: string, signal?: AbortSignal): Promise<ContentFacts> {
  try {
    if ((await stat(path)).isDirectory()) {
      throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    }
  } catch (e) {
    throw fileError(e, path, "file");
  }
  return digestFile(path, "sha384", signal);
}

async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code;
    if (errno === "ENOENT" || errno === "ENAMETOOLONG") return undefined;
    throw fileError(e, path, "file");
  }
}

async function download(
  target: HttpTarget,
  path: string,
  signal?: AbortSignal,
  body?: { data: Uint8Array; contentType: string },
): Promise<{ file: string; cleanup: () => Promise<void> } | { reply: HttpReply }> {
  const tmp = await mkdtemp(join(tmpdir(), "libjuju-download-"));
  const cleanup = () => rm(tmp, { recursive: true, force: true });
  const file = join(tmp, "download");
  const i = target.endpoint.lastIndexOf(":");
  const options: RequestOptions = {
    host: target.endpoint.slice(0, i).replace(/^\[|\]$/g, ""),
    port: Number(target.endpoint.slice(i + 1)),
    method: "GET",
    path,
    headers:
      body === undefined
        ? { ...target.headers }
        : {
            ...target.headers,
            "Content-Type": body.contentType,
            "Content-Length": String(body.data.length),
          },
    agent: false,
    ...tlsOptions(target),
  };
  try {
    return await new Promise((resolveDownload, reject) => {
      const req = httpsRequest(options);
      const onAbort = () => {
        req.destroy();
        reject(abortError(signal, `GET ${path}`));
      };
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      const done = () => signal?.removeEventListener("abort", onAbort);
      req.on("error", (e) => {
        done();
        reject(
          new ConnectError(`GET https://${target.endpoint}${path}: ${e.message}`, target.endpoint, {
            cause: e,
          }),
        );
      });
      req.on("response", (res) => {
        if (res.statusCode !== 200) {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            done();
            resolveDownload({
              reply: {
                status: res.statusCode ?? 0,
                headers: {},
                body: Buffer.concat(chunks).toString("utf8").slice(0, MAX_REPLY),
              },
            });
          });
          return;
        }
        pipeline(res, createWriteStream(file)).then(
          () => {
            done();
            resolveDownload({ file, cleanup });
          },
          (e: Error) => {
            done();
            reject(
              new ConnectError(
                `GET https://${target.endpoint}${path}: ${e.message}`,
                target.endpoint,
                { cause: e },
              ),
            );
          },
        );
      });
      req.end(body?.data);
    });
  } catch (e) {
    await cleanup();
    throw e;
  }
}

function charmContentDigest(path: string): Promise<string> {
  return new Promise((resolveDigest, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err) {
        reject(new LocalCharmError(`"${path}" is not a valid charm archive: ${err.message}`, path));
        return;
      }
      const lines: string[] = [];
      zip.on("error", reject);
      zip.on("entry", (e: yauzl.Entry) => {
        const name = e.fileName.replace(/^\.\//, "");
        const mode = (e.externalFileAttributes >>> 16) & 0o170777;
        const isDir = name === "" || name.endsWith("/") || (mode & 0o170000) === 0o040000;
        if (!isDir && name !== "revision") {
          lines.push(
            `${name}\0${e.crc32}\0${e.uncompressedSize}\0${mode & 0o111 ? "x" : "-"}\0${(mode & 0o170000) === 0o120000 ? "l" : "f"}`,
          );
        }
        zip.readEntry();
      });
      zip.on("end", () => {
        lines.sort();
        resolveDigest(createHash("sha256").update(lines.join("\n")).digest("hex"));
      });
      zip.readEntry();
    });
  });
}

/** The Node {@link LocalEdge}. */
export const nodeLocalEdge: LocalEdge = {
  http,
  kind,
  resolve,
  inspectCharmArchive,
  archiveCharmDir,
  readCharmDirFiles,
  fileSha384,
  bytesSha384: async (data) => createHash("sha384").update(data).digest("hex"),
  readTextIfExists,
  download,
  charmContentDigest,
};
