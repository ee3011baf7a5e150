/**
 * The control API over HTTP+JSON (`libjuju sim --control-port`), so that
 * tests in any language can script the simulator: `POST /v1/<method>` with
 * a JSON array of the method's arguments answers `{"result": …}` or
 * `{"error": {"code", "message"}}`. Generic over the object it serves: only
 * the names in its allowlist are callable. It listens on loopback only and
 * every call needs `Authorization: Bearer <token>`. The API is documented in
 * docs/testing-control-api.md.
 * @module
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CONTROL_METHODS } from "./control.js";
import type { Simulator } from "./simulator.js";
import type { SimulatorSnapshot } from "./snapshot.js";

/** What the server dispatches to: methods by name (checked against the allowlist first). */
export type ControlTarget = object;

/** Options of {@link ControlHttpServer.listen}. */
export interface ControlHttpOptions {
  /** The object whose methods are served. */
  target: ControlTarget;
  /** The method names that may be called; anything else is a 404. */
  methods: readonly string[];
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** The bearer token; default: 32 random bytes, base64url. */
  token?: string;
  /** Largest accepted request body in bytes (a snapshot can be large). Default 256 MiB. */
  maxBodyBytes?: number;
}

/** Error codes of the HTTP layer itself (method errors carry their own `code`). */
export type ControlHttpErrorCode =
  | "unauthorized"
  | "not found"
  | "method not allowed"
  | "bad request"
  | "request too large"
  | "internal";

/** An HTTP status for an error code a control method threw (Juju's codes and the snapshot's). */
function statusFor(code: string): number {
  switch (code) {
    case "not found":
      return 404;
    case "not valid":
    case "bad request":
    case "ERR_SNAPSHOT_INVALID":
      return 400;
    case "not supported":
    case "ERR_SNAPSHOT_BUSY":
    case "ERR_SNAPSHOT_UNSUPPORTED":
      return 409;
    default:
      return 500;
  }
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: ControlHttpErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A running control API server. */
export class ControlHttpServer {
  /** The token every request must present as `Authorization: Bearer <token>`. */
  readonly token: string;
  readonly #tokenBytes: Buffer;
  private readonly methods: ReadonlySet<string>;

  private constructor(
    private readonly server: Server,
    private readonly opts: ControlHttpOptions,
    token: string,
  ) {
    this.token = token;
    this.#tokenBytes = Buffer.from(token);
    this.methods = new Set(opts.methods);
  }

  /** What `util.inspect` shows: where it listens, never the token. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `ControlHttpServer { url: ${JSON.stringify(this.url)} }`;
  }

  /** Starts listening on 127.0.0.1. */
  static async listen(opts: ControlHttpOptions): Promise<ControlHttpServer> {
    const token = opts.token ?? randomBytes(32).toString("base64url");
    if (token.length < 16)
      throw new RangeError("the control token must have at least 16 characters");
    let self: ControlHttpServer | undefined;
    const server = createServer((req, res) => {
      void self?.handle(req, res);
    });
    self = new ControlHttpServer(server, opts, token);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    return self;
  }

  /** The bound port. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Base URL, e.g. `http://127.0.0.1:17071`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stops accepting and closes open connections. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private authorized(req: IncomingMessage): boolean {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "");
    if (m === null) return false;
    const given = Buffer.from(m[1] ?? "");
    return given.length === this.#tokenBytes.length && timingSafeEqual(given, this.#tokenBytes);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      // The token first: without it, nothing about the API is revealed.
      if (!this.authorized(req)) {
        res.setHeader("WWW-Authenticate", 'Bearer realm="libjuju-sim"');
        throw new HttpFailure(401, "unauthorized", "missing or wrong bearer token");
      }
      const url = new URL(req.url ?? "/", "http://control");
      const m = /^\/v1\/([A-Za-z][A-Za-z0-9]*)$/.exec(url.pathname);
      const name = m?.[1];
      if (name === undefined || !this.methods.has(name)) {
        throw new HttpFailure(404, "not found", `no control method at ${url.pathname}`);
      }
      if (req.method !== "POST") {
        res.setHeader("Allow", "POST");
        throw new HttpFailure(405, "method not allowed", `use POST for ${url.pathname}`);
      }
      const args = await this.readArgs(req);
      const fn = (this.opts.target as Record<string, unknown>)[name];
      if (typeof fn !== "function") {
        throw new HttpFailure(404, "not found", `no control method ${JSON.stringify(name)}`);
      }
      let result: unknown;
      try {
        result = await (fn as (...a: unknown[]) => unknown).apply(this.opts.target, args);
      } catch (e) {
        const code =
          typeof (e as { code?: unknown }).code === "string" ? (e as { code: string }).code : "";
        const message = e instanceof Error ? e.message : String(e);
        send(res, statusFor(code), { error: { code: code || "internal", message } });
        return;
      }
      send(res, 200, { result: result ?? null });
    } catch (e) {
      if (e instanceof HttpFailure) {
        send(res, e.status, { error: { code: e.code, message: e.message } });
      } else {
        send(res, 500, { error: { code: "internal", message: (e as Error).message } });
      }
    }
  }

  /** The JSON array of arguments in the body; an empty body is no arguments. */
  private async readArgs(req: IncomingMessage): Promise<unknown[]> {
    const limit = this.opts.maxBodyBytes ?? 256 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > limit) {
        throw new HttpFailure(413, "request too large", `the body exceeds ${limit} bytes`);
      }
      chunks.push(c);
    }
    const text = Buffer.concat(chunks).toString("utf8").trim();
    if (text === "") return [];
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      throw new HttpFailure(400, "bad request", `the body is not JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(body)) {
      throw new HttpFailure(
        400,
        "bad request",
        'the body must be a JSON array of the method\'s arguments, e.g. ["mysql/0", "install"]',
      );
    }
    return body;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
  });
  res.end(text);
}

/** The methods `libjuju sim --control-port` serves: the control API plus `snapshot` and `restore`. */
export function simulatorControlApi(sim: Simulator): { target: ControlTarget; methods: string[] } {
  const control = sim.control as unknown as Record<string, (...a: unknown[]) => unknown>;
  const target: Record<string, (...a: unknown[]) => unknown> = Object.create(null);
  for (const m of CONTROL_METHODS) target[m] = (...a) => control[m]?.apply(sim.control, a);
  target.snapshot = () => sim.snapshot();
  target.restore = (s) => sim.restore(s as SimulatorSnapshot);
  return { target, methods: [...CONTROL_METHODS, "snapshot", "restore"] };
}
