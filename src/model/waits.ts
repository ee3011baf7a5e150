/**
 * Waiting for a model to reach a state, computed from the AllWatcher cache:
 * no polling RPCs. Conditions are re-checked whenever a delta arrives, at
 * the exact moment a period ends (a timer, not a poll), and every
 * `waitPeriod` for conditions that read other things. Idle periods are
 * measured on the controller's clock from the `since` of each status (see
 * `wait-clock.ts`), so a settled model satisfies a wait at once and clock
 * skew on the client cannot make one return early.
 * @module
 */
import { AbortError } from "../rpc/errors.js";
import type { EntityData, EntityKind } from "./delta.js";
import type { EntityRecord, ModelState } from "./state.js";
import type { StatusInfo } from "./status.js";
import {
  ControllerClock,
  clockMs,
  parseGoTime,
  systemClock,
  type WaitClock,
  type WaitTimer,
} from "./wait-clock.js";
import {
  allWorkloads,
  and,
  anyBlocked,
  anyError,
  anyLost,
  appsPresent,
  type Condition,
  type ConditionLike,
  type ConditionResult,
  or,
  toCondition,
  unitCount,
  unitsIdle,
  type WaitContext,
} from "./wait-conditions.js";
import {
  EntityStatusError,
  type NotReady,
  statusProblemError,
  WaitTimeoutError,
} from "./wait-errors.js";

export { EntityStatusError, type NotReady, WaitTimeoutError } from "./wait-errors.js";

/** What a wait needs: the cache and a signal that it changed. */
export interface WaitSource {
  /** The client's model state the conditions read. */
  readonly state: ModelState;
  /** Calls `listener` after each applied batch of deltas; returns an unsubscribe. */
  onStateChange(listener: () => void): () => void;
  /** Rejects when the model connection is lost for good. */
  readonly watchFailed?: Promise<never>;
  /**
   * True while the state may be behind the controller's (the link is down,
   * or the watcher is resyncing): conditions are not checked then, so a
   * wait never resolves from stale state; it resumes once resynced.
   */
  isStale?: () => boolean;
  /**
   * A number that changes whenever the state may have missed changes (a
   * lost link, a watcher restart): periods counted by this client (where
   * the controller sent no `since`) start over then, since what happened
   * meanwhile is unknown; periods proven by `since` stand.
   */
  epoch?: () => number;
  /**
   * The controller's time now (`FullStatus`'s `controller-timestamp`), for
   * waits that measure periods: one round trip at the start of such a wait.
   * `patterns` narrows the status to what the wait looks at.
   */
  controllerTime?: (patterns: readonly string[], signal: AbortSignal) => Promise<unknown>;
  /**
   * For a polled state (status polls, Juju 4): the last poll, by its
   * `controller-timestamp`. The state is only known to be current up to
   * then, so idle periods are counted up to that time, never to now: a hook
   * that ran after the last poll may still show in the next one. Undefined
   * for a pushed state (the AllWatcher).
   */
  observed?: () =>
    | {
        /** The last poll's `controller-timestamp`, when it had one. */
        controllerTimestamp: string | undefined;
      }
    | undefined;
}

/** What {@link WaitOptions.onProgress} receives. */
export interface WaitProgress {
  /** Milliseconds since the wait started. */
  elapsed: number;
  /** What is not ready, and why (empty once done). */
  notReady: NotReady[];
  /** `notReady` as lines: `unit mysql/1: agent executing (install) for 12 s`. */
  lines: string[];
  /** Caveats, e.g. idle time counted by this client where the controller sent no `since`. */
  notes: string[];
  /** True on the last call, when the wait succeeded. */
  done: boolean;
  /** On success: how long it took and what was waited on last. */
  summary?: string;
}

