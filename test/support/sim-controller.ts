import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { Controller, type Model } from "../../src/index.js";
import { type CharmSource, Simulator } from "../../src/simulator/index.js";
import { createConformanceTap } from "./conformance-tap.js";

/** What {@link useSimController} gives a test file once its `beforeAll` has run. */
export interface SimController {
  readonly sim: Simulator;
  readonly controller: Controller;
  readonly dir: string;
  /** The conformance tap, for further connections the test opens itself. */
  readonly onFrame: ReturnType<typeof createConformanceTap>["onFrame"];
}

/** Options of {@link useSimController}. */
export interface SimControllerOptions {
  /** The Juju version the simulator plays (default 3.6). */
  juju?: "3.6" | "4.0";
  /** Machines answer ssh. */
  ssh?: boolean;
  /** Seed of the simulator (addresses, ids, jitter). */
  seed?: number;
  /** Where charms come from (default: the simulator's catalog). */
  charms?: CharmSource;
  /** At least this many frames must have flowed by `afterAll` (default 10). */
  minFrames?: number;
  /** `afterAll` also checks that frames were checked against this schema major. */
  expectMajor?: 3 | 4;
}

/**
 * Registers hooks that start a simulator (instant agents; Juju 3.6 unless
 * `options.juju` names another profile; machines answer ssh with
 * `options.ssh`) with client files
 * in a temp dir and connect a `Controller` through them with the schema
 * conformance tap; `afterAll` checks that frames flowed without violations
 * and tears everything down.
 */
export function useSimController(
  prefix: string,
  options: SimControllerOptions = {},
): SimController {
  const tap = createConformanceTap();
  const ctx = { onFrame: tap.onFrame } as SimController & {
    sim: Simulator;
    controller: Controller;
    dir: string;
  };
  beforeAll(async () => {
    ctx.dir = await mkdtemp(join(tmpdir(), `libjuju-${prefix}-`));
    ctx.sim = await Simulator.start({
      ...(options.juju ? { juju: options.juju } : {}),
      ...(options.ssh ? { ssh: true } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.charms ? { charms: options.charms } : {}),
      jujuData: ctx.dir,
      controllerName: "sim",
      timing: "instant",
    });
    ctx.controller = await Controller.connectCurrent({
      env: { JUJU_DATA: ctx.dir },
      pingInterval: 0,
      onFrame: tap.onFrame,
    });
  });
  afterAll(async () => {
    await ctx.controller?.disconnect();
    expect(tap.framesSeen).toBeGreaterThan(options.minFrames ?? 10);
    if (options.expectMajor !== undefined) expect(tap.major).toBe(options.expectMajor);
    expect(tap.violations).toEqual([]);
    await ctx.sim?.stop();
    if (ctx.dir) await rm(ctx.dir, { recursive: true, force: true });
  });
  return ctx;
}

/**
 * A new model on its own connection to the simulator whose client files are
 * in `jujuData`, recording (and schema-checking) the name of every request it
 * sends, so a test can assert what did or did not go out. Give it the
 * `onFrame` of {@link useSimController} so that its frames are checked with
 * the others (its own tap's violations are not looked at).
 */
export async function recordingModel(
  jujuData: string,
  name: string,
  onFrame: ReturnType<typeof createConformanceTap>["onFrame"] = createConformanceTap().onFrame,
): Promise<{ model: Model; sent: string[] }> {
  const sent: string[] = [];
  const c = await Controller.connectCurrent({
    env: { JUJU_DATA: jujuData },
    pingInterval: 0,
    onFrame: (direction, frame) => {
      onFrame(direction, frame);
      const req = (frame as { request?: string }).request;
      if (direction === "out" && req) sent.push(req);
    },
  });
  try {
    return { model: await c.addModel(name), sent };
  } finally {
    await c.disconnect();
  }
}
