/**
 * ModelState.applyDelta throughput and retained heap: 1M unit deltas over
 * 10k entities, with a history cap of 16 and unbounded. Only applying is
 * timed; the baseline is the cost of building the same deltas (what
 * JSON.parse of the frames would at least cost), for scale.
 * @module
 */
import type { Delta } from "../src/model/delta.js";
import { ModelState } from "../src/model/state.js";
import type { BenchRow } from "./run.js";

const DELTAS = 1_000_000;
const ENTITIES = 10_000;
const STATUSES = ["waiting", "maintenance", "active", "blocked"];

function makeDelta(i: number): Delta {
  const n = i % ENTITIES;
  return [
    "unit",
    "change",
    {
      "model-uuid": "5f0c2d1e-8a3b-4c6d-9e0f-112233445566",
      name: `app${n % 100}/${n}`,
      application: `app${n % 100}`,
      "machine-id": String(n),
      life: "alive",
      "workload-status": {
        current: STATUSES[i % 4],
        message: "",
        since: "2026-01-01T00:00:00Z",
        version: "",
      },
      "agent-status": { current: "idle", message: "", version: "3.6.28" },
    },
  ];
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function heapMiB(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

// Deltas arrive in AllWatcher batches already parsed from JSON, so each batch
// is built first and only applying it is timed.
const BATCH = 10_000;

function run(cap: number): { perSec: number; heap: number } {
  const before = heapMiB();
  const state = new ModelState({ historyCap: cap });
  let applyMs = 0;
  for (let start = 0; start < DELTAS; start += BATCH) {
    const batch: Delta[] = [];
    for (let i = start; i < start + BATCH; i++) batch.push(makeDelta(i));
    const t0 = performance.now();
    for (const d of batch) state.applyDelta(d);
    applyMs += performance.now() - t0;
  }
  const heap = heapMiB() - before;
  if (state.count("unit") !== ENTITIES) throw new Error("benchmark lost entities");
  return { perSec: DELTAS / (applyMs / 1000), heap };
}

/** Runs the delta benchmark. */
export async function benchDeltaApply(): Promise<BenchRow[]> {
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < DELTAS; i++) sink += (makeDelta(i)[2].name as string).length;
  const baseline = DELTAS / ((performance.now() - t0) / 1000);
  if (sink === 0) throw new Error("unreachable");
  const rows: BenchRow[] = [
    {
      benchmark: "delta apply",
      case: "baseline: build 1M deltas",
      result: `${(baseline / 1e6).toFixed(2)} M/s`,
    },
  ];
  const hasGc = typeof (globalThis as { gc?: unknown }).gc === "function";
  for (const cap of [16, Number.POSITIVE_INFINITY]) {
    const r = run(cap);
    rows.push({
      benchmark: "delta apply",
      case: `1M deltas, 10k units, cap ${cap === Number.POSITIVE_INFINITY ? "∞" : cap}`,
      result: `${(r.perSec / 1e6).toFixed(2)} M/s, heap ${hasGc ? `${r.heap.toFixed(0)} MiB` : "n/a (no --expose-gc)"}`,
      vsBaseline: `${(r.perSec / baseline).toFixed(2)}×`,
      target: cap === 16 ? "≥ 1 M/s; heap bounded by cap" : "",
    });
  }
  return rows;
}
