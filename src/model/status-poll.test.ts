import { afterEach, describe, expect, it, vi } from "vitest";
import type { RpcRequest } from "../rpc/connection.js";
import { JujuError } from "../rpc/errors.js";
import type { LoginInfo } from "../rpc/login.js";
import { type EntityContext, ModelEntity } from "./entity.js";
import { type ModelEvent, ObserverRegistry } from "./observers.js";
import { ModelState } from "./state.js";
import {
  autoStateSource,
  nextInterval,
  pollDelay,
  type StatusPollConnection,
  StatusPoller,
  StatusPollOptionError,
  statusPollPolicy,
} from "./status-poll.js";
import {
  charmEntity,
  diffSnapshots,
  parseHardware,
  parsePortRange,
  SnapshotCache,
  snapshotFromStatus,
  statusCharmUrls,
  statusInfo,
} from "./status-poll-snapshot.js";

const UUID = "4e3c9f4a-0000-4000-8000-000000000001";
const SINCE = "2026-11-30T09:00:00Z";

const st = (status: string, info = "", extra: Record<string, unknown> = {}) => ({
  status,
  info,
  data: {},
  since: SINCE,
  kind: "",
  version: "",
  life: "",
  ...extra,
});

/** A FullStatus as Juju 3.6 / 4.0 sends it: a machine with a container, a principal with a subordinate. */
function fullStatus(over: { agent?: string; units?: number; withRouter?: boolean } = {}) {
  const units: Record<string, unknown> = {};
  for (let i = 0; i < (over.units ?? 1); i++) {
    units[`mysql/${i}`] = {
      "agent-status": st(over.agent ?? "idle", "", { version: "4.0.15" }),
      "workload-status": st("active", "ready"),
      "workload-version": "8.0",
      machine: i === 0 ? "0" : "0/lxd/0",
      "opened-ports": ["3306/tcp", "8000-8001/udp", "icmp"],
      "public-address": "10.0.0.2",
      address: "10.0.0.2",
      charm: "",
      leader: i === 0,
      subordinates:
        over.withRouter === false
          ? {}
          : {
              [`router/${i}`]: {
                "agent-status": st("idle"),
                "workload-status": st("active"),
                "workload-version": "",
                machine: "",
                "opened-ports": [],
                "public-address": "10.0.0.2",
                charm: "",
                subordinates: {},
              },
            },
    };
  }
  return {
    model: {
      name: "m",
      type: "iaas",
      "cloud-tag": "cloud-localhost",
      region: "localhost",
      version: "4.0.15",
      "available-version": "",
      "model-status": st("available"),
      "meter-status": { color: "", message: "" },
      sla: "unsupported",
    },
    machines: {
      "0": {
        "agent-status": st("started", "", { version: "4.0.15" }),
        "instance-status": st("running", "Running"),
        "modification-status": st("idle"),
        "dns-name": "10.0.0.2",
        "ip-addresses": ["10.0.0.2", "fd00::2"],
        "instance-id": "juju-0",
        "display-name": "",
        base: { name: "ubuntu", channel: "24.04/stable" },
        id: "0",
        containers: {
          "0/lxd/0": {
            "agent-status": st("pending", "", { since: null }),
            "instance-status": st("pending"),
            "modification-status": st("idle"),
            "dns-name": "",
            "instance-id": "pending",
            "display-name": "",
            base: { name: "ubuntu", channel: "24.04/candidate" },
            id: "0/lxd/0",
            containers: {},
            constraints: "",
            hardware: "",
            jobs: ["JobHostUnits"],
            "has-vote": false,
            "wants-vote": false,
          },
        },
        constraints: "",
        hardware: "arch=amd64 cores=2 mem=8192M root-disk=16384M tags=a,b availability-zone=z1",
        jobs: ["JobHostUnits"],
        "has-vote": false,
        "wants-vote": false,
        hostname: "juju-0",
      },
    },
    applications: {
      mysql: {
        charm: "ch:amd64/mysql-313",
        "charm-version": "",
        "charm-profile": "",
        base: { name: "ubuntu", channel: "24.04/stable" },
        exposed: true,
        life: "",
        relations: {},
        "can-upgrade-to": "",
        "subordinate-to": [],
        units,
        "meter-statuses": {},
        status: st("active", "ready"),
        "workload-version": "8.0",
        "endpoint-bindings": {},
        "public-address": "",
      },
      router: {
        charm: "ch:amd64/mysql-router-396",
        "charm-version": "",
        "charm-profile": "",
        base: { name: "ubuntu", channel: "24.04/stable" },
        exposed: false,
        life: "",
        relations: {},
        "can-upgrade-to": "",
        "subordinate-to": ["mysql"],
        units: null,
        "meter-statuses": {},
        status: st("active"),
        "workload-version": "",
        "endpoint-bindings": {},
        "public-address": "",
      },
    },
    "remote-applications": {
      pg: {
        endpoints: [],
        life: "",
        "offer-name": "pg",
        "offer-url": "admin/other.pg",
        relations: {},
        status: st("active"),
      },
    },
    offers: {
      db: {
        "offer-name": "db",
        "application-name": "mysql",
        charm: "ch:amd64/mysql-313",
        endpoints: {},
        "total-connected-count": 2,
        "active-connected-count": 1,
      },
    },
    relations: [
      {
        id: 4,
        key: "mysql:juju-info router:juju-info",
        interface: "juju-info",
        scope: "container",
        endpoints: [
          { application: "mysql", name: "juju-info", role: "provider", subordinate: false },
          { application: "router", name: "juju-info", role: "requirer", subordinate: true },
        ],
        status: st("joined"),
      },
    ],
    "controller-timestamp": SINCE,
    branches: {},
  };
}

