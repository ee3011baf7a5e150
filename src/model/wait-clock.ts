/**
 * Time for waits: the client's clock (injectable, so tests and skewed hosts
 * can be simulated) and a safe estimate of the controller's clock, so that
 * idle periods are measured from the `since` the controller stamped on each
 * status instead of from when this client happened to look.
 * @module
 */

/** A handle returned by {@link WaitClock.setTimer}. */
export interface WaitTimer {
  /** Cancels the timer. */
  cancel(): void;
}

/**
 * The clock a wait runs on. Only differences of `now()` are used (idle
 * times, timeouts), so a client clock that is off by a constant amount
 * changes nothing; it should not jump while a wait runs. The simulator's
 * `VirtualClock` fits this shape, so tests can drive a wait by hand.
 */
export interface WaitClock {
  /** The clock's time in ms. */
  now(): number | Date;
  /** Runs `fn` once after `ms` milliseconds of this clock's time. */
  setTimer(ms: number, fn: () => void): WaitTimer;
}

/**
 * The default clock: a monotonic reading (`performance.now()` from the
 * process's time origin), so that a wall-clock step (NTP, a suspended
 * laptop) cannot stretch or shrink a measured period, and Node timers.
 */
export const systemClock: WaitClock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
};

/** The time of a clock in ms. */
export const clockMs = (clock: WaitClock): number => {
  const t = clock.now();
  return typeof t === "number" ? t : t.getTime();
};

/**
 * Parses a Go time (RFC 3339, up to nanoseconds) as Juju sends it, in ms.
 * Digits below the millisecond round up by default: a `since` read as
 * slightly later can only make a wait later, never earlier (a controller
 * timestamp rounds down, for the same reason). Undefined for anything else
 * (missing, null, Go's zero time, garbage).
 */
export function parseGoTime(value: unknown, round: "up" | "down" = "up"): number | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(value);
  if (!m) return undefined;
  const [, base, frac = "", zone] = m;
  const ms = Date.parse(`${base}${zone}`);
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  const digits = frac.padEnd(3, "0");
  const whole = Number(digits.slice(0, 3));
  const rest = round === "up" && /[1-9]/.test(digits.slice(3)) ? 1 : 0;
  return ms + whole + rest;
}

/**
 * A lower bound of the controller's clock, from samples: a controller time
 * `T` known to have been read no later than client time `t` means the
 * controller's clock is at least `T + (now - t)` now. Each sample is such a
 * bound (a `FullStatus` `controller-timestamp` with `t` the reply's arrival;
 * a `since` with `t` when it was seen), so their maximum is one too, and
 * measuring idle time against it can only make a wait later than the truth,
 * whatever the offset between the two clocks.
 */
export class ControllerClock {
  #offset: number | undefined;
  /** Where the best bound came from, for explanations. */
  source: "controller-timestamp" | "since" | undefined;

  /** Records that the controller's clock read `controllerMs` at or before client time `clientMs`. */
  sample(controllerMs: number, clientMs: number, source: "controller-timestamp" | "since"): void {
    const offset = controllerMs - clientMs;
    if (this.#offset === undefined || offset > this.#offset) {
      this.#offset = offset;
      this.source = source;
    }
  }

  /** True once any sample was taken. */
  get known(): boolean {
    return this.#offset !== undefined;
  }

  /** The lower bound of the controller's time at client time `clientMs`. */
  at(clientMs: number): number | undefined {
    return this.#offset === undefined ? undefined : clientMs + this.#offset;
  }

  /** The client time at which the controller's clock is sure to have reached `controllerMs`. */
  clientTimeOf(controllerMs: number): number | undefined {
    return this.#offset === undefined ? undefined : controllerMs - this.#offset;
  }
}
