/**
 * The examples of docs/testing.md, as a user of `libjuju/testing` writes
 * them (this file imports the sources; a user imports "libjuju" and
 * "libjuju/testing"). test/testing-docs.test.ts checks that every code block
 * of the guide is in this file, so the guide's examples are type-checked
 * (tsc covers test/) and run.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EntityStatusError, type JujuError } from "../src/index.js";
import {
  type SimulatorSnapshot,
  startTestController,
  type TestController,
} from "../src/testing/index.js";

it("deploys and settles", async () => {
  await using ctl = await startTestController({ timing: "instant" });
  const model = await ctl.model();
  await model.deploy("juju-qa-test", { applicationName: "qa", numUnits: 2 });
  await model.waitForIdle({ idlePeriod: 0, timeout: 30_000 });
  expect(model.units.get("qa/1")?.workloadStatus).toBe("active");
});

it("reports a failed install and recovers after resolved", async () => {
  await using ctl = await startTestController({ timing: "instant" });
  const model = await ctl.model();
  ctl.failHook("qa", "install", { times: 1 });
  await model.deploy("juju-qa-test", { applicationName: "qa" });
  await expect(model.waitForIdle({ idlePeriod: 0, timeout: 30_000 })).rejects.toBeInstanceOf(
    EntityStatusError,
  );
  await model.units.get("qa/0")!.resolved({ retryHooks: true });
  // Until the retried hook ran, the client still sees the error.
  await model.blockUntil(() => model.units.get("qa/0")?.workloadStatus !== "error", {
    timeout: 30_000,
  });
  await model.waitForIdle({ idlePeriod: 0, timeout: 30_000 });
});

it("waits out a slow machine in virtual time", async () => {
  await using ctl = await startTestController({ clock: "virtual", timing: "realistic" });
  const model = await ctl.model();
  ctl.delayProvisioning("10m");
  await model.deploy("juju-qa-test", { applicationName: "qa" });
  // Waits measured on the simulator's clock: they finish as it is advanced.
  const idle = model.waitForIdle({ idlePeriod: 30_000, timeout: 3_600_000, clock: ctl.clock });
  await ctl.advance("15m"); // 15 simulated minutes in milliseconds of wall time
  await idle;
  expect(model.machines.get("0")?.status).toBe("running");
});

it("fails an action the way the charm would", async () => {
  await using ctl = await startTestController({ timing: "instant" });
  const model = await ctl.model();
  await model.deploy("juju-qa-test", { applicationName: "qa" });
  await model.waitForIdle({ idlePeriod: 0, timeout: 30_000 });
  ctl.scriptAction("qa", "fortune", { fail: "the oracle is out" });
  const action = await model.units.get("qa/0")!.runAction("fortune");
  const result = await action.wait({ timeout: 30_000 });
  expect(result.status).toBe("failed");
  expect(result.message).toBe("the oracle is out");
});

it("survives a dropped connection and an API error", async () => {
  await using ctl = await startTestController({ timing: "instant" });
  const model = await ctl.model();
  ctl.dropConnections(); // the Model reconnects and resyncs by itself
  ctl.failMethod("Client", "FullStatus", { message: "try later", code: "try again" }, { times: 1 });
  const err = await model.getStatus().catch((e: unknown) => e);
  expect((err as JujuError).jujuCode).toBe("try again");
  await expect(model.getStatus()).resolves.toBeDefined();
});

describe("a deployed model, restored for every test", () => {
  let ctl: TestController;
  let deployed: SimulatorSnapshot;

  beforeAll(async () => {
    ctl = await startTestController({ timing: "instant" });
    const model = await ctl.model();
    await model.deploy("juju-qa-test", { applicationName: "qa", numUnits: 3 });
    await model.waitForIdle({ idlePeriod: 0, timeout: 30_000 });
    deployed = await ctl.snapshot();
  });
  afterAll(() => ctl.dispose());
  beforeEach(() => ctl.restore(deployed));

  it("removes a unit", async () => {
    const model = await ctl.model();
    await model.blockUntil(() => model.units.size === 3, { timeout: 30_000 });
    await model.units.get("qa/2")!.destroy();
    await model.blockUntil(() => model.units.size === 2, { timeout: 30_000 });
  });

  it("has its three units back", async () => {
    const model = await ctl.model();
    await model.blockUntil(() => model.units.size === 3, { timeout: 30_000 });
  });
});
