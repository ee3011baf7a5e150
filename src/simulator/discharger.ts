/**
 * A local identity provider for the simulator's macaroon auth: a plain-HTTP
 * server on loopback that discharges `is-authenticated-user` caveats the way
 * an httpbakery discharger (Candid) does (`POST /discharge` with
 * `id`/`id64`/`caveat64`, answers `{"Macaroon": …}` or a bakery error), so a
 * client's discharge path is exercised for real. Modes: discharge at once
 * as the configured user, ask for a browser-window interaction first
 * (`interaction required` with a visit URL and a wait-token URL), or refuse.
 * @module
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  addFirstParty,
  b64any,
  decodeCaveat,
  goTimeText,
  macToJson,
  type Nacl,
  newMac,
  STD_NAMESPACE,
} from "./macaroon.js";

/** How the discharger answers. */
export type DischargeMode = "auto" | "interactive" | "deny";

/** Options of `LocalDischarger.listen`. */
export interface LocalDischargerOptions {
  host?: string;
  port?: number;
  /** The user discharges declare (`declared username …`). Default `bob`. */
  user?: string;
  mode?: DischargeMode;
  now: () => Date;
}

const MAX_BODY = 64 * 1024;

/** The simulator's identity provider. */
export class LocalDischarger {
  // Private so that inspect and JSON never show the secret half.
  readonly #keys: { publicKey: Uint8Array; secretKey: Uint8Array };
  /** Discharge macaroons issued. */
  dischargeCount = 0;
  /** The user discharges declare. */
  user: string;
  /** How requests are answered (see {@link DischargeMode}). */
  mode: DischargeMode;
  readonly #nacl: Nacl;
  readonly #server: Server;
  readonly #now: () => Date;
  /** Interactions: id → visited?, waiting wait-token requests. */
  readonly #interactions = new Map<
    string,
    { visited: boolean; waiters: (() => void)[]; token: string }
  >();
  readonly #tokens = new Set<string>();

  private constructor(nacl: Nacl, server: Server, opts: LocalDischargerOptions) {
    this.#nacl = nacl;
    this.#server = server;
    this.#now = opts.now;
    this.#keys = nacl.box.keyPair();
    this.user = opts.user ?? "bob";
    this.mode = opts.mode ?? "auto";
  }

