/**
 * The client against the simulator's Juju 4.0 profile: facade negotiation
 * from the 4.x table, model names with qualifiers, and a Model that deploys,
 * scales and integrates; every frame is checked against schema-4.0.json.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_FACADE_VERSIONS_4 } from "../src/facades/generated/index.js";
import { Controller, type Model } from "../src/index.js";
import { InvalidArgumentError } from "../src/model/errors.js";
import { Simulator } from "../src/simulator/index.js";
import { createConformanceTap } from "./support/conformance-tap.js";

let dir: string;
let sim: Simulator;
let controller: Controller;
let model: Model;
const tap = createConformanceTap();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "libjuju-juju4-"));
  sim = await Simulator.start({
    juju: "4.0",
    jujuData: dir,
    controllerName: "sim4",
    timing: "instant",
  });
  controller = await Controller.connectCurrent({
    env: { JUJU_DATA: dir },
    pingInterval: 0,
    onFrame: tap.onFrame,
  });
});

afterAll(async () => {
  await model?.disconnect();
  await controller?.disconnect();
  expect(tap.framesSeen).toBeGreaterThan(30);
  // Checked against schema-4.0.json: the tap saw server-version 4.0.15 at Login.
  expect(tap.major).toBe(4);
  expect(tap.violations).toEqual([]);
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("a Juju 4.0 controller", () => {
  it("negotiates facades from the 4.x table", () => {
    expect(controller.loginInfo.serverVersion).toBe("4.0.15");
    expect(controller.loginInfo.jujuMajor).toBe(4);
    const mm = controller.connection.facade("ModelManager");
    expect(mm.version).toBe(11);
    expect(mm.major).toBe(4);
    // 3.6 knows ModelManager 9 and 10 too, but 4.x's table only has 11.
    expect(CLIENT_FACADE_VERSIONS_4.ModelManager).toEqual([11]);
  });

  it("names models qualifier/name and creates them with a qualifier", async () => {
    expect((await controller.listModelNames()).sort()).toEqual([
      "admin/controller",
      "admin/default",
    ]);
    const four = await controller.addModel("four", { watch: false });
    try {
      expect(four.name).toBe("admin/four");
    } finally {
      await four.disconnect();
    }
    const models = await controller.listModels();
    expect(models.find((m) => m.name === "four")).toMatchObject({
      qualifiedName: "admin/four",
      owner: "admin",
    });
    await controller.destroyModel("admin/four");
  });

  it("connects a Model by name that polls status (no AllWatcher)", async () => {
    model = await controller.getModel("admin/default", { statusPoll: { interval: 10 } });
    expect(model.stateSource).toBe("status-poll");
    expect(model.connection.facadeVersion("Application")).toBe(22);
    expect(model.connection.facadeVersion("Charms")).toBe(7);
    expect(model.connection.facadeVersion("Client")).toBe(8);
    expect(model.connection.facadeVersion("Bundle")).toBe(8);
    expect(model.connection.facadeVersion("AllWatcher")).toBeUndefined();
    await expect(model.connection.facade("Client").call("WatchAll")).rejects.toMatchObject({
      jujuCode: "not implemented",
      message: expect.stringContaining("WatchAll not implemented"),
    });
  });

  it("deploys with storage, adds units and integrates", async () => {
    const ub = await model.deploy("ubuntu", {
      applicationName: "ub",
      storage: { files: { pool: "rootfs", size: 200 } },
    });
    const db = await model.deploy("haproxy", { applicationName: "db" });
    await model.deploy("easyrsa");
    await db.addUnits({ count: 1 });
    await model.integrate("db:certificates", "easyrsa:client");
    await model.waitForIdle({ apps: ["ub", "db", "easyrsa"], idlePeriod: 0.2 });
    expect(ub.units.length).toBe(1);
    expect(db.units.length).toBe(2);
    expect([...model.relations.values()].map((r) => r.key)).toContain(
      "db:certificates easyrsa:client",
    );
  });

  it("plans bundles with Bundle 8 and exports bases only", async () => {
    const bundle = model.connection.facade("Bundle").juju4();
    const plan = await bundle.call("GetChangesMapArgs", {
      yaml: "applications:\n  ubuntu:\n    charm: ubuntu\n    num_units: 1\n",
      bundleURL: "",
    });
    expect(plan.changes?.map((c) => c.method)).toEqual(["addCharm", "deploy", "addUnit"]);
    const exported = await model.exportBundle();
    expect(exported).toContain("ub:");
    expect(exported).not.toContain("series:");
    await expect(model.exportBundle({ includeSeries: true })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});