const login = (serverVersion = "4.0.15") =>
  ({ modelUuid: UUID, controllerUuid: "ctrl", serverVersion }) as unknown as LoginInfo;

describe("snapshotFromStatus", () => {
  const snap = snapshotFromStatus(fullStatus(), { modelUuid: UUID, controllerUuid: "ctrl" });
  const get = (kind: string, id: string) => snap.get(`${kind}\0${id}`)?.data;

  it("names every fact with the AllWatcher's field names", () => {
    expect(get("model", UUID)).toEqual({
      "model-uuid": UUID,
      name: "m",
      status: { current: "available", message: "", since: SINCE, version: "" },
      type: "iaas",
      cloud: "localhost",
      "cloud-region": "localhost",
      version: "4.0.15",
      "controller-uuid": "ctrl",
      sla: { level: "unsupported" },
    });
    expect(get("machine", "0")).toEqual({
      "model-uuid": UUID,
      id: "0",
      "instance-id": "juju-0",
      "agent-status": { current: "started", message: "", since: SINCE, version: "4.0.15" },
      "instance-status": { current: "running", message: "Running", since: SINCE, version: "" },
      life: "alive",
      base: "ubuntu@24.04",
      "container-type": "",
      jobs: ["JobHostUnits"],
      addresses: [
        { value: "10.0.0.2", type: "ipv4" },
        { value: "fd00::2", type: "ipv6" },
      ],
      "has-vote": false,
      "wants-vote": false,
      "hardware-characteristics": {
        arch: "amd64",
        mem: 8192,
        "root-disk": 16384,
        "cpu-cores": 2,
        tags: ["a", "b"],
        "availability-zone": "z1",
      },
      hostname: "juju-0",
    });
    expect(get("unit", "mysql/0")).toEqual({
      "model-uuid": UUID,
      name: "mysql/0",
      application: "mysql",
      base: "ubuntu@24.04",
      "charm-url": "ch:amd64/mysql-313",
      life: "alive",
      "public-address": "10.0.0.2",
      "private-address": "10.0.0.2",
      "machine-id": "0",
      ports: [
        { protocol: "tcp", number: 3306 },
        { protocol: "udp", number: 8000 },
        { protocol: "udp", number: 8001 },
        { protocol: "icmp", number: -1 },
      ],
      "port-ranges": [
        { "from-port": 3306, "to-port": 3306, protocol: "tcp" },
        { "from-port": 8000, "to-port": 8001, protocol: "udp" },
        { "from-port": -1, "to-port": -1, protocol: "icmp" },
      ],
      principal: "",
      subordinate: false,
      "workload-status": { current: "active", message: "ready", since: SINCE, version: "" },
      "agent-status": { current: "idle", message: "", since: SINCE, version: "4.0.15" },
    });
    expect(get("application", "mysql")).toEqual({
      "model-uuid": UUID,
      name: "mysql",
      exposed: true,
      "charm-url": "ch:amd64/mysql-313",
      life: "alive",
      subordinate: false,
      status: { current: "active", message: "ready", since: SINCE, version: "" },
      "workload-version": "8.0",
    });
    expect(get("relation", "4")).toEqual({
      "model-uuid": UUID,
      key: "mysql:juju-info router:juju-info",
      id: 4,
      endpoints: [
        {
          "application-name": "mysql",
          relation: {
            name: "juju-info",
            role: "provider",
            interface: "juju-info",
            scope: "container",
          },
        },
        {
          "application-name": "router",
          relation: {
            name: "juju-info",
            role: "requirer",
            interface: "juju-info",
            scope: "container",
          },
        },
      ],
    });
    expect(get("remoteApplication", "pg")).toEqual({
      "model-uuid": UUID,
      name: "pg",
      "offer-url": "admin/other.pg",
      life: "alive",
      status: { current: "active", message: "", since: SINCE, version: "" },
    });
    expect(get("applicationOffer", "db")).toEqual({
      "model-uuid": UUID,
      "offer-name": "db",
      "application-name": "mysql",
      "charm-name": "mysql",
      "total-connected-count": 2,
      "active-connected-count": 1,
    });
  });

  it("reads containers, subordinates and what status shows before provisioning", () => {
    const container = get("machine", "0/lxd/0")!;
    expect(container["container-type"]).toBe("lxd");
    expect(container["instance-id"]).toBe("");
    expect(container.base).toBe("ubuntu@24.04/candidate");
    expect(container["agent-status"]).toEqual({ current: "pending", message: "", version: "" });
    expect(container["hardware-characteristics"]).toBeUndefined();
    const sub = get("unit", "router/0")!;
    expect(sub).toMatchObject({
      application: "router",
      principal: "mysql/0",
      subordinate: true,
      "machine-id": "0",
      "charm-url": "ch:amd64/mysql-router-396",
    });
    expect(get("application", "router")?.subordinate).toBe(true);
    expect([...snap.values()].map((e) => e.kind)).toEqual([
      "model",
      "machine",
      "machine",
      "application",
      "application",
      "unit",
      "unit",
      "relation",
      "remoteApplication",
      "applicationOffer",
    ]);
  });

  it("skips what it cannot read instead of throwing", () => {
    expect([...snapshotFromStatus(null, { modelUuid: UUID }).values()]).toEqual([]);
    const odd = snapshotFromStatus(
      {
        machines: { "1": 5 },
        applications: { a: { units: { "a/0": "x" } } },
        relations: [{ id: "z" }],
      },
      { modelUuid: UUID },
    );
    expect([...odd.keys()]).toEqual([`application\0a`]);
  });

  it("keeps status data only when non-empty, and parses hardware lines and ports", () => {
    expect(statusInfo({ status: "error", info: "hook failed", data: { hook: "install" } })).toEqual(
      {
        current: "error",
        message: "hook failed",
        version: "",
        data: { hook: "install" },
      },
    );
    expect(parseHardware("")).toBeUndefined();
    expect(parseHardware("cpu-power=100 virt-type=vm root-disk-source=pool mem=1M")).toEqual({
      mem: 1,
      "root-disk-source": "pool",
      "cpu-power": 100,
      "virt-type": "vm",
    });
    expect(parsePortRange("53/udp")).toEqual({ "from-port": 53, "to-port": 53, protocol: "udp" });
    expect(parsePortRange("nonsense")).toBeUndefined();
  });
});

