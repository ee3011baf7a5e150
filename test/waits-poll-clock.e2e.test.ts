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

// waitForIdle on a status-polled model (Juju 4.0 profile), on the
// simulator's virtual clock: a polled state is only known up to the last
// poll, so an idle period is counted up to that poll's controller-timestamp,
// never up to "now" (a hook that ran after the last poll would show only in
// the next one). Polls happen only when the test asks (a write pokes one):
// the interval is an hour of real time.

let polls = 0;
const statusIds = new Set<number>();
let annotation = 0;
let waitStatus = 0;
const ctx = useClockedModel({
  juju: "4.0",
  statusPoll: { interval: 3_600_000, maxInterval: 3_600_000, afterWrite: 0 },
  onFrame: (direction, frame) => {
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
let model: Model;
let clock: VirtualClock;
beforeAll(() => {
  ({ model, clock } = ctx);
});

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

describe("waitForIdle on a status-polled model", () => {
  for (const skew of [0, 10 * 60_000, -10 * 60_000]) {
    it(`counts idle time only up to the last poll (client clock ${skew / 60_000} min off)`, async () => {
      expect(model.stateSource).toBe("status-poll");
      const app = `polled${skew < 0 ? "m" : ""}${Math.abs(skew)}`;
      await model.deploy("ubuntu", { applicationName: app, numUnits: 2 });
      await drive(() => model.applications.has(app) && settled(model, app, 2));
      const lastIdle = agentSince(model, app);
      expect(Number.isFinite(lastIdle)).toBe(true);
      // The last poll was answered at this virtual time (the clock stands still between steps).
      expect(clock.now().getTime()).toBeLessThan(lastIdle + 5000);

      let done = false;
      const waiting = model
        .waitForIdle({
          apps: [app],
          idlePeriod: 5000,
          clock: skewed(clock, skew),
          timeout: 600_000,
        })
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
