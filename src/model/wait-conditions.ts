/**
 * Composable conditions for {@link Model.wait} (Jubilant-style predicates,
 * typed): each reads the AllWatcher state, says whether it holds, and when
 * it does not, explains what is not ready and why. Conditions that mean
 * trouble (`anyError`, `anyBlocked`, `anyLost`) also name the problems, so
 * a wait can raise a typed error the moment one appears.
 * @module
 */
import type { EntityData } from "./delta.js";
import type { EntityRecord, ModelState } from "./state.js";
import { deriveApplicationStatus, type StatusInfo } from "./status.js";
import { parseGoTime as parseSince } from "./wait-clock.js";
import type { NotReady, StatusProblem, StatusProblemKind } from "./wait-errors.js";

/** How long an entity has been continuously ready, as {@link WaitContext.heldFor} measures it. */
export interface Held {
  /** Milliseconds. */
  ms: number;
  /** True when counted from when this client saw it (the controller sent no `since`). */
  observed: boolean;
  /** The client time at which it will have been ready for `period` ms. */
  readyAt(period: number): number;
}

/** What a condition reads while a wait evaluates it. */
export interface WaitContext {
  /** The client's model state being checked. */
  readonly state: ModelState;
  /** The client's time (ms) of this evaluation. */
  readonly now: number;
  /** A lower bound of the controller's time now, when known. */
  controllerNow(): number | undefined;
  /** The live units of an application (cached for one evaluation). */
  unitsOf(app: string): EntityRecord[];
  /** The applications a predicate covers: `apps`, or every live application. */
  appsOr(apps: readonly string[]): string[];
  /**
   * How long the entity of `record` has been ready without interruption:
   * from the `since` the controller stamped (on the controller's clock)
   * when `since` gives one, otherwise from when this wait first saw it
   * ready. States between two evaluations count: a unit that was busy and
   * idle again in between starts over. Undefined when not ready now.
   */
  heldFor(
    key: string,
    record: EntityRecord,
    ready: (d: EntityData) => boolean,
    since: (d: EntityData) => number | undefined,
  ): Held | undefined;
  /** Asks for another evaluation at client time `ms` (a period ends then, without a delta). */
  wakeAt(ms: number): void;
  /** `12 s` for how long a status given by its `since` has held, or undefined. */
  age(since: unknown): string | undefined;
}

/** The outcome of one evaluation. */
export interface ConditionResult {
  /** Whether the condition holds. */
  ok: boolean;
  /** What is not ready, when `ok` is false. */
  notReady: NotReady[];
  /** For trouble conditions: the entities in trouble (set when `ok`). */
  problems?: StatusProblem[];
}

/** A condition over the model: a predicate that can say what is missing. */
export interface Condition {
  /** E.g. `all active (mysql, wordpress)`. */
  readonly description: string;
  /** True when it measures periods of time (the wait then learns the controller's clock). */
  readonly timed?: boolean;
  /** Evaluates the condition against the state in `ctx`. */
  check(ctx: WaitContext): ConditionResult;
}

/** A condition, or a plain function over the model's state. */
export type ConditionLike = Condition | ((state: ModelState) => boolean);

const statusOf = (d: EntityData | undefined, field: string): StatusInfo | undefined =>
  d?.[field] as StatusInfo | undefined;

const isCondition = (c: ConditionLike): c is Condition =>
  typeof c === "object" && c !== null && typeof c.check === "function";

/** Turns a function into a condition named after it (or `description`). */
export function where(fn: (state: ModelState) => boolean, description?: string): Condition {
  const name = description ?? (fn.name ? `${fn.name}()` : "custom condition");
  return {
    description: name,
    check: (ctx) =>
      fn(ctx.state)
        ? { ok: true, notReady: [] }
        : { ok: false, notReady: [{ entity: name, reason: "false" }] },
  };
}

/** A {@link ConditionLike} as a condition; throws `TypeError` for anything else. */
export function toCondition(c: ConditionLike): Condition {
  if (typeof c === "function") return where(c);
  if (isCondition(c)) return c;
  throw new TypeError("a wait condition must be a Condition or a function of the model state");
}

