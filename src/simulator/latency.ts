/**
 * Injected network latency: every RPC reply of the simulated controller
 * waits a fixed or jittered time before it is sent, so that tests and
 * benchmarks see the round trips a remote controller costs.
 * @module
 */
import { Prng } from "./clock.js";

/** A fixed latency in ms, or a range from which each reply draws its own (seeded). */
export type LatencySpec =
  | number
  | {
      /** Shortest latency, ms. */
      min: number;
      /** Longest latency, ms. */
      max: number;
    };

/** A simulator option that cannot be used; `code` names the option kind. */
export class SimulatorOptionError extends Error {
  /** Stable code for callers that branch. */
  readonly code = "invalid simulator option";
  constructor(message: string) {
    super(message);
    this.name = "SimulatorOptionError";
  }
}

function checkMs(what: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw new SimulatorOptionError(
      `latency: ${what} must be a non-negative number of ms, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/**
 * The per-reply latency source for a spec: undefined when there is none.
 * Jitter draws from its own PRNG (seeded from `seed`), so enabling latency
 * does not change the addresses or agent timings a seed produces.
 * @throws SimulatorOptionError for a negative, non-finite or inverted spec.
 */
export function latencySource(
  spec: LatencySpec | undefined,
  seed: number,
): (() => number) | undefined {
  if (spec === undefined) return undefined;
  if (typeof spec === "number") {
    const ms = checkMs("the latency", spec);
    return ms === 0 ? undefined : () => ms;
  }
  if (typeof spec !== "object" || spec === null) {
    throw new SimulatorOptionError(
      `latency: expected ms or {min, max}, got ${JSON.stringify(spec)}`,
    );
  }
  const min = checkMs("min", spec.min);
  const max = checkMs("max", spec.max);
  if (min > max) throw new SimulatorOptionError(`latency: min ${min} is above max ${max}`);
  if (max === 0) return undefined;
  const rng = new Prng((seed ^ 0x1a7e9c) >>> 0);
  return () => min + rng.next() * (max - min);
}