/** What a successful wait reports. */
export interface WaitSummary {
  /** Milliseconds the wait took. */
  elapsed: number;
  /** What was still not ready at the last check before success (empty when ready at once). */
  waitedOnLast: NotReady[];
  /** Caveats, as in {@link WaitProgress.notes}. */
  notes: string[];
  /** One line: `ready after 5.2 s; last waited on unit mysql/1: idle for 4.9s of 5s`. */
  summary: string;
}

/** Options of {@link Model.wait}. */
export interface WaitOptions {
  /**
   * A condition that fails the wait as soon as it holds, with a typed error
   * ({@link UnitErrorStateError}, {@link MachineProvisioningError},
   * {@link AgentLostError}, {@link WorkloadBlockedError}). Default:
   * `or(anyError(), anyLost())`; `null` for none.
   */
  error?: ConditionLike | null;
  /** Milliseconds before giving up with {@link WaitTimeoutError}. Default 600 000. */
  timeout?: number;
  /** Stops the wait; it rejects with an `AbortError`. */
  signal?: AbortSignal;
  /**
   * How many checks in a row must find the condition true (checks run on
   * each change and every second). Default 1: idle periods are measured
   * from the controller's `since`, not by repeated checks.
   */
  successes?: number;
  /** Called at most once a second, on every change, with what is still not ready; last with the summary. */
  onProgress?: (progress: WaitProgress) => void;
  /** The clock to run on (tests, simulated skew); default: a monotonic system clock. */
  clock?: WaitClock;
}

/** Options of {@link Model.blockUntil}. */
export interface BlockUntilOptions {
  /** Milliseconds before giving up with {@link WaitTimeoutError}; default: no limit. */
  timeout?: number;
  /** Also re-check every this many ms (default 500), for conditions that do not depend on deltas. */
  waitPeriod?: number;
  /** Stops the wait; it rejects with an `AbortError`. */
  signal?: AbortSignal;
}

/** Options of {@link Model.waitForIdle}. */
export interface WaitForIdleOptions {
  /** Applications to wait for; default: every application in the model. */
  apps?: string[];
  /** Workload status every unit (and application) must have, e.g. `active`. */
  status?: string;
  /**
   * How long (ms) each unit must have been ready without interruption,
   * measured on the controller's clock from the statuses' `since` (so a
   * model idle for long enough already is ready at once). Default 15 000.
   */
  idlePeriod?: number;
  /** Milliseconds before giving up with {@link WaitTimeoutError}. Default 600 000. */
  timeout?: number;
  /**
   * Throw when a unit, application or machine is in error: an
   * {@link EntityStatusError} (a {@link UnitErrorStateError} or
   * {@link MachineProvisioningError}) as soon as it appears. Default true.
   */
  raiseOnError?: boolean;
  /** Throw {@link WorkloadBlockedError} (an {@link EntityStatusError}) when a unit or application is blocked. Default false. */
  raiseOnBlocked?: boolean;
  /** Minimum number of units per application (a number for all, or per application). Default 1. */
  waitForUnits?: number | Record<string, number>;
  /** Exact number of units per application (a number for all, or per application). */
  waitForExactUnits?: number | Record<string, number>;
  /** Stops the wait; it rejects with an `AbortError`. */
  signal?: AbortSignal;
  /** See {@link WaitOptions.onProgress}. */
  onProgress?: (progress: WaitProgress) => void;
  /** See {@link WaitOptions.clock}. */
  clock?: WaitClock;
}

/** What the model's connection looks like to a wait that timed out while it was down. */
const STALE: NotReady = {
  entity: "model connection",
  reason: "down or resyncing, so the model's state is not known",
};