const ok: ConditionResult = { ok: true, notReady: [] };
const list = (apps: readonly string[]) => (apps.length ? ` (${apps.join(", ")})` : "");

function checkApps(apps: readonly string[], fn: string): void {
  for (const a of apps) {
    if (typeof a !== "string" || a === "") {
      throw new TypeError(`${fn}: applications must be non-empty strings, got ${String(a)}`);
    }
  }
}

/** Every condition holds. Explains every one that does not. */
export function and(...conditions: ConditionLike[]): Condition {
  const cs = conditions.map(toCondition);
  return {
    description: cs.map((c) => c.description).join(" and "),
    timed: cs.some((c) => c.timed),
    check(ctx) {
      const notReady: NotReady[] = [];
      const problems: StatusProblem[] = [];
      let all = true;
      for (const c of cs) {
        const r = c.check(ctx);
        if (!r.ok) {
          all = false;
          notReady.push(...r.notReady);
        } else if (r.problems) problems.push(...r.problems);
      }
      return all ? { ok: true, notReady: [], problems } : { ok: false, notReady };
    },
  };
}

/** At least one condition holds. Explains all of them when none does. */
export function or(...conditions: ConditionLike[]): Condition {
  const cs = conditions.map(toCondition);
  return {
    description: cs.map((c) => c.description).join(" or "),
    timed: cs.some((c) => c.timed),
    check(ctx) {
      const notReady: NotReady[] = [];
      const problems: StatusProblem[] = [];
      let any = false;
      for (const c of cs) {
        const r = c.check(ctx);
        if (r.ok) {
          any = true;
          if (r.problems) problems.push(...r.problems);
        } else notReady.push(...r.notReady);
      }
      return any ? { ok: true, notReady: [], problems } : { ok: false, notReady };
    },
  };
}

/** The condition does not hold; when it does, what makes it true is what is not ready. */
export function not(condition: ConditionLike): Condition {
  const c = toCondition(condition);
  return {
    description: `not (${c.description})`,
    ...(c.timed ? { timed: true } : {}),
    check(ctx) {
      const r = c.check(ctx);
      if (!r.ok) return ok;
      const notReady = r.problems?.length
        ? r.problems.map((p) => ({ entity: p.entity, reason: `${p.status}: ${p.message}` }))
        : [{ entity: c.description, reason: "holds" }];
      return { ok: false, notReady };
    },
  };
}

function agentText(ctx: WaitContext, agent: StatusInfo | undefined): string {
  const current = agent?.current ?? "unknown";
  const hook = /^running (.+) hook$/.exec(agent?.message ?? "")?.[1];
  const detail = hook ?? agent?.message;
  const age = ctx.age(agent?.since);
  return `agent ${current}${detail ? ` (${detail})` : ""}${age ? ` for ${age}` : ""}`;
}

/** The status to compare for an application: its own, or derived from its units (as `juju status`). */
function appStatus(ctx: WaitContext, app: string): StatusInfo | undefined {
  const data = ctx.state.entityData("application", app);
  if (!data) return undefined;
  return deriveApplicationStatus(
    statusOf(data, "status"),
    ctx.unitsOf(app).map((r) => statusOf(r.current, "workload-status")),
  );
}

/**
 * Every application (and each of its units' workloads) has `status`; with
 * no `apps`, every application in the model (and there is at least one).
 */
export function allWorkloads(status: string, ...apps: string[]): Condition {
  checkApps(apps, "allWorkloads");
  if (typeof status !== "string" || status === "") {
    throw new TypeError("allWorkloads: status must be a non-empty string");
  }
  return {
    description: `all ${status}${list(apps)}`,
    check(ctx) {
      const notReady: NotReady[] = [];
      const names = ctx.appsOr(apps);
      if (names.length === 0) notReady.push({ entity: "model", reason: "has no applications" });
      for (const app of names) {
        const s = appStatus(ctx, app);
        if (!s) {
          notReady.push({ entity: `application ${app}`, reason: "missing from the model" });
          continue;
        }
        if (s.current !== status) {
          notReady.push({
            entity: `application ${app}`,
            reason: `status is ${s.current}, waiting for ${status}`,
          });
        }
        for (const u of ctx.unitsOf(app)) {
          const w = statusOf(u.current, "workload-status");
          if (w?.current !== status) {
            const age = ctx.age(w?.since);
            notReady.push({
              entity: `unit ${u.id}`,
              reason: `workload is ${w?.current ?? "unknown"}${w?.message ? ` (${w.message})` : ""}${age ? ` for ${age}` : ""}, waiting for ${status}`,
            });
          }
        }
      }
      return { ok: notReady.length === 0, notReady };
    },
  };
}

