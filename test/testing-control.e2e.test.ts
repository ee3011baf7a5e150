import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Model } from "../src/index.js";
import { SimulatorControl } from "../src/simulator/index.js";
import {
  CONTROL_METHODS,
  parseDuration,
  startTestController,
  type TestController,
} from "../src/testing/index.js";
import { createConformanceTap } from "./support/conformance-tap.js";

// The rest of the control API: charm revisions for refresh, status
// sequences, statuses set directly, model scoping, and the JSON contract of
// CONTROL_METHODS (what an HTTP control port dispatches).

const tap = createConformanceTap();
let ctl: TestController;
let model: Model;

beforeAll(async () => {
  ctl = await startTestController({
    timing: "instant",
    seed: 5,
    client: { onFrame: tap.onFrame, pingInterval: 0 },
  });
  model = await ctl.model();
  await model.deploy("juju-qa-test", { applicationName: "qa" });
  await model.waitForIdle({ idlePeriod: 0, timeout: 20_000 });
});

afterAll(async () => {
  await ctl?.dispose();
  expect(tap.violations).toEqual([]);
});

describe("libjuju/testing: control API", () => {
  it("addCharmRevision gives refresh a target", async () => {
    const app = model.applications.get("qa")!;
    const before = app.charmUrl;
    expect(before).toMatch(/juju-qa-test-31$/);
    expect(ctl.addCharmRevision("juju-qa-test", 40)).toEqual({
      charm: "juju-qa-test",
      revision: 40,
      channel: "latest/stable",
    });
    const url = await app.refresh();
    expect(url).toMatch(/juju-qa-test-40$/);
    await model.blockUntil(() => model.applications.get("qa")?.charmUrl.endsWith("-40") === true, {
      timeout: 20_000,
    });
    expect(() => ctl.addCharmRevision("no-such-charm", 2)).toThrow(/not found/);
    expect(() => ctl.addCharmRevision("juju-qa-test", 0)).toThrow(/positive integer/);
  });

  it("a status sequence walks one status per hook; the last sticks", async () => {
    ctl.setStatusSequence("seq", [
      { status: "maintenance", message: "installing" },
      { status: "waiting", message: "configuring" },
      { status: "active", message: "ready" },
    ]);
    await model.deploy("juju-qa-test", { applicationName: "seq" });
    await model.waitForIdle({ apps: ["seq"], idlePeriod: 0, timeout: 20_000 });
    const u = model.units.get("seq/0")!;
    expect([u.workloadStatus, u.workloadStatusMessage]).toEqual(["active", "ready"]);
  });

  it("sets application, unit and instance statuses directly", async () => {
    ctl.setApplicationStatus("qa", "blocked", "set by the test");
    ctl.setUnitStatus("qa/0", { agent: { status: "executing", message: "running a thing" } });
    const machine = model.units.get("qa/0")!.machineId;
    ctl.setInstanceStatus(machine, "running", "warm and cosy");
    await model.blockUntil(
      () =>
        model.applications.get("qa")?.status === "blocked" &&
        model.units.get("qa/0")?.agentStatus === "executing" &&
        model.machines.get(machine)?.statusMessage === "warm and cosy",
      { timeout: 20_000 },
    );
    ctl.setApplicationStatus("qa", "unset");
    ctl.setUnitStatus("qa/0", { agent: { status: "idle" } });
  });

  it("scopes to a model by name", async () => {
    const other = await ctl.model("other");
    await other.deploy("juju-qa-test", { applicationName: "qa" });
    await other.waitForIdle({ idlePeriod: 0, timeout: 20_000 });
    // qa/0 is now in two models.
    expect(() => ctl.setWorkloadStatus("qa/0", "waiting")).toThrow(/several models/);
    ctl.setWorkloadStatus("qa/0", "waiting", "only here", { model: "other" });
    await other.blockUntil(() => other.units.get("qa/0")?.workloadStatusMessage === "only here", {
      timeout: 20_000,
    });
    expect(model.units.get("qa/0")?.workloadStatusMessage).not.toBe("only here");
    expect(() => ctl.killUnitAgent("qa/0", { model: "nope" })).toThrow(/model nope not found/);
  });

  it("CONTROL_METHODS are methods of SimulatorControl taking and returning JSON", async () => {
    for (const name of CONTROL_METHODS) {
      expect(typeof SimulatorControl.prototype[name]).toBe("function");
      expect(typeof ctl[name]).toBe("function");
    }
    expect(Object.isFrozen(CONTROL_METHODS)).toBe(true);
    // Results survive a JSON round trip unchanged.
    const results = [ctl.now(), ctl.connections(), ctl.dropConnections({ id: -1 })];
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
    await expect(ctl.advance("1s")).rejects.toThrow(/VirtualClock/);
  });

  it("parses durations as Go does", () => {
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration(42)).toBe(42);
    expect(() => parseDuration("5")).toThrow(/invalid duration/);
    expect(() => parseDuration(-1)).toThrow(/non-negative/);
  });
});