/** `12 s`, `3 min 5 s`. */
function duration(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

interface EngineSpec {
  /** For timeouts and aborts: `the model to be idle`. */
  what: string;
  ready: Condition;
  error?: Condition | undefined;
  timeout?: number | undefined;
  signal?: AbortSignal | undefined;
  clock?: WaitClock | undefined;
  /** Re-check every this many ms even without a change. */
  waitPeriod: number;
  /** Checks run at most this often on changes (ms). */
  minInterval: number;
  successes?: number | undefined;
  onProgress?: ((p: WaitProgress) => void) | undefined;
  /** Narrows the `FullStatus` that tells the controller's time. */
  patterns?: readonly string[] | undefined;
  /** Add status histories to timeout errors. */
  histories?: boolean;
}

const kindOf: Record<string, EntityKind> = {
  unit: "unit",
  machine: "machine",
  application: "application",
};

/** One line per status change of an entity's kept states from `from` on. */
function historyLines(record: EntityRecord, from: number): string[] {
  const fields =
    record.kind === "unit"
      ? ["agent-status", "workload-status"]
      : record.kind === "machine"
        ? ["agent-status", "instance-status"]
        : ["status"];
  const label = (f: string) => f.replace("-status", "");
  const show = (s: StatusInfo | undefined) =>
    `${s?.current ?? "unknown"}${s?.message ? ` (${s.message})` : ""}`;
  const out: string[] = [];
  if (from < record.oldest) out.push("(earlier changes not kept)");
  let prev: EntityData | undefined = from > record.oldest ? record.at(from - 1) : undefined;
  for (let v = Math.max(from, record.oldest); v <= record.latest; v++) {
    const d = record.at(v);
    const changed = fields.filter(
      (f) => show(d?.[f] as StatusInfo | undefined) !== show(prev?.[f] as StatusInfo | undefined),
    );
    prev = d;
    if (!changed.length || !d) continue;
    const since = (d[changed[0]!] as StatusInfo | undefined)?.since;
    const at = typeof since === "string" && since ? `${since} ` : "";
    out.push(
      `${at}${changed.map((f) => (f === "status" ? show(d[f] as StatusInfo) : `${label(f)} ${show(d[f] as StatusInfo)}`)).join(", ")}`,
    );
  }
  return out;
}

/**
 * The wait loop: evaluates `ready` (after `error`) on changes, at the times
 * conditions ask for, and every `waitPeriod`; never from stale state.
 */
function runWait(source: WaitSource, spec: EngineSpec): Promise<WaitSummary> {
  return run(source, spec, true) as Promise<WaitSummary>;
}

/**
 * {@link runWait} resolving to undefined, with no extra promise hop: the
 * callers of `blockUntil` / `waitUntil` / `waitForIdle` (and the model's
 * observer-error guard around them) see the same timing as before.
 */
function runVoid(source: WaitSource, spec: EngineSpec): Promise<void> {
  return run(source, spec, false) as Promise<void>;
}

function run(
  source: WaitSource,
  spec: EngineSpec,
  withSummary: boolean,
): Promise<WaitSummary | undefined> {
  const clock = spec.clock ?? systemClock;
  const now = () => clockMs(clock);
  const start = now();
  const state = source.state;
  const ctrl = new ControllerClock();
  // Where there is no `since`: when each entity was first seen ready in its current stretch.
  const observed = new Map<string, number>();
  // The same for a polled state, on the controller's clock (the polls' timestamps).
  const observedPolls = new Map<string, number>();
  // A polled state is known up to its last poll's controller-timestamp (ms), not to now.
  let provenUntil: number | undefined;
  let lastPoll: string | undefined;
  // The latest version of each entity already looked at (for states between checks).
  const seen = new Map<string, number>();
  // Each entity's version when the wait started, for the histories of a timeout.
  const baseline = new WeakMap<EntityRecord, number>();
  if (spec.histories)
    for (const k of ["unit", "machine", "application"] as const)
      for (const r of state.live(k)) baseline.set(r, r.latest);
  const notes = new Set<string>();
  const needSuccesses = spec.successes ?? 1;
  if (!(Number.isInteger(needSuccesses) && needSuccesses >= 1)) {
    return Promise.reject(new TypeError("wait: successes must be an integer ≥ 1"));
  }

  return new Promise<WaitSummary | undefined>((resolve, reject) => {
    let last: ConditionResult = { ok: false, notReady: [] };
    let lastPending: NotReady[] = [];
    let successes = 0;
    let settled = false;
    let epoch = source.epoch?.();
    let unsubscribe = () => {};
    let lastRun = Number.NEGATIVE_INFINITY;
    let recheck: WaitTimer | undefined;
    let recheckAt = Number.POSITIVE_INFINITY;
    let throttled: WaitTimer | undefined;
    let tick: WaitTimer | undefined;
    let timeout: WaitTimer | undefined;
    let lastEmit = Number.NEGATIVE_INFINITY;
    let lastText: string | undefined;
    let trailing: WaitTimer | undefined;
    const inner = new AbortController();

    const finish = (err?: unknown, summary?: WaitSummary) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      for (const t of [recheck, throttled, tick, timeout, trailing]) t?.cancel();
      inner.abort();
      spec.signal?.removeEventListener("abort", onAbort);
      if (err) reject(err);
      else resolve(withSummary ? summary : undefined);
    };

    const emit = (done: boolean, summary?: string) => {
      if (!spec.onProgress) return;
      lastEmit = now();
      trailing?.cancel();
      trailing = undefined;
      const notReady = done ? [] : last.notReady;
      const lines = notReady.map((n) => `${n.entity}: ${n.reason}`);
      lastText = lines.join("\n");
      spec.onProgress({
        elapsed: lastEmit - start,
        notReady,
        lines,
        notes: [...notes],
        done,
        ...(summary !== undefined ? { summary } : {}),
      });
    };
    // At most once a second; a change within the second is shown when it ends.
    const progress = () => {
      if (!spec.onProgress || settled) return;
      const text = last.notReady.map((n) => `${n.entity}: ${n.reason}`).join("\n");
      const t = now();
      if (t - lastEmit >= 1000) emit(false);
      else if (text !== lastText && !trailing) {
        trailing = clock.setTimer(lastEmit + 1000 - t, () => {
          trailing = undefined;
          if (!settled) emit(false);
        });
      }
    };

    const context = (t: number): WaitContext => {
      let units: Map<string, EntityRecord[]> | undefined;
      const seeSince = (s: number | undefined) => {
        if (s !== undefined) ctrl.sample(s, t, "since");
        return s;
      };
      return {
        state,
        now: t,
        controllerNow: () => ctrl.at(t),
        unitsOf(app) {
          if (!units) {
            units = new Map();
            for (const r of state.live("unit")) {
              const a = String(r.current?.application ?? "");
              const l = units.get(a);
              if (l) l.push(r);
              else units.set(a, [r]);
            }
          }
          return units.get(app) ?? [];
        },
        appsOr: (apps) =>
          apps.length ? [...apps] : [...state.live("application")].map((r) => r.id),
        heldFor(key, record, ready, since) {
          const before = seen.get(key);
          seen.set(key, record.latest);
          let broken = false;
          if (before !== undefined)
            for (let v = Math.max(before + 1, record.oldest); v < record.latest; v++) {
              const d = record.at(v);
              if (d && !ready(d)) broken = true;
            }
          const cur = record.current;
          if (!cur || !ready(cur)) {
            observed.delete(key);
            return undefined;
          }
          if (broken) {
            observed.delete(key);
            observedPolls.delete(key);
          }
          const s = seeSince(since(cur));
          if (s !== undefined) {
            const c = Math.min(ctrl.at(t)!, provenUntil ?? Number.POSITIVE_INFINITY);
            return {
              ms: Math.max(0, c - s),
              observed: false,
              // Beyond the last poll only the next poll can prove it (it wakes the wait).
              readyAt: (period) =>
                provenUntil !== undefined && s + period > provenUntil
                  ? Number.POSITIVE_INFINITY
                  : ctrl.clientTimeOf(s + period)!,
            };
          }
          if (provenUntil !== undefined) {
            notes.add(
              "idle time counted between status polls where the controller sent no `since`",
            );
            const first = observedPolls.get(key) ?? provenUntil;
            observedPolls.set(key, first);
            return {
              ms: provenUntil - first,
              observed: true,
              readyAt: () => Number.POSITIVE_INFINITY,
            };
          }
          notes.add(
            "idle time counted from when this client saw each unit ready: the controller sent no `since`",
          );
          const first = observed.get(key) ?? t;
          observed.set(key, first);
          return { ms: t - first, observed: true, readyAt: (period) => first + period };
        },
        wakeAt(ms) {
          wake = Math.min(wake, ms);
        },
        age(since) {
          const s = seeSince(parseGoTime(since));
          const c = ctrl.at(t);
          return s === undefined || c === undefined ? undefined : duration(c - s);
        },
      };
    };
    let wake = Number.POSITIVE_INFINITY;

    const evaluate = () => {
      if (settled) return;
      // Never from stale state: the resync's state change re-runs the check.
      if (source.isStale?.()) return;
      const t = now();
      lastRun = t;
      const e = source.epoch?.();
      if (e !== epoch) {
        // After an outage nobody knows whether units stayed ready: counts
        // this client made start over (those proven by `since` stand).
        epoch = e;
        observed.clear();
        observedPolls.clear();
      }
      const poll = source.observed?.();
      if (poll === undefined) provenUntil = undefined;
      else if (poll.controllerTimestamp !== lastPoll) {
        lastPoll = poll.controllerTimestamp;
        const T = parseGoTime(lastPoll, "down");
        if (T === undefined) {
          // Juju always stamps FullStatus; without it, periods run to the client's now.
          provenUntil = undefined;
          notes.add(
            "a status poll had no controller-timestamp: idle time may run up to one poll past the last one",
          );
        } else {
          // The reply arrived before this check: a bound of the controller's clock too.
          ctrl.sample(T, t, "controller-timestamp");
          provenUntil = provenUntil === undefined ? T : Math.max(provenUntil, T);
        }
      }
      wake = Number.POSITIVE_INFINITY;
      const ctx = context(t);
      try {
        if (spec.error) {
          const bad = spec.error.check(ctx);
          if (bad.ok) {
            throw bad.problems?.length
              ? statusProblemError(bad.problems)
              : new EntityStatusError("error", [
                  { entity: spec.error.description, reason: "holds" },
                ]);
          }
        }
        last = spec.ready.check(ctx);
      } catch (err) {
        finish(err);
        return;
      }
      if (last.ok) {
        successes++;
        if (successes >= needSuccesses) {
          const elapsed = t - start;
          const lastLine = lastPending.length
            ? `; last waited on ${lastPending.map((n) => `${n.entity}: ${n.reason}`).join(", ")}`
            : "";
          const summary = `ready after ${(elapsed / 1000).toFixed(1)} s${lastLine}`;
          emit(true, summary);
          finish(undefined, { elapsed, waitedOnLast: lastPending, notes: [...notes], summary });
          return;
        }
      } else {
        successes = 0;
        lastPending = last.notReady;
      }
      if (wake !== recheckAt) {
        recheck?.cancel();
        recheck = undefined;
        recheckAt = wake;
        if (Number.isFinite(wake)) {
          recheck = clock.setTimer(Math.max(0, wake - t), () => {
            recheck = undefined;
            recheckAt = Number.POSITIVE_INFINITY;
            evaluate();
          });
        }
      }
      progress();
    };

    // A busy model delivers many small batches; re-checking a large model on
    // each one costs more than the wait is worth, so checks run at most once
    // per `minInterval` (the first change is checked at once, the last one
    // always gets a check).
    const onChange = () => {
      if (settled || throttled) return;
      const gap = lastRun + spec.minInterval - now();
      if (gap <= 0) evaluate();
      else
        throttled = clock.setTimer(gap, () => {
          throttled = undefined;
          evaluate();
        });
    };
    const onAbort = () => finish(new AbortError(`wait for ${spec.what} aborted`));
    if (spec.signal?.aborted) {
      onAbort();
      return;
    }
    spec.signal?.addEventListener("abort", onAbort, { once: true });
    const periodic = () => {
      tick = clock.setTimer(spec.waitPeriod, () => {
        periodic();
        evaluate();
      });
    };
    periodic();
    if (spec.timeout !== undefined) {
      const ms = spec.timeout;
      timeout = clock.setTimer(ms, () => {
        if (source.isStale?.()) {
          finish(new WaitTimeoutError(spec.what, ms, [STALE, ...withHistory(last.notReady)]));
          return;
        }
        evaluate();
        if (!settled) finish(new WaitTimeoutError(spec.what, ms, withHistory(last.notReady)));
      });
    }
    const withHistory = (list: NotReady[]): NotReady[] => {
      if (!spec.histories) return list;
      const done = new Set<string>();
      return list.map((n) => {
        const [k, ...rest] = n.entity.split(" ");
        const kind = kindOf[k ?? ""];
        const record = kind ? state.getRecord(kind, rest.join(" ")) : undefined;
        if (!record || done.has(n.entity)) return n;
        done.add(n.entity);
        const base = baseline.get(record);
        const lines = historyLines(record, base === undefined ? 0 : base + 1);
        return lines.length ? { ...n, history: lines } : n;
      });
    };
    unsubscribe = source.onStateChange(onChange);
    source.watchFailed?.catch((err: unknown) => finish(err));
    // The controller's time, once: lets periods that ended before the wait
    // began count at once (a `since` alone only bounds it from below).
    if (source.controllerTime && (spec.ready.timed || spec.error?.timed)) {
      const sent = now();
      source
        .controllerTime(spec.patterns ?? [], inner.signal)
        .then((ts) => {
          const at = now();
          const T = parseGoTime(ts, "down");
          if (T === undefined) {
            notes.add(
              "the controller sent no controller-timestamp: its time is bounded by the newest `since` only",
            );
          } else {
            ctrl.sample(T, at, "controller-timestamp");
            void sent;
          }
          evaluate();
        })
        .catch((err: unknown) => {
          if (settled) return;
          notes.add(
            `the controller's time is not known (${err instanceof Error ? err.message : String(err)}): periods are bounded by the newest \`since\` only`,
          );
        });
    }
    evaluate();
  });
}

