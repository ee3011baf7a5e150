/**
 * The simulator's Charmhub listener: {@link CharmhubApi} over plain HTTP,
 * on loopback by default. It is separate from the controller's TLS API
 * server because its clients (python-libjuju's `requests.get`, Juju's
 * charmhub client) verify against the system CAs, not the controller CA.
 *
 * Routes: `GET /v2/charms/info/{name}`, `GET /v2/charms/find`,
 * `POST /v2/charms/refresh`. Anything else is a 404 (405 for a wrong
 * method) with Charmhub's `error-list` body.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { ZipFile } from "yazl";
import type { CharmCatalog } from "../catalog/index.js";
import { CharmhubApi, type CharmhubApiResponse, type CharmhubPublisher } from "./api.js";

/** Options of {@link CharmhubServer.listen}. */
export interface CharmhubServerOptions {
  /** The charms it serves. */
  catalog: CharmCatalog;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** See {@link CharmhubApi}. */
  publisher?: CharmhubPublisher;
  /** See {@link CharmhubApi}. */
  epoch?: Date;
}

/** Largest refresh body accepted (Juju batches at most a few hundred actions). */
const MAX_BODY = 4 * 1024 * 1024;

function send(res: ServerResponse, r: CharmhubApiResponse): void {
  const text = JSON.stringify(r.body);
  res.writeHead(r.status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** A zip archive of `files`, deterministic (fixed mtime, regular-file mode), as charmcraft packs one. */
function zipOf(files: readonly { path: string; data: string }[]): Promise<Buffer> {
  const zip = new ZipFile();
  const mtime = new Date("2024-04-25T00:00:00Z");
  for (const f of files)
    zip.addBuffer(Buffer.from(f.data, "utf8"), f.path, { mtime, mode: 0o100644 });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on("data", (c: Buffer) => chunks.push(c));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}

function error(status: number, code: string, message: string): CharmhubApiResponse {
  return { status, body: { "error-list": [{ code, message }] } };
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** A running Charmhub listener. */
export class CharmhubServer {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #host: string;
  #api: CharmhubApi | undefined;
  #closing: Promise<void> | undefined;

  private constructor(server: Server, host: string) {
    this.#server = server;
    this.#host = host;
    server.on("connection", (s: Socket) => {
      this.#sockets.add(s);
      s.on("close", () => this.#sockets.delete(s));
    });
  }

  /** Starts listening. */
  static async listen(opts: CharmhubServerOptions): Promise<CharmhubServer> {
    const host = opts.host ?? "127.0.0.1";
    let self: CharmhubServer | undefined;
    const server = createServer((req, res) => {
      self?.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) {
          send(res, error(500, "api-error", e instanceof Error ? e.message : String(e)));
        } else {
          res.destroy();
        }
      });
    });
    self = new CharmhubServer(server, host);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const api: ConstructorParameters<typeof CharmhubApi>[1] = { baseUrl: self.url };
    if (opts.publisher !== undefined) api.publisher = opts.publisher;
    if (opts.epoch !== undefined) api.epoch = opts.epoch;
    self.#api = new CharmhubApi(opts.catalog, api);
    return self;
  }

  /** The bound port. */
  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** `http://host:port`, what `charmhub-url` holds. */
  get url(): string {
    const h =
      this.#host === "0.0.0.0" || this.#host === ""
        ? "127.0.0.1"
        : this.#host === "::"
          ? "::1"
          : this.#host;
    return `http://${h.includes(":") ? `[${h}]` : h}:${this.port}`;
  }

  /** Answers one request. */
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const api = this.#api;
    if (api === undefined) {
      send(res, error(503, "service-misconfigured", "The store is starting."));
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "");
    const method = req.method ?? "GET";
    const info = /^\/v2\/charms\/info\/([^/]+)$/.exec(path);
    const expect = (m: string): boolean => {
      if (method === m || (m === "GET" && method === "HEAD")) return true;
      send(res, error(405, "method-not-allowed", `Method ${method} not allowed on ${path}.`));
      return false;
    };
    if (info) {
      if (!expect("GET")) return;
      let name: string;
      try {
        name = decodeURIComponent(info[1] ?? "");
      } catch {
        send(res, error(400, "bad-argument", "Malformed charm name."));
        return;
      }
      send(res, api.info(name, url.searchParams));
      return;
    }
    if (path === "/v2/charms/find") {
      if (!expect("GET")) return;
      send(res, api.find(url.searchParams));
      return;
    }
    if (path === "/v2/charms/refresh") {
      if (!expect("POST")) return;
      const text = await readBody(req);
      if (text === undefined) {
        send(res, error(413, "bad-argument", "Request body too large."));
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        send(res, error(400, "bad-argument", "Request body is not valid JSON."));
        return;
      }
      send(res, api.refresh(body));
      return;
    }
    const download = /^\/api\/v1\/charms\/download\/([^/]+)$/.exec(path);
    if (download) {
      if (!expect("GET")) return;
      const archive = api.bundleArchive(download[1] ?? "");
      if (archive === undefined) {
        send(
          res,
          error(404, "not-found", `No archive ${download[1] ?? ""} in the simulated store.`),
        );
        return;
      }
      const body = await zipOf(archive.files);
      res.writeHead(200, {
        "Content-Type": "application/octet-stream",
        "Content-Length": body.length,
        "Content-Disposition": `attachment; filename="${archive.name}"`,
      });
      res.end(method === "HEAD" ? undefined : body);
      return;
    }
    send(res, error(404, "not-found", `No such endpoint: ${path || "/"}.`));
  }

  /** Stops listening and drops open connections. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      for (const s of this.#sockets) s.destroy();
    });
    return this.#closing;
  }
}
