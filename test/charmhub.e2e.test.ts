import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CharmhubError, Model } from "../src/index.js";
import { Simulator } from "../src/simulator/index.js";

let dir: string;
let sim: Simulator;
let model: Model;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "libjuju-charmhub-"));
  sim = await Simulator.start({ jujuData: dir, timing: "instant" });
  model = await Model.connect({
    endpoint: sim.endpoint,
    uuid: sim.defaultModelUuid,
    username: sim.username,
    password: sim.password,
    caCert: sim.caCert,
  });
});

afterAll(async () => {
  await model?.disconnect();
  await sim?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("model.charmhub()", () => {
  it("talks to the store named by the model's charmhub-url", async () => {
    const hub = await model.charmhub();
    expect(hub.url).toBe(sim.charmhubUrl);
    const info = await hub.info("mysql");
    expect(info.name).toBe("mysql");
    expect(await hub.isSubordinate("mysql-router")).toBe(true);
    expect(await hub.isSubordinate("mysql")).toBe(false);
    const resolved = await hub.resolve("mysql", { channel: "8.0/stable" });
    expect(resolved.revision).toBeGreaterThan(0);
    const found = await hub.find("mysql");
    expect(found.map((r) => r.name)).toContain("mysql");
  });

  it("reports an unknown charm as a typed not-found error", async () => {
    const hub = await model.charmhub();
    const err = await hub.info("no-such-charm").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CharmhubError);
    expect((err as CharmhubError).status).toBe(404);
    expect((err as CharmhubError).notFound).toBe(true);
  });
});
