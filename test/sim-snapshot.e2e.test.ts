import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type FullStatus, type Model } from "../src/index.js";
import {
  Simulator,
  type SimulatorSnapshot,
  SimulatorSnapshotError,
  VirtualClock,
} from "../src/simulator/index.js";
import { useSimController } from "./support/sim-controller.js";

const env = useSimController("snapshot", { seed: 9 });
let sim: Simulator;
let controller: Controller;
let model: Model;
let snapshot: SimulatorSnapshot;
let before: FullStatus;

/** FullStatus without the one field that is the time of the call. */
function comparable(s: FullStatus): Omit<FullStatus, "controller-timestamp"> {
  const { "controller-timestamp": _ts, ...rest } = s;
  return rest;
}

/**
 * {@link comparable}, also without relation statuses' `since`: the
 * simulator reports a relation's status as of the call.
 */
function comparableRelations(s: FullStatus): unknown {
  const rest = comparable(s);
  return {
    ...rest,
    relations: (rest.relations ?? []).map((r) => ({
      ...r,
      status: { ...r.status, since: undefined },
    })),
  };
}

/** A snapshot as soon as the agents have nothing left to do (waits out `ERR_SNAPSHOT_BUSY`). */
async function settledSnapshot(s: Simulator): Promise<SimulatorSnapshot> {
  for (;;) {
    try {
      return await s.snapshot();
    } catch (e) {
      if (!(e instanceof SimulatorSnapshotError) || e.code !== "ERR_SNAPSHOT_BUSY") throw e;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** Round-trips through JSON, as a snapshot saved to a file would. */
function viaJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

beforeAll(async () => {
  ({ sim, controller } = env);
  model = await controller.addModel("snap");
  await model.deploy("mysql", { numUnits: 2 });
  await model.deploy("juju-qa-test", { applicationName: "qa" });
  await model.setAnnotations({ team: "storage" });
  await model.setConfig({ "update-status-hook-interval": "7m" });
  await model.addSecret("db-pass", { password: "s3cret" });
  await model.waitForIdle({ idlePeriod: 0, timeout: 20_000 });
  await model.applications.get("qa")!.setConfig({ "foo-file": true });
  snapshot = viaJson(await settledSnapshot(sim));
  // Nothing changes once the agents settled.
  before = await model.getStatus();
});

afterAll(async () => {
  await model?.disconnect();
});

describe("Simulator.snapshot / restore", () => {
  it("is versioned JSON holding every model", () => {
    expect(snapshot.format).toBe("libjuju-sim-snapshot");
    expect(snapshot.version).toBe(1);
    expect(snapshot.controller.uuid).toBe(sim.controllerUuid);
    expect(snapshot.models.map((m) => m.name)).toEqual(["controller", "default", "snap"]);
  });

  it("brings a mutated model back to the snapshot's FullStatus, with deltas to open watchers", async () => {
    await model.removeApplication("qa");
    await model.applications.get("mysql")!.addUnit({ count: 1 });
    await controller.addModel("scratch");
    await model.waitForIdle({ idlePeriod: 0, timeout: 20_000 });
    await model.blockUntil(() => !model.applications.has("qa"), { timeout: 10_000 });
    expect(comparable(await model.getStatus())).not.toEqual(comparable(before));

    await sim.restore(snapshot);

    expect(comparable(await model.getStatus())).toEqual(comparable(before));
    // The model's AllWatcher (still open) saw the restored entities come back.
    await model.blockUntil(() => model.applications.has("qa") && model.units.size === 3, {
      timeout: 10_000,
    });
    expect([...model.units.keys()].sort()).toEqual(["mysql/0", "mysql/1", "qa/0"]);
    expect(await controller.listModelNames()).not.toContain("admin/scratch");
    expect(await model.getAnnotations()).toEqual({ team: "storage" });
    expect((await model.getConfig())["update-status-hook-interval"]?.value).toBe("7m");
    expect((await model.listSecrets()).map((s) => s.label)).toEqual(["db-pass"]);
  });

  it("keeps working after a restore: new units get fresh names and settle", async () => {
    await sim.restore(snapshot);
    await model.applications.get("mysql")!.addUnit({ count: 1 });
    await model.waitForIdle({ idlePeriod: 0, timeout: 20_000 });
    await model.blockUntil(() => model.units.has("mysql/2"), { timeout: 10_000 });
    expect(model.units.get("mysql/2")?.workloadStatus).toBe("active");
  });

  it("restores into a fresh simulator, keeping model UUIDs", async () => {
    const dir2 = await mkdtemp(join(tmpdir(), "libjuju-snapshot-fresh-"));
    await using sim2 = await Simulator.start({ controllerName: "sim2", timing: "instant" });
    await sim2.restore(snapshot);
    expect(sim2.controllerUuid).toBe(sim.controllerUuid);
    expect(sim2.modelUuid("snap")).toBe(sim.modelUuid("snap"));
    await sim2.writeClientFiles(dir2);
    const c2 = await Controller.connectCurrent({
      env: { JUJU_DATA: dir2 },
      pingInterval: 0,
      onFrame: env.onFrame,
    });
    try {
      const m2 = await c2.getModel("snap");
      try {
        expect(comparable(await m2.getStatus())).toEqual(comparable(before));
        // The restored agents work: a new unit settles in the new simulator.
        await m2.applications.get("qa")!.addUnit();
        await m2.waitForIdle({ idlePeriod: 0, timeout: 20_000 });
        expect((await m2.getStatus()).applications.qa?.units?.["qa/1"]).toBeDefined();
      } finally {
        await m2.disconnect();
      }
    } finally {
      await c2.disconnect();
      await rm(dir2, { recursive: true, force: true });
    }
  });

  it("keeps offers and cross-model relations: both sides restored, and teardown still works", async () => {
    const dir3 = await mkdtemp(join(tmpdir(), "libjuju-snapshot-cmr-"));
    await using sim3 = await Simulator.start({
      jujuData: dir3,
      controllerName: "sim3",
      timing: "instant",
    });
    const c3 = await Controller.connectCurrent({
      env: { JUJU_DATA: dir3 },
      pingInterval: 0,
      onFrame: env.onFrame,
    });
    const models: Model[] = [];
    try {
      const offering = await c3.addModel("offering");
      const consuming = await c3.addModel("consuming");
      models.push(offering, consuming);
      await offering.deploy("mysql");
      await consuming.deploy("keystone");
      await offering.waitForIdle({ idlePeriod: 0, timeout: 20_000 });
      await offering.createOffer("mysql:shared-db", { offerName: "db" });
      await consuming.consume("admin/offering.db");
      await consuming.integrate("keystone:shared-db", "db");
      await offering.waitFor(
        "offer connected",
        () => offering.applicationOffers.get("db")?.activeConnectedCount === 1,
      );
      await consuming.waitForIdle({ idlePeriod: 0, timeout: 20_000 });
      const snap = viaJson(await settledSnapshot(sim3));
      const offeringBefore = comparableRelations(await offering.getStatus());
      const consumingBefore = comparableRelations(await consuming.getStatus());

      // Tear the CMR down, then restore: both sides come back.
      await consuming.removeSaas("db");
      await consuming.waitFor("SAAS gone", () => !consuming.remoteApplications.has("db"));
      await offering.removeOffer("admin/offering.db", { force: true });
      await sim3.restore(snap);
      expect(comparableRelations(await offering.getStatus())).toEqual(offeringBefore);
      expect(comparableRelations(await consuming.getStatus())).toEqual(consumingBefore);
      await consuming.waitFor("SAAS back", () => consuming.remoteApplications.has("db"));

      // The restored relation workers still tear down both sides.
      await consuming.removeSaas("db");
      await offering.waitFor("proxied relation gone", () =>
        [...offering.relations.values()].every((r) => !r.key.includes("remote-")),
      );
      await offering.waitFor(
        "no connection left",
        () => offering.applicationOffers.get("db")?.activeConnectedCount === 0,
      );
    } finally {
      for (const m of models) await m.disconnect();
      await c3.disconnect();
      await rm(dir3, { recursive: true, force: true });
    }
  });

  it("refuses a bad snapshot with a typed error naming what was wrong, changing nothing", async () => {
    const cases: Array<[unknown, string]> = [
      [null, "snapshot"],
      [{ ...snapshot, format: "tarball" }, "format"],
      [{ ...snapshot, version: 2 }, "version"],
      [{ ...snapshot, juju: "4.0" }, "juju"],
      [
        { ...snapshot, models: snapshot.models.map((m, i) => (i === 1 ? { ...m, uuid: "x" } : m)) },
        "models[1].uuid",
      ],
      [
        {
          ...snapshot,
          models: snapshot.models.map((m, i) => (i === 2 ? { ...m, status: { $: "weird" } } : m)),
        },
        "models[2].status",
      ],
      [
        {
          ...snapshot,
          models: snapshot.models.map((m, i) =>
            i === 2 ? { ...m, entities: { machines: 1 } } : m,
          ),
        },
        "models[2].entities.machines",
      ],
    ];
    const current = comparable(await model.getStatus());
    const uuids = [sim.controllerModelUuid, sim.defaultModelUuid, sim.modelUuid("snap")];
    for (const [bad, path] of cases) {
      const err = await sim.restore(bad as SimulatorSnapshot).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, path).toBeInstanceOf(SimulatorSnapshotError);
      expect((err as SimulatorSnapshotError).code).toBe("ERR_SNAPSHOT_INVALID");
      expect((err as SimulatorSnapshotError).path).toBe(path);
      expect((err as Error).message).toContain(path);
    }
    expect([sim.controllerModelUuid, sim.defaultModelUuid, sim.modelUuid("snap")]).toEqual(uuids);
    expect(comparable(await model.getStatus())).toEqual(current);
  });

  it("refuses a unit stopped on a failed hook, and keeps a lost agent across restore", {
    timeout: 120_000,
  }, async () => {
    sim.control.failHook("broken", "install", { times: 1 });
    await model.deploy("ubuntu", { applicationName: "broken" });
    await model.blockUntil(() => model.units.get("broken/0")?.workloadStatus === "error", {
      timeout: 20_000,
    });
    // Its remaining start sequence waits for `resolved`: work in flight that a snapshot cannot hold.
    const err = await sim.snapshot().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as SimulatorSnapshotError).code).toBe("ERR_SNAPSHOT_BUSY");
    expect((err as Error).message).toContain("unit:broken/0 (stopped on a failed hook");
    await model.units.get("broken/0")!.resolved({ retryHooks: true });
    await model.blockUntil(() => model.units.get("broken/0")?.workloadStatus === "active", {
      timeout: 20_000,
    });
    // A killed agent of a settled unit is state the agents remember.
    await settledSnapshot(sim);
    sim.control.killUnitAgent("broken/0");
    const snap = viaJson(await settledSnapshot(sim));
    sim.control.reviveAgent("broken/0");
    const dir4 = await mkdtemp(join(tmpdir(), "libjuju-snapshot-lost-"));
    await using sim4 = await Simulator.start({ controllerName: "sim4", timing: "instant" });
    await sim4.restore(snap);
    await sim4.writeClientFiles(dir4);
    const c4 = await Controller.connectCurrent({ env: { JUJU_DATA: dir4 }, pingInterval: 0 });
    try {
      const m4 = await c4.getModel("snap");
      expect(m4.units.get("broken/0")?.agentStatus).toBe("lost");
      sim4.control.reviveAgent("broken/0");
      await m4.blockUntil(() => m4.units.get("broken/0")?.agentStatus === "idle", {
        timeout: 20_000,
      });
      await m4.disconnect();
    } finally {
      await c4.disconnect();
      await rm(dir4, { recursive: true, force: true });
    }
    await model.removeApplication("broken", { force: true });
  });

  it("refuses to snapshot while agents are at work, and succeeds once they settled", async () => {
    const clock = new VirtualClock();
    const dir3 = await mkdtemp(join(tmpdir(), "libjuju-snapshot-busy-"));
    await using sim3 = await Simulator.start({ jujuData: dir3, clock, controllerName: "sim3" });
    const c3 = await Controller.connectCurrent({ env: { JUJU_DATA: dir3 }, pingInterval: 0 });
    try {
      const m3 = await c3.getModel("default");
      await m3.deploy("mysql");
      const err = await sim3.snapshot().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SimulatorSnapshotError);
      expect((err as SimulatorSnapshotError).code).toBe("ERR_SNAPSHOT_BUSY");
      expect((err as Error).message).toMatch(/mysql\/0/);
      await clock.runAll();
      const snap = await sim3.snapshot();
      expect(snap.controller.clock).toBe(clock.now().toISOString());
      await m3.disconnect();
    } finally {
      await c3.disconnect();
      await rm(dir3, { recursive: true, force: true });
    }
  });
});
