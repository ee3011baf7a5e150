/**
 * Waiting for a model to reach a state, computed from the AllWatcher cache:
 * no polling RPCs. Conditions are re-checked whenever a delta arrives (and
 * every `waitPeriod` for conditions that read other things).
 * @module
 */
import { AbortError, LibjujuError } from "../rpc/errors.js";
import type { EntityData } from "./delta.js";
import type { EntityRecord, ModelState } from "./state.js";
import { deriveApplicationStatus, type StatusInfo } from "./status.js";

/** What a wait needs: the cache and a signal that it changed. */
export interface WaitSource {
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
   * lost link, a watcher restart): time-based conditions (idle periods)
   * start over then, since what happened meanwhile is unknown.
   */
  epoch?: () => number;
}

/** One entity that was not ready when a wait gave up. */
export interface NotReady {
  /** `application mysql`, `unit mysql/0`, `machine 3`. */
  entity: string;
  reason: string;
}

/** A wait ran out of time; `notReady` names each entity and why. */
export class WaitTimeoutError extends LibjujuError {
  readonly notReady: NotReady[];
  constructor(what: string, timeoutMs: number, notReady: NotReady[]) {
    const lines = notReady.map((n) => `  ${n.entity}: ${n.reason}`).join("\n");
    super(
      `timed out after ${timeoutMs / 1000}s waiting for ${what}${lines ? `:\n${lines}` : ""}`,
      "ERR_WAIT_TIMEOUT",
    );
    this.notReady = notReady;
  }
}

/** An entity went into error (or blocked) while waiting with `raiseOnError` / `raiseOnBlocked`. */
export class EntityStatusError extends LibjujuError {
  /** The entities in error, with their messages. */
  readonly entities: NotReady[];
  constructor(kind: "error" | "blocked", entities: NotReady[]) {
    const lines = entities.map((n) => `  ${n.entity}: ${n.reason}`).join("\n");
    super(
      `${entities.length === 1 ? "an entity is" : "entities are"} ${kind}:\n${lines}`,
      kind === "error" ? "ERR_ENTITY_ERROR" : "ERR_ENTITY_BLOCKED",
    );
    this.entities = entities;
  }
}

/** Options of {@link blockUntil}. */
export interface BlockUntilOptions {
  /** Milliseconds before giving up with {@link WaitTimeoutError}; default: no limit. */
  timeout?: number;
  /** Also re-check every this many ms (default 500), for conditions that do not depend on deltas. */
  waitPeriod?: number;
  signal?: AbortSignal;
}

