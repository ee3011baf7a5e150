import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Model, type RequestFrame, type WaitClock } from "../src/index.js";
import { parseGoTime } from "../src/model/wait-clock.js";
import { Simulator, VirtualClock } from "../src/simulator/index.js";
import { createConformanceTap } from "./support/conformance-tap.js";

// waitForIdle on a status-polled model (Juju 4.0 profile), on the
// simulator's virtual clock: a polled state is only known up to the last
// poll, so an idle period is counted up to that poll's controller-timestamp,
// never up to "now" (a hook that ran after the last poll would show only in
// the next one). Polls happen only when the test asks (a write pokes one):
// the interval is an hour of real time.

let sim: Simulator;
let clock: VirtualClock;
let model: Model;
const tap = createConformanceTap();
let polls = 0;
const statusIds = new Set<number>();
let annotation = 0;
let waitStatus = 0;

const pause = () => new Promise((r) => setTimeout(r, 1));

/** Real pauses (virtual time stands still) until `done()`. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 5000 && !done(); i++) await pause();
  if (!done()) throw new Error("condition not reached");
}

/** One poll: a write (which pokes the poller), then its FullStatus reply and the state applied. */
async function pollOnce(): Promise<void> {
  const before = polls;
  await model.setAnnotations({ tick: String(++annotation) });
  await until(() => polls > before);
  await pause();
}

/** Moves virtual time in steps, polling after each, until `done()`. */
async function drive(done: () => boolean, step = 100): Promise<void> {
  for (let i = 0; i < 600 && !done(); i++) {
    await clock.advance(step);
    await pollOnce();
  }
  if (!done()) throw new Error("the model never got there");
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
    (r) => (r.current?.["agent-status"] as { current: string } | undefined)?.current === "idle",
  );

/** The virtual clock as seen from a client whose clock is off by `skew` ms. */
const skewed = (skew: number): WaitClock => ({
  now: () => clock.now().getTime() + skew,
  setTimer: (ms, fn) => clock.setTimer(ms, fn),
});

beforeAll(async () => {
  clock = new VirtualClock();
  sim = await Simulator.start({ juju: "4.0", clock, timing: "fast", seed: 5 });
  model = await Model.connect({
    endpoint: sim.endpoint,
    uuid: sim.defaultModelUuid,
    username: sim.username,
    password: sim.password,
    caCert: sim.caCert,
    pingInterval: 0,
    statusPoll: { interval: 3_600_000, maxInterval: 3_600_000, afterWrite: 0 },
    onFrame: (direction, frame) => {
      tap.onFrame(direction, frame);
      const f = frame as RequestFrame & { "request-id": number };
      // The poller asks for the whole model; the wait's own FullStatus names its applications.
      const patterns = (f.params as { patterns?: unknown[] } | undefined)?.patterns;
      if (direction === "out" && f.request === "FullStatus") {
        if (patterns?.length === 0) statusIds.add(f["request-id"]);
        else waitStatus++;
      }
      if (direction === "in" && statusIds.has(f["request-id"])) polls++;
    },
  });
});

afterAll(async () => {
  await model?.disconnect();
  expect(tap.major).toBe(4);
  expect(tap.violations).toEqual([]);
  await sim?.stop();
});

describe("waitForIdle on a status-polled model", () => {
  for (const skew of [0, 10 * 60_000, -10 * 60_000]) {
    it(`counts idle time only up to the last poll (client clock ${skew / 60_000} min off)`, async () => {
      expect(model.stateSource).toBe("status-poll");
      const app = `polled${skew < 0 ? "m" : ""}${Math.abs(skew)}`;
      await model.deploy("ubuntu", { applicationName: app, numUnits: 2 });
      await drive(() => model.applications.has(app) && settled(app, 2));
      const lastIdle = agentSince(app);
      expect(Number.isFinite(lastIdle)).toBe(true);
      // The last poll was answered at this virtual time (the clock stands still between steps).
      expect(clock.now().getTime()).toBeLessThan(lastIdle + 5000);

      let done = false;
      const waiting = model
        .waitForIdle({ apps: [app], idlePeriod: 5000, clock: skewed(skew), timeout: 600_000 })
        .then(() => {
          done = true;
        });
      // The wait's own FullStatus (the controller's time, now) is not a poll.
      const seen = polls;
      const asked = waitStatus;
      await until(() => waitStatus > asked);
      for (let i = 0; i < 5; i++) await pause();
      // Well past lastIdle + idlePeriod on every clock, and no poll since: still waiting.
      await clock.advance(lastIdle + 20_000 - clock.now().getTime());
      for (let i = 0; i < 20; i++) await pause();
      expect(polls).toBe(seen);
      expect(done).toBe(false);
      // The next poll proves the units stayed idle past the period.
      await pollOnce();
      await waiting;
      expect(done).toBe(true);
    });
  }
});
