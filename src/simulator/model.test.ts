import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SchemaConformance } from "../../test/support/schema-conformance.js";
import type { RequestFrame, ResponseFrame } from "../protocol/frames.js";
import { type CharmSpec, Simulator, StaticCharmSource, VirtualClock } from "./index.js";

type Frame = Record<string, unknown>;
type Delta = [string, string, Frame];

const CHARMS: CharmSpec[] = [
  {
    name: "mysql",
    revision: 58,
    channels: ["latest/stable", "8.0/stable"],
    bases: [
      { name: "ubuntu", channel: "20.04" },
      { name: "ubuntu", channel: "22.04" },
    ],
    provides: { db: { interface: "mysql" } },
    peers: { cluster: { interface: "mysql-ha" } },
    config: {
      "max-connections": { type: "int", default: 100, description: "Max connections" },
      flavour: { type: "string", default: "mysql" },
      debug: { type: "boolean" },
    },
    workload: { message: "Primary", version: "8.0.36", ports: ["3306/tcp"] },
  },
  {
    name: "mysql",
    revision: 60,
    channels: ["latest/edge"],
    bases: [{ name: "ubuntu", channel: "22.04" }],
    provides: { db: { interface: "mysql" } },
  },
  {
    name: "wordpress",
    revision: 12,
    channels: ["latest/stable"],
    bases: [{ name: "ubuntu", channel: "22.04" }],
    requires: { db: { interface: "mysql" }, "readonly-db": { interface: "mysql" } },
    provides: { website: { interface: "http" } },
    workload: { blockedUntil: { endpoints: ["db"], message: "Waiting for database" } },
  },
  {
    name: "ubuntu",
    revision: 24,
    channels: ["latest/stable"],
    bases: [{ name: "ubuntu", channel: "22.04" }],
    workload: { status: "active" },
  },
  {
    name: "telegraf",
    revision: 75,
    channels: ["latest/stable"],
    bases: [{ name: "ubuntu", channel: "22.04" }],
    subordinate: true,
    requires: { "juju-info": { interface: "juju-info", scope: "container" } },
  },
];

/** A raw Juju JSON-RPC client over TLS websockets that checks every reply against the schema. */
class Wire {
  private readonly pending = new Map<number, { req: Frame; resolve: (f: Frame) => void }>();
  private nextId = 1;
  readonly violations: string[] = [];
  /** Latest state per (kind, id) from the AllWatcher. */
  readonly state = new Map<string, Frame>();

  private constructor(
    readonly ws: WebSocket,
    private readonly schema: SchemaConformance,
  ) {
    ws.on("message", (data) => {
      const f = JSON.parse(String(data)) as Frame;
      const p = this.pending.get(f["request-id"] as number);
      if (p === undefined) return;
      this.pending.delete(f["request-id"] as number);
      this.violations.push(
        ...this.schema.checkResponse(
          p.req as unknown as RequestFrame,
          f as unknown as ResponseFrame,
        ),
      );
      p.resolve(f);
    });
  }

  static async open(sim: Simulator, uuid = sim.defaultModelUuid): Promise<Wire> {
    const tls: WebSocket.ClientOptions & { servername: string } = {
      ca: sim.caCert,
      servername: "juju-apiserver",
    };
    const ws = new WebSocket(`wss://127.0.0.1:${sim.port}/model/${uuid}/api`, tls);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const w = new Wire(ws, SchemaConformance.load());
    const r = await w.call("Admin", 3, "Login", {
      "auth-tag": "user-admin",
      credentials: sim.password,
      "client-version": "3.6.28",
    });
    if (r.error !== undefined) throw new Error(String(r.error));
    return w;
  }

