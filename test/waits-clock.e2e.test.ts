import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Model, type RequestFrame, type WaitClock } from "../src/index.js";
import { parseGoTime } from "../src/model/wait-clock.js";
import { Simulator, VirtualClock } from "../src/simulator/index.js";
import { createConformanceTap } from "./support/conformance-tap.js";

// Idle periods on the simulator's virtual clock: the simulator stamps each
// status `since` from that clock and answers FullStatus with it, and the
// wait runs on the same clock (or on a skewed view of it), so "exactly when
// the last agent has been idle for idlePeriod" is a statement about virtual
// milliseconds, not about how fast this machine is.

let sim: Simulator;
let clock: VirtualClock;
let model: Model;
const tap = createConformanceTap();
let statusReplies = 0;
const statusIds = new Set<number>();

const pause = () => new Promise((r) => setTimeout(r, 1));

/** Moves virtual time in small steps (with real pauses for frames to flow) until `done()`. */
async function drive(done: () => boolean, step = 5): Promise<void> {
  for (let i = 0; i < 4000 && !done(); i++) {
    await clock.advance(step);
    await pause();
  }
  if (!done()) throw new Error("the model never got there");
}

/** Real pauses (virtual time stands still) until `done()`. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 5000 && !done(); i++) await pause();
  if (!done()) throw new Error("condition not reached");
}

const unitsOf = (app: string) =>
  [...model.state.live("unit")].filter((r) => r.current?.application === app);
const agentSince = (app: string) =>
  Math.max(
    ...unitsOf(app).map(
      (r) =>
        parseGoTime((r.current?.["agent-status"] as { since?: string } | undefined)?.since) ??
        Number.NaN,
    ),
  );
const settled = (app: string, n: number) =>
  unitsOf(app).length === n &&
  unitsOf(app).every(
    (r) =>
      (r.current?.["agent-status"] as { current: string } | undefined)?.current === "idle" &&
      (r.current?.["workload-status"] as { current: string } | undefined)?.current === "active",
  );

/** The virtual clock as seen from a client whose clock is off by `skew` ms. */
const skewed = (skew: number): WaitClock => ({
  now: () => clock.now().getTime() + skew,
  setTimer: (ms, fn) => clock.setTimer(ms, fn),
});

beforeAll(async () => {
  clock = new VirtualClock();
  sim = await Simulator.start({ clock, timing: "fast", seed: 5 });
  model = await Model.connect({
    endpoint: sim.endpoint,
    uuid: sim.defaultModelUuid,
    username: sim.username,
    password: sim.password,
    caCert: sim.caCert,
    pingInterval: 0,
    onFrame: (direction, frame) => {
      tap.onFrame(direction, frame);
      const f = frame as RequestFrame & { "request-id": number };
      if (direction === "out" && f.request === "FullStatus") statusIds.add(f["request-id"]);
      if (direction === "in" && statusIds.has(f["request-id"])) statusReplies++;
    },
  });
});

afterAll(async () => {
  await model?.disconnect();
  expect(tap.violations).toEqual([]);
  await sim?.stop();
});

describe("waitForIdle on the controller's clock", () => {
  it("returns at once (one FullStatus) for a model idle for longer than idlePeriod", async () => {
    const deploying = model.deploy("ubuntu", { applicationName: "calm", numUnits: 2 });
    await drive(() => model.applications.has("calm") && settled("calm", 2));
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
      await drive(() => model.applications.has(app) && settled(app, 3));
      await deploying;
      const lastIdle = agentSince(app);
      expect(Number.isFinite(lastIdle)).toBe(true);
      const replies = statusReplies;
      let done = false;
      const waiting = model
        .waitForIdle({ apps: [app], idlePeriod: 5000, clock: skewed(skew), timeout: 60_000 })
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
    await drive(() => model.applications.has("hooked") && settled("hooked", 1));
    await deploying;
    const firstIdle = agentSince("hooked");
    let done = false;
    const waiting = model
      .waitForIdle({ apps: ["hooked"], idlePeriod: 5000, clock, timeout: 60_000 })
      .then(() => {
        done = true;
      });
    await clock.advance(3000);
    // config-changed runs: executing, then idle again with a new since.
    await model.applications.get("hooked")!.setConfig({ hostname: "elsewhere" });
    await drive(() => agentSince("hooked") > firstIdle && settled("hooked", 1), 1);
    const secondIdle = agentSince("hooked");
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
