import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConnectionClosedError,
  InvalidArgumentError,
  JujuBulkError,
  JujuError,
  JujuNotFoundError,
  type Model,
  type ModelEvent,
  ModelObserver,
  ParseError,
} from "../src/index.js";
import { type CharmSpec, StaticCharmSource } from "../src/simulator/index.js";
import { JUJU_VERSIONS } from "./support/juju-versions.js";
import { useSimController } from "./support/sim-controller.js";

describe.each(JUJU_VERSIONS)("on Juju %s", (juju) => {
  // Charm facts from their Charmhub metadata (endpoints, a config option).
  const jammyNoble = [
    { name: "ubuntu", channel: "22.04" },
    { name: "ubuntu", channel: "24.04" },
  ];
  const CHARMS: CharmSpec[] = [
    { name: "ubuntu", revision: 26, channels: ["latest/stable"], bases: jammyNoble },
    {
      name: "haproxy",
      revision: 115,
      channels: ["2.8/stable"],
      bases: [{ name: "ubuntu", channel: "24.04" }],
      provides: { website: { interface: "http" } },
      requires: { reverseproxy: { interface: "http" } },
      workload: { ports: ["80/tcp"] },
    },
    {
      name: "rabbitmq-server",
      revision: 188,
      channels: ["3.9/stable", "latest/stable"],
      bases: jammyNoble,
      provides: { amqp: { interface: "rabbitmq" }, scrape: { interface: "http" } },
      peers: { cluster: { interface: "rabbitmq-ha" } },
      workload: { message: "Unit is ready" },
    },
    {
      name: "mysql",
      revision: 313,
      channels: ["8.0/stable", "latest/stable"],
      bases: [{ name: "ubuntu", channel: "22.04" }],
      provides: { database: { interface: "mysql_client" } },
      config: { "profile-limit-memory": { type: "int", description: "Memory limit (MiB)" } },
    },
    {
      name: "mysql",
      revision: 366,
      channels: ["8.0/edge"],
      bases: [{ name: "ubuntu", channel: "22.04" }],
      provides: { database: { interface: "mysql_client" } },
      config: { "profile-limit-memory": { type: "int", description: "Memory limit (MiB)" } },
    },
    {
      name: "mysql-router",
      revision: 396,
      channels: ["dpe/edge"],
      bases: [{ name: "ubuntu", channel: "22.04" }],
      subordinate: true,
      requires: {
        "backend-database": { interface: "mysql_client" },
        "juju-info": { interface: "juju-info", scope: "container" },
      },
    },
  ];

  // Every frame is checked against the schema of its facade version (of the login's major).
  const env = useSimController("model-core", {
    juju,
    seed: 7,
    charms: new StaticCharmSource(CHARMS),
    minFrames: 50,
    expectMajor: juju === "4.0" ? 4 : 3,
  });
  let modelSeq = 0;
  /** A fresh model on the shared controller. */
  const freshModel = () => env.controller.addModel(`core-${++modelSeq}`);
  const idle = { idlePeriod: 0, timeout: 10_000 };

  describe("deploy, relate, wait", () => {
    it("deploys related charms, relates them and waits for idle", async () => {
      await using model = await freshModel();
      const haproxy = await model.deploy("haproxy", { channel: "2.8/stable" });
      const rabbit = await model.deploy("rabbitmq-server", { numUnits: 2 });
      expect(haproxy.name).toBe("haproxy");
      expect(haproxy.charmUrl).toMatch(/haproxy-115$/);
      expect(model.applications.has("rabbitmq-server")).toBe(true);

      const rel = await model.integrate("haproxy:reverseproxy", "rabbitmq-server");
      expect(rel.matches("haproxy:reverseproxy", "rabbitmq-server:scrape")).toBe(true);
      expect(rel.endpoints.map((e) => `${e.application}:${e.name}:${e.role}`).sort()).toEqual([
        "haproxy:reverseproxy:requirer",
        "rabbitmq-server:scrape:provider",
      ]);
      expect(rel.interface).toBe("http");
      // Relating again returns the same relation (python-libjuju semantics).
      expect((await model.integrate("rabbitmq-server:scrape", "haproxy:reverseproxy")).id).toBe(
        rel.id,
      );

      await model.waitForIdle({ ...idle, apps: ["haproxy", "rabbitmq-server"], status: "active" });
      expect(model.allUnitsIdle()).toBe(true);
      const rabbitNow = rabbit.latest();
      expect(rabbitNow.units.map((u) => u.name).sort()).toEqual([
        "rabbitmq-server/0",
        "rabbitmq-server/1",
      ]);
      expect(rabbitNow.status).toBe("active");
      expect(rabbitNow.relations.map((r) => r.id)).toEqual([rel.id]);
      expect(rabbitNow.relatedApplications()).toEqual(["haproxy"]);
      const unit = model.units.get("rabbitmq-server/0")!;
      expect(unit.workloadStatus).toBe("active");
      expect(unit.agentStatus).toBe("idle");
      expect(unit.machine?.id).toBe(unit.machineId);
      expect(unit.machine?.units.map((u) => u.name)).toContain("rabbitmq-server/0");
      expect(unit.publicAddress).not.toBe("");
      expect(await rabbitNow.getLeader()).toMatch(/^rabbitmq-server\/\d$/);

      await rel.destroy();
      await model.blockUntil(() => model.relations.size === 0, { timeout: 5000 });
    });

    it("deploys a subordinate with no units and relates it to a principal", async () => {
      await using model = await freshModel();
      await model.deploy("mysql");
      const router = await model.deploy("mysql-router", { channel: "dpe/edge" });
      // Status polls know a subordinate from its relations only (docs/status-poll.md).
      if (juju === "3.6") expect(router.subordinate).toBe(true);
      expect(router.units).toEqual([]);
      await model.integrate("mysql-router:backend-database", "mysql:database");
      expect(model.relations.size).toBeGreaterThanOrEqual(1);
      await model.blockUntil(() => router.latest().subordinate, { timeout: 5000 });
    });

    it("scales with addUnits (placements) and destroyUnit", async () => {
      await using model = await freshModel();
      const app = await model.deploy("ubuntu", { numUnits: 1 });
      await model.waitForIdle({ ...idle, apps: ["ubuntu"] });
      const target = model.units.get("ubuntu/0")!.machineId;
      const added = await app.addUnits({ count: 2, to: [`lxd:${target}`] });
      expect(added.map((u) => u.name)).toEqual(["ubuntu/1", "ubuntu/2"]);
      await model.waitForIdle({ ...idle, apps: ["ubuntu"], waitForExactUnits: 3 });
      expect(model.units.get("ubuntu/1")!.machineId).toMatch(new RegExp(`^${target}/lxd/\\d+$`));
      await model.destroyUnit("ubuntu/2", { blockUntilDone: true, timeout: 5000 });
      expect([...model.units.keys()].sort()).toEqual(["ubuntu/0", "ubuntu/1"]);
      const err = await model.destroyUnits(["ubuntu/0", "ubuntu/9"]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JujuBulkError);
      expect((err as JujuBulkError).failures.map((f) => f.index)).toEqual([1]);
    });
  });

  describe("config, constraints, annotations", () => {
    it("round-trips application config, constraints and annotations", async () => {
      await using model = await freshModel();
      const app = await model.deploy("mysql", { config: { "profile-limit-memory": 2048 } });
      const before = await app.getConfig();
      expect(before["profile-limit-memory"]?.value).toBe(2048);
      await app.setConfig({ "profile-limit-memory": 4096 });
      expect((await app.getConfig())["profile-limit-memory"]?.value).toBe(4096);
      await app.resetConfig(["profile-limit-memory"]);
      // No default in the charm: Juju reports the option as unset.
      expect((await app.getConfig())["profile-limit-memory"]).toMatchObject({ source: "unset" });

      await app.setConstraints("mem=4G cores=2");
      expect(await app.getConstraints()).toMatchObject({ mem: 4096, cores: 2 });
      await model.setConstraints({ arch: "amd64", mem: 1024 });
      expect(await model.getConstraints()).toMatchObject({ arch: "amd64", mem: 1024 });

      await app.setAnnotations({ owner: "team-a" });
      expect(await app.getAnnotations()).toEqual({ owner: "team-a" });
      await model.setAnnotations({ purpose: "e2e" });
      expect(await model.getAnnotations()).toMatchObject({ purpose: "e2e" });
    });

    it("sets and unsets model config", async () => {
      await using model = await freshModel();
      await model.setConfig({ "update-status-hook-interval": "10m" });
      const cfg = await model.getConfig();
      expect(cfg["update-status-hook-interval"]).toEqual({ value: "10m", source: "model" });
      await model.unsetConfig("update-status-hook-interval");
      expect((await model.getConfig())["update-status-hook-interval"]?.source).toBe("default");
    });
  });

  describe("application operations", () => {
    it("exposes, refreshes and finds its leader", async () => {
      await using model = await freshModel();
      const app = await model.deploy("mysql", { channel: "8.0/stable" });
      await app.expose();
      await model.blockUntil(() => model.applications.get("mysql")?.exposed === true, {
        timeout: 5000,
      });
      await app.unexpose();
      await model.blockUntil(() => model.applications.get("mysql")?.exposed === false, {
        timeout: 5000,
      });
      expect(await app.refresh({ channel: "8.0/edge" })).toBe("ch:amd64/mysql-366");
      await model.blockUntil(
        () => model.applications.get("mysql")?.charmUrl === "ch:amd64/mysql-366",
        { timeout: 5000 },
      );
      await model.waitForIdle({ ...idle, apps: ["mysql"] });
      const unit = model.units.get("mysql/0")!;
      expect(await unit.isLeaderFromStatus()).toBe(true);
      expect(await app.isLeader(unit)).toBe(true);
      await model.retryProvisioning();
    });
  });

  describe("machines", () => {
    it("adds machines and containers and removes them", async () => {
      await using model = await freshModel();
      const m = await model.addMachine(undefined, { constraints: "mem=2G", base: "ubuntu@22.04" });
      const c = await model.addMachine(`lxd:${m.id}`);
      expect(c.id).toBe(`${m.id}/lxd/0`);
      const withContainer = await model.addMachine("lxd");
      expect(withContainer.id).toMatch(/^\d+\/lxd\/0$/);
      await model.blockUntil(() => model.machines.size === 4, { timeout: 5000 });
      expect(m.latest().containers.map((x) => x.id)).toEqual([c.id]);
      expect(model.getMachines().sort()).toEqual(
        [m.id, c.id, withContainer.parentId, withContainer.id].sort(),
      );

      // A host with a container refuses removal without force.
      // One machine: its own error, not a bulk one.
      const err = await model.removeMachine(m.id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JujuError);
      expect(err).not.toBeInstanceOf(JujuBulkError);
      await model.machines.get(c.id)!.destroy({ timeout: 5000 });
      await model.removeMachines([m.id], { blockUntilDone: true, timeout: 5000 });
      expect(model.machines.has(m.id)).toBe(false);

      const missing = await model.removeMachine("99").catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(JujuNotFoundError);
      expect((missing as JujuNotFoundError).jujuCode).toBe("not found");
    });

    it("rejects an ssh: spec without a host before any call", async () => {
      await using model = await freshModel();
      await expect(model.addMachine("ssh:")).rejects.toBeInstanceOf(ParseError);
    });
  });

  describe("observers and events", () => {
    it("sees add, change and remove in order, through observers and for await", async () => {
      await using model = await freshModel();
      const seen: string[] = [];
      const unitEvents: string[] = [];
      class Watch extends ModelObserver {
        override onUnitAdd(e: ModelEvent<"unit">) {
          unitEvents.push(`add ${e.entityId}`);
        }
        override onUnitRemove(e: ModelEvent<"unit">) {
          unitEvents.push(`remove ${e.entityId}`);
        }
      }
      model.addObserver(new Watch());
      const off = model.addObserver((e) => void seen.push(`${e.action} ${e.entityId}`), {
        entityType: "application",
      });
      const stream = model.events();
      await model.deploy("ubuntu");
      await model.waitForIdle({ ...idle, apps: ["ubuntu"] });
      await model.removeApplication("ubuntu", { blockUntilDone: true, timeout: 5000 });
      off();
      expect(seen[0]).toBe("add ubuntu");
      expect(seen.at(-1)).toBe("remove ubuntu");
      expect(unitEvents).toEqual(["add ubuntu/0", "remove ubuntu/0"]);

      const kinds: string[] = [];
      for await (const e of stream) {
        kinds.push(`${e.action} ${e.entityType} ${e.entityId}`);
        if (e.entityType === "application" && e.action === "remove") break;
      }
      // Within one batch Juju does not promise an order between kinds; per entity it does.
      const at = (k: string) => kinds.indexOf(k);
      expect(at("add application ubuntu")).toBeGreaterThanOrEqual(0);
      // Polls collapse the states between two looks: a change may fall between them.
      if (juju === "3.6" || at("change application ubuntu") >= 0)
        expect(at("add application ubuntu")).toBeLessThan(at("change application ubuntu"));
      expect(at("add unit ubuntu/0")).toBeLessThan(at("remove unit ubuntu/0"));
      expect(kinds.at(-1)).toBe("remove application ubuntu");
    });

    it("an observer error without a handler fails the next wait", async () => {
      await using model = await freshModel();
      model.addObserver(
        () => {
          throw new Error("observer boom");
        },
        { entityType: "application" },
      );
      const warned = new Promise((resolve) => process.once("warning", resolve));
      await expect(
        (async () => {
          await model.deploy("ubuntu");
          await model.blockUntil(() => false, { timeout: 5000 });
        })(),
      ).rejects.toThrow(/observer failed on add application "ubuntu": observer boom/);
      expect(String(await warned)).toContain("observer boom");
    });

    it("pending waits reject with ConnectionClosedError on disconnect", async () => {
      const model = await freshModel();
      const wait = model.blockUntil(() => false).catch((e: unknown) => e);
      await model.disconnect();
      expect(await wait).toBeInstanceOf(ConnectionClosedError);
    });
  });

  describe("bad inputs", () => {
    let model: Model;
    beforeAll(async () => {
      model = await freshModel();
      await model.deploy("ubuntu");
    });
    afterAll(() => model?.disconnect());

    it("unknown charm and channel: Juju's errors", async () => {
      const unknown = await model.deploy("no-such-charm-xyz").catch((e: unknown) => e);
      expect(unknown).toBeInstanceOf(JujuError);
      expect((unknown as JujuError).message).toMatch(
        /^cannot resolve charm "no-such-charm-xyz": .*charm or bundle not found/,
      );
      expect((unknown as JujuError).jujuCode).toBe("not found");
      const channel = await model
        .deploy("mysql", { channel: "9.9/stable" })
        .catch((e: unknown) => e);
      expect(channel).toBeInstanceOf(JujuError);
    });

    it("duplicate application: Juju's error", async () => {
      const dup = await model.deploy("ubuntu").catch((e: unknown) => e);
      expect(dup).toBeInstanceOf(JujuError);
      expect((dup as JujuError).message).toMatch(/^cannot deploy "ubuntu": .*already exists/);
    });

    it("bad constraints, placement, bases and channels fail before any call", async () => {
      await expect(model.deploy("mysql", { constraints: "mem=lots" })).rejects.toBeInstanceOf(
        ParseError,
      );
      await expect(model.deploy("mysql", { to: "lxd:x" })).rejects.toBeInstanceOf(ParseError);
      await expect(model.deploy("mysql", { base: "windows" })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      await expect(model.deploy("mysql", { channel: "8.0/wobbly" })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      await expect(model.deploy("mysql", { revision: 3 })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      await expect(model.addMachine("lxd:")).rejects.toBeInstanceOf(ParseError);
      await expect(model.setConstraints("cores=many")).rejects.toBeInstanceOf(ParseError);
    });

    it("relations to unknown applications or endpoints: Juju's errors", async () => {
      await expect(model.integrate("ubuntu", "nothere")).rejects.toBeInstanceOf(JujuError);
      await expect(model.integrate("ubuntu:nope", "ubuntu:other")).rejects.toBeInstanceOf(
        JujuError,
      );
      await expect(model.integrate("ubuntu", "Bad Name")).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
    });
  });

  describe("reset", () => {
    it("destroys every application and machine", async () => {
      await using model = await freshModel();
      await model.deploy("ubuntu", { numUnits: 2 });
      await model.addMachine("lxd");
      await model.waitForIdle({ ...idle, apps: ["ubuntu"] });
      await model.reset({ timeout: 10_000 });
      expect(model.applications.size).toBe(0);
      expect(model.machines.size).toBe(0);
    });
  });
});