/**
 * Resolves once every condition is true, re-checking on every model change
 * and every `waitPeriod`.
 */
export function blockUntil(
  source: WaitSource,
  conditions: Array<() => boolean>,
  options: BlockUntilOptions = {},
): Promise<void> {
  const ready: Condition = {
    description: "conditions",
    check: () => {
      const failing = conditions.flatMap((c, i) =>
        c() ? [] : [{ entity: `condition ${i + 1}`, reason: "false" }],
      );
      return { ok: failing.length === 0, notReady: failing };
    },
  };
  return runVoid(source, {
    what: "conditions",
    ready,
    timeout: options.timeout,
    signal: options.signal,
    waitPeriod: options.waitPeriod ?? 500,
    minInterval: 0,
  });
}

/**
 * Resolves once `condition` is true, re-checked on every model change;
 * a timeout names `what` (e.g. `application mysql to appear`).
 */
export function waitUntil(
  source: WaitSource,
  what: string,
  condition: () => boolean,
  options: BlockUntilOptions = {},
): Promise<void> {
  return runVoid(source, {
    what,
    ready: { description: what, check: () => ({ ok: condition(), notReady: [] }) },
    timeout: options.timeout,
    signal: options.signal,
    waitPeriod: options.waitPeriod ?? 500,
    minInterval: 0,
  });
}

