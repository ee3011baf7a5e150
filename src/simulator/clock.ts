/**
 * Time for the simulated agents: a {@link Clock} (real timers for demos, a
 * {@link VirtualClock} that tests advance by hand), the timing profiles that
 * say how long each simulated step takes, and a seeded PRNG so that a run is
 * reproducible (jitter, addresses, instance ids).
 * @module
 */

/** A handle returned by {@link Clock.setTimer}. */
export interface TimerHandle {
  /** Cancels the timer; no-op once it fired. */
  cancel(): void;
}

/** The clock the simulator's agents run on. */
export interface Clock {
  /** The current time. */
  now(): Date;
  /** Runs `fn` once after `ms` milliseconds of this clock's time. */
  setTimer(ms: number, fn: () => void): TimerHandle;
}

/** Wall-clock time and Node timers. */
export class RealClock implements Clock {
  now(): Date {
    return new Date();
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  }
}

interface VirtualTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to. Timers run in due order, each after
 * the promise jobs queued by the previous one, so that work a timer starts
 * (and the RPC replies it causes) settles before the next timer fires.
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: VirtualTimer[] = [];

  /** Starts at `start` (default: 2025-01-01T00:00:00Z, for stable output). */
  constructor(start: Date = new Date("2025-01-01T00:00:00Z")) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer: VirtualTimer = {
      at: this.current + Math.max(0, ms),
      seq: this.seq++,
      fn,
      cancelled: false,
    };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Number of timers waiting to fire. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const until = this.current + Math.max(0, ms);
    for (;;) {
      await settle();
      const next = this.popDue(until);
      if (next === undefined) break;
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = until;
    await settle();
  }

  /**
   * Fires timers until none is left (also those that firing schedules), up
   * to `limitMs` of simulated time; returns the time that passed.
   */
  async runAll(limitMs = 24 * 3600 * 1000): Promise<number> {
    const start = this.current;
    for (;;) {
      await settle();
      const next = this.popDue(start + limitMs);
      if (next === undefined) break;
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    return this.current - start;
  }

  private popDue(until: number): VirtualTimer | undefined {
    this.timers = this.timers.filter((t) => !t.cancelled);
    let best: VirtualTimer | undefined;
    for (const t of this.timers) {
      if (t.at > until) continue;
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    if (best !== undefined) this.timers = this.timers.filter((t) => t !== best);
    return best;
  }
}

/** Lets queued promise jobs and I/O callbacks run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** How long simulated work takes: `instant` (next tick), `fast` (tens of ms), `realistic` (seconds). */
export type TimingProfileName = "instant" | "fast" | "realistic";

/** The mean duration in ms of each kind of simulated step. */
export interface TimingProfile {
  /** Provisioner picks up a new machine (instance-status allocating). */
  provision: number;
  /** Instance boots (instance-status running). */
  boot: number;
  /** Machine agent starts (agent-status started). */
  agentStart: number;
  /** Unit assigner places a unit deployed without a machine. */
  assign: number;
  /** One hook run (install, start, relation-joined, …). */
  hook: number;
  /** A dying entity becomes dead and is removed. */
  teardown: number;
  /** Fraction of random jitter around each mean (0.3 = ±30 %). */
  jitter: number;
}

/** The built-in timing profiles. */
export const TIMING_PROFILES: Readonly<Record<TimingProfileName, TimingProfile>> = {
  instant: { provision: 0, boot: 0, agentStart: 0, assign: 0, hook: 0, teardown: 0, jitter: 0 },
  fast: { provision: 10, boot: 20, agentStart: 10, assign: 5, hook: 8, teardown: 10, jitter: 0.3 },
  // A three-application deploy settles in roughly 15-20 s.
  // (Real LXD clouds take minutes; this keeps the order and rhythm of a real
  // deploy at a pace a demo can show: `npm run demo` runs in under 30 s.)
  realistic: {
    provision: 1500,
    boot: 3000,
    agentStart: 1000,
    assign: 300,
    hook: 600,
    teardown: 700,
    jitter: 0.3,
  },
};

/** A small seeded PRNG (mulberry32): same seed, same sequence. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** `n` random lowercase hex digits. */
  hex(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += this.int(0, 15).toString(16);
    return s;
  }
}

/** Durations of simulated steps under one profile, with seeded jitter. */
export class Timing {
  constructor(
    readonly profile: TimingProfile,
    private readonly rng: Prng,
  ) {}

  /** The duration of one step of `kind`, jittered. */
  of(kind: Exclude<keyof TimingProfile, "jitter">): number {
    const mean = this.profile[kind];
    if (mean === 0) return 0;
    const j = this.profile.jitter;
    return Math.round(mean * (1 - j + 2 * j * this.rng.next()));
  }
}
