/**
 * A model on a simulator that runs on a virtual clock, for tests of waits
 * that count time: the simulator stamps every status `since` from that clock,
 * and the test moves it. Shared by `waits-clock` and `waits-poll-clock`.
 */
import { afterAll, beforeAll, expect } from "vitest";
import {
  type FrameDirection,
  Model,
  type RequestFrame,
  type ResponseFrame,
  type StatusPollOptions,
  type WaitClock,
} from "../../src/index.js";
import { parseGoTime } from "../../src/model/wait-clock.js";
import { Simulator, VirtualClock } from "../../src/simulator/index.js";
import { createConformanceTap } from "./conformance-tap.js";

/** What {@link useClockedModel} gives a test file once its `beforeAll` has run. */
export interface ClockedModel {
  readonly sim: Simulator;
  readonly clock: VirtualClock;
  readonly model: Model;
}

/** Options of {@link useClockedModel}. */
export interface ClockedModelOptions {
  /** The Juju version the simulator plays (default 3.6); 4.0 also checks frames against its schema. */
  juju?: "3.6" | "4.0";
  /** Passed to `Model.connect` (a status-polled model). */
  statusPoll?: StatusPollOptions;
  /** Sees every frame after the conformance tap. */
  onFrame?: (direction: FrameDirection, frame: RequestFrame | ResponseFrame) => void;
}

/**
 * Registers hooks that start a simulator on a new {@link VirtualClock}
 * (timing `fast`, seed 5) and connect its default model with the schema
 * conformance tap; `afterAll` checks the frames and tears down.
 */
export function useClockedModel(options: ClockedModelOptions = {}): ClockedModel {
  const tap = createConformanceTap();
  const ctx = {} as { sim: Simulator; clock: VirtualClock; model: Model };
  beforeAll(async () => {
    ctx.clock = new VirtualClock();
    ctx.sim = await Simulator.start({
      ...(options.juju ? { juju: options.juju } : {}),
      clock: ctx.clock,
      timing: "fast",
      seed: 5,
    });
    ctx.model = await Model.connect({
      endpoint: ctx.sim.endpoint,
      uuid: ctx.sim.defaultModelUuid,
      username: ctx.sim.username,
      password: ctx.sim.password,
      caCert: ctx.sim.caCert,
      pingInterval: 0,
      ...(options.statusPoll ? { statusPoll: options.statusPoll } : {}),
      onFrame: (direction, frame) => {
        tap.onFrame(direction, frame);
        options.onFrame?.(direction, frame);
      },
    });
  });
  afterAll(async () => {
    await ctx.model?.disconnect();
    if (options.juju === "4.0") expect(tap.major).toBe(4);
    expect(tap.violations).toEqual([]);
    await ctx.sim?.stop();
  });
  return ctx;
}

/** One real-time pause (virtual time stands still), for frames to flow. */
export const pause = (): Promise<unknown> => new Promise((r) => setTimeout(r, 1));

/** Real pauses (virtual time stands still) until `done()`. */
export async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 5000 && !done(); i++) await pause();
  if (!done()) throw new Error("condition not reached");
}

/** The live units of `app` in the model's state. */
export const unitsOf = (model: Model, app: string) =>
  [...model.state.live("unit")].filter((r) => r.current?.application === app);

const statusOf = (r: { current?: Record<string, unknown> }, key: string) =>
  r.current?.[key] as { current?: string; since?: string } | undefined;

/** The latest agent-status `since` of the units of `app` (ms; NaN when one has none). */
export const agentSince = (model: Model, app: string): number =>
  Math.max(
    ...unitsOf(model, app).map(
      (r) => parseGoTime(statusOf(r, "agent-status")?.since) ?? Number.NaN,
    ),
  );

/**
 * Whether `app` has `n` units, each with an idle agent (and, when
 * `workload` is given, that workload status).
 */
export const settled = (model: Model, app: string, n: number, workload?: string): boolean =>
  unitsOf(model, app).length === n &&
  unitsOf(model, app).every(
    (r) =>
      statusOf(r, "agent-status")?.current === "idle" &&
      (workload === undefined || statusOf(r, "workload-status")?.current === workload),
  );

/** The virtual clock as seen from a client whose clock is off by `skew` ms. */
export const skewed = (clock: VirtualClock, skew: number): WaitClock => ({
  now: () => clock.now().getTime() + skew,
  setTimer: (ms, fn) => clock.setTimer(ms, fn),
});
