/**
 * Limits on logging in: sockets that never log in are closed after a
 * timeout, and a source (remote address) whose logins keep failing is
 * answered `try again` (code `try again`, Juju's `ErrTryAgain`, what a 3.6
 * controller answers when its login rate limiter is full) until its failures
 * age out. Only failed logins count, so a client that logs in often with
 * good credentials is never slowed down.
 * @module
 */
import { type Clock, RealClock } from "./clock.js";
import { ServerError } from "./errors.js";

/** Options of the simulator's login limits (`SimulatorOptions.login`). */
export interface LoginGuardOptions {
  /**
   * How long a websocket may stay open without logging in, in ms of `clock`;
   * 0 disables. Default 30 000.
   */
  timeoutMs?: number;
  /** Failed logins a source may make within `windowMs` before it is answered `try again`. Default 10; 0 disables. */
  maxFailures?: number;
  /** The window failed logins are counted over, in ms of `clock`. Default 60 000. */
  windowMs?: number;
  /**
   * The clock of the timeout and the window. Default: wall time (a real
   * controller's deadlines are), independent of the agents' clock so that a
   * test driving a virtual clock does not close a socket mid-handshake.
   */
  clock?: Clock;
}

/** The `try again` error of a throttled login (`apiservererrors.ErrTryAgain`). */
export const tryAgain = (): ServerError => new ServerError("try again", "try again");

function nonNegative(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw new TypeError(`login guard: ${name} must be a finite number >= 0, got ${String(v)}`);
  }
  return v;
}

/** Login timeout and per-source throttling of failed logins. */
export class LoginGuard {
  /** See {@link LoginGuardOptions.timeoutMs}. */
  readonly timeoutMs: number;
  private readonly maxFailures: number;
  private readonly windowMs: number;
  /** The clock the timeout and the failure window run on. */
  readonly clock: Clock;
  /** Recent failure times per source, oldest first, at most `maxFailures` long. */
  private readonly failures = new Map<string, number[]>();

  constructor(opts: LoginGuardOptions = {}) {
    this.timeoutMs = nonNegative("timeoutMs", opts.timeoutMs, 30_000);
    this.maxFailures = nonNegative("maxFailures", opts.maxFailures, 10);
    this.windowMs = nonNegative("windowMs", opts.windowMs, 60_000);
    this.clock = opts.clock ?? new RealClock();
  }

  private recent(source: string): number[] {
    const now = this.clock.now().getTime();
    const list = (this.failures.get(source) ?? []).filter((t) => now - t < this.windowMs);
    if (list.length === 0) this.failures.delete(source);
    else this.failures.set(source, list);
    return list;
  }

  /** Throws `try again` when `source` has failed too often lately; call before checking credentials. */
  admit(source: string): void {
    if (this.maxFailures === 0) return;
    if (this.recent(source).length >= this.maxFailures) throw tryAgain();
  }

  /** Records a failed login from `source`. */
  failed(source: string): void {
    if (this.maxFailures === 0) return;
    const list = this.recent(source);
    list.push(this.clock.now().getTime());
    while (list.length > this.maxFailures) list.shift();
    this.failures.set(source, list);
    // Many sources: forget those whose failures aged out, so memory stays
    // bounded by the window (amortised: the sweep threshold doubles).
    if (this.failures.size > this.sweepAt) {
      for (const s of [...this.failures.keys()]) this.recent(s);
      this.sweepAt = Math.max(1024, this.failures.size * 2);
    }
  }

  private sweepAt = 1024;

  /** Number of sources currently holding failures (bounded by the window). */
  get trackedSources(): number {
    for (const s of [...this.failures.keys()]) this.recent(s);
    return this.failures.size;
  }
}
