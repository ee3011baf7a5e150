/**
 * libjuju/testing under a virtual clock: 20 applications × 5 units deployed
 * with the `realistic` timing profile (seconds per provisioning step and
 * hook), then 5 simulated minutes run with `ctl.advance("5m")`, and the
 * client's `waitForIdle` sees the settled model.
 *
 * Baseline: the same scenario on the real clock, scaled down to 4 × 5 (on
 * the real clock the agents of all units run in parallel, so the wall time
 * to settle hardly depends on the unit count, and 20 × 5 would add minutes
 * of load to the bench for the same number). The ratio compares simulated
 * seconds per wall second: the real clock runs at 1 by definition.
 * @module
 */
import { startTestController } from "../src/testing/index.js";
import type { BenchRow } from "./run.js";

const APPS = 20;
const UNITS = 5;
const REAL_APPS = 4;
const SIMULATED_MS = 5 * 60_000;

async function deployAll(
  model: Awaited<ReturnType<Awaited<ReturnType<typeof startTestController>>["model"]>>,
  apps: number,
): Promise<void> {
  await Promise.all(
    Array.from({ length: apps }, (_, i) =>
      model.deploy("juju-qa-test", { applicationName: `app${i}`, numUnits: UNITS }),
    ),
  );
}

/** Wall ms of `advance("5m")` and of the client seeing the settled model, under a virtual clock. */
async function virtualRun(): Promise<{ advanceMs: number; idleMs: number; settledSimMs: number }> {
  await using ctl = await startTestController({
    clock: "virtual",
    timing: "realistic",
    seed: 1,
    client: { pingInterval: 0 },
  });
  const model = await ctl.model();
  await deployAll(model, APPS);
  const start = Date.parse(ctl.now().now);
  const t0 = performance.now();
  await ctl.advance(SIMULATED_MS);
  const t1 = performance.now();
  await model.waitForIdle({ idlePeriod: 0, waitForUnits: UNITS, timeout: 120_000 });
  const t2 = performance.now();
  if (model.units.size !== APPS * UNITS) throw new Error(`expected ${APPS * UNITS} units`);
  // When the last agent went idle, in simulated time.
  let last = start;
  for (const u of model.units.values()) {
    const since = u.agentStatusSince?.getTime() ?? start;
    if (since > last) last = since;
  }
  return { advanceMs: t1 - t0, idleMs: t2 - t0, settledSimMs: last - start };
}

/** Wall ms until the scaled-down deployment settled on the real clock. */
async function realRun(): Promise<number> {
  await using ctl = await startTestController({
    timing: "realistic",
    seed: 1,
    client: { pingInterval: 0 },
  });
  const model = await ctl.model();
  const t0 = performance.now();
  await deployAll(model, REAL_APPS);
  await model.waitForIdle({ idlePeriod: 0, waitForUnits: UNITS, timeout: 300_000 });
  return performance.now() - t0;
}

/** The benchmark's rows. */
export async function benchTestingVirtualTime(): Promise<BenchRow[]> {
  const v = await virtualRun();
  const realMs = await realRun();
  const virtualRate = SIMULATED_MS / v.idleMs;
  return [
    {
      benchmark: "testing: virtual time",
      case: `virtual clock, ${APPS}×${UNITS} units, advance 5 simulated min`,
      result: `${Math.round(v.advanceMs)} ms wall (client idle after ${Math.round(v.idleMs)} ms)`,
      vsBaseline: `${Math.round(virtualRate)}× real time`,
      target: "< 1 s",
    },
    {
      benchmark: "testing: virtual time",
      case: `virtual clock, ${APPS}×${UNITS}: simulated time to settle`,
      result: `${(v.settledSimMs / 1000).toFixed(1)} s simulated`,
      // Settling on the real clock takes as long as the simulated time to settle, whatever the scale.
      vsBaseline: `client idle ${(realMs / v.idleMs).toFixed(1)}× sooner than on the real clock`,
    },
    {
      benchmark: "testing: virtual time",
      case: `real clock (baseline, scaled to ${REAL_APPS}×${UNITS})`,
      result: `settled in ${(realMs / 1000).toFixed(1)} s wall`,
      vsBaseline: "1× real time",
    },
  ];
}