/** Every application and unit workload is `active` (Jubilant's `all_active`). */
export const allActive = (...apps: string[]): Condition => allWorkloads("active", ...apps);
/** Every application and unit workload is `blocked`. */
export const allBlocked = (...apps: string[]): Condition => allWorkloads("blocked", ...apps);

/** Options of {@link unitsIdle}. */
export interface UnitsIdleOptions {
  /** Applications; default every application in the model. */
  apps?: readonly string[];
  /** How long (ms) each unit must have been ready, on the controller's clock. Default 0. */
  idlePeriod?: number;
  /** Workload status each unit must also have (its `since` counts too). */
  status?: string;
}

/**
 * Every unit's agent is `idle` (with workload `status`, when given), and
 * has been for `idlePeriod`: measured from the `since` the controller
 * stamped on the statuses against the controller's clock, so a model that
 * settled long ago is ready at once; without `since`, from when the wait
 * first saw it ready.
 */
export function unitsIdle(options: UnitsIdleOptions = {}): Condition {
  const apps = options.apps ?? [];
  checkApps(apps, "unitsIdle");
  const period = options.idlePeriod ?? 0;
  if (!(period >= 0)) throw new TypeError("unitsIdle: idlePeriod must be a number ≥ 0");
  const status = options.status;
  const ready = (d: EntityData) =>
    statusOf(d, "agent-status")?.current === "idle" &&
    (!status || statusOf(d, "workload-status")?.current === status);
  const since = (d: EntityData): number | undefined => {
    const a = parseSince(statusOf(d, "agent-status")?.since);
    if (a === undefined || !status) return a;
    const w = parseSince(statusOf(d, "workload-status")?.since);
    return w === undefined ? undefined : Math.max(a, w);
  };
  return {
    description: `units idle${period ? ` for ${period / 1000} s` : ""}${list(apps)}`,
    timed: period > 0,
    check(ctx) {
      const notReady: NotReady[] = [];
      for (const app of ctx.appsOr(apps)) {
        for (const record of ctx.unitsOf(app)) {
          const u = record.current;
          const held = ctx.heldFor(`idle\0${status ?? ""}\0${record.id}`, record, ready, since);
          if (held === undefined) {
            const why: string[] = [];
            const agent = statusOf(u, "agent-status");
            const workload = statusOf(u, "workload-status");
            if (agent?.current !== "idle") why.push(agentText(ctx, agent));
            if (status && workload?.current !== status) {
              why.push(`workload is ${workload?.current ?? "unknown"}, waiting for ${status}`);
            }
            notReady.push({ entity: `unit ${record.id}`, reason: why.join("; ") });
            continue;
          }
          if (held.ms < period) {
            ctx.wakeAt(held.readyAt(period));
            notReady.push({
              entity: `unit ${record.id}`,
              reason: `idle for ${(held.ms / 1000).toFixed(1)}s of ${period / 1000}s${held.observed ? " (counted by this client: no since from the controller)" : ""}`,
            });
          }
        }
      }
      return { ok: notReady.length === 0, notReady };
    },
  };
}

/** Every unit's agent is `idle` now (Jubilant's `all_agents_idle`). */
export const allAgentsIdle = (...apps: string[]): Condition => unitsIdle({ apps });

/** A unit count: exactly `n`, or within `{min, max}`. */
export type UnitCountSpec =
  | number
  | {
      /** At least this many units. */
      min?: number;
      /** At most this many units. */
      max?: number;
    };

