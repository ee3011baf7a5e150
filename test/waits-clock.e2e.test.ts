import { beforeAll, describe, expect, it } from "vitest";
import type { Model, RequestFrame } from "../src/index.js";
import type { VirtualClock } from "../src/simulator/index.js";
import {
  agentSince,
  pause,
  settled,
  skewed,
  until,
  useClockedModel,
} from "./support/clocked-model.js";

// Idle periods on the simulator's virtual clock: the simulator stamps each
// status `since` from that clock and answers FullStatus with it, and the
// wait runs on the same clock (or on a skewed view of it), so "exactly when
// the last agent has been idle for idlePeriod" is a statement about virtual
// milliseconds, not about how fast this machine is.

let statusReplies = 0;
const statusIds = new Set<number>();
const ctx = useClockedModel({
  onFrame: (direction, frame) => {
    const f = frame as RequestFrame & { "request-id": number };
    if (direction === "out" && f.request === "FullStatus") statusIds.add(f["request-id"]);
    if (direction === "in" && statusIds.has(f["request-id"])) statusReplies++;
  },
});
let model: Model;
let clock: VirtualClock;
beforeAll(() => {
  ({ model, clock } = ctx);
});

/** Moves virtual time in small steps (with real pauses for frames to flow) until `done()`. */
async function drive(done: () => boolean, step = 5): Promise<void> {
  for (let i = 0; i < 4000 && !done(); i++) {
    await clock.advance(step);
    await pause();
  }
  if (!done()) throw new Error("the model never got there");
}

describe("waitForIdle on the controller's clock", () => {
  it("returns at once (one FullStatus) for a model idle for longer than idlePeriod", async () => {
    const deploying = model.deploy("ubuntu", { applicationName: "calm", numUnits: 2 });
    await drive(() => model.applications.has("calm") && settled(model, "calm", 2, "active"));
    await deploying;
    await clock.advance(60_000);
    const before = clock.now().getTime();
    const replies = statusReplies;
    const progress: string[] = [];
    await model.waitForIdle({
      apps: ["calm"],
      status: "active",
      idlePeriod: 15_000,
      clock,
      onProgress: (p) => {
        if (p.summary) progress.push(p.summary);
      },
    });
    // No virtual time passed: the wait was satisfied by the controller's own stamps.
    expect(clock.now().getTime()).toBe(before);
    expect(statusReplies - replies).toBe(1);
    expect(progress).toEqual([expect.stringMatching(/^ready after 0\.0 s/)]);
  });

  for (const skew of [0, 10 * 60_000, -10 * 60_000]) {
    it(`returns exactly when the last agent has been idle for idlePeriod (client clock ${skew / 60_000} min off)`, async () => {
      const app = `settling${skew < 0 ? "m" : ""}${Math.abs(skew)}`;
      const deploying = model.deploy("ubuntu", { applicationName: app, numUnits: 3 });
      await drive(() => model.applications.has(app) && settled(model, app, 3, "active"));
      await deploying;
      const lastIdle = agentSince(model, app);
      expect(Number.isFinite(lastIdle)).toBe(true);
      const replies = statusReplies;
      let done = false;
      const waiting = model
        .waitForIdle({ apps: [app], idlePeriod: 5000, clock: skewed(clock, skew), timeout: 60_000 })
        .then(() => {
          done = true;
        });
      // The FullStatus that tells the controller's time comes back.
      await until(() => statusReplies > replies);
      await pause();
      expect(lastIdle + 5000).toBeGreaterThan(clock.now().getTime());
      await clock.advance(lastIdle + 4999 - clock.now().getTime());
      await pause();
      expect(done).toBe(false);
      await clock.advance(1);
      await waiting;
      expect(clock.now().getTime()).toBe(lastIdle + 5000);
    });
  }

  it("starts the count over when a hook sets the agent back to executing", async () => {
    const deploying = model.deploy("ubuntu", { applicationName: "hooked", numUnits: 1 });
    await drive(() => model.applications.has("hooked") && settled(model, "hooked", 1, "active"));
    await deploying;
    const firstIdle = agentSince(model, "hooked");
    let done = false;
    const waiting = model
      .waitForIdle({ apps: ["hooked"], idlePeriod: 5000, clock, timeout: 60_000 })
      .then(() => {
        done = true;
      });
    await clock.advance(3000);
    // config-changed runs: executing, then idle again with a new since.
    await model.applications.get("hooked")!.setConfig({ hostname: "elsewhere" });
    await drive(
      () => agentSince(model, "hooked") > firstIdle && settled(model, "hooked", 1, "active"),
      1,
    );
    const secondIdle = agentSince(model, "hooked");
    await clock.advance(secondIdle + 4999 - clock.now().getTime());
    await pause();
    // Well past firstIdle + 5 s, and still waiting.
    expect(clock.now().getTime()).toBeGreaterThan(firstIdle + 5000);
    expect(done).toBe(false);
    await clock.advance(1);
    await waiting;
    expect(clock.now().getTime()).toBe(secondIdle + 5000);
  });
});