describe("SnapshotCache", () => {
  it("reuses the data of unchanged machines and units, and rebuilds what changed or what they borrow", () => {
    const cache = new SnapshotCache();
    const ctx = { modelUuid: UUID };
    const first = snapshotFromStatus(fullStatus(), ctx, cache);
    const same = snapshotFromStatus(fullStatus(), ctx, cache);
    for (const key of ["unit\0mysql/0", "unit\0router/0", "machine\x000", "machine\x000/lxd/0"]) {
      expect(same.get(key)!.data).toBe(first.get(key)!.data);
    }
    expect(diffSnapshots(first, same)).toEqual([]);

    const next = fullStatus({ agent: "executing" });
    next.applications.router.charm = "ch:amd64/mysql-router-400";
    const changed = snapshotFromStatus(next, ctx, cache);
    expect(changed.get("unit\0mysql/0")!.data["agent-status"]).toMatchObject({
      current: "executing",
    });
    expect(changed.get("unit\0router/0")!.data["charm-url"]).toBe("ch:amd64/mysql-router-400");
    expect(changed.get("machine\x000")!.data).toBe(first.get("machine\x000")!.data);
    expect(diffSnapshots(same, changed).map(([k, , d]) => `${k} ${String(d.name)}`)).toEqual([
      "application router",
      "unit mysql/0",
      "unit router/0",
    ]);
  });
});