/**
 * The application exists and has `n` units (or between `min` and `max`).
 * Reasons read `has 1 units, waiting for exactly 2`.
 */
export function unitCount(app: string, spec: UnitCountSpec): Condition {
  checkApps([app], "unitCount");
  const { min, max } = typeof spec === "number" ? { min: spec, max: spec } : spec;
  for (const v of [min, max]) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) {
      throw new TypeError(`unitCount: counts must be integers ≥ 0, got ${String(v)}`);
    }
  }
  const want =
    min !== undefined && min === max
      ? `exactly ${min}`
      : [min !== undefined ? `at least ${min}` : "", max !== undefined ? `at most ${max}` : ""]
          .filter(Boolean)
          .join(" and ");
  return {
    description: `${app} has ${want} units`,
    check(ctx) {
      if (!ctx.state.entityData("application", app)) {
        return {
          ok: false,
          notReady: [{ entity: `application ${app}`, reason: "missing from the model" }],
        };
      }
      const n = ctx.unitsOf(app).length;
      if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
        return {
          ok: false,
          notReady: [
            { entity: `application ${app}`, reason: `has ${n} units, waiting for ${want}` },
          ],
        };
      }
      return ok;
    },
  };
}

/** The applications exist (no units needed). */
export function appsPresent(...apps: string[]): Condition {
  checkApps(apps, "appsPresent");
  return {
    description: `applications present${list(apps)}`,
    check(ctx) {
      const notReady = apps
        .filter((a) => !ctx.state.entityData("application", a))
        .map((a) => ({ entity: `application ${a}`, reason: "missing from the model" }));
      return { ok: notReady.length === 0, notReady };
    },
  };
}

const splitEndpoint = (s: string): [string, string | undefined] => {
  const i = s.indexOf(":");
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
};

/**
 * A relation between `a` and `b` (each `app` or `app:endpoint`) is in the
 * model, every unit of both sides has started, and none is still running
 * one of that relation's hooks.
 */
export function relationEstablished(a: string, b: string): Condition {
  checkApps([a, b], "relationEstablished");
  const [appA, epA] = splitEndpoint(a);
  const [appB, epB] = splitEndpoint(b);
  return {
    description: `relation ${a} ${b} established`,
    check(ctx) {
      const entity = `relation ${a} ${b}`;
      let endpoints: Array<{ app: string; name: string }> | undefined;
      for (const r of ctx.state.live("relation")) {
        const eps = (
          (r.current?.endpoints as Array<Record<string, unknown>> | undefined) ?? []
        ).map((e) => ({
          app: String(e["application-name"]),
          name: String((e.relation as Record<string, unknown> | undefined)?.name ?? ""),
        }));
        const has = (app: string, ep: string | undefined) =>
          eps.some((e) => e.app === app && (ep === undefined || e.name === ep));
        if (has(appA, epA) && has(appB, epB) && (appA !== appB || eps.length === 1)) {
          endpoints = eps;
          break;
        }
      }
      if (!endpoints) return { ok: false, notReady: [{ entity, reason: "not in the model" }] };
      const notReady: NotReady[] = [];
      for (const { app, name } of endpoints) {
        for (const u of ctx.unitsOf(app)) {
          const agent = statusOf(u.current, "agent-status");
          if (agent?.current === "allocating" || agent === undefined) {
            notReady.push({
              entity: `unit ${u.id}`,
              reason: `${agentText(ctx, agent)}, not started`,
            });
          } else if (
            agent.current === "executing" &&
            (agent.message ?? "").startsWith(`running ${name}-relation-`)
          ) {
            notReady.push({ entity: `unit ${u.id}`, reason: agentText(ctx, agent) });
          }
        }
      }
      return { ok: notReady.length === 0, notReady };
    },
  };
}

function problem(
  kind: StatusProblemKind,
  entity: string,
  s: StatusInfo | undefined,
): StatusProblem {
  return {
    kind,
    entity,
    status: s?.current ?? "",
    message: s?.message ?? "",
    since: typeof s?.since === "string" && s.since !== "" ? s.since : undefined,
  };
}

