/**
 * Measuring helpers shared by the benchmarks: closed-loop concurrent callers
 * and latency percentiles.
 * @module
 */

/** One measured case. */
export interface Measurement {
  calls: number;
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

/**
 * Runs `total` calls of `call` from `concurrency` closed-loop callers (each
 * starts its next call when the previous one is answered) and measures
 * throughput and per-call latency.
 */
export async function closedLoop(
  call: () => Promise<unknown>,
  concurrency: number,
  total: number,
): Promise<Measurement> {
  const latencies = new Float64Array(total);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      const t0 = performance.now();
      await call();
      latencies[i] = performance.now() - t0;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort();
  return {
    calls: total,
    seconds,
    opsPerSec: total / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