describe("diffSnapshots", () => {
  it("changes what is new or different, removes what is gone (dependents first) with its last data", () => {
    const before = snapshotFromStatus(fullStatus({ units: 2 }), { modelUuid: UUID });
    const after = snapshotFromStatus(
      { ...fullStatus({ units: 1, agent: "executing" }), relations: [], machines: {} },
      { modelUuid: UUID },
    );
    const deltas = diffSnapshots(before, after);
    const ids = deltas.map(([k, a, d]) => `${a} ${k} ${String(d.name ?? d.id)}`);
    expect(ids).toEqual([
      "remove relation 4",
      "remove unit mysql/1",
      "remove unit router/1",
      "remove machine 0",
      "remove machine 0/lxd/0",
      "change unit mysql/0",
    ]);
    expect(deltas[1]![2]).toBe(before.get("unit\0mysql/1")!.data);
    expect(diffSnapshots(after, after)).toEqual([]);
  });
});

describe("polling policy", () => {
  it("defaults to 1 s while changing, backing off to 5 s when quiet", () => {
    const p = statusPollPolicy();
    expect(p).toEqual({ interval: 1000, maxInterval: 5000, backoff: 1.5, afterWrite: 100 });
    let i = p.interval;
    const seen: number[] = [];
    for (let n = 0; n < 6; n++) {
      i = nextInterval(p, i, false);
      seen.push(i);
    }
    expect(seen).toEqual([1500, 2250, 3375, 5000, 5000, 5000]);
    expect(nextInterval(p, 5000, true)).toBe(1000);
  });

  it("counts the interval from poll start to poll start, never running slow polls back to back", () => {
    expect(pollDelay(1000, 100)).toBe(900);
    expect(pollDelay(1000, 900)).toBe(450);
    expect(pollDelay(1000, 3000)).toBe(500);
    expect(pollDelay(5000, 0)).toBe(5000);
  });

  it("rejects bad values with a typed error naming the option", () => {
    expect(() => statusPollPolicy({ interval: 0 })).toThrow(StatusPollOptionError);
    expect(() => statusPollPolicy({ backoff: Number.NaN })).toThrow(/statusPoll\.backoff/);
    expect(() => statusPollPolicy({ interval: 10_000 })).not.toThrow();
    expect(statusPollPolicy({ interval: 10_000 }).maxInterval).toBe(10_000);
  });

  it("auto: the AllWatcher on 3.x, status polls on 4.x or without an AllWatcher", () => {
    const conn = (v: string, aw: boolean) => ({
      loginInfo: login(v),
      facadeVersion: (n: string) => (n === "AllWatcher" ? (aw ? 4 : undefined) : 8),
    });
    expect(autoStateSource(conn("3.6.28", true))).toBe("allwatcher");
    expect(autoStateSource(conn("4.0.15", true))).toBe("status-poll");
    expect(autoStateSource(conn("3.6.28", false))).toBe("status-poll");
  });
});

