/**
 * Fairness of the simulator under one large bulk request: the latency of
 * `Pinger.Ping` on one connection while another connection sends
 * `Application.DestroyUnit`, `MachineManager.DestroyMachineWithParams` or
 * `MachineManager.RetryProvisioning` with 100 000 entities, beside the same pings on
 * an idle simulator measured in the same run (the baseline). The simulator
 * processes large bulk requests in slices that yield to the event loop, so
 * the pings should keep being answered while the bulk call runs.
 * @module
 */
import { Credentials, connectApi } from "../src/index.js";
import { Simulator } from "../src/simulator/index.js";
import type { BenchRow } from "./run.js";

const ENTITIES = 100_000;
const BASELINE_PINGS = 500;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}

const fmtMs = (ms: number) => `${ms < 1 ? ms.toFixed(3) : ms.toFixed(2)} ms`;

/** Runs the bulk-fairness benchmark. */
export async function benchBulkFairness(): Promise<BenchRow[]> {
  const sim = await Simulator.start({});
  const dial = () =>
    connectApi({
      endpoints: [sim.endpoint],
      modelUuid: sim.defaultModelUuid,
      credentials: new Credentials({ username: sim.username, password: sim.password }),
      caCert: sim.caCert,
      pingInterval: 0,
    });
  const pinger = (await dial()).connection;
  const bulker = (await dial()).connection;
  const ping = async (): Promise<number> => {
    const t0 = performance.now();
    await pinger.rpc({ type: "Pinger", version: 1, request: "Ping", params: {} });
    return performance.now() - t0;
  };
  const units = Array.from({ length: ENTITIES }, (_, i) => ({ "unit-tag": `unit-ghost-${i}` }));
  try {
    // Baseline: sequential pings on an idle simulator.
    for (let i = 0; i < 200; i++) await ping();
    const idle: number[] = [];
    for (let i = 0; i < BASELINE_PINGS; i++) idle.push(await ping());
    idle.sort((a, b) => a - b);

    const idleP99 = percentile(idle, 99);
    const rows: BenchRow[] = [
      {
        benchmark: "Ping during bulk",
        case: "Pinger.Ping, idle simulator (baseline)",
        result: `${idle.length} pings`,
        p50: fmtMs(percentile(idle, 50)),
        p99: fmtMs(idleP99),
      },
    ];
    const ghosts = Array.from({ length: ENTITIES }, (_, i) => `machine-${1_000_000 + i}`);
    const cases: Array<[string, string, number, Record<string, unknown>]> = [
      ["Application", "DestroyUnit", 19, { units }],
      ["MachineManager", "DestroyMachineWithParams", 10, { "machine-tags": ghosts }],
      // Unknown machines are skipped by Juju; bad tags each give a result.
      ["MachineManager", "RetryProvisioning", 10, { machines: ghosts.map((_, i) => `box-${i}`) }],
    ];
    for (const [facade, request, version, params] of cases) {
      // The same pings while the other connection's 100k-entity request runs.
      const t0 = performance.now();
      let done = false;
      const bulk = bulker.rpc({ type: facade, version, request, params }).finally(() => {
        done = true;
      });
      const busy: number[] = [];
      while (!done) busy.push(await ping());
      const reply = (await bulk) as { results?: unknown[] };
      const bulkMs = performance.now() - t0;
      if (reply.results?.length !== ENTITIES) throw new Error(`${request}: wrong result count`);
      busy.sort((a, b) => a - b);
      const busyP99 = percentile(busy, 99);
      const busyMax = busy.at(-1) ?? Number.NaN;
      rows.push({
        benchmark: "Ping during bulk",
        case: `Pinger.Ping while ${request}(${ENTITIES.toLocaleString("en-US")}) runs (${fmtMs(bulkMs)})`,
        result: `${busy.length} pings, max ${fmtMs(busyMax)}`,
        p50: fmtMs(percentile(busy, 50)),
        p99: fmtMs(busyP99),
        vsBaseline: `p99 ${(busyP99 / idleP99).toFixed(1)}×, ${busy.length} answered`,
        target: "pings answered throughout (many, not 1)",
      });
    }
    return rows;
  } finally {
    await pinger.close();
    await bulker.close();
    await sim.stop();
  }
}