/**
 * Waits until `ready` holds (`Model.wait`): re-checked on every change and
 * at the moment a period ends; fails at once with a typed error when
 * `error` holds, and after `timeout` with everything not ready and its
 * status history. Resolves with a summary.
 */
export function waitForCondition(
  source: WaitSource,
  ready: ConditionLike,
  options: WaitOptions = {},
): Promise<WaitSummary> {
  const condition = toCondition(ready);
  const error =
    options.error === null
      ? undefined
      : options.error === undefined
        ? or(anyError(), anyLost())
        : toCondition(options.error);
  return runWait(source, {
    what: condition.description,
    ready: condition,
    error,
    timeout: options.timeout ?? 600_000,
    signal: options.signal,
    clock: options.clock,
    waitPeriod: 1000,
    minInterval: 50,
    successes: options.successes,
    onProgress: options.onProgress,
    histories: true,
  });
}

function perApp(
  spec: number | Record<string, number> | undefined,
  app: string,
): number | undefined {
  if (spec === undefined) return undefined;
  return typeof spec === "number" ? spec : spec[app];
}

/**
 * The condition {@link Model.waitForIdle} waits for, built from the predicates:
 * each application present with enough units, its status (and its units'
 * workloads) `status` when given, and every unit's agent idle for
 * `idlePeriod` on the controller's clock.
 */
