/**
 * Snapshot and restore of a deployed model (20 applications × 5 units, 100
 * machines) against deploying it: what a suite saves by building the model
 * once and restoring it per test.
 *
 * - deploy (the baseline): 20 `deploy` calls with 5 units each on the
 *   `instant` timing profile, until `waitForIdle` sees every unit active —
 *   the fastest the simulator can build the model through the API.
 * - snapshot: `sim.snapshot()` plus `JSON.stringify` (what `--state` writes).
 * - restore: `JSON.parse` plus `sim.restore()` with the client still
 *   connected (its AllWatcher gets the deltas), after the model was changed.
 *
 * Target: restore in milliseconds (p50 < 50 ms), ≥ 20× faster than deploying.
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Model } from "../src/index.js";
import { Simulator, type SimulatorSnapshot } from "../src/simulator/index.js";
import type { BenchRow } from "./run.js";

const APPS = 20;
const UNITS = 5;
const ROUNDS = 20;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

function p99(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)] ?? Number.NaN;
}

const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;

/** Runs the snapshot/restore benchmark. */
export async function benchSimSnapshot(): Promise<BenchRow[]> {
  const jujuData = await mkdtemp(join(tmpdir(), "libjuju-bench-snapshot-"));
  const sim = await Simulator.start({ jujuData, timing: "instant" });
  const model = await Model.connect({
    endpoint: sim.endpoint,
    uuid: sim.defaultModelUuid,
    username: sim.username,
    password: sim.password,
    caCert: sim.caCert,
    pingInterval: 0,
  });
  try {
    const apps = Array.from({ length: APPS }, (_, i) => `app${i}`);
    const t0 = performance.now();
    await Promise.all(
      apps.map((a) => model.deploy("ubuntu", { applicationName: a, numUnits: UNITS })),
    );
    await model.waitForIdle({ apps, idlePeriod: 0, status: "active", timeout: 300_000 });
    let snap: SimulatorSnapshot | undefined;
    // Idle per the deltas can come a step before the agents' queues drained.
    while (snap === undefined) {
      snap = await sim.snapshot().catch(async () => {
        await new Promise((r) => setTimeout(r, 5));
        return undefined;
      });
    }
    const deployMs = performance.now() - t0;

    const snapTimes: number[] = [];
    let json = "";
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      json = JSON.stringify(await sim.snapshot());
      snapTimes.push(performance.now() - t);
    }

    const restoreTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Something to undo: one application gone.
      await model.removeApplication(apps[i % APPS] ?? "app0", { force: true });
      const t = performance.now();
      await sim.restore(JSON.parse(json) as SimulatorSnapshot);
      restoreTimes.push(performance.now() - t);
    }
    // The connected client caught up with the restored model.
    await model.blockUntil(() => model.units.size === APPS * UNITS, { timeout: 60_000 });

    const restoreP50 = median(restoreTimes);
    return [
      {
        benchmark: "sim snapshot",
        case: `deploy ${APPS} apps × ${UNITS} units (instant agents)`,
        result: ms(deployMs),
        vsBaseline: "baseline",
      },
      {
        benchmark: "sim snapshot",
        case: `snapshot + JSON.stringify (${(json.length / 1024).toFixed(0)} KiB)`,
        result: ms(median(snapTimes)),
        p50: ms(median(snapTimes)),
        p99: ms(p99(snapTimes)),
        vsBaseline: `${(deployMs / median(snapTimes)).toFixed(0)}× faster`,
      },
      {
        benchmark: "sim snapshot",
        case: "JSON.parse + restore (client connected)",
        result: ms(restoreP50),
        p50: ms(restoreP50),
        p99: ms(p99(restoreTimes)),
        vsBaseline: `${(deployMs / restoreP50).toFixed(0)}× faster`,
        target: "< 50 ms, ≥ 20× faster",
      },
    ];
  } finally {
    await model.disconnect();
    await sim.stop();
    await rm(jujuData, { recursive: true, force: true });
  }
}
