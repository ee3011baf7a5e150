import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployOld, type Frame, modelPath, RawClient } from "../../test/support/raw-client.js";
import { type CharmSpec, Simulator, StaticCharmSource, VirtualClock } from "./index.js";

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

/** The raw client, following the model's AllWatcher. */
class Wire extends RawClient {
  /** Latest state per (kind, id) from the AllWatcher. */
  readonly state = new Map<string, Frame>();

  private watcherId: string | undefined;

  /** Applies AllWatcher batches until `pred` holds for the watched state. */
  async until(pred: (w: Wire) => boolean, max = 200): Promise<Delta[]> {
    const fresh = this.watcherId === undefined;
    this.watcherId ??= (await this.ok("Client", 8, "WatchAll"))["watcher-id"] as string;
    const seen: Delta[] = [];
    for (let i = 0; i < max; i++) {
      if (!fresh && pred(this)) return seen;
      const r = await this.call("AllWatcher", 3, "Next", {}, this.watcherId);
      if (r.error !== undefined) throw new Error(String(r.error));
      for (const d of (r.response as { deltas: Delta[] }).deltas) {
        seen.push(d);
        const [kind, op, e] = d;
        const field =
          {
            relation: "key",
            annotation: "tag",
            charm: "charm-url",
            model: "model-uuid",
            machine: "id",
          }[kind] ?? "name";
        const id = String(e[field]);
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
}

const idle = (w: Wire, unit: string, workload = "active") => {
  const u = w.get("unit", unit);
  const a = u?.["agent-status"] as Frame | undefined;
  const s = u?.["workload-status"] as Frame | undefined;
  return a?.current === "idle" && s?.current === workload;
};

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
  const w = await Wire.open(sim, modelPath(sim, uuid));
  wires.push(w);
  return w;
}

async function freshModel(name: string): Promise<string> {
  const c = await RawClient.open(sim, "/api");
  const r = await c.call("ModelManager", 10, "CreateModel", { name, "owner-tag": "user-admin" });
  c.close();
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
    // Hook order is checked step by step on the virtual clock below; here the batches collapse.
    expect(deltas.some(([k, , e]) => k === "unit" && e.name === "mysql/0")).toBe(true);
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
    const missingErrors = ((missing.Results as Frame[])[0] as Frame).Errors as Frame[];
    expect(missingErrors[0]?.code).toBe("not found");
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
    expect(((bad as Frame).error as Frame).code).toBe("incompatible base");
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

describe("machines and placement", () => {
  it("adds machines and containers, places units synchronously and refuses unsafe destroys", async () => {
    const w = await wire(await freshModel("machines"));
    const uuid = w.ws.url.split("/")[4];
    const added = await w.ok("MachineManager", 10, "AddMachines", {
      params: [
        {
          jobs: ["JobHostUnits"],
          constraints: { mem: 4096, cores: 4 },
          base: { name: "ubuntu", channel: "22.04" },
        },
        { jobs: ["JobHostUnits"], "container-type": "lxd", "parent-id": "0", constraints: {} },
        {
          jobs: ["JobHostUnits"],
          "container-type": "lxd",
          constraints: {},
          base: { name: "ubuntu", channel: "22.04" },
        },
        {
          jobs: ["JobHostUnits"],
          constraints: {},
          placement: { scope: uuid, directive: "zone=az1" },
        },
        { jobs: ["JobHostUnits"], "container-type": "lxd", "parent-id": "9", constraints: {} },
      ],
    });
    expect(added.machines).toEqual([
      { machine: "0" },
      { machine: "0/lxd/0" },
      { machine: "1/lxd/0" },
      { machine: "2" },
      { machine: "", error: { message: "machine 9 not found", code: "not found" } },
    ]);
    await w.until(
      (x) => (x.get("machine", "2")?.["agent-status"] as Frame | undefined)?.current === "started",
    );
    expect(w.get("machine", "0")?.["hardware-characteristics"]).toMatchObject({
      mem: 4096,
      "cpu-cores": 4,
    });
    expect(w.get("machine", "2")?.["hardware-characteristics"]).toMatchObject({
      "availability-zone": "az1",
    });
    expect(w.get("machine", "0/lxd/0")).toMatchObject({
      "container-type": "lxd",
      base: "ubuntu@22.04",
    });

    await deployOld(w, "ubuntu", "ubuntu", 0);
    const none = await w.call("Application", 19, "AddUnits", {
      application: "ubuntu",
      "num-units": 0,
      placement: [],
    });
    expect(none.error).toBe("must add at least one unit");
    const units = await w.ok("Application", 19, "AddUnits", {
      application: "ubuntu",
      "num-units": 3,
      placement: [
        { scope: "#", directive: "0" },
        { scope: "lxd", directive: "0" },
      ],
    });
    expect(units).toEqual({ units: ["ubuntu/0", "ubuntu/1", "ubuntu/2"] });
    await w.until((x) => ["ubuntu/0", "ubuntu/1", "ubuntu/2"].every((u) => idle(x, u)));
    expect(w.get("unit", "ubuntu/0")?.["machine-id"]).toBe("0");
    expect(w.get("unit", "ubuntu/1")?.["machine-id"]).toBe("0/lxd/1");
    expect(w.get("unit", "ubuntu/2")?.["machine-id"]).toBe("3");

    const status = await w.ok("Client", 8, "FullStatus", { patterns: ["ubuntu/1"] });
    expect(Object.keys(status.machines as Frame)).toEqual(["0"]);
    const m0 = (status.machines as Record<string, Frame>)["0"] as Frame;
    expect(Object.keys(m0.containers as Frame)).toEqual(["0/lxd/1"]);
    expect(
      Object.keys(((status.applications as Record<string, Frame>).ubuntu as Frame).units as Frame),
    ).toEqual(["ubuntu/1"]);

    const refused = await w.ok("MachineManager", 10, "DestroyMachineWithParams", {
      "machine-tags": ["machine-3", "machine-1", "machine-42"],
    });
    expect(refused.results).toEqual([
      {
        error: {
          message: 'machine 3 has unit "ubuntu/2" assigned',
          code: "machine has assigned units",
        },
      },
      {
        error: {
          message: 'machine 1 is hosting containers "1/lxd/0"',
          code: "machine is hosting containers",
        },
      },
      { error: { message: "machine 42 not found", code: "not found" } },
    ]);
    const dry = await w.ok("MachineManager", 10, "DestroyMachineWithParams", {
      "machine-tags": ["machine-3"],
      force: true,
      "dry-run": true,
    });
    expect(dry.results).toEqual([
      { info: { "machine-id": "3", "destroyed-units": [{ tag: "unit-ubuntu-2" }] } },
    ]);
    expect(sim).toBeDefined();
    const forced = await w.ok("MachineManager", 10, "DestroyMachineWithParams", {
      "machine-tags": ["machine-3", "machine-2"],
      force: true,
    });
    expect(forced.results).toEqual([
      { info: { "machine-id": "3", "destroyed-units": [{ tag: "unit-ubuntu-2" }] } },
      { info: { "machine-id": "2" } },
    ]);
    const gone = await w.until(
      (x) => x.get("machine", "3") === undefined && x.get("unit", "ubuntu/2") === undefined,
    );
    expect(
      gone.some(([k, op, e]) => k === "unit" && op === "remove" && e.name === "ubuntu/2"),
    ).toBe(true);
    // Unit numbers are never reused.
    expect(
      (
        await w.ok("Application", 19, "AddUnits", {
          application: "ubuntu",
          "num-units": 1,
          placement: [],
        })
      ).units,
    ).toEqual(["ubuntu/3"]);
  });
});

describe("relations", () => {
  it("infers endpoints, reports ambiguity and duplicates, blocks until related, creates subordinates", async () => {
    const w = await wire(await freshModel("relations"));
    await deployOld(w, "mysql", "mysql", 1);
    await deployOld(w, "wordpress", "wordpress", 1);
    await deployOld(w, "ubuntu", "ubuntu", 0);
    await deployOld(w, "telegraf", "telegraf", 0);
    await w.until((x) => idle(x, "mysql/0") && idle(x, "wordpress/0", "blocked"));
    expect(((w.get("unit", "wordpress/0") as Frame)["workload-status"] as Frame).message).toBe(
      "Waiting for database",
    );

    const ambiguous = await w.call("Application", 19, "AddRelation", {
      endpoints: ["wordpress", "mysql"],
    });
    expect(ambiguous.error).toBe(
      'ambiguous relation: "wordpress mysql" could refer to "wordpress:db mysql:db"; "wordpress:readonly-db mysql:db"',
    );
    const none = await w.call("Application", 19, "AddRelation", { endpoints: ["ubuntu", "mysql"] });
    expect(none.error).toBe("no relations found");
    const unknown = await w.call("Application", 19, "AddRelation", {
      endpoints: ["nope", "mysql"],
    });
    expect(unknown.error).toBe('application "nope" not found');

    const rel = await w.ok("Application", 22, "AddRelation", {
      endpoints: ["wordpress:db", "mysql"],
    });
    expect(rel).toEqual({
      endpoints: {
        wordpress: {
          name: "db",
          role: "requirer",
          interface: "mysql",
          optional: false,
          limit: 1,
          scope: "global",
        },
        mysql: {
          name: "db",
          role: "provider",
          interface: "mysql",
          optional: false,
          limit: 0,
          scope: "global",
        },
      },
    });
    const dup = await w.call("Application", 22, "AddRelation", {
      endpoints: ["mysql:db", "wordpress:db"],
    });
    expect(dup.error).toBe(
      'cannot add relation "wordpress:db mysql:db": relation wordpress:db mysql:db already exists',
    );
    expect(dup["error-code"]).toBe("already exists");
    await w.until(
      (x) =>
        idle(x, "wordpress/0", "active") &&
        x.get("relation", "wordpress:db mysql:db") !== undefined,
    );
    expect(w.get("relation", "wordpress:db mysql:db")).toMatchObject({
      id: 0,
      endpoints: [{ "application-name": "wordpress" }, { "application-name": "mysql" }],
    });

    // A subordinate gets one unit per principal unit once related.
    await w.ok("Application", 19, "AddRelation", { endpoints: ["telegraf", "mysql"] });
    await w.until((x) => idle(x, "telegraf/0"));
    expect(w.get("unit", "telegraf/0")).toMatchObject({
      principal: "mysql/0",
      subordinate: true,
      "machine-id": "0",
    });
    const status = await w.ok("Client", 8, "FullStatus", { patterns: [] });
    const apps = status.applications as Record<string, Frame>;
    expect(apps.telegraf).toMatchObject({
      "subordinate-to": ["mysql"],
      units: null,
      relations: { "juju-info": ["mysql"] },
    });
    expect(apps.mysql?.relations).toEqual({ db: ["wordpress"], "juju-info": ["telegraf"] });
    const mysql0 = ((apps.mysql as Frame).units as Record<string, Frame>)["mysql/0"] as Frame;
    expect(Object.keys(mysql0.subordinates as Frame)).toEqual(["telegraf/0"]);
    expect((status.relations as Frame[]).map((r) => [r.id, r.key, r.scope])).toEqual([
      [0, "wordpress:db mysql:db", "global"],
      [1, "telegraf:juju-info mysql:juju-info", "container"],
    ]);

    // Removing the relation: the workload blocks again; relation ids are not reused.
    await w.ok("Application", 19, "DestroyRelation", { endpoints: ["wordpress", "mysql:db"] });
    await w.until(
      (x) =>
        x.get("relation", "wordpress:db mysql:db") === undefined &&
        idle(x, "wordpress/0", "blocked"),
    );
    await w.ok("Application", 19, "AddRelation", {
      endpoints: ["wordpress:readonly-db", "mysql:db"],
    });
    await w.until((x) => x.get("relation", "wordpress:readonly-db mysql:db") !== undefined);
    expect(w.get("relation", "wordpress:readonly-db mysql:db")?.id).toBe(2);
  });
});

describe("config, constraints, annotations and destruction", () => {
  it("validates config against the charm, reports sources, and tears an application down", async () => {
    const w = await wire(await freshModel("config"));
    await deployOld(w, "mysql", "mysql", 1, { "config-yaml": "mysql:\n  flavour: percona\n" });
    const bad = await w.ok("Application", 19, "SetConfigs", {
      Args: [
        {
          application: "mysql",
          config: { "max-connections": "lots" },
          "config-yaml": "",
          generation: "",
        },
        { application: "mysql", config: { nope: "1" }, "config-yaml": "", generation: "" },
        {
          application: "mysql",
          config: { "max-connections": "250", debug: "true" },
          "config-yaml": "",
          generation: "",
        },
      ],
    });
    expect(bad.results).toEqual([
      // APIBase.setConfig: errors.Annotate(err, "parsing settings for application").
      {
        error: {
          message:
            'parsing settings for application: option "max-connections" expected int, got "lots"',
          code: "",
        },
      },
      { error: { message: 'parsing settings for application: unknown option "nope"', code: "" } },
      {},
    ]);
    const got = await w.ok("Application", 19, "Get", { application: "mysql", branch: "" });
    expect(got.config).toMatchObject({
      "max-connections": { source: "user", value: 250, default: 100, type: "int" },
      flavour: { source: "user", value: "percona", default: "mysql" },
      debug: { source: "user", value: true },
    });
    expect(got).toMatchObject({
      charm: "mysql",
      channel: "stable",
      base: { name: "ubuntu", channel: "22.04/stable" },
    });
    await w.ok("Application", 19, "UnsetApplicationsConfig", {
      Args: [{ application: "mysql", branch: "", options: ["max-connections", "debug"] }],
    });
    const cc = await w.ok("Application", 22, "CharmConfig", {
      args: [
        { application: "mysql", branch: "" },
        { application: "x", branch: "" },
      ],
    });
    expect((cc.Results as Frame[])[0]?.config).toMatchObject({
      "max-connections": { source: "default", value: 100 },
      debug: { source: "unset" },
    });
    expect((cc.Results as Frame[])[1]).toEqual({
      config: null,
      error: { message: 'application "x" not found', code: "not found" },
    });

    await w.ok("Application", 19, "SetConstraints", {
      application: "mysql",
      constraints: { mem: 2048 },
    });
    const cons = await w.ok("Application", 19, "GetConstraints", {
      entities: [{ tag: "application-mysql" }],
    });
    expect(cons.results).toEqual([{ constraints: { mem: 2048 } }]);
    await w.ok("ModelConfig", 3, "SetModelConstraints", {
      application: "",
      constraints: { cores: 2 },
    });
    expect(await w.ok("ModelConfig", 3, "GetModelConstraints")).toEqual({
      constraints: { cores: 2 },
    });
    const scale = await w.call("Application", 19, "ScaleApplications", { applications: [] });
    expect(scale.error).toBe("scaling applications on a non-container model not supported");

    await w.ok("Application", 19, "Expose", { application: "mysql" });
    const infos = await w.ok("Application", 19, "ApplicationsInfo", {
      entities: [{ tag: "application-mysql" }],
    });
    expect((infos.results as Frame[])[0]?.result).toMatchObject({
      tag: "application-mysql",
      exposed: true,
      principal: true,
      "exposed-endpoints": { "": { "expose-to-cidrs": ["0.0.0.0/0", "::/0"] } },
    });
    expect(await w.ok("Application", 19, "Leader", { tag: "application-mysql" })).toEqual({
      result: "mysql/0",
    });

    await w.ok("Annotations", 2, "Set", {
      annotations: [{ entity: "application-mysql", annotations: { owner: "dba" } }],
    });
    const ann = await w.ok("Annotations", 2, "Get", {
      entities: [{ tag: "application-mysql" }, { tag: "application-nope" }],
    });
    expect(ann.results).toEqual([
      { entity: "application-mysql", annotations: { owner: "dba" } },
      {
        entity: "application-nope",
        annotations: null,
        error: { error: { message: 'application "nope" not found', code: "not found" } },
      },
    ]);
    await w.until(
      (x) => x.get("annotation", "application-mysql") !== undefined && idle(x, "mysql/0"),
    );

    const destroyed = await w.ok("Application", 19, "DestroyApplication", {
      applications: [
        { "application-tag": "application-mysql", force: false },
        { "application-tag": "application-x", force: false },
      ],
    });
    expect(destroyed.results).toEqual([
      { info: { "destroyed-units": [{ tag: "unit-mysql-0" }] } },
      { error: { message: 'application "x" not found', code: "not found" } },
    ]);
    const seen = await w.until((x) => x.get("application", "mysql") === undefined);
    const unitLife = seen
      .filter(([k, , e]) => k === "unit" && e.name === "mysql/0")
      .map(([, op, e]) => `${op}:${e.life}`);
    expect(unitLife).toContain("change:dying");
    expect(unitLife.at(-1)).toBe("remove:dead");
    const status = await w.ok("Client", 8, "FullStatus", { patterns: [] });
    expect(status.applications).toEqual({});
    // The machine stays, as in Juju.
    expect(Object.keys(status.machines as Frame)).toEqual(["0"]);
  });
});

describe("virtual clock", () => {
  it("places Deploy's units asynchronously and moves only when time advances", async () => {
    const clock = new VirtualClock();
    const s = await Simulator.start({
      timing: "realistic",
      seed: 3,
      clock,
      charms: new StaticCharmSource(CHARMS),
    });
    try {
      const w = await Wire.open(s);
      await w.until(() => true);
      await deployOld(w, "ubuntu", "ubuntu", 1);
      await w.until((x) => x.get("unit", "ubuntu/0") !== undefined);
      expect(w.get("unit", "ubuntu/0")).toMatchObject({
        "machine-id": "",
        "agent-status": { current: "allocating" },
        "workload-status": { current: "waiting", message: "waiting for machine" },
      });
      await clock.advance(1000);
      await w.until((x) => x.get("machine", "0") !== undefined);
      expect(w.get("machine", "0")?.["agent-status"]).toMatchObject({ current: "pending" });
      // Step through time and watch the unit go through its hooks in the uniter's order.
      const agent: string[] = [];
      const workload: string[] = [];
      for (let t = 0; t < 60_000 && agent.at(-1) !== "idle:"; t += 250) {
        await clock.advance(250);
        const st = await w.ok("Client", 8, "FullStatus", { patterns: [] });
        const unit = (
          ((st.applications as Record<string, Frame>).ubuntu as Frame).units as Record<
            string,
            Frame
          >
        )["ubuntu/0"];
        const a = unit?.["agent-status"] as Frame;
        const wl = unit?.["workload-status"] as Frame;
        const as = `${a.status}:${a.info}`;
        const ws = `${wl.status}:${wl.info}`;
        if (agent.at(-1) !== as) agent.push(as);
        if (workload.at(-1) !== ws) workload.push(ws);
      }
      expect(agent).toEqual([
        "allocating:",
        "executing:running install hook",
        "executing:running leader-elected hook",
        "executing:running config-changed hook",
        "executing:running start hook",
        "idle:",
      ]);
      expect(workload).toEqual([
        "waiting:waiting for machine",
        "waiting:agent initialising",
        "maintenance:installing charm software",
        "active:",
      ]);
      await w.until((x) => idle(x, "ubuntu/0"));
      const status = await w.ok("Client", 8, "FullStatus", { patterns: [] });
      const u = (
        ((status.applications as Record<string, Frame>).ubuntu as Frame).units as Record<
          string,
          Frame
        >
      )["ubuntu/0"];
      expect(u?.["agent-status"]).toMatchObject({ status: "idle" });
      expect(w.violations).toEqual([]);
      w.close();
    } finally {
      await s.stop();
    }
  });
});

describe("default catalog", () => {
  it("deploys real catalog charms: resolves mysql and relates wordpress-style endpoints", async () => {
    await using s = await Simulator.start({ timing: "instant" });
    const w = await Wire.open(s);
    const { resolved } = await deployOld(w, "ubuntu", "ubuntu", 1);
    expect(resolved.url).toMatch(/^ch:amd64\/\w+\/ubuntu-\d+$/);
    await w.until(
      (x) => (x.get("unit", "ubuntu/0")?.["agent-status"] as Frame | undefined)?.current === "idle",
    );
    const missing = await w.ok("Charms", 7, "ResolveCharms", {
      resolve: [
        { reference: "ch:no-such-charm", "charm-origin": { source: "charm-hub", type: "charm" } },
      ],
    });
    expect(((missing.Results as Frame[])[0] as Frame).error).toBeDefined();
    expect(w.violations).toEqual([]);
    w.close();
  });
});