/** A server whose FullStatus answers come from a script (the last one repeats). */
class StatusServer implements StatusPollConnection {
  readonly calls: RpcRequest[] = [];
  readonly loginInfo = login();
  replies: Array<unknown | Error> = [];
  last: unknown = fullStatus();
  facadeVersion(name: string) {
    return name === "Client" ? 8 : undefined;
  }
  async rpc<R>(req: RpcRequest): Promise<R> {
    this.calls.push(req);
    const next = this.replies.length > 0 ? this.replies.shift() : this.last;
    if (next instanceof Error) throw next;
    this.last = next;
    return next as R;
  }
}

const ctx: EntityContext = { addObserver: () => () => {} };
function setup(state = new ModelState(), poll = {}) {
  const conn = new StatusServer();
  const observers = new ObserverRegistry(() => {});
  const poller = new StatusPoller(conn, {
    state,
    observers,
    entityFactory: (r, v) => new ModelEntity(r, v, ctx),
    poll,
  });
  const seen: string[] = [];
  observers.add((e: ModelEvent) => void seen.push(`${e.action} ${e.entityType} ${e.entityId}`));
  return { conn, poller, state, seen, observers };
}

describe("StatusPoller", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("applies the first status before start resolves, then only what changed", async () => {
    const { conn, poller, state, seen, observers } = setup(undefined, { interval: 60_000 });
    let changes = 0;
    poller.onStateChange(() => changes++);
    await poller.start();
    await observers.idle();
    expect(poller.kind).toBe("status-poll");
    expect(conn.calls[0]).toMatchObject({ type: "Client", version: 8, request: "FullStatus" });
    expect(state.entityData("unit", "mysql/0")?.["agent-status"]).toMatchObject({
      current: "idle",
    });
    expect(seen).toContain("add unit mysql/0");
    expect(changes).toBe(1);

    seen.length = 0;
    await poller.pollNow();
    await observers.idle();
    expect(seen).toEqual([]);
    // A quiet poll changes nothing but still tells the listeners (waits):
    // the state is now proven current up to a later controller time.
    expect(changes).toBe(2);
    expect(poller.currentInterval).toBe(60_000);

    conn.replies.push(fullStatus({ agent: "executing", withRouter: false }));
    await poller.pollNow();
    await observers.idle();
    expect(seen).toEqual(["remove unit router/0", "change unit mysql/0"]);
    expect(changes).toBe(3);
    expect(state.getRecord("unit", "router/0")?.removed).toBe(true);
    expect(poller.lastPoll?.deltas).toBe(2);
    expect(poller.observed?.controllerTimestamp).toBe(SINCE);
    await poller.stop();
  });

  it("reports a busy stretch between polls: the idle status comes back with a new since", async () => {
    const { conn, poller, state } = setup(undefined, { interval: 60_000 });
    await poller.start();
    const later = fullStatus();
    const unit = later.applications.mysql.units["mysql/0"] as { "agent-status": { since: string } };
    unit["agent-status"].since = "2026-11-30T09:00:07Z";
    conn.replies.push(later);
    await poller.pollNow();
    const history = state.entityHistory("unit", "mysql/0").map((d) => d["agent-status"]);
    expect(history).toEqual([
      { current: "idle", message: "", since: SINCE, version: "4.0.15" },
      { current: "idle", message: "", since: "2026-11-30T09:00:07Z", version: "4.0.15" },
    ]);
    await poller.stop();
  });

  it("resyncs onto existing state: unchanged entities stay, vanished ones are removed", async () => {
    const state = new ModelState();
    state.applyDelta(["unit", "change", { name: "gone/0", application: "gone" }]);
    const first = setup(state, { interval: 60_000 });
    await first.poller.start();
    await first.poller.stop();
    const version = state.getRecord("unit", "mysql/0")!.latest;
    const again = setup(state, { interval: 60_000 });
    again.conn.replies.push(fullStatus({ withRouter: false }));
    await again.poller.start({ resync: true });
    await again.observers.idle();
    expect(state.getRecord("unit", "mysql/0")!.latest).toBe(version);
    expect(again.seen.sort()).toEqual(["remove unit gone/0", "remove unit router/0"]);
    expect(state.getRecord("unit", "gone/0")?.removed).toBe(true);
    await again.poller.stop();
  });

  it("fails (failed rejects, event streams throw) when a poll fails, and stops polling", async () => {
    const { conn, poller } = setup(undefined, { interval: 60_000 });
    await poller.start();
    const events = poller.events();
    conn.replies.push(new JujuError("boom", "some code"));
    await poller.pollNow();
    await expect(poller.failed).rejects.toThrow("boom");
    await expect(events.next()).rejects.toThrow("boom");
    const calls = conn.calls.length;
    await poller.pollNow();
    expect(conn.calls.length).toBe(calls);
  });

  it("fails with a ProtocolError on a reply that is not an object", async () => {
    const { conn, poller } = setup(undefined, { interval: 60_000 });
    await poller.start();
    conn.replies.push([1, 2]);
    await poller.pollNow();
    await expect(poller.failed).rejects.toMatchObject({ code: "ERR_PROTOCOL" });
  });

  it("polls again soon after the client changed the model, and backs off when quiet", async () => {
    vi.useFakeTimers();
    const { conn, poller } = setup(undefined, {
      interval: 1000,
      maxInterval: 4000,
      afterWrite: 50,
    });
    await poller.start();
    expect(conn.calls.length).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(conn.calls.length).toBe(2);
    expect(poller.currentInterval).toBe(1500);
    await vi.advanceTimersByTimeAsync(1500);
    expect(conn.calls.length).toBe(3);
    expect(poller.currentInterval).toBe(2250);
    poller.poke();
    await vi.advanceTimersByTimeAsync(50);
    expect(conn.calls.length).toBe(4);
    expect(poller.currentInterval).toBe(1500);
    await poller.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(conn.calls.length).toBe(4);
  });
});

