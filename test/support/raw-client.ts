/**
 * A raw Juju JSON-RPC client over the simulator's TLS websockets, for the
 * simulator's own tests. It deliberately does not use the library's client
 * (`src/rpc/`): it writes frames itself, so the simulator is tested against
 * the protocol rather than against our reading of it.
 *
 * Every request made with `call` and every reply to one is checked against
 * the schema of its facade version; the findings collect in `violations`, for
 * tests that assert on them.
 */
import WebSocket from "ws";
import type { RequestFrame, ResponseFrame } from "../../src/protocol/frames.js";
import type { Simulator } from "../../src/simulator/index.js";
import { majorOfServerVersion, SchemaConformance } from "./schema-conformance.js";

export type Frame = Record<string, unknown>;

/** What the client needs of a simulator. */
export type SimulatorEndpoint = Pick<
  Simulator,
  "port" | "caCert" | "password" | "defaultModelUuid"
>;

/** The API path of a model (the simulator's default model unless `uuid` is given). */
export const modelPath = (sim: SimulatorEndpoint, uuid = sim.defaultModelUuid): string =>
  `/model/${uuid}/api`;

/** Opens a TLS websocket to `path`, trusting the simulator's CA, as a Juju client does. */
function openSocket(sim: SimulatorEndpoint, path: string): Promise<WebSocket> {
  // ws hands TLS options through to tls.connect; its types omit `servername`.
  const tls: WebSocket.ClientOptions & { servername: string } = {
    ca: sim.caCert,
    servername: "juju-apiserver",
  };
  const ws = new WebSocket(`wss://127.0.0.1:${sim.port}${path}`, tls);
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

/** RawClient or a subclass of it. */
type RawClientClass<T extends RawClient> = new (ws: WebSocket) => T;

export class RawClient {
  /** Schema violations of the requests sent with `call` and of their replies. */
  readonly violations: string[] = [];
  /** Settles when the connection closes. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** 3.x until a Login reply says the server is Juju 4. */
  private schema = SchemaConformance.load();
  private readonly queue: Frame[] = [];
  private readonly waiters: Array<(f: Frame) => void> = [];
  private readonly pending = new Map<number, { req: Frame; resolve: (f: Frame) => void }>();
  private nextId = 1;

  constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const f = JSON.parse(String(data)) as Frame;
      const id = (f["request-id"] ?? f.RequestId) as number;
      const p = this.pending.get(id);
      if (p !== undefined) {
        this.pending.delete(id);
        const response = f.response as { "server-version"?: unknown } | undefined;
        if (p.req.type === "Admin" && p.req.request === "Login" && response !== undefined) {
          this.schema = SchemaConformance.forMajor(
            majorOfServerVersion(response["server-version"]),
          );
        }
        this.violations.push(
          ...this.schema.checkResponse(
            p.req as unknown as RequestFrame,
            f as unknown as ResponseFrame,
          ),
        );
        p.resolve(f);
        return;
      }
      const w = this.waiters.shift();
      if (w) w(f);
      else this.queue.push(f);
    });
    this.closed = new Promise((resolve) =>
      ws.on("close", (code, reason) => {
        // Calls the server never answered see the close as their reply.
        for (const p of this.pending.values()) p.resolve({ closed: code });
        this.pending.clear();
        resolve({ code, reason: String(reason) });
      }),
    );
  }

  /** Connects to `path` (the default model's API unless given) without logging in. */
  static async connect<T extends RawClient>(
    this: RawClientClass<T>,
    sim: SimulatorEndpoint,
    path = modelPath(sim),
  ): Promise<T> {
    return new this(await openSocket(sim, path));
  }

  /** Connects to `path` (the default model's API unless given) and logs in as admin. */
  static async open<T extends RawClient>(
    this: RawClientClass<T>,
    sim: SimulatorEndpoint,
    path = modelPath(sim),
  ): Promise<T> {
    const w = new this(await openSocket(sim, path));
    const r = await w.login(sim.password);
    if (r.error !== undefined) throw new Error(String(r.error));
    return w;
  }

  /** Sends a frame as it is (a string as it is, anything else as JSON), outside `call`'s bookkeeping. */
  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The next frame that no `call` is waiting for. */
  next(): Promise<Frame> {
    const f = this.queue.shift();
    if (f) return Promise.resolve(f);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Sends a request (with `params` only when given, `id` for watchers) and waits for its reply. */
  call(
    type: string,
    version: number,
    request: string,
    params?: unknown,
    id?: string,
  ): Promise<Frame> {
    const rid = this.nextId++;
    const frame: Frame = { "request-id": rid, type, version, request };
    if (id !== undefined) frame.id = id;
    if (params !== undefined) frame.params = params;
    this.violations.push(...this.schema.checkRequest(frame as unknown as RequestFrame));
    const reply = new Promise<Frame>((resolve) => this.pending.set(rid, { req: frame, resolve }));
    this.send(frame);
    return reply;
  }

  /** Calls and returns `response`, failing on an error reply. */
  async ok(type: string, version: number, request: string, params?: unknown): Promise<Frame> {
    const r = await this.call(type, version, request, params);
    if (r.error !== undefined) throw new Error(`${type}.${request}: ${String(r.error)}`);
    return r.response as Frame;
  }

  /** Admin(3).Login as user-admin, as a 3.6.28 client; the reply as it comes. */
  login(password: string): Promise<Frame> {
    return this.call("Admin", 3, "Login", {
      "auth-tag": "user-admin",
      credentials: password,
      "client-version": "3.6.28",
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** Resolve, add and deploy like python-libjuju on Charms 6 / Application 19. */
export async function deployOld(
  w: RawClient,
  charm: string,
  app: string,
  numUnits: number,
  extra: Frame = {},
) {
  const res = await w.ok("Charms", 6, "ResolveCharms", {
    resolve: [
      {
        reference: `ch:${charm}`,
        "charm-origin": {
          source: "charm-hub",
          type: "charm",
          risk: "stable",
          architecture: "amd64",
        },
      },
    ],
  });
  const r = (res.Results as Frame[])[0] as Frame;
  const origin = r["charm-origin"] as Frame;
  const added = await w.ok("Charms", 6, "AddCharm", {
    url: r.url,
    "charm-origin": origin,
    force: false,
  });
  const dep = await w.ok("Application", 19, "Deploy", {
    applications: [
      {
        application: app,
        "charm-url": r.url,
        "charm-origin": added["charm-origin"],
        channel: "stable",
        "num-units": numUnits,
        "config-yaml": "",
        constraints: {},
        Force: false,
        ...extra,
      },
    ],
  });
  return { resolved: r, deploy: dep };
}
