import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Simulator } from "./simulator.js";

const PASSWORD = "s3cret-do-not-print";
let sim: Simulator;

beforeAll(async () => {
  sim = await Simulator.start({ password: PASSWORD });
});

afterAll(async () => {
  await sim.stop();
});

describe("the simulator keeps its admin password out of what it prints", () => {
  it("still hands the password to whoever asks for it", () => {
    expect(sim.password).toBe(PASSWORD);
  });

  it("leaves it out of util.inspect, even deep", () => {
    const text = inspect(sim, { depth: Infinity, showHidden: true });
    expect(text).toContain("Simulator");
    expect(text).not.toContain(PASSWORD);
    // The internals reachable through TypeScript-private fields too.
    const internals = sim as unknown as Record<string, unknown>;
    expect(inspect(internals.store, { depth: Infinity })).not.toContain(PASSWORD);
    expect(inspect(internals.server, { depth: Infinity })).not.toContain(PASSWORD);
  });

  it("leaves it out of JSON.stringify, String() and a spread copy", () => {
    const json = JSON.stringify(sim);
    expect(json).not.toContain(PASSWORD);
    expect(JSON.parse(json)).toMatchObject({ endpoint: sim.endpoint, username: "admin" });
    expect(String(sim)).not.toContain(PASSWORD);
    expect(String(sim)).toContain(sim.endpoint);
    expect(inspect({ ...sim }, { depth: Infinity })).not.toContain(PASSWORD);
  });
});
