import { describe, expect, it } from "vitest";
import { VirtualClock } from "./clock.js";
import { LoginGuard } from "./login-guard.js";

describe("LoginGuard", () => {
  it("answers `try again` after maxFailures failed logins from one source, until they age out", async () => {
    const clock = new VirtualClock();
    const g = new LoginGuard({ maxFailures: 3, windowMs: 60_000, clock });
    for (let i = 0; i < 3; i++) {
      g.admit("10.0.0.1");
      g.failed("10.0.0.1");
      await clock.advance(1_000);
    }
    expect(() => g.admit("10.0.0.1")).toThrow(
      expect.objectContaining({ message: "try again", code: "try again" }),
    );
    // Other sources are not affected.
    expect(() => g.admit("10.0.0.2")).not.toThrow();
    // The first failure leaves the window 60 s after it happened.
    await clock.advance(57_000);
    expect(() => g.admit("10.0.0.1")).not.toThrow();
    expect(g.trackedSources).toBe(1);
    await clock.advance(60_000);
    expect(g.trackedSources).toBe(0);
  });

  it("counts only failures: any number of admitted logins never throttles", () => {
    const g = new LoginGuard({ maxFailures: 1, clock: new VirtualClock() });
    for (let i = 0; i < 1000; i++) g.admit("127.0.0.1");
    expect(() => g.admit("127.0.0.1")).not.toThrow();
  });

  it("is off with maxFailures 0, and checks its options", () => {
    const g = new LoginGuard({ maxFailures: 0, clock: new VirtualClock() });
    for (let i = 0; i < 50; i++) g.failed("x");
    expect(() => g.admit("x")).not.toThrow();
    expect(() => new LoginGuard({ timeoutMs: -1 })).toThrow(/timeoutMs/);
    expect(() => new LoginGuard({ windowMs: Number.NaN })).toThrow(/windowMs/);
    expect(new LoginGuard().timeoutMs).toBe(30_000);
  });

  it("keeps memory bounded by the window when many sources fail", async () => {
    const clock = new VirtualClock();
    const g = new LoginGuard({ maxFailures: 2, windowMs: 1_000, clock });
    for (let i = 0; i < 5000; i++) g.failed(`s${i}`);
    await clock.advance(2_000);
    g.failed("last");
    expect(g.trackedSources).toBe(1);
  });
});