/** Options of {@link waitForIdle}. */
export interface WaitForIdleOptions {
  /** Applications to wait for; default: every application in the model. */
  apps?: string[];
  /** Workload status every unit (and application) must have, e.g. `active`. */
  status?: string;
  /** How long (ms) each unit must stay ready without interruption. Default 15 000. */
  idlePeriod?: number;
  /** Milliseconds before giving up with {@link WaitTimeoutError}. Default 600 000. */
  timeout?: number;
  /** Throw {@link EntityStatusError} when a unit, application or machine is in error. Default true. */
  raiseOnError?: boolean;
  /** Throw {@link EntityStatusError} when a unit or application is blocked. Default false. */
  raiseOnBlocked?: boolean;
  /** Minimum number of units per application (a number for all, or per application). Default 1. */
  waitForUnits?: number | Record<string, number>;
  /** Exact number of units per application (a number for all, or per application). */
  waitForExactUnits?: number | Record<string, number>;
  signal?: AbortSignal;
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
  return waitOn(source, options, "conditions", () => {
    const failing = conditions.flatMap((c, i) =>
      c() ? [] : [{ entity: `condition ${i + 1}`, reason: "false" }],
    );
    return { done: failing.length === 0, notReady: failing };
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
  return waitOn(source, options, what, () => ({ done: condition(), notReady: [] }));
}

interface CheckResult {
  done: boolean;
  notReady: NotReady[];
  /** When (ms epoch) the result may change without a delta (idle periods). */
  recheckAt?: number;
}

/** What the model's connection looks like to a wait that timed out while it was down. */
const STALE: NotReady = {
  entity: "model connection",
  reason: "down or resyncing, so the model's state is not known",
};

function waitOn(
  source: WaitSource,
  options: { timeout?: number; waitPeriod?: number; signal?: AbortSignal; minInterval?: number },
  what: string,
  check: (resumed: boolean) => CheckResult,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timers: ReturnType<typeof setTimeout>[] = [];
    let last: CheckResult = { done: false, notReady: [] };
    let unsubscribe = () => {};
    let settled = false;
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      for (const t of timers.splice(0)) clearTimeout(t);
      if (recheck) clearTimeout(recheck);
      if (throttled) clearTimeout(throttled);
      clearInterval(periodic);
      options.signal?.removeEventListener("abort", onAbort);
      if (err) reject(err);
      else resolve();
    };
    let recheck: ReturnType<typeof setTimeout> | undefined;
    let throttled: ReturnType<typeof setTimeout> | undefined;
    let lastRun = Number.NEGATIVE_INFINITY;
    let epoch = source.epoch?.();
    const run = (): CheckResult => {
      const now = source.epoch?.();
      const resumed = now !== epoch;
      epoch = now;
      return check(resumed);
    };
    const evaluate = () => {
      if (settled) return;
      // Never from stale state: the resync's state change re-runs the check.
      if (source.isStale?.()) return;
      lastRun = Date.now();
      try {
        last = run();
      } catch (err) {
        finish(err);
        return;
      }
      if (last.done) {
        finish();
        return;
      }
      if (last.recheckAt !== undefined) {
        if (recheck) clearTimeout(recheck);
        recheck = setTimeout(evaluate, Math.max(0, last.recheckAt - Date.now()));
      }
    };
    // A busy model delivers many small batches; re-checking a large model on
    // each one costs more than the wait is worth, so checks run at most once
    // per `minInterval` (the first change is checked at once, the last one
    // always gets a check).
    const minInterval = options.minInterval ?? 0;
    const onChange = () => {
      if (settled || throttled) return;
      const wait = lastRun + minInterval - Date.now();
      if (wait <= 0) evaluate();
      else
        throttled = setTimeout(() => {
          throttled = undefined;
          evaluate();
        }, wait);
    };
    const onAbort = () => finish(new AbortError(`wait for ${what} aborted`));
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const periodic = setInterval(evaluate, options.waitPeriod ?? 500);
    if (options.timeout !== undefined) {
      const timeout = options.timeout;
      timers.push(
        setTimeout(() => {
          if (source.isStale?.()) {
            finish(new WaitTimeoutError(what, timeout, [STALE, ...last.notReady]));
            return;
          }
          try {
            last = run();
          } catch (err) {
            finish(err);
            return;
          }
          finish(last.done ? undefined : new WaitTimeoutError(what, timeout, last.notReady));
        }, timeout),
      );
    }
    unsubscribe = source.onStateChange(onChange);
    source.watchFailed?.catch((err: unknown) => finish(err));
    evaluate();
  });
}

const statusOf = (d: EntityData | undefined, field: string): StatusInfo | undefined =>
  d?.[field] as StatusInfo | undefined;

function perApp(
  spec: number | Record<string, number> | undefined,
  app: string,
): number | undefined {
  if (spec === undefined) return undefined;
  return typeof spec === "number" ? spec : spec[app];
}

/**
 * Waits until the given applications are idle: each has enough units, and
 * each unit's agent is `idle` (with the requested workload status) without
 * interruption for `idlePeriod`. Computed from the watcher's state only.
 */
