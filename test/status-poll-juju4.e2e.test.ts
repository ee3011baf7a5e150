import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Model, type ModelEvent } from "../src/index.js";
import { Simulator } from "../src/simulator/index.js";
import { createConformanceTap } from "./support/conformance-tap.js";

let dir: string;
let sim: Simulator;
// Every frame is checked against the Juju 4.0 schema.
const tap = createConformanceTap(4);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "libjuju-poll4-"));
  sim = await Simulator.start({ juju: "4.0", timing: "instant", jujuData: dir });
});

afterAll(async () => {
  expect(tap.framesSeen).toBeGreaterThan(3);
  expect(tap.violations).toEqual([]);
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const connect = (options: { stateSource?: "auto" | "allwatcher" | "status-poll" } = {}) =>
  Model.connect({
    endpoint: sim.endpoint,
    uuid: sim.defaultModelUuid,
    username: sim.username,
    password: sim.password,
    caCert: sim.caCert,
    pingInterval: 0,
    onFrame: tap.onFrame,
    reconnect: false,
    ...options,
  });

describe("a Model on a Juju 4.0 controller (no AllWatcher)", () => {
  it("auto picks status polling, and the state, observers and waits work", async () => {
    expect(sim.jujuVersion).toMatch(/^4\./);
    await using model = await connect();
    expect(model.stateSource).toBe("status-poll");
    const info = [...model.state.live("model")][0]?.current;
    expect(info).toMatchObject({ "model-uuid": sim.defaultModelUuid, type: "iaas" });

    const seen: string[] = [];
    model.addObserver(
      (e: ModelEvent) => void seen.push(`${e.action} ${e.entityType} ${e.entityId}`),
    );
    await model.deploy("ubuntu", { numUnits: 2 });
    await model.waitForIdle({ apps: ["ubuntu"], idlePeriod: 0, timeout: 10_000 });
    expect([...model.units.keys()].sort()).toEqual(["ubuntu/0", "ubuntu/1"]);
    expect(model.units.get("ubuntu/0")?.agentStatus).toBe("idle");
    expect(model.units.get("ubuntu/0")?.machine?.agentStatus).toBe("started");
    // Observers are called one at a time after the state changed: give them their turn.
    await vi.waitFor(() => expect(seen).toContain("add unit ubuntu/0"), { timeout: 10_000 });
    await model.destroyUnit("ubuntu/1", { blockUntilDone: true, timeout: 10_000 });
    await vi.waitFor(() => expect(seen).toContain("remove unit ubuntu/1"), { timeout: 10_000 });
  });

  it("reconnects after the controller drops the link and resyncs by a fresh poll", async () => {
    await using model = await Model.connect({
      endpoint: sim.endpoint,
      uuid: sim.defaultModelUuid,
      username: sim.username,
      password: sim.password,
      caCert: sim.caCert,
      pingInterval: 0,
      onFrame: tap.onFrame,
      reconnect: { initialDelay: 10, maxDelay: 100 },
    });
    expect(model.stateSource).toBe("status-poll");
    const back = new Promise<void>((resolve) => {
      const off = model.onConnectionChange((c) => {
        if (c.state !== "connected") return;
        off();
        resolve();
      });
    });
    const removed: string[] = [];
    model.addObserver((e: ModelEvent) => {
      if (e.action === "remove") removed.push(`${e.entityType} ${e.entityId}`);
    });
    await sim.dropConnections();
    // Another client changes the model while (or after) the poller reconnects.
    await using writer = await connect();
    await writer.deploy("ubuntu", { applicationName: "later", numUnits: 1 });
    await back;
    await model.blockUntil(() => model.units.has("later/0"), { timeout: 10_000 });
    expect(model.stateSource).toBe("status-poll");
    expect(removed).toEqual([]);
  });

  it("forcing the AllWatcher fails with Juju 4's not-implemented error", async () => {
    await expect(connect({ stateSource: "allwatcher" })).rejects.toMatchObject({
      jujuCode: "not implemented",
    });
  });
});