  call(
    type: string,
    version: number,
    request: string,
    params?: unknown,
    id?: string,
  ): Promise<Frame> {
    const rid = this.nextId++;
    const frame: Frame = { "request-id": rid, type, version, request, params: params ?? {} };
    if (id !== undefined) frame.id = id;
    this.violations.push(...this.schema.checkRequest(frame as unknown as RequestFrame));
    return new Promise((resolve) => {
      this.pending.set(rid, { req: frame, resolve });
      this.ws.send(JSON.stringify(frame));
    });
  }

  /** Calls and returns `response`, failing on an error reply. */
  async ok(type: string, version: number, request: string, params?: unknown): Promise<Frame> {
    const r = await this.call(type, version, request, params);
    if (r.error !== undefined) throw new Error(`${type}.${request}: ${String(r.error)}`);
    return r.response as Frame;
  }

  private watcherId: string | undefined;

  /** Applies AllWatcher batches until `pred` holds for the watched state. */
  async until(pred: (w: Wire) => boolean, max = 200): Promise<Delta[]> {
    this.watcherId ??= (await this.ok("Client", 8, "WatchAll"))["watcher-id"] as string;
    const seen: Delta[] = [];
    for (let i = 0; i < max; i++) {
      if (seen.length > 0 && pred(this)) return seen;
      const r = await this.call("AllWatcher", 3, "Next", {}, this.watcherId);
      for (const d of (r.response as { deltas: Delta[] }).deltas) {
        seen.push(d);
        const [kind, op, e] = d;
        const id = String(e.id ?? e.name ?? e.key ?? e.tag ?? e["charm-url"] ?? e["model-uuid"]);
        if (op === "remove") this.state.delete(`${kind}:${id}`);
        else this.state.set(`${kind}:${id}`, e);
      }
      if (pred(this)) return seen;
    }
    throw new Error("condition not reached");
  }

  get(kind: string, id: string): Frame | undefined {
    return this.state.get(`${kind}:${id}`);
  }

  close(): void {
    this.ws.close();
  }
}

const idle = (w: Wire, unit: string, workload = "active") => {
  const u = w.get("unit", unit);
  const a = u?.["agent-status"] as Frame | undefined;
  const s = u?.["workload-status"] as Frame | undefined;
  return a?.current === "idle" && s?.current === workload;
};

