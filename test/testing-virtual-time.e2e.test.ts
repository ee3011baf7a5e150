import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MachineProvisioningError, type Model } from "../src/index.js";
import { startTestController, type TestController } from "../src/testing/index.js";
import { createConformanceTap } from "./support/conformance-tap.js";

// Machines and agents under a virtual clock with the realistic timing
// profile: minutes of simulated time pass in `advance` / `settle` calls.
// What the controller says at a given simulated time is read with
// FullStatus (consistent at the moment of the call); changes the client
// must see are awaited with blockUntil.

const tap = createConformanceTap();
let ctl: TestController;
let model: Model;

beforeAll(async () => {
  ctl = await startTestController({
    clock: "virtual",
    timing: "realistic",
    seed: 7,
    client: { onFrame: tap.onFrame, pingInterval: 0 },
  });
  model = await ctl.model();
});

afterAll(async () => {
  await ctl?.dispose();
  expect(tap.violations).toEqual([]);
});

const machineStatus = async (id: string) => (await model.getStatus()).machines[id];

describe("libjuju/testing: virtual time", () => {
  it("slow provisioning: a machine stays pending until its scripted delay passed", async () => {
    const start = Date.parse(ctl.now().now);
    ctl.delayProvisioning("10m", { times: 1 });
    await model.deploy("juju-qa-test", { applicationName: "qa" });
    await ctl.advance("5m");
    expect((await machineStatus("0"))?.["instance-status"].status).toBe("pending");
    expect(
      (await model.getStatus()).applications.qa?.units?.["qa/0"]?.["workload-status"].status,
    ).toBe("waiting");
    await ctl.advance("6m");
    expect((await machineStatus("0"))?.["instance-status"].status).not.toBe("pending");
    await ctl.settle();
    await model.waitForIdle({ idlePeriod: 0, timeout: 20_000 });
    expect(model.units.get("qa/0")?.workloadStatus).toBe("active");
    expect(Date.parse(ctl.now().now) - start).toBeGreaterThanOrEqual(11 * 60_000);
  });

  it("a scripted install duration holds the unit in maintenance", async () => {
    ctl.setHookDuration("slow", "install", "3m");
    await model.deploy("juju-qa-test", { applicationName: "slow" });
    // Provisioning, boot and agent start take seconds; the install minutes.
    await ctl.advance("2m");
    const s = await model.getStatus();
    expect(s.applications.slow?.units?.["slow/0"]?.["workload-status"]).toMatchObject({
      status: "maintenance",
      info: "installing charm software",
    });
    await ctl.settle();
    await model.waitForIdle({ apps: ["slow"], idlePeriod: 0, timeout: 20_000 });
  });

  it("a killed unit agent goes lost, a killed machine agent down; both come back", async () => {
    ctl.killUnitAgent("qa/0");
    await model.blockUntil(() => model.units.get("qa/0")?.agentStatus === "lost", {
      timeout: 20_000,
    });
    expect(model.units.get("qa/0")?.workloadStatus).toBe("unknown");
    expect(model.units.get("qa/0")?.agentStatusMessage).toBe(
      "agent lost, see 'juju show-status-log qa/0'",
    );
    ctl.reviveAgent("qa/0");
    await ctl.settle();
    await model.blockUntil(() => model.units.get("qa/0")?.workloadStatus === "active", {
      timeout: 20_000,
    });

    const machine = model.units.get("slow/0")?.machineId ?? "";
    ctl.killMachineAgent(machine);
    await model.blockUntil(
      () =>
        model.machines.get(machine)?.agentStatus === "down" &&
        model.units.get("slow/0")?.agentStatus === "lost",
      { timeout: 20_000 },
    );
    ctl.reviveAgent(machine);
    await ctl.settle();
    await model.waitForIdle({ idlePeriod: 0, timeout: 20_000 });
  });

  it("a reboot stops the machine agent, then its units run start again", async () => {
    ctl.rebootMachine("0");
    expect((await machineStatus("0"))?.["agent-status"].status).toBe("stopped");
    await ctl.settle();
    expect((await machineStatus("0"))?.["agent-status"].status).toBe("started");
    await model.waitForIdle({ apps: ["qa"], idlePeriod: 0, timeout: 20_000 });
  });

  it("failed provisioning: waitForIdle raises MachineProvisioningError", async () => {
    ctl.failProvisioning({ message: "no capacity in zone a" });
    const m = (await model.addMachine()).id;
    await ctl.settle();
    await model.blockUntil(() => model.machines.get(m)?.status === "provisioning error", {
      timeout: 20_000,
    });
    const err = await model
      .waitForIdle({ idlePeriod: 0, timeout: 20_000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MachineProvisioningError);
    expect((await machineStatus(m))?.["instance-status"]).toMatchObject({
      status: "provisioning error",
      info: "no capacity in zone a",
    });
  });
});
