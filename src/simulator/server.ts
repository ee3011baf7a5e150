/**
 * The HTTPS server of the simulated controller and its websocket routes
 * (`apiserver/apiserver.go` endpoints): `/api` and `/` for controller
 * logins, `/model/<uuid>/api` for model logins, `/log` and
 * `/model/<uuid>/log` for debug-log (`debuglog-http.ts`); plain HTTPS
 * for resources (`resources-http.ts`) and charms (`charms-http.ts`).
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { handleBackupsRequest } from "./backups-http.js";
import { httpMayChangeState } from "./changes.js";
import { handleCharmsRequest } from "./charms-http.js";
import { handleDebugLogUpgrade } from "./debuglog-http.js";
import type { FaultInjector } from "./faults.js";
import { handleResourcesRequest } from "./resources-http.js";
import { RpcSession, type SessionEnv, type SessionRoute } from "./rpc-session.js";
import { isValidUuid } from "./tags.js";

/** Options of {@link ApiServer.listen}. */
export interface ApiServerOptions {
  host: string;
  port: number;
  cert: string;
  key: string;
  maxFrameSize: number;
  env: SessionEnv;
}

type Route = SessionRoute | { error: number; message: string };

/** Maps a request path to a websocket route or an HTTP error, as the Juju API server does. */
export function routeFor(rawUrl: string | undefined): Route {
  const path = new URL(rawUrl ?? "/", "https://localhost").pathname;
  if (path === "/api" || path === "/") return { kind: "controller" };
  const m = /^\/model\/([^/]*)\/api$/.exec(path);
  if (m !== null) {
    const uuid = decodeURIComponent(m[1] ?? "");
    if (!isValidUuid(uuid))
      return { error: 400, message: `invalid model UUID ${JSON.stringify(uuid)}` };
    return { kind: "model", modelUuid: uuid };
  }
  const other = /^\/model\/([^/]*)\//.exec(path);
  if (other !== null && !isValidUuid(decodeURIComponent(other[1] ?? ""))) {
    return { error: 400, message: `invalid model UUID ${JSON.stringify(other[1])}` };
  }
  return { error: 404, message: "404 page not found" };
}

/** Go's `http.Error`: text/plain with a trailing newline. */
function httpError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "X-Content-Type-Options": "nosniff",
  });
  res.end(`${message}\n`);
}

/** The TLS listener, its websocket upgrades and the live sessions. */
export class ApiServer {
  private readonly sessions = new Set<RpcSession>();
  private readonly sockets = new Set<Socket>();
  private nextSessionId = 1;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    private readonly env: SessionEnv,
  ) {}

  /** Starts listening; resolves once the port is bound. */
  static async listen(opts: ApiServerOptions): Promise<ApiServer> {
    const server = createServer({ cert: opts.cert, key: opts.key, minVersion: "TLSv1.2" });
    const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxFrameSize });
    const api = new ApiServer(server, wss, opts.env);
    api.opts = opts;
    server.on("request", (req, res) => api.onRequest(req, res));
    server.on("upgrade", (req, socket, head) => api.onUpgrade(req, socket, head));
    server.on("secureConnection", (s: Socket) => {
      api.sockets.add(s);
      s.on("close", () => api.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port, opts.host, () => {
        server.off("error", reject);
        api.boundPort = (server.address() as AddressInfo).port;
        resolve();
      });
    });
    return api;
  }

  /** The bound port (still known after close). */
  get port(): number {
    return this.boundPort;
  }
  private boundPort = 0;

  /** Number of open API connections. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** The fault injector in the sessions' environment. */
  get faultInjector(): FaultInjector {
    if (this.env.faults === undefined) throw new Error("no fault injector configured");
    return this.env.faults;
  }

  /** The open API connections (fault injection drives them). */
  connections(): RpcSession[] {
    return [...this.sessions];
  }

  /** A new server with the same options and state, listening on this one's port (fault injection: restart). */
  reopen(): Promise<ApiServer> {
    if (this.opts === undefined) throw new Error("server options unknown");
    return ApiServer.listen({ ...this.opts, port: this.boundPort });
  }
  private opts: ApiServerOptions | undefined;

  /** Closes every API connection (as the controller would on shutdown) without stopping the listener. */
  async closeSessions(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => s.shutdown()));
  }

  /** Closes all connections and the listener. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const listening = new Promise<void>((resolve) => this.server.close(() => resolve()));
      await this.closeSessions();
      this.wss.close();
      for (const s of this.sockets) s.destroy();
      await listening;
    })();
    return this.closing;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    // Uploads change the state once they are done (changes.ts).
    if (httpMayChangeState(req.method)) res.once("close", () => this.env.store.changes.bump());
    if (handleResourcesRequest(this.env.store, req, res)) return;
    if (handleCharmsRequest(this.env.store, req, res)) return;
    if (handleBackupsRequest(this.env.store, req, res)) return;
    const route = routeFor(req.url);
    if ("error" in route) {
      httpError(res, route.error, route.message);
      return;
    }
    // A websocket endpoint reached with plain HTTP (gorilla's upgrader answer).
    httpError(
      res,
      400,
      "Bad Request\nwebsocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header",
    );
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (
      this.closing === undefined &&
      handleDebugLogUpgrade(this.wss, this.env.store, req, socket, head)
    )
      return;
    const route = routeFor(req.url);
    if ("error" in route || this.closing !== undefined) {
      const status = "error" in route ? route.error : 503;
      const body = `${"error" in route ? route.message : "server is shutting down"}\n`;
      const reason =
        status === 400 ? "Bad Request" : status === 404 ? "Not Found" : "Service Unavailable";
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const source = req.socket.remoteAddress ?? "";
      const session = new RpcSession(
        ws,
        this.nextSessionId++,
        { ...route, source },
        this.env,
        socket,
      );
      this.sessions.add(session);
      void session.done.then(() => this.sessions.delete(session));
    });
  }
}
