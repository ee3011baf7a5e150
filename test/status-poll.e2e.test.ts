import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, Model, type ModelEvent } from "../src/index.js";
import type { EntityData, EntityKind } from "../src/model/delta.js";
import { deriveApplicationStatus, type StatusInfo } from "../src/model/status.js";
import { type CharmSpec, Simulator, StaticCharmSource } from "../src/simulator/index.js";
import { createConformanceTap } from "./support/conformance-tap.js";
import { FlakyProxy } from "./support/flaky-proxy.js";

let dir: string;
let sim: Simulator;
let controller: Controller;
const tap = createConformanceTap();

const jammy = [{ name: "ubuntu", channel: "22.04" }];
const CHARMS: CharmSpec[] = [
  { name: "ubuntu", revision: 26, channels: ["latest/stable"], bases: jammy },
  {
    name: "haproxy",
    revision: 115,
    channels: ["latest/stable"],
    bases: jammy,
    provides: { website: { interface: "http" } },
    requires: { reverseproxy: { interface: "http" } },
    workload: { ports: ["80/tcp", "8000-8002/tcp"] },
  },
  {
    name: "rabbitmq-server",
    revision: 188,
    channels: ["latest/stable"],
    bases: jammy,
    provides: { amqp: { interface: "rabbitmq" }, scrape: { interface: "http" } },
    peers: { cluster: { interface: "rabbitmq-ha" } },
    workload: { message: "Unit is ready" },
  },
  {
    name: "mysql",
    revision: 313,
    channels: ["latest/stable"],
    bases: jammy,
    provides: { database: { interface: "mysql_client" } },
    config: { "profile-limit-memory": { type: "int", description: "Memory limit (MiB)" } },
  },
  {
    name: "mysql-router",
    revision: 396,
    channels: ["latest/stable"],
    bases: jammy,
    subordinate: true,
    requires: {
      "backend-database": { interface: "mysql_client" },
      "juju-info": { interface: "juju-info", scope: "container" },
    },
  },
];

// Fast polls: the test waits for the two states to agree, never on time.
const FAST = { stateSource: "status-poll", statusPoll: { interval: 10, maxInterval: 50 } } as const;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "libjuju-status-poll-"));
  sim = await Simulator.start({
    jujuData: dir,
    controllerName: "sim",
    timing: "instant",
    seed: 11,
    charms: new StaticCharmSource(CHARMS),
  });
  controller = await Controller.connectCurrent({
    env: { JUJU_DATA: dir },
    pingInterval: 0,
    onFrame: tap.onFrame,
  });
});

