import { describe, expect, it } from "vitest";
import type { EntityTypes, ModelContext } from "../context.js";
import type { Delta, EntityKind } from "../delta.js";
import { ModelState } from "../state.js";
import { Application, entityFactory, Machine, Relation, Unit } from "./index.js";

/** A model context over a bare state: no connection, entity lookups only. */
function contextOver(state: ModelState): ModelContext {
  const ctx: ModelContext = {
    connection: undefined as never,
    uuid: "u",
    state,
    entity<K extends EntityKind>(kind: K, id: string) {
      const r = state.getRecord(kind, id);
      return r && !r.removed ? (factory(r, r.latest) as EntityTypes[K]) : undefined;
    },
    entities<K extends EntityKind>(kind: K) {
      return [...state.live(kind)].map((r) => factory(r, r.latest) as EntityTypes[K]);
    },
    waitFor: () => Promise.reject(new Error("no waits here")),
    requireWatching: () => {},
    addObserver: () => () => {},
  };
  const factory = entityFactory(ctx);
  return ctx;
}

const st = (current: string, message = "") => ({ current, message, since: "", version: "" });
const app = (name: string, extra: Record<string, unknown> = {}): Delta => [
  "application",
  "change",
  {
    name,
    "charm-url": `ch:amd64/${name}-7`,
    exposed: false,
    life: "alive",
    status: st("unset"),
    constraints: { mem: 1024 },
    subordinate: false,
    ...extra,
  },
];
const unit = (name: string, machine: string, workload: string, agent = "idle"): Delta => [
  "unit",
  "change",
  {
    name,
    application: name.split("/")[0],
    "machine-id": machine,
    "public-address": "10.0.0.1",
    "workload-status": st(workload, `${workload} msg`),
    "agent-status": st(agent),
    ports: [{ protocol: "tcp", number: 80 }],
  },
];
const machine = (id: string, addresses: unknown[] = []): Delta => [
  "machine",
  "change",
  {
    id,
    "instance-status": st("running"),
    "agent-status": st("started"),
    addresses,
    "hardware-characteristics": { arch: "amd64", mem: 8192 },
    life: "alive",
  },
];
const relation = (id: number, key: string, eps: [string, string, string, string][]): Delta => [
  "relation",
  "change",
  {
    id,
    key,
    endpoints: eps.map(([app, name, role, iface]) => ({
      "application-name": app,
      relation: { name, role, interface: iface, optional: false, limit: 0, scope: "global" },
    })),
  },
];

function setup(...deltas: Delta[]) {
  const state = new ModelState();
  for (const d of deltas) state.applyDelta(d);
  return { state, ctx: contextOver(state) };
}

