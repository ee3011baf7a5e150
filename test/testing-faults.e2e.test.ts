import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConnectionState, JujuError, JujuNotFoundError, type Model } from "../src/index.js";
import { FaultError, startTestController, type TestController } from "../src/testing/index.js";
import { createConformanceTap } from "./support/conformance-tap.js";

// Fault injection through libjuju/testing: the client sees dropped links,
// injected errors, slow methods, stalled watchers and a restarted server,
// and recovers by itself (the Model reconnects and resyncs).

const tap = createConformanceTap();
let ctl: TestController;
let model: Model;

beforeAll(async () => {
  ctl = await startTestController({
    timing: "instant",
    seed: 11,
    client: {
      onFrame: tap.onFrame,
      pingInterval: 0,
      reconnect: { initialDelay: 10, maxDelay: 100 },
    },
  });
  model = await ctl.model();
  await model.deploy("juju-qa-test", { applicationName: "qa" });
  await model.waitForIdle({ idlePeriod: 0, timeout: 20_000 });
});

afterAll(async () => {
  await ctl?.dispose();
  expect(tap.violations).toEqual([]);
});

/** Resolves at the model's next change to `state`. */
function next(state: ConnectionState): Promise<void> {
  return new Promise((resolve) => {
    const off = model.onConnectionChange((c) => {
      if (c.state !== state) return;
      off();
      resolve();
    });
  });
}

const qa0 = () => {
  const u = model.units.get("qa/0");
  if (u === undefined) throw new Error("qa/0 is gone");
  return u;
};

describe("libjuju/testing: faults", () => {
  it("dropConnections: the Model reconnects and keeps serving", async () => {
    const lost = next("reconnecting");
    const back = next("connected");
    const { dropped } = ctl.dropConnections({ modelUuid: model.uuid });
    expect(dropped).toBe(1);
    await lost;
    await back;
    expect(model.isConnected()).toBe(true);
    expect(Object.keys((await model.getStatus()).applications)).toEqual(["qa"]);
    expect(ctl.connections()).toContainEqual(
      expect.objectContaining({ kind: "model", modelUuid: model.uuid, user: "admin" }),
    );
  });

  it("a method failing with a given error reaches the client with that Juju code, then works again", async () => {
    ctl.failMethod(
      "Client",
      "FullStatus",
      { message: "quota exceeded for the day", code: "quota limit exceeded" },
      { times: 1 },
    );
    const err = await model.getStatus().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JujuError);
    expect((err as JujuError).jujuCode).toBe("quota limit exceeded");
    expect((err as JujuError).message).toContain("quota exceeded for the day");
    await expect(model.getStatus()).resolves.toBeDefined();

    ctl.failMethod("Client", "FullStatus", { message: "gone", code: "not found" }, { times: 1 });
    await expect(model.getStatus()).rejects.toBeInstanceOf(JujuNotFoundError);
    // A version that is not the one called: no fault.
    ctl.failMethod("Client", "FullStatus", { message: "v1 only" }, { version: 1 });
    await expect(model.getStatus()).resolves.toBeDefined();
    ctl.clearFaults();
  });

  it("a delayed method answers after a faster one sent later", async () => {
    ctl.delayMethod("Client", "FullStatus", 300, { times: 1 });
    const order: string[] = [];
    const slow = model.getStatus().then(() => order.push("FullStatus"));
    await model.getConfig().then(() => order.push("ModelGet"));
    await slow;
    expect(order).toEqual(["ModelGet", "FullStatus"]);
  });

  it("stalled watchers: the client hears nothing until they are released", async () => {
    ctl.stallWatchers();
    ctl.setWorkloadStatus("qa/0", "maintenance", "while stalled");
    const s = await model.getStatus();
    expect(s.applications.qa?.units?.["qa/0"]?.["workload-status"].info).toBe("while stalled");
    expect(qa0().workloadStatusMessage).not.toBe("while stalled");
    ctl.releaseWatchers();
    await model.blockUntil(() => qa0().workloadStatusMessage === "while stalled", {
      timeout: 20_000,
    });
    ctl.setWorkloadStatus("qa/0", "active");
  });

  it("dropAfterFrames cuts the link on the Nth request; a read-only call is sent again", async () => {
    const back = next("connected");
    ctl.dropAfterFrames(1, { modelUuid: model.uuid });
    const s = await model.getStatus();
    expect(Object.keys(s.applications)).toEqual(["qa"]);
    await back;
  });

  it("restart keeps the state: same port, same model, the Model reconnects", async () => {
    const port = ctl.simulator.port;
    const back = next("connected");
    await ctl.restart({ downtime: 50 });
    await back;
    expect(ctl.simulator.port).toBe(port);
    expect(qa0().workloadStatus).toBe("active");
    expect(Object.keys((await model.getStatus()).applications)).toEqual(["qa"]);
  });

  it("rejects bad faults with typed errors", () => {
    expect(() => ctl.failMethod("Client", "", { message: "x" })).toThrow(FaultError);
    expect(() => ctl.dropAfterFrames(0)).toThrow(/positive integer/);
    expect(() => ctl.delayMethod("Client", "FullStatus", -1)).toThrow(/non-negative/);
  });
});

describe("libjuju/testing: snapshot and restore", () => {
  it("restores a deployed model after it was changed", async () => {
    const snap = await ctl.snapshot();
    const copy = JSON.parse(JSON.stringify(snap)) as typeof snap;
    await model.applications.get("qa")!.destroy();
    await model.blockUntil(() => !model.applications.has("qa"), { timeout: 20_000 });
    await ctl.restore(copy);
    await model.blockUntil(() => model.units.get("qa/0")?.workloadStatus === "active", {
      timeout: 20_000,
    });
  });
});
