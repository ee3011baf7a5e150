/**
 * `waitForIdle` on a large model: 200 applications with 10 units each (2,000
 * units on 2,000 machines) deployed on the simulator, then waited for. The
 * wait is computed from the AllWatcher cache, so the only frames it may cause
 * are the watcher's own `AllWatcher.Next` calls; every other request sent
 * while waiting is counted and reported.
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Model, type RequestFrame } from "../src/index.js";
import { Simulator } from "../src/simulator/index.js";
import type { BenchRow } from "./run.js";

const APPS = 200;
const UNITS = 10;

/** Runs the large-model wait benchmark. */
export async function benchWaitForIdle(): Promise<BenchRow[]> {
  const jujuData = await mkdtemp(join(tmpdir(), "libjuju-bench-"));
  const sim = await Simulator.start({ jujuData, timing: "realistic" });
  let waiting = false;
  const during = new Map<string, number>();
  const model = await Model.connect({
    endpoint: sim.endpoint,
    uuid: sim.defaultModelUuid,
    username: sim.username,
    password: sim.password,
    caCert: sim.caCert,
    onFrame: (direction, frame) => {
      if (!waiting || direction !== "out") return;
      const f = frame as RequestFrame;
      const key = `${f.type}.${f.request}`;
      during.set(key, (during.get(key) ?? 0) + 1);
    },
  });
  try {
    const t0 = performance.now();
    for (let i = 0; i < APPS; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, APPS - i) }, (_, j) =>
          model.deploy("ubuntu", { applicationName: `app${i + j}`, numUnits: UNITS }),
        ),
      );
    }
    const deploySeconds = (performance.now() - t0) / 1000;
    waiting = true;
    const t1 = performance.now();
    const cpu0 = process.cpuUsage();
    await model.waitForIdle({ idlePeriod: 0, timeout: 600_000 });
    const waitSeconds = (performance.now() - t1) / 1000;
    const cpu = process.cpuUsage(cpu0);
    // Client and simulator share this process, so this is both sides' CPU.
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    waiting = false;
    const units = model.units.size;
    const nexts = during.get("AllWatcher.Next") ?? 0;
    const pings = during.get("Pinger.Ping") ?? 0;
    // The connection's keep-alive pings go on whatever the model does; they are shown, not counted.
    const others = [...during].filter(([k]) => k !== "AllWatcher.Next" && k !== "Pinger.Ping");
    const otherCount = others.reduce((n, [, c]) => n + c, 0);
    return [
      {
        benchmark: "waitForIdle",
        case: `${APPS} apps × ${UNITS} units (${units} units), realistic agents`,
        result: `deploy ${deploySeconds.toFixed(1)} s, wait ${waitSeconds.toFixed(1)} s, CPU ${cpuSeconds.toFixed(1)} s`,
        vsBaseline: `RPCs by the wait: ${otherCount}${otherCount ? ` (${others.map(([k, c]) => `${k}×${c}`).join(", ")})` : ""}; watcher Nexts ${nexts}, keep-alive pings ${pings}`,
        target: "no RPCs beyond the watcher",
      },
    ];
  } finally {
    await model.disconnect();
    await sim.stop();
    await rm(jujuData, { recursive: true, force: true });
  }
}
