import { afterEach, describe, expect, it } from "vitest";
import { RawClient } from "../../test/support/raw-client.js";
import { Simulator, SimulatorOptionError, VirtualClock } from "./index.js";
import { latencySource } from "./latency.js";

describe("latencySource", () => {
  it("gives no source for no latency or zero", () => {
    expect(latencySource(undefined, 1)).toBeUndefined();
    expect(latencySource(0, 1)).toBeUndefined();
    expect(latencySource({ min: 0, max: 0 }, 1)).toBeUndefined();
  });

  it("repeats a fixed latency", () => {
    const f = latencySource(50, 1);
    expect([f?.(), f?.(), f?.()]).toEqual([50, 50, 50]);
  });

  it("draws jitter within [min, max], the same sequence for the same seed", () => {
    const a = latencySource({ min: 20, max: 80 }, 7);
    const b = latencySource({ min: 20, max: 80 }, 7);
    const c = latencySource({ min: 20, max: 80 }, 8);
    const xs = Array.from({ length: 200 }, () => a?.() ?? -1);
    const ys = Array.from({ length: 200 }, () => b?.() ?? -1);
    const zs = Array.from({ length: 200 }, () => c?.() ?? -1);
    expect(xs).toEqual(ys);
    expect(xs).not.toEqual(zs);
    for (const x of xs) expect(x >= 20 && x <= 80).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(100);
  });

  it("rejects negative, non-numeric and inverted specs with a typed error", () => {
    expect(() => latencySource(-1, 1)).toThrow(SimulatorOptionError);
    expect(() => latencySource(Number.NaN, 1)).toThrow(/non-negative number/);
    expect(() => latencySource({ min: 90, max: 10 }, 1)).toThrow("latency: min 90 is above max 10");
    expect(() => latencySource("50ms" as unknown as number, 1)).toThrow(SimulatorOptionError);
  });
});

describe("Simulator.start({latency})", () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it("refuses a bad latency before listening", async () => {
    await expect(Simulator.start({ latency: { min: 5, max: 1 } })).rejects.toThrow(
      SimulatorOptionError,
    );
  });

  it("holds every reply for the latency, measured on the simulator's clock", async () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    const started = await Simulator.start({
      clock,
      latency: 50,
      timing: "instant",
      onFrame: (dir) => seen.push(dir),
    });
    sim = started;
    const c = await RawClient.connect(started);
    const login = c.login(started.password);
    // The request arrived and its reply is parked on a clock timer.
    while (!seen.includes("in") || clock.pending === 0) await new Promise((r) => setImmediate(r));
    await clock.advance(49);
    expect(seen).toEqual(["in"]);
    await clock.advance(1);
    const reply = await login;
    expect(reply.error).toBeUndefined();
    expect(seen).toEqual(["in", "out"]);

    // Errors wait too.
    const bad = c.call("Client", 8, "NoSuchMethod", {});
    while (seen.length < 3 || clock.pending === 0) await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(["in", "out", "in"]);
    await clock.advance(50);
    expect((await bad).error).toContain("no such request");
    expect(c.violations).toEqual([]);
    c.close();
  });

  it("lets a closing simulator send parked replies without waiting", async () => {
    const clock = new VirtualClock();
    const started = await Simulator.start({ clock, latency: 10_000 });
    sim = started;
    const c = await RawClient.connect(started);
    const login = c.login(started.password);
    while (clock.pending === 0) await new Promise((r) => setImmediate(r));
    await started.stop();
    const r = await login;
    expect(r.closed).toBeUndefined();
    expect(r.error).toBeUndefined();
    expect(r.response).toHaveProperty("server-version");
  });
});