describe("charm entities of a polled model (Charms.CharmInfo)", () => {
  const url = "ch:amd64/mysql-58";
  const status = {
    applications: {
      db: { charm: url, "charm-version": "8.0.1", units: { "db/0": { charm: "" } } },
      old: { charm: "ch:amd64/ubuntu-24", units: { "old/0": { charm: "ch:amd64/ubuntu-23" } } },
    },
  };

  it("are the charms applications and units run", () => {
    expect(statusCharmUrls(status)).toEqual([
      "ch:amd64/mysql-58",
      "ch:amd64/ubuntu-23",
      "ch:amd64/ubuntu-24",
    ]);
    expect(statusCharmUrls("nonsense")).toEqual([]);
  });

  it("read Juju 4's version, the defaults and the LXD profile", () => {
    const info4 = {
      revision: 58,
      url,
      version: "8.0.2",
      config: { a: { type: "string", default: "x" }, b: { type: "int" } },
      "lxd-profile": { description: "p", config: { "security.nesting": "true" } },
    };
    expect(charmEntity(UUID, url, info4, "8.0.1")).toEqual({
      "model-uuid": UUID,
      "charm-url": url,
      "charm-version": "8.0.2",
      life: "alive",
      profile: { description: "p", config: { "security.nesting": "true" } },
      config: { a: "x" },
    });
  });

  it("take status's charm-version on 3.x, whose CharmInfo has none", () => {
    const info3 = { revision: 58, url, config: {} };
    expect(charmEntity(UUID, url, info3, "8.0.1")).toEqual({
      "model-uuid": UUID,
      "charm-url": url,
      "charm-version": "8.0.1",
      life: "alive",
      profile: null,
    });
  });

  it("are put before the applications, only for charms in use", () => {
    const data = charmEntity(UUID, url, { version: "1" });
    const snap = snapshotFromStatus(status, {
      modelUuid: UUID,
      charms: new Map([
        [url, data],
        ["ch:amd64/gone-1", charmEntity(UUID, "ch:amd64/gone-1", {})],
      ]),
    });
    const kinds = [...snap.values()].map((e) => `${e.kind} ${e.id}`);
    expect(kinds.filter((k) => k.startsWith("charm "))).toEqual([`charm ${url}`]);
    expect(kinds.indexOf(`charm ${url}`)).toBeLessThan(kinds.indexOf("application db"));
  });
});