describe("entity classes over a ModelState", () => {
  it("Application: fields, units, relations and the status derived from its units", () => {
    const { ctx, state } = setup(
      app("wordpress"),
      app("mysql"),
      unit("wordpress/0", "0", "active"),
      unit("wordpress/1", "1", "blocked"),
      unit("mysql/0", "2", "active"),
      relation(3, "wordpress:db mysql:db", [
        ["wordpress", "db", "requirer", "mysql"],
        ["mysql", "db", "provider", "mysql"],
      ]),
    );
    const wp = ctx.entity("application", "wordpress")!;
    expect(wp).toBeInstanceOf(Application);
    expect(wp.charmUrl).toBe("ch:amd64/wordpress-7");
    expect(wp.charmName).toBe("wordpress");
    expect(wp.constraints).toEqual({ mem: 1024 });
    expect(wp.units.map((u) => u.name)).toEqual(["wordpress/0", "wordpress/1"]);
    expect(wp.status).toBe("blocked");
    expect(wp.statusMessage).toBe("blocked msg");
    expect(wp.statusInfo).toMatchObject({ current: "blocked", message: "blocked msg" });
    expect(wp.relations.map((r) => r.key)).toEqual(["wordpress:db mysql:db"]);
    expect(wp.relatedApplications()).toEqual(["mysql"]);
    // The charm's own status wins over the units'.
    state.applyDelta(app("wordpress", { status: st("active", "ready") }));
    expect(wp.status).toBe("blocked"); // this view is the older state
    expect(wp.latest().status).toBe("active");
  });

  it("Unit: statuses, machine, ports; views keep their own state", () => {
    const { ctx, state } = setup(machine("0"), unit("mysql/0", "0", "maintenance", "executing"));
    const u = ctx.entity("unit", "mysql/0")!;
    expect(u).toBeInstanceOf(Unit);
    expect(u.applicationName).toBe("mysql");
    expect(u.workloadStatus).toBe("maintenance");
    expect(u.workloadStatusMessage).toBe("maintenance msg");
    expect(u.agentStatus).toBe("executing");
    expect(u.machine).toBeInstanceOf(Machine);
    expect(u.ports).toEqual([{ protocol: "tcp", number: 80 }]);
    expect(u.application).toBeUndefined();
    state.applyDelta(unit("mysql/0", "0", "active"));
    expect(u.workloadStatus).toBe("maintenance");
    const now = u.latest();
    expect(now.workloadStatus).toBe("active");
    expect(now.previous()?.workloadStatus).toBe("maintenance");
    state.applyDelta(["unit", "remove", { name: "mysql/0" }]);
    expect(now.dead).toBe(true);
    expect(ctx.entity("unit", "mysql/0")).toBeUndefined();
  });

  it("Machine: dnsName by scope preference, containers, parent, hardware", () => {
    const { ctx } = setup(
      machine("0", [
        { value: "192.168.1.5", type: "ipv4", scope: "local-cloud" },
        { value: "54.1.2.3", type: "ipv4", scope: "public" },
      ]),
      machine("0/lxd/0"),
      machine("0/lxd/1"),
      machine("0/lxd/0/kvm/0"),
      machine("1", [{ value: "10.0.0.9", type: "ipv4", scope: "local-cloud" }]),
      machine("2"),
    );
    const m0 = ctx.entity("machine", "0")!;
    expect(m0.dnsName).toBe("54.1.2.3");
    expect(ctx.entity("machine", "1")!.dnsName).toBe("10.0.0.9");
    expect(ctx.entity("machine", "2")!.dnsName).toBeUndefined();
    expect(m0.containers.map((m) => m.id)).toEqual(["0/lxd/0", "0/lxd/1"]);
    expect(ctx.entity("machine", "0/lxd/0")!.containers.map((m) => m.id)).toEqual([
      "0/lxd/0/kvm/0",
    ]);
    expect(ctx.entity("machine", "0/lxd/1")!.parentId).toBe("0");
    expect(m0.parentId).toBeUndefined();
    expect(m0.status).toBe("running");
    expect(m0.agentStatus).toBe("started");
    expect(m0.hardware.mem).toBe(8192);
  });

  it("Relation: endpoints, roles, matches and peers", () => {
    const { ctx } = setup(
      relation(0, "wordpress:db mysql:db", [
        ["wordpress", "db", "requirer", "mysql"],
        ["mysql", "db", "provider", "mysql"],
      ]),
      relation(1, "mysql:cluster", [["mysql", "cluster", "peer", "mysql-ha"]]),
    );
    const r = ctx.entity("relation", "0")!;
    expect(r).toBeInstanceOf(Relation);
    expect(r.id).toBe(0);
    expect(r.interface).toBe("mysql");
    expect(r.provides.map((e) => e.application)).toEqual(["mysql"]);
    expect(r.requires.map((e) => e.application)).toEqual(["wordpress"]);
    expect(r.matches("wordpress", "mysql")).toBe(true);
    expect(r.matches("mysql:db", "wordpress:db")).toBe(true);
    expect(r.matches("mysql:server")).toBe(false);
    expect(r.matches("mysql", "mysql")).toBe(false);
    expect(r.isPeer).toBe(false);
    const peer = ctx.entity("relation", "1")!;
    expect(peer.isPeer).toBe(true);
    expect(peer.matches("mysql:cluster")).toBe(true);
  });

  it("the factory builds the class of each kind, and plain views for the others", () => {
    const { ctx } = setup(
      ["charm", "change", { "charm-url": "ch:amd64/mysql-58", "charm-version": "abc" }],
      [
        "action",
        "change",
        {
          id: "2",
          name: "backup",
          status: "completed",
          receiver: "mysql/0",
          started: "0001-01-01T00:00:00Z",
        },
      ],
      ["annotation", "change", { tag: "application-mysql", annotations: { a: "b" } }],
      ["model", "change", { "model-uuid": "u", name: "default", type: "iaas", owner: "admin" }],
      ["block", "change", { id: "b1", type: "BlockChange" }],
    );
    const charm = ctx.entity("charm", "ch:amd64/mysql-58")!;
    expect([charm.name, charm.revision, charm.charmVersion]).toEqual(["mysql", 58, "abc"]);
    const action = ctx.entity("action", "2")!;
    expect([action.name, action.status, action.receiver, action.started]).toEqual([
      "backup",
      "completed",
      "mysql/0",
      undefined,
    ]);
    expect(ctx.entity("annotation", "application-mysql")!.annotations).toEqual({ a: "b" });
    const info = ctx.entity("model", "u")!;
    expect([info.name, info.type, info.owner]).toEqual(["default", "iaas", "admin"]);
    expect(ctx.entity("block", "b1")!.get("type")).toBe("BlockChange");
  });
});