export function idleCondition(options: WaitForIdleOptions = {}): Condition {
  const idlePeriod = options.idlePeriod ?? 15_000;
  const fixed = options.apps;
  const parts = (apps: string[]): Condition[] => [
    appsPresent(...apps),
    ...apps.map((app) => {
      const exact = perApp(options.waitForExactUnits, app);
      return unitCount(
        app,
        exact !== undefined ? exact : { min: perApp(options.waitForUnits, app) ?? 1 },
      );
    }),
    ...(options.status ? [appStatusIs(options.status, apps)] : []),
    unitsIdle({ apps, idlePeriod, ...(options.status ? { status: options.status } : {}) }),
  ];
  const description = `${fixed ? fixed.join(", ") : "the model"} to be idle`;
  if (fixed) return { ...and(...parts(fixed)), description };
  // Every application in the model, as it is at each check.
  return {
    description,
    timed: idlePeriod > 0,
    check: (ctx) => and(...parts(ctx.appsOr([]))).check(ctx),
  };
}

/** Application statuses only (unit workloads are checked with the agents). */
function appStatusIs(status: string, apps: string[]): Condition {
  const all = allWorkloads(status, ...apps);
  return {
    description: all.description,
    check(ctx) {
      const r = all.check(ctx);
      const notReady = r.notReady.filter((n) => n.entity.startsWith("application "));
      return { ok: notReady.length === 0, notReady };
    },
  };
}

/**
 * Waits until the given applications are idle (python-libjuju's
 * `wait_for_idle`): each has enough units, and each unit's agent is `idle`
 * (with the requested workload status) without interruption for
 * `idlePeriod` on the controller's clock. Computed from the watcher's
 * state, plus one `FullStatus` for the controller's time.
 */
export function waitForIdle(source: WaitSource, options: WaitForIdleOptions = {}): Promise<void> {
  if (options.apps !== undefined && !Array.isArray(options.apps)) {
    throw new TypeError("waitForIdle: apps must be an array of application names");
  }
  const apps = options.apps ?? [];
  const errors = [
    ...((options.raiseOnError ?? true) ? [anyError(...apps)] : []),
    ...(options.raiseOnBlocked ? [anyBlocked(...apps)] : []),
  ];
  const ready = idleCondition(options);
  return runVoid(source, {
    what: ready.description,
    ready,
    error: errors.length ? or(...errors) : undefined,
    timeout: options.timeout ?? 600_000,
    signal: options.signal,
    clock: options.clock,
    waitPeriod: 1000,
    minInterval: 50,
    onProgress: options.onProgress,
    patterns: apps,
    histories: true,
  });
}
