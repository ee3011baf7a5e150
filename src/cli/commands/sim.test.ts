import { Command, InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { parseLatency, registerSim } from "./sim.js";

describe("libjuju sim --latency", () => {
  it("reads a fixed latency as a Go-style duration", () => {
    expect(parseLatency("50ms")).toBe(50);
    expect(parseLatency("0.2s")).toBe(200);
    expect(parseLatency("0")).toBe(0);
  });

  it("reads MIN-MAX as a jitter range", () => {
    expect(parseLatency("20ms-80ms")).toEqual({ min: 20, max: 80 });
    expect(parseLatency("1s-1s")).toEqual({ min: 1000, max: 1000 });
  });

  it("rejects what is not a duration or a range", () => {
    expect(() => parseLatency("50")).toThrow(InvalidArgumentError);
    expect(() => parseLatency("80ms-20ms")).toThrow(/min above max/);
    expect(() => parseLatency("1ms-2ms-3ms")).toThrow(/expected a duration \(50ms\) or a range/);
    expect(() => parseLatency("-5ms")).toThrow(InvalidArgumentError);
  });
});

describe("libjuju sim --juju", () => {
  const program = () => {
    const p = new Command().exitOverride().configureOutput({ writeErr: () => {} });
    registerSim(p);
    return p;
  };

  it("plays Juju 3.6 unless told 4.0", () => {
    const sim = program().commands.find((c) => c.name() === "sim");
    const juju = sim?.options.find((o) => o.long === "--juju");
    expect(juju?.defaultValue).toBe("3.6");
    expect(juju?.argChoices).toEqual(["3.6", "4.0"]);
  });

  it("refuses a version the simulator cannot play", () => {
    expect(() => program().parse(["sim", "--juju", "2.9"], { from: "user" })).toThrow(
      /argument '2.9' is invalid. Allowed choices are 3.6, 4.0/,
    );
  });
});