/** A trouble condition: holds when `find` finds problems. */
function trouble(description: string, find: (ctx: WaitContext) => StatusProblem[]): Condition {
  return {
    description,
    check(ctx) {
      const problems = find(ctx);
      return problems.length
        ? { ok: true, notReady: [], problems }
        : { ok: false, notReady: [{ entity: description, reason: "none found" }] };
    },
  };
}

/** The machines that host units of `apps` (every machine when `apps` is empty). */
function machinesFor(ctx: WaitContext, apps: readonly string[]): EntityRecord[] {
  if (apps.length === 0) return [...ctx.state.live("machine")];
  const ids = new Set<string>();
  for (const app of apps)
    for (const u of ctx.unitsOf(app)) {
      const m = String(u.current?.["machine-id"] ?? "");
      if (m) ids.add(m);
    }
  return [...ids].flatMap((id) => {
    const r = ctx.state.getRecord("machine", id);
    return r && !r.removed ? [r] : [];
  });
}

/**
 * Something is in error: a unit's workload or agent (`error`, `failed`), a
 * machine that failed provisioning, or an application whose status is
 * `error`. Raises {@link UnitErrorStateError} / {@link MachineProvisioningError}
 * when used as a wait's `error`.
 */
export function anyError(...apps: string[]): Condition {
  checkApps(apps, "anyError");
  return trouble(`an error${list(apps)}`, (ctx) => {
    const out: StatusProblem[] = [];
    for (const app of ctx.appsOr(apps)) {
      const s = appStatus(ctx, app);
      if (s?.current === "error") out.push(problem("application-error", `application ${app}`, s));
      for (const u of ctx.unitsOf(app)) {
        const agent = statusOf(u.current, "agent-status");
        const workload = statusOf(u.current, "workload-status");
        if (workload?.current === "error")
          out.push(problem("unit-error", `unit ${u.id}`, workload));
        else if (agent?.current === "error" || agent?.current === "failed") {
          const p = problem("unit-error", `unit ${u.id}`, agent);
          out.push({ ...p, message: `agent ${agent.current}: ${agent.message ?? ""}`.trim() });
        }
      }
    }
    for (const m of machinesFor(ctx, apps)) {
      const inst = statusOf(m.current, "instance-status");
      const agent = statusOf(m.current, "agent-status");
      if (inst?.current === "provisioning error")
        out.push(problem("machine-provisioning", `machine ${m.id}`, inst));
      else if (agent?.current === "error")
        out.push(problem("machine-provisioning", `machine ${m.id}`, agent));
    }
    return out;
  });
}

/** A unit or machine agent is `lost` (or `down`). Raises {@link AgentLostError} as a wait's `error`. */
export function anyLost(...apps: string[]): Condition {
  checkApps(apps, "anyLost");
  return trouble(`a lost agent${list(apps)}`, (ctx) => {
    const out: StatusProblem[] = [];
    for (const app of ctx.appsOr(apps))
      for (const u of ctx.unitsOf(app)) {
        const agent = statusOf(u.current, "agent-status");
        if (agent?.current === "lost") out.push(problem("agent-lost", `unit ${u.id}`, agent));
      }
    for (const m of machinesFor(ctx, apps)) {
      const agent = statusOf(m.current, "agent-status");
      if (agent?.current === "lost" || agent?.current === "down")
        out.push(problem("agent-lost", `machine ${m.id}`, agent));
    }
    return out;
  });
}

/** A unit or application is `blocked`. Raises {@link WorkloadBlockedError} as a wait's `error`. */
export function anyBlocked(...apps: string[]): Condition {
  checkApps(apps, "anyBlocked");
  return trouble(`a blocked workload${list(apps)}`, (ctx) => {
    const out: StatusProblem[] = [];
    for (const app of ctx.appsOr(apps)) {
      const s = appStatus(ctx, app);
      if (s?.current === "blocked") out.push(problem("workload-blocked", `application ${app}`, s));
      for (const u of ctx.unitsOf(app)) {
        const w = statusOf(u.current, "workload-status");
        if (w?.current === "blocked") out.push(problem("workload-blocked", `unit ${u.id}`, w));
      }
    }
    return out;
  });
}