  /** @internal Starts the discharger on loopback. */
  static async listen(nacl: Nacl, opts: LocalDischargerOptions): Promise<LocalDischarger> {
    const server = createServer();
    const d = new LocalDischarger(nacl, server, opts);
    server.on("request", (req, res) => {
      d.#handle(req, res).catch((e: unknown) => {
        d.#error(res, 500, "internal error", (e as Error).message);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    return d;
  }

  /** The Curve25519 public key third-party caveats are encrypted for. */
  get publicKey(): Uint8Array {
    return this.#keys.publicKey;
  }

  /** What `util.inspect` shows: the location and mode, never the key. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `LocalDischarger { url: ${JSON.stringify(this.url)}, mode: ${JSON.stringify(this.mode)}, user: ${JSON.stringify(this.user)} }`;
  }

  /** The discharger's location (what third-party caveats name). */
  get url(): string {
    const a = this.#server.address() as AddressInfo;
    const host = a.family === "IPv6" ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  /**
   * Completes the pending browser login at `visitUrl`, as a user who logged
   * in there would (a GET of the URL does the same).
   */
  visit(visitUrl: string): boolean {
    const id = /\/login\/([0-9a-f]+)$/.exec(new URL(visitUrl).pathname)?.[1];
    const it = id === undefined ? undefined : this.#interactions.get(id);
    if (it === undefined) return false;
    it.visited = true;
    for (const w of it.waiters.splice(0)) w();
    return true;
  }

  /** Stops listening and ends pending waits. */
  async close(): Promise<void> {
    for (const it of this.#interactions.values()) for (const w of it.waiters.splice(0)) w();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #json(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent) return;
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  }

  #error(res: ServerResponse, status: number, code: string, message: string, info?: unknown): void {
    this.#json(res, status, { Code: code, Message: message, ...(info ? { Info: info } : {}) });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    if (req.method === "POST" && path === "/discharge") return this.#discharge(req, res);
    const login = /^\/login\/([0-9a-f]+)$/.exec(path);
    if (req.method === "GET" && login) {
      if (!this.visit(`${this.url}${path}`))
        return this.#error(res, 404, "not found", "no such login");
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("logged in; you can close this window\n");
      return;
    }
    const wait = /^\/wait-token\/([0-9a-f]+)$/.exec(path);
    if (req.method === "GET" && wait) {
      const it = this.#interactions.get(wait[1]!);
      if (it === undefined) return this.#error(res, 404, "not found", "no such login");
      if (!it.visited) await new Promise<void>((resolve) => it.waiters.push(resolve));
      if (!it.visited) return this.#error(res, 410, "gone", "discharger closed");
      this.#interactions.delete(wait[1]!);
      return this.#json(res, 200, { kind: "browser-window", token: it.token });
    }
    this.#error(res, 404, "not found", `${req.method} ${path} not found`);
  }

  async #discharge(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_BODY) return this.#error(res, 413, "bad request", "request too large");
      chunks.push(c as Buffer);
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
    const idText = form.get("id");
    const id = idText !== null ? Buffer.from(idText, "utf8") : b64any(form.get("id64") ?? "");
    if (!id || id.length === 0) return this.#error(res, 400, "bad request", "no caveat id found");
    const c64 = form.get("caveat64");
    const payload = c64 !== null ? b64any(c64) : id;
    if (!payload) return this.#error(res, 400, "bad request", "bad caveat64");
    const info = decodeCaveat(this.#nacl, payload, this.#keys);
    if (typeof info === "string") {
      return this.#error(res, 400, "bad request", `discharger cannot decode caveat id: ${info}`);
    }
    let condition = info.condition;
    const needed: string[] = [];
    const nd = /^need-declared (\S+) (.+)$/.exec(condition);
    if (nd) {
      needed.push(...nd[1]!.split(","));
      condition = nd[2]!;
    }
    if (condition !== "is-authenticated-user") {
      return this.#error(res, 400, "caveat not recognized", "caveat not recognized");
    }
    if (this.mode === "deny") {
      return this.#error(
        res,
        403,
        "permission denied",
        `third party refused discharge: user ${this.user} may not log in`,
      );
    }
    if (this.mode === "interactive") {
      const token = form.get("token");
      if (
        token === null ||
        !this.#tokens.delete(token) ||
        form.get("token-kind") !== "browser-window"
      ) {
        const n = randomBytes(8).toString("hex");
        this.#interactions.set(n, {
          visited: false,
          waiters: [],
          token: randomBytes(16).toString("hex"),
        });
        const t = this.#interactions.get(n)!;
        this.#tokens.add(t.token);
        const visit = `${this.url}/login/${n}`;
        const waitToken = `${this.url}/wait-token/${n}`;
        return this.#error(res, 401, "interaction required", "login required", {
          InteractionMethods: { "browser-window": { VisitURL: visit, WaitTokenURL: waitToken } },
          VisitURL: visit,
        });
      }
    }
    const m = newMac(info.rootKey, id, "");
    for (const name of needed) {
      addFirstParty(m, `declared ${name} ${name === "username" ? this.user : ""}`);
    }
    addFirstParty(m, `time-before ${goTimeText(new Date(this.#now().getTime() + 86_400_000))}`);
    this.dischargeCount++;
    // Bakery v3 wraps the macaroon; older versions send it bare (bakery.Macaroon.MarshalJSON).
    this.#json(res, 200, {
      Macaroon:
        info.version >= 3
          ? { m: macToJson(m), v: info.version, ns: info.namespace || STD_NAMESPACE }
          : macToJson(m),
    });
  }
}