afterAll(async () => {
  await controller?.disconnect();
  expect(tap.framesSeen).toBeGreaterThan(20);
  expect(tap.violations).toEqual([]);
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * The AllWatcher fields a status-polled entity does not have, by kind
 * (docs/status-poll.md lists the same, with why).
 */
const LACKING: Partial<Record<EntityKind, readonly string[]>> = {
  model: ["life", "owner", "is-controller", "config", "constraints"],
  machine: ["supported-containers", "supported-containers-known"],
  application: ["owner-tag", "min-units", "constraints", "config"],
  unit: [],
  relation: [],
  charm: [],
};

/**
 * Fields both have, compared in another way (status cannot carry them
 * exactly as the AllWatcher does): how each is made comparable.
 */
const COMPARED_AS: Record<string, (v: unknown, whole: EntityData, aw: Model) => unknown> = {
  // Status shows the application status derived from the units when the charm set none.
  "application.status": (v, whole, m) =>
    deriveApplicationStatus(
      v as StatusInfo,
      m
        .entities("unit")
        .filter((u) => u.get("application") === whole.name)
        .map((u) => u.get<StatusInfo>("workload-status")),
    ),
  // Status carries address values, not their scope.
  "machine.addresses": (v) =>
    ((v as Array<{ value: string; type: string }> | null) ?? []).map((a) => ({
      value: a.value,
      type: a.type,
    })),
  // Status carries the SLA level, not its owner.
  "model.sla": (v) => ({ level: (v as { level: string }).level }),
  // Status carries each endpoint's name and role, and the relation's interface and scope.
  "relation.endpoints": (v) =>
    (v as Array<{ "application-name": string; relation: Record<string, unknown> }>).map((e) => ({
      "application-name": e["application-name"],
      relation: {
        name: e.relation.name,
        role: e.relation.role,
        interface: e.relation.interface,
        scope: e.relation.scope,
      },
    })),
};

const KINDS: readonly EntityKind[] = [
  "model",
  "machine",
  "application",
  "unit",
  "relation",
  "charm",
];

/** Every difference between the two models' states, as readable lines (empty: they agree). */
function differences(aw: Model, poll: Model): string[] {
  const out: string[] = [];
  for (const kind of KINDS) {
    const a = new Map([...aw.state.live(kind)].map((r) => [r.id, r.current!]));
    const p = new Map([...poll.state.live(kind)].map((r) => [r.id, r.current!]));
    for (const id of a.keys()) {
      // A known gap (docs/status-poll.md): polls show the charms in use only;
      // the AllWatcher keeps a charm after its last application went.
      const unused =
        kind === "charm" && !aw.entities("application").some((app) => app.get("charm-url") === id);
      if (!p.has(id) && !unused) out.push(`${kind} ${id}: missing from the poll`);
    }
    for (const id of p.keys()) if (!a.has(id)) out.push(`${kind} ${id}: only in the poll`);
    for (const [id, pd] of p) {
      const ad = a.get(id);
      if (!ad) continue;
      for (const field of new Set([...Object.keys(ad), ...Object.keys(pd)])) {
        const inA = Object.hasOwn(ad, field);
        const inP = Object.hasOwn(pd, field);
        if (inA && !inP) {
          if (!LACKING[kind]?.includes(field))
            out.push(`${kind} ${id}: ${field} missing from the poll`);
          continue;
        }
        if (!inA) {
          out.push(`${kind} ${id}: ${field} only in the poll`);
          continue;
        }
        // Known gaps of an application with no units yet (docs/status-poll.md):
        // status derives "waiting" where the client derives "unknown", and a
        // subordinate shows as one only once related.
        if (
          kind === "application" &&
          (field === "status" || field === "subordinate") &&
          !aw.entities("unit").some((u) => u.get("application") === id)
        )
          continue;
        const as = COMPARED_AS[`${kind}.${field}`];
        const av = as ? as(ad[field], ad, aw) : ad[field];
        if (canonical(av) !== canonical(pd[field])) {
          out.push(
            `${kind} ${id}: ${field}: allwatcher ${JSON.stringify(av)} poll ${JSON.stringify(pd[field])}`,
          );
        }
      }
    }
  }
  return out;
}

/** JSON with sorted keys: field order is not a difference. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}

/** Waits until the two states agree (re-checked on each poll), then asserts they do. */
async function agree(aw: Model, poll: Model): Promise<void> {
  await poll
    .blockUntil(() => differences(aw, poll).length === 0, { timeout: 10_000, waitPeriod: 20 })
    .catch(() => {});
  expect(differences(aw, poll)).toEqual([]);
}

let seq = 0;

describe("status-poll state source on the 3.6 simulator", () => {
  it("keeps the same entities as the AllWatcher, field by field, through a scenario", async () => {
    await using poll = await controller.addModel(`poll-${++seq}`, FAST);
    await using aw = await controller.getModel(poll.uuid, { stateSource: "allwatcher" });
    expect(poll.stateSource).toBe("status-poll");
    expect(aw.stateSource).toBe("allwatcher");
    const idle = { idlePeriod: 0, timeout: 10_000 };

    // Operations resolve on the status-polled state as on the AllWatcher's.
    await poll.deploy("haproxy");
    await poll.deploy("rabbitmq-server", { numUnits: 2 });
    await poll.deploy("mysql", { config: { "profile-limit-memory": 2048 } });
    await poll.deploy("mysql-router");
    await poll.waitForIdle({ ...idle, apps: ["haproxy", "rabbitmq-server", "mysql"] });
    await agree(aw, poll);

    await poll.integrate("haproxy:reverseproxy", "rabbitmq-server:scrape");
    await poll.integrate("mysql-router:backend-database", "mysql:database");
    await poll.integrate("mysql-router:juju-info", "mysql:juju-info");
    await poll.blockUntil(() => poll.units.has("mysql-router/0"), { timeout: 10_000 });
    await agree(aw, poll);
    expect(poll.applications.get("mysql-router")?.subordinate).toBe(true);
    expect(poll.units.get("mysql-router/0")?.principal).toBe("mysql/0");

    const target = poll.units.get("rabbitmq-server/0")!.machineId;
    await poll.applications.get("rabbitmq-server")!.addUnits({ count: 1, to: [`lxd:${target}`] });
    await poll.applications.get("mysql")!.setConfig({ "profile-limit-memory": 4096 });
    await poll.applications.get("haproxy")!.expose();
    await poll.waitForIdle({ ...idle, apps: ["rabbitmq-server"], waitForExactUnits: 3 });
    await agree(aw, poll);
    expect(poll.machines.get(`${target}/lxd/0`)?.containerType).toBe("lxd");
    expect(poll.units.get("haproxy/0")?.get("port-ranges")).toEqual([
      { "from-port": 80, "to-port": 80, protocol: "tcp" },
      { "from-port": 8000, "to-port": 8002, protocol: "tcp" },
    ]);

    await poll.destroyUnit("rabbitmq-server/2", { blockUntilDone: true, timeout: 10_000 });
    await poll.removeApplication("haproxy", { blockUntilDone: true, timeout: 10_000 });
    await poll.blockUntil(() => poll.relations.size === 2, { timeout: 10_000 });
    await agree(aw, poll);
    expect(poll.applications.has("haproxy")).toBe(false);
  });

  it("hands observers and events() the same add/change/remove events", async () => {
    await using poll = await controller.addModel(`poll-${++seq}`, FAST);
    const seen: string[] = [];
    poll.addObserver((e: ModelEvent) => {
      if (e.entityType === "unit") seen.push(`${e.action} ${e.entityId}`);
    });
    const events = poll.events();
    await poll.deploy("ubuntu", { numUnits: 1 });
    await poll.waitForIdle({ idlePeriod: 0, timeout: 10_000, apps: ["ubuntu"] });
    await poll.destroyUnit("ubuntu/0", { blockUntilDone: true, timeout: 10_000 });
    expect(seen[0]).toBe("add ubuntu/0");
    expect(seen).toContain("change ubuntu/0");
    expect(seen.at(-1)).toBe("remove ubuntu/0");
    const first = await events.next();
    expect((first.value as ModelEvent).entityType).toBeDefined();
    await events.return?.();
  });

  it("reconnects: each resync is a fresh poll diffed against the state, with one consistent event stream", async () => {
    await using writer = await controller.addModel(`poll-${++seq}`, {
      stateSource: "allwatcher",
    });
    const proxy = await FlakyProxy.start(sim.endpoint);
    sim.advertise([proxy.endpoint]);
    try {
      await using poll = await Model.connect({
        uuid: writer.uuid,
        username: sim.username,
        password: sim.password,
        caCert: sim.caCert,
        endpoint: proxy.endpoint,
        pingInterval: 0,
        onFrame: tap.onFrame,
        reconnect: { initialDelay: 10, maxDelay: 100 },
        ...FAST,
      });
      await writer.deploy("ubuntu", { applicationName: "gone-soon", numUnits: 1 });
      await poll.blockUntil(() => poll.units.has("gone-soon/0"), { timeout: 10_000 });
      const live = new Set(
        (["application", "unit", "machine"] as const).flatMap((k) =>
          [...poll.state.live(k)].map((r) => `${k} ${r.id}`),
        ),
      );
      const events: ModelEvent[] = [];
      poll.addObserver((e: ModelEvent) => void events.push(e));

      const work = (async () => {
        await writer.deploy("ubuntu", { applicationName: "during", numUnits: 2 });
        await writer.removeApplication("gone-soon", { blockUntilDone: true, timeout: 10_000 });
      })();
      for (let i = 0; i < 5; i++) {
        const back = new Promise<void>((resolve) => {
          const off = poll.onConnectionChange((c) => {
            if (c.state !== "connected") return;
            off();
            resolve();
          });
        });
        proxy.drop();
        await back;
      }
      await work;
      await writer.waitForIdle({ apps: ["during"], idlePeriod: 0, timeout: 10_000 });
      await agree(writer, poll);
      expect(poll.stateSource).toBe("status-poll");

      // Resyncs never duplicate an add nor touch an entity that is not live.
      const problems: string[] = [];
      for (const e of events) {
        if (!["application", "unit", "machine"].includes(e.entityType)) continue;
        const key = `${e.entityType} ${e.entityId}`;
        if (e.action === "add") {
          if (live.has(key)) problems.push(`duplicate add of ${key}`);
          live.add(key);
        } else if (!live.has(key)) problems.push(`${e.action} of ghost ${key}`);
        else if (e.action === "remove") live.delete(key);
      }
      expect(problems).toEqual([]);
      expect(live.has("application gone-soon")).toBe(false);
      expect(live.has("unit during/1")).toBe(true);
    } finally {
      sim.advertise(undefined);
      await proxy.close();
    }
  });

  it("polls right after the model's own changes, whatever the interval", async () => {
    // With a one-hour interval only the polls that follow a write can show anything.
    await using poll = await controller.addModel(`poll-${++seq}`, {
      stateSource: "status-poll",
      statusPoll: { interval: 3_600_000 },
    });
    const app = await poll.deploy("ubuntu", { numUnits: 1 });
    expect(app.name).toBe("ubuntu");
    await app.expose();
    await poll.blockUntil(() => poll.applications.get("ubuntu")?.get("exposed") === true, {
      timeout: 10_000,
    });
  });

  it("auto picks the AllWatcher on a 3.6 controller", async () => {
    await using m = await controller.addModel(`poll-${++seq}`);
    expect(m.stateSource).toBe("allwatcher");
  });

  it("rejects a bad stateSource or statusPoll option before dialling", async () => {
    const base = { endpoint: "127.0.0.1:1", uuid: "u", username: "admin", password: "x" };
    await expect(
      Model.connect({ ...base, stateSource: "polling" as "auto" }),
    ).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
    await expect(
      Model.connect({ ...base, statusPoll: { interval: 2000, maxInterval: 1000 } }),
    ).rejects.toMatchObject({ code: "ERR_INVALID_ARGUMENT" });
  });
});