export function waitForIdle(source: WaitSource, options: WaitForIdleOptions = {}): Promise<void> {
  const idlePeriod = options.idlePeriod ?? 15_000;
  const raiseOnError = options.raiseOnError ?? true;
  const raiseOnBlocked = options.raiseOnBlocked ?? false;
  if (options.apps !== undefined && !Array.isArray(options.apps)) {
    throw new TypeError("waitForIdle: apps must be an array of application names");
  }
  // When each unit was first seen ready in its current unbroken stretch.
  const readySince = new Map<string, number>();
  // The latest version of each unit already looked at: the states in between
  // are checked too, so a unit that was busy and idle again between two
  // checks still restarts its idle period.
  const seenVersion = new Map<string, number>();
  const state = source.state;
  const isReady = (u: EntityData | undefined) =>
    statusOf(u, "agent-status")?.current === "idle" &&
    (!options.status || statusOf(u, "workload-status")?.current === options.status);

  const check = (resumed: boolean): CheckResult => {
    // After an outage nobody knows whether units stayed idle: start over.
    if (resumed) readySince.clear();
    const now = Date.now();
    const apps = options.apps ?? [...state.live("application")].map((r) => r.id);
    const notReady: NotReady[] = [];
    const errors: NotReady[] = [];
    const blocked: NotReady[] = [];
    let recheckAt: number | undefined;
    const unitsByApp = new Map<string, EntityRecord[]>();
    for (const r of state.live("unit")) {
      const app = String(r.current!.application);
      const list = unitsByApp.get(app);
      if (list) list.push(r);
      else unitsByApp.set(app, [r]);
    }

    for (const app of apps) {
      const appData = state.entityData("application", app);
      if (!appData) {
        notReady.push({ entity: `application ${app}`, reason: "missing from the model" });
        continue;
      }
      const records = unitsByApp.get(app) ?? [];
      const units = records.map((r) => r.current!);
      const appStatus = deriveApplicationStatus(
        statusOf(appData, "status"),
        units.map((u) => statusOf(u, "workload-status")),
      );
      if (appStatus.current === "error")
        errors.push({ entity: `application ${app}`, reason: appStatus.message || "error" });
      if (appStatus.current === "blocked")
        blocked.push({ entity: `application ${app}`, reason: appStatus.message || "blocked" });

      const exact = perApp(options.waitForExactUnits, app);
      const atLeast = perApp(options.waitForUnits, app) ?? 1;
      if (exact !== undefined && units.length !== exact) {
        notReady.push({
          entity: `application ${app}`,
          reason: `has ${units.length} units, waiting for exactly ${exact}`,
        });
      } else if (exact === undefined && units.length < atLeast) {
        notReady.push({
          entity: `application ${app}`,
          reason: `has ${units.length} units, waiting for at least ${atLeast}`,
        });
      }
      if (options.status && appStatus.current !== options.status) {
        notReady.push({
          entity: `application ${app}`,
          reason: `status is ${appStatus.current}, waiting for ${options.status}`,
        });
      }

      for (const record of records) {
        const u = record.current!;
        const name = record.id;
        const seen = seenVersion.get(name);
        if (seen !== undefined && seen < record.latest) {
          for (let v = Math.max(seen + 1, record.oldest); v < record.latest; v++) {
            if (!isReady(record.at(v))) readySince.delete(name);
          }
        }
        seenVersion.set(name, record.latest);
        const agent = statusOf(u, "agent-status");
        const workload = statusOf(u, "workload-status");
        const machineId = String(u["machine-id"] ?? "");
        const machine = machineId ? state.entityData("machine", machineId) : undefined;
        const inst = statusOf(machine, "instance-status");
        const machAgent = statusOf(machine, "agent-status");
        if (inst?.current === "provisioning error" || machAgent?.current === "error") {
          errors.push({
            entity: `machine ${machineId}`,
            reason: inst?.message || machAgent?.message || "error",
          });
        }
        if (agent?.current === "error" || agent?.current === "failed") {
          errors.push({
            entity: `unit ${name}`,
            reason: `agent ${agent.current}: ${agent.message ?? ""}`.trim(),
          });
        }
        if (workload?.current === "error")
          errors.push({ entity: `unit ${name}`, reason: workload.message || "error" });
        if (workload?.current === "blocked")
          blocked.push({ entity: `unit ${name}`, reason: workload.message || "blocked" });

        const why: string[] = [];
        if (agent?.current !== "idle") why.push(`agent is ${agent?.current ?? "unknown"}`);
        if (options.status && workload?.current !== options.status) {
          why.push(`workload is ${workload?.current ?? "unknown"}, waiting for ${options.status}`);
        }
        if (why.length) {
          readySince.delete(name);
          notReady.push({ entity: `unit ${name}`, reason: why.join("; ") });
          continue;
        }
        const since = readySince.get(name) ?? now;
        readySince.set(name, since);
        if (now - since < idlePeriod) {
          const at = since + idlePeriod;
          recheckAt = recheckAt === undefined ? at : Math.min(recheckAt, at);
          notReady.push({
            entity: `unit ${name}`,
            reason: `idle for ${((now - since) / 1000).toFixed(1)}s of ${idlePeriod / 1000}s`,
          });
        }
      }
    }
    if (raiseOnError && errors.length) throw new EntityStatusError("error", errors);
    if (raiseOnBlocked && blocked.length) throw new EntityStatusError("blocked", blocked);
    return {
      done: notReady.length === 0,
      notReady,
      ...(recheckAt !== undefined ? { recheckAt } : {}),
    };
  };
  return waitOn(
    source,
    {
      timeout: options.timeout ?? 600_000,
      waitPeriod: 1000,
      minInterval: 50,
      ...(options.signal ? { signal: options.signal } : {}),
    },
    `${options.apps ? options.apps.join(", ") : "the model"} to be idle`,
    check,
  );
}