/** Resolve, add and deploy like python-libjuju on Charms 6 / Application 19. */
async function deployOld(w: Wire, charm: string, app: string, numUnits: number, extra: Frame = {}) {
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

const wires: Wire[] = [];
let sim: Simulator;

beforeAll(async () => {
  sim = await Simulator.start({
    timing: "instant",
    seed: 7,
    charms: new StaticCharmSource(CHARMS),
  });
});
afterAll(async () => {
  for (const w of wires) expect(w.violations).toEqual([]);
  await sim.stop();
});

async function wire(uuid?: string): Promise<Wire> {
  const w = await Wire.open(sim, uuid);
  wires.push(w);
  return w;
}

async function freshModel(name: string): Promise<string> {
  const ws = new WebSocket(`wss://127.0.0.1:${sim.port}/api`, {
    ca: sim.caCert,
    servername: "juju-apiserver",
  } as WebSocket.ClientOptions);
  await new Promise((resolve) => ws.once("open", resolve));
  const send = (frame: Frame) =>
    new Promise<Frame>((resolve) => {
      ws.once("message", (d) => resolve(JSON.parse(String(d)) as Frame));
      ws.send(JSON.stringify(frame));
    });
  await send({
    "request-id": 1,
    type: "Admin",
    version: 3,
    request: "Login",
    params: { "auth-tag": "user-admin", credentials: sim.password },
  });
  const r = await send({
    "request-id": 2,
    type: "ModelManager",
    version: 10,
    request: "CreateModel",
    params: { name, "owner-tag": "user-admin" },
  });
  ws.close();
  return (r.response as Frame).uuid as string;
}

describe("deploy", () => {
  it("resolves, adds and deploys on Charms 6 / Application 19; units settle and status agrees", async () => {
    const w = await wire(await freshModel("deploy-old"));
    const { resolved } = await deployOld(w, "mysql", "mysql", 1);
    expect(resolved.url).toBe("ch:amd64/jammy/mysql-58");
    expect(resolved["supported-series"]).toEqual(["focal", "jammy"]);
    expect(resolved["charm-origin"]).toMatchObject({
      source: "charm-hub",
      type: "charm",
      risk: "stable",
      revision: 58,
      base: { name: "ubuntu", channel: "22.04" },
    });
    const deltas = await w.until((x) => idle(x, "mysql/0"));
    const messages = deltas
      .filter(([k, , e]) => k === "unit" && e.name === "mysql/0")
      .map(([, , e]) => (e["agent-status"] as Frame).message);
    expect(messages).toContain("running install hook");
    expect(messages).toContain("running leader-elected hook");
    expect(messages).toContain("running start hook");
    expect(messages.indexOf("running install hook")).toBeLessThan(
      messages.indexOf("running start hook"),
    );
    expect(w.get("charm", "ch:amd64/jammy/mysql-58")).toMatchObject({
      life: "alive",
      profile: null,
      config: { "max-connections": 100, flavour: "mysql" },
    });

    const unit = w.get("unit", "mysql/0") as Frame;
    const machine = w.get("machine", "0") as Frame;
    expect(unit).toMatchObject({
      "machine-id": "0",
      base: "ubuntu@22.04",
      "charm-url": "ch:amd64/jammy/mysql-58",
      ports: [{ protocol: "tcp", number: 3306 }],
      "workload-status": { current: "active", message: "Primary" },
    });
    expect(machine).toMatchObject({
      "agent-status": { current: "started" },
      "instance-status": { current: "running", message: "Running" },
      "hardware-characteristics": { arch: "amd64", mem: 8192, "cpu-cores": 2 },
      jobs: ["JobHostUnits"],
    });
    const address = (machine.addresses as Frame[])[0]?.value as string;
    expect(address).toMatch(/^10\.\d+\.\d+\.\d+$/);
    expect(unit["public-address"]).toBe(address);

    const status = await w.ok("Client", 6, "FullStatus", { patterns: [] });
    const app = (status.applications as Record<string, Frame>).mysql as Frame;
    expect(app).toMatchObject({
      charm: "ch:amd64/jammy/mysql-58",
      "charm-channel": "stable",
      exposed: false,
    });
    expect(app["charm-rev"]).toBeUndefined();
    const su = (app.units as Record<string, Frame>)["mysql/0"] as Frame;
    expect(su).toMatchObject({
      machine: "0",
      leader: true,
      "opened-ports": ["3306/tcp"],
      "public-address": address,
      "workload-version": "8.0.36",
      "agent-status": { status: "idle" },
      "workload-status": { status: "active", info: "Primary" },
    });
    const sm = (status.machines as Record<string, Frame>)["0"] as Frame;
    expect(sm).toMatchObject({
      "instance-id": machine["instance-id"],
      "dns-name": address,
      base: { name: "ubuntu", channel: "22.04/stable" },
      hardware: "arch=amd64 cores=2 mem=8192M root-disk=16384M",
    });
    const v8 = await w.ok("Client", 8, "FullStatus", { patterns: [] });
    expect(((v8.applications as Record<string, Frame>).mysql as Frame)["charm-rev"]).toBe(58);
  });

  it("DeployFromRepository works from v19 and is under development on v18", async () => {
    const w = await wire(await freshModel("dfr"));
    const v18 = await w.call("Application", 18, "DeployFromRepository", { Args: [] });
    expect(v18.error).toBe("this facade method is under development");
    expect(v18["error-code"]).toBe("not implemented");
    const r = await w.ok("Application", 22, "DeployFromRepository", {
      Args: [
        {
          CharmName: "mysql",
          ApplicationName: "db",
          channel: "8.0/stable",
          "num-units": 2,
          ConfigYAML: "db:\n  max-connections: 50\n",
          Cons: {},
          DryRun: false,
          Placement: [],
          Storage: {},
          Trust: false,
          AttachStorage: [],
          Devices: {},
        },
      ],
    });
    expect((r.Results as Frame[])[0]).toEqual({
      Errors: null,
      Info: {
        name: "db",
        architecture: "amd64",
        base: { name: "ubuntu", channel: "22.04/stable" },
        channel: "8.0/stable",
        "effective-channel": "8.0/stable",
        revision: 58,
      },
      PendingResourceUploads: null,
    });
    await w.until((x) => idle(x, "db/0") && idle(x, "db/1"));
    expect(w.get("application", "db")?.config).toEqual({ "max-connections": 50 });
    const missing = await w.ok("Application", 22, "DeployFromRepository", {
      Args: [{ CharmName: "nope", ApplicationName: "", Cons: {}, DryRun: true }],
    });
    expect(((missing.Results as Frame[])[0]?.Errors as Frame[])[0]?.code).toBe("not found");
  });

  it("refuses a duplicate name, an unadded charm and Charmhub rules on AddCharm", async () => {
    const w = await wire(await freshModel("deploy-errors"));
    await deployOld(w, "ubuntu", "ubuntu", 0);
    const dup = await w.ok("Application", 22, "Deploy", {
      applications: [
        {
          application: "ubuntu",
          "charm-url": "ch:amd64/ubuntu-24",
          channel: "",
          "num-units": 0,
          "config-yaml": "",
          constraints: {},
          Force: false,
        },
        {
          application: "other",
          "charm-url": "ch:amd64/wordpress-12",
          channel: "",
          "num-units": 0,
          "config-yaml": "",
          constraints: {},
          Force: false,
        },
      ],
    });
    expect(dup.results).toEqual([
      {
        error: {
          message: 'cannot add application "ubuntu": application already exists',
          code: "already exists",
        },
      },
      { error: { message: 'charm "ch:amd64/wordpress-12" not found', code: "not found" } },
    ]);
    const local = await w.call("Charms", 7, "AddCharm", {
      url: "local:foo-1",
      "charm-origin": { source: "local", type: "charm", id: "" },
      force: false,
    });
    expect(local.error).toBe('unknown schema for charm URL "local:foo-1"');
    const noBase = await w.call("Charms", 7, "AddCharm", {
      url: "ch:amd64/mysql-58",
      "charm-origin": {
        source: "charm-hub",
        type: "charm",
        id: "",
        base: { name: "", channel: "" },
      },
      force: false,
    });
    expect(noBase.error).toBe("base required for Charmhub charms");
    expect(noBase["error-code"]).toBe("bad request");
    const v7 = await w.ok("Charms", 7, "ResolveCharms", {
      resolve: [
        {
          reference: "ch:mysql",
          "charm-origin": {
            source: "charm-hub",
            type: "charm",
            risk: "edge",
            architecture: "amd64",
          },
        },
        {
          reference: "ch:mysql",
          "charm-origin": {
            source: "charm-hub",
            type: "charm",
            risk: "stable",
            base: { name: "ubuntu", channel: "18.04" },
          },
        },
      ],
    });
    const [edge, bad] = v7.Results as Frame[];
    expect(edge).toMatchObject({
      url: "ch:amd64/mysql-60",
      "supported-bases": [{ name: "ubuntu", channel: "22.04" }],
      "charm-origin": { revision: 60, risk: "edge" },
    });
    expect((bad?.error as Frame).code).toBe("incompatible base");
    const info = await w.ok("Charms", 7, "CharmInfo", { url: "ch:amd64/ubuntu-24" });
    expect(info).toMatchObject({
      revision: 24,
      url: "ch:amd64/jammy/ubuntu-24",
      meta: { name: "ubuntu", subordinate: false },
    });
    expect((await w.ok("Charms", 6, "List", { names: [] }))["charm-urls"]).toEqual([
      "ch:amd64/jammy/ubuntu-24",
    ]);
  });
});
