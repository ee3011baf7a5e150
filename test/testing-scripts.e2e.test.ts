import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EntityStatusError, type Model } from "../src/index.js";
import { ControlError, startTestController, type TestController } from "../src/testing/index.js";
import { createConformanceTap } from "./support/conformance-tap.js";

// Scripted charm and agent behaviour through libjuju/testing, on a real
// clock with instant agents: every check waits on model state, never on time.

const tap = createConformanceTap();
let ctl: TestController;
let model: Model;

beforeAll(async () => {
  ctl = await startTestController({
    timing: "instant",
    seed: 3,
    client: { onFrame: tap.onFrame, pingInterval: 0 },
  });
  model = await ctl.model("scripts");
});

afterAll(async () => {
  await ctl?.dispose();
  expect(tap.violations).toEqual([]);
});

const unit = (name: string) => {
  const u = model.units.get(name);
  if (u === undefined) throw new Error(`no unit ${name}`);
  return u;
};

describe("libjuju/testing: scripted charms", () => {
  it("waitForIdle raises on a scripted hook error and recovers after resolved with retry", async () => {
    ctl.failHook("qa", "install", { times: 1 });
    await model.deploy("juju-qa-test", { applicationName: "qa" });
    const err = await model.waitForIdle({ idlePeriod: 0, timeout: 20_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(EntityStatusError);
    expect((err as EntityStatusError).entities).toContainEqual({
      entity: "unit qa/0",
      reason: expect.stringContaining('hook failed: "install"'),
    });
    expect(unit("qa/0").workloadStatus).toBe("error");

    await unit("qa/0").resolved({ retryHooks: true });
    // The client's state still shows the error until the retried hook ran.
    await model.blockUntil(() => unit("qa/0").workloadStatus !== "error", { timeout: 20_000 });
    await model.waitForIdle({ apps: ["qa"], idlePeriod: 0, timeout: 20_000 });
    expect(unit("qa/0").workloadStatus).toBe("active");
  });

  it("resolved without retry skips the failed hook and the agent carries on", async () => {
    ctl.failHook("qa/1", "config-changed", { times: 1 });
    await model.applications.get("qa")!.addUnit();
    await model.blockUntil(() => model.units.get("qa/1")?.workloadStatus === "error", {
      timeout: 20_000,
    });
    expect(unit("qa/1").workloadStatusMessage).toBe('hook failed: "config-changed"');
    await unit("qa/1").resolved();
    await model.blockUntil(() => unit("qa/1").workloadStatus !== "error", { timeout: 20_000 });
    await model.waitForIdle({ apps: ["qa"], idlePeriod: 0, timeout: 20_000 });
    expect(unit("qa/1").workloadStatus).toBe("active");
  });

  it("an action fails, or returns results, as scripted by name and params", async () => {
    ctl.scriptAction("qa", "fortune", {
      params: { fail: "" },
      fail: "the oracle is out",
      times: 1,
    });
    ctl.scriptAction("qa/0", "fortune", { results: { fortune: "scripted luck" } });
    const failed = await unit("qa/1").runAction("fortune", { fail: "" });
    const r = await failed.wait({ timeout: 20_000 });
    expect(r.status).toBe("failed");
    expect(r.message).toBe("the oracle is out");
    const ok = await (await unit("qa/0").runAction("fortune")).wait({ timeout: 20_000 });
    expect(ok.status).toBe("completed");
    expect(ok.output).toEqual({ fortune: "scripted luck", "return-code": 0 });
  });

  it("statuses set by hand or per hook stick; blocked until a relation; workload version", async () => {
    ctl.setWorkloadStatus("qa/0", "maintenance", "rotating keys");
    await model.blockUntil(() => unit("qa/0").workloadStatusMessage === "rotating keys", {
      timeout: 20_000,
    });
    expect(unit("qa/0").workloadStatus).toBe("maintenance");
    ctl.setWorkloadStatus("qa/0", "active");

    // The charm sets `waiting` in its start hook: the unit settles with it.
    ctl.setHookStatus("postgresql", "start", "waiting", "waiting for peers");
    ctl.blockUntilRelation("mysql", "db-router", "needs a router");
    ctl.setWorkloadVersion("mysql", "8.0.99");
    await model.deploy("mysql");
    await model.deploy("postgresql");
    await model.blockUntil(
      () =>
        model.units.get("mysql/0")?.workloadStatus === "blocked" &&
        model.units.get("postgresql/0")?.agentStatus === "idle" &&
        model.units.get("postgresql/0")?.workloadStatus === "waiting",
      { timeout: 20_000 },
    );
    expect(unit("mysql/0").workloadStatusMessage).toBe("needs a router");
    expect(unit("postgresql/0").workloadStatusMessage).toBe("waiting for peers");
    expect(model.applications.get("mysql")!.workloadVersion).toBe("8.0.99");
  });

  it("moves leadership", async () => {
    await model.applications.get("qa")!.addUnit();
    await model.waitForIdle({ apps: ["qa"], waitForUnits: 3, idlePeriod: 0, timeout: 20_000 });
    ctl.setLeader("qa/2");
    expect(await model.applications.get("qa")!.getLeader()).toBe("qa/2");
    await model.waitForIdle({ apps: ["qa"], idlePeriod: 0, timeout: 20_000 });
  });

  it("rejects bad control calls with typed errors", () => {
    expect(() => ctl.setWorkloadStatus("nope/0", "active")).toThrow(ControlError);
    expect(() => ctl.failHook("qa", "", {})).toThrow(/hook must be a non-empty string/);
    expect(() => ctl.failHook("qa", "install", { times: 0 })).toThrow(/times must be a positive/);
    expect(() => ctl.setWorkloadStatus("qa/0", "happy" as "active")).toThrow(/not one of/);
    expect(() => ctl.setHookDuration("qa", "install", "5 minutes")).toThrow(/invalid duration/);
    try {
      ctl.setWorkloadStatus("nope/0", "active");
    } catch (e) {
      expect((e as ControlError).code).toBe("not found");
    }
  });
});
