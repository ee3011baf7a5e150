/**
 * The test control API of the simulator (`simulator.control`): script how
 * charms and agents behave (hook errors, workload statuses, durations,
 * action results, provisioning failures), act on the model directly (lost
 * agents, reboots, statuses, leaders, charm revisions), drive a
 * `VirtualClock`, and inject faults (`faults.ts`).
 *
 * Every method takes plain JSON values and returns a JSON value (or
 * nothing), so that the same methods can be served over HTTP: the names in
 * {@link CONTROL_METHODS} are the ones safe to expose that way.
 * The agents consult the script through {@link AgentScript} (agents.ts,
 * actions.ts).
 * @module
 */
import type { ActionBehaviour } from "./actions.js";
import { setAgentScript } from "./agents.js";
import {
  type CatalogRelease,
  type Channel,
  type CharmCatalog,
  formatChannel,
  parseChannel,
} from "./catalog/index.js";
import { type Clock, VirtualClock } from "./clock.js";
import type { MachineRecord, UnitRecord } from "./entities.js";
import type { ConnectionFilter, ConnectionInfo, FaultInjector, InjectedError } from "./faults.js";
import type { ControllerStore, ModelRecord } from "./store.js";

/** A control call that cannot be done as asked; `code` is a Juju error code. */
export class ControlError extends Error {
  /** `not found` (no such entity), `not valid` (bad argument) or `not supported` (e.g. no virtual clock). */
  readonly code: "not found" | "not valid" | "not supported";
  constructor(code: ControlError["code"], message: string) {
    super(message);
    this.name = "ControlError";
    this.code = code;
  }
}

/** Options shared by scripting methods. */
export interface ScriptOptions {
  /** Only in this model (by name); default: any model. */
  model?: string;
  /** How many times the script applies; default: every time. */
  times?: number;
}

/** Options of methods that act on one existing entity. */
export interface EntityOptions {
  /** The model (by name) holding the entity; default: the one model that has it. */
  model?: string;
}

/** A duration: ms, or Go-style text such as `"5m"`, `"1h30m"`, `"250ms"`. */
export type Duration = number | string;

/** A workload status a charm may set. */
export type WorkloadStatusName = "active" | "blocked" | "waiting" | "maintenance" | "unknown";

/** One scripted action outcome (see {@link SimulatorControl.scriptAction}). */
export interface ActionScript extends ScriptOptions {
  /** Only when the action's parameters include these values. */
  params?: Record<string, unknown>;
  /** The action fails with this message (`action-fail`). */
  fail?: string;
  /** The action's results (`action-set`). */
  results?: Record<string, unknown>;
  /** How long the action runs, in the model's clock. */
  duration?: Duration;
}

/** @internal What the agents ask the script (agents.ts, actions.ts). Model given by UUID. */
export interface AgentScript {
  /** Whether `hook` fails on this unit now (consumes one of `times`). */
  hookFails(modelUuid: string, u: UnitRecord, hook: string): boolean;
  /** How long `hook` takes on this unit, when scripted. */
  hookDuration(modelUuid: string, u: UnitRecord, hook: string): number | undefined;
  /** The workload status the charm sets while running `hook`, when scripted. */
  hookStatus(modelUuid: string, u: UnitRecord, hook: string): [string, string] | undefined;
  /** Overrides of the charm's workload behaviour (blocked-until). */
  workload(
    modelUuid: string,
    u: UnitRecord,
  ): { blockedUntil?: { endpoints: string[]; message: string } } | undefined;
  /** A workload status the unit keeps whatever hooks run (set by a test or the last scripted hook status). */
  pinnedStatus(modelUuid: string, u: UnitRecord): [string, string] | undefined;
  /** The workload version the unit reports, when scripted. */
  workloadVersion(modelUuid: string, u: UnitRecord): string | undefined;
  /** Scripted provisioning of a new machine. */
  provisioning(
    modelUuid: string,
    m: MachineRecord,
  ): { fail?: string; delayMs?: number } | undefined;
  /** The scripted outcome of an action on a unit. */
  action(
    modelUuid: string,
    u: UnitRecord,
    name: string,
    params: Record<string, unknown>,
  ): ActionBehaviour | undefined;
}

const UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A {@link Duration} in ms. @throws ControlError for anything but a non-negative number or Go duration. */
export function parseDuration(d: Duration): number {
  if (typeof d === "number") {
    if (!Number.isFinite(d) || d < 0) {
      throw new ControlError("not valid", `duration must be a non-negative number of ms, got ${d}`);
    }
    return d;
  }
  if (typeof d !== "string" || d === "") {
    throw new ControlError("not valid", `invalid duration ${JSON.stringify(d)}`);
  }
  if (d === "0") return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(d); m !== null; m = re.exec(d)) {
    total += Number(m[1]) * (UNITS[m[2] ?? ""] ?? 0);
    end = re.lastIndex;
  }
  if (end !== d.length)
    throw new ControlError("not valid", `invalid duration ${JSON.stringify(d)}`);
  return total;
}

/** Which units a script applies to. */
interface Target {
  /** A unit name (`app/0`) or an application name. */
  name: string;
  model?: string;
}

interface Rule<T> {
  target: Target;
  left: number;
  value: T;
}

function checkString(what: string, v: unknown): string {
  if (typeof v !== "string" || v === "") {
    throw new ControlError(
      "not valid",
      `${what} must be a non-empty string, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function checkTimes(times: unknown): number {
  if (times === undefined) return Number.POSITIVE_INFINITY;
  if (typeof times !== "number" || !Number.isInteger(times) || times < 1) {
    throw new ControlError(
      "not valid",
      `times must be a positive integer, got ${JSON.stringify(times)}`,
    );
  }
  return times;
}

const WORKLOAD_STATUSES = new Set([
  "active",
  "blocked",
  "waiting",
  "maintenance",
  "unknown",
  "error",
]);

function checkStatus(v: unknown, allowed = WORKLOAD_STATUSES): string {
  const s = checkString("status", v);
  if (!allowed.has(s)) {
    throw new ControlError(
      "not valid",
      `status ${JSON.stringify(s)} is not one of ${[...allowed].join(", ")}`,
    );
  }
  return s;
}

function subset(want: Record<string, unknown>, have: Record<string, unknown>): boolean {
  return Object.entries(want).every(([k, v]) => JSON.stringify(have[k]) === JSON.stringify(v));
}

/**
 * The control API of one simulator. Methods named in {@link CONTROL_METHODS}
 * take and return JSON values.
 */
export class SimulatorControl {
  private hookFailures: Rule<string>[] = [];
  private hookDurations: Rule<{ hook: string; ms: number }>[] = [];
  private hookStatuses: Rule<{ hook: string; status: [string, string] }>[] = [];
  private statusSequences: Rule<Array<[string, string]>>[] = [];
  private blocks: Rule<{ endpoints: string[]; message: string }>[] = [];
  private versions: Rule<string>[] = [];
  private actions: Rule<{ name: string; params?: Record<string, unknown>; b: ActionBehaviour }>[] =
    [];
  private provisioningRules: Rule<{ fail?: string; delayMs?: number }>[] = [];
  /** Workload statuses that stick, per model UUID and unit. */
  private readonly pinned = new Map<string, [string, string]>();
  /** Position in a status sequence, per model UUID and unit. */
  private readonly sequencePos = new Map<string, number>();

  /** @internal Made by the simulator; reach it as `simulator.control`. */
  constructor(
    private readonly store: ControllerStore,
    private readonly faults: FaultInjector,
    private readonly catalog: CharmCatalog | undefined,
  ) {
    setAgentScript(store.timing, this.script());
  }

  // ----- time -----

  /** The clock, when it is virtual. */
  private virtual(): VirtualClock {
    const c: Clock = this.store.clock;
    if (!(c instanceof VirtualClock)) {
      throw new ControlError(
        "not supported",
        "the simulator runs on the real clock: start it with a VirtualClock to move time by hand",
      );
    }
    return c;
  }

  /** The simulator clock's time (ISO 8601). */
  now(): {
    /** The simulated clock's time (ISO 8601). */
    now: string;
  } {
    return { now: this.store.clock.now().toISOString() };
  }

  /**
   * Moves a virtual clock forward, firing every timer due on the way, in
   * order (each after the work the previous one started).
   */
  async advance(msOrDuration: Duration): Promise<{
    /** The simulated clock's time (ISO 8601). */
    now: string;
  }> {
    const ms = parseDuration(msOrDuration);
    await this.virtual().advance(ms);
    return this.now();
  }

  /**
   * Runs a virtual clock until no timer is due (everything in flight done),
   * up to `limit` of simulated time (default 24h); returns the time that passed.
   */
  async settle(options: { limit?: Duration } = {}): Promise<{
    /** Simulated milliseconds the clock moved. */
    elapsedMs: number;
    /** The simulated clock's time (ISO 8601). */
    now: string;
  }> {
    const limit = options.limit === undefined ? undefined : parseDuration(options.limit);
    const elapsedMs = await this.virtual().runAll(limit);
    return { elapsedMs, ...this.now() };
  }

  // ----- scripting units -----

  /**
   * The next runs (`times`, default all) of `hookName` fail on the unit or
   * on every unit of the application: the unit goes to `error`
   * (`hook failed: "<hook>"`) and its agent stops until `resolved`
   * (`retry` runs the hook again, which may fail again while `times` last).
   */
  failHook(unitOrApplication: string, hookName: string, options: ScriptOptions = {}): void {
    this.hookFailures.push(this.rule(unitOrApplication, options, checkString("hook", hookName)));
  }

  /** `hookName` takes this long on the unit(s) (an install duration: `setHookDuration("app", "install", "2m")`). */
  setHookDuration(
    unitOrApplication: string,
    hookName: string,
    duration: Duration,
    options: ScriptOptions = {},
  ): void {
    const hook = checkString("hook", hookName);
    this.hookDurations.push(
      this.rule(unitOrApplication, options, { hook, ms: parseDuration(duration) }),
    );
  }

  /**
   * While running `hookName` the charm sets this workload status, and the
   * unit keeps it afterwards (as a charm's `status-set` sticks) until another
   * scripted status replaces it.
   */
  setHookStatus(
    unitOrApplication: string,
    hookName: string,
    status: WorkloadStatusName,
    message = "",
    options: ScriptOptions = {},
  ): void {
    const hook = checkString("hook", hookName);
    const s = checkStatus(status);
    this.hookStatuses.push(
      this.rule(unitOrApplication, options, { hook, status: [s, String(message)] }),
    );
  }

  /**
   * Each hook the unit runs sets the next status of `sequence` (the last one
   * sticks), e.g. maintenance → waiting → active over install, config-changed, start.
   */
  setStatusSequence(
    unitOrApplication: string,
    sequence: Array<{ status: WorkloadStatusName; message?: string }>,
    options: EntityOptions = {},
  ): void {
    if (!Array.isArray(sequence) || sequence.length === 0) {
      throw new ControlError("not valid", "sequence must be a non-empty list of statuses");
    }
    const seq = sequence.map((s): [string, string] => [checkStatus(s.status), s.message ?? ""]);
    this.statusSequences.push(this.rule(unitOrApplication, options, seq));
  }

  /** The unit(s) stay `blocked` with `message` until a relation exists on one of `endpoints`. */
  blockUntilRelation(
    unitOrApplication: string,
    endpoints: string | string[],
    message = "",
    options: EntityOptions = {},
  ): void {
    const eps = (Array.isArray(endpoints) ? endpoints : [endpoints]).map((e) =>
      checkString("endpoint", e),
    );
    const msg = message === "" ? `Missing relation: ${eps.join(", ")}` : message;
    this.blocks.push(this.rule(unitOrApplication, options, { endpoints: eps, message: msg }));
    this.resettle(unitOrApplication, options.model);
  }

  /**
   * Actions named `actionName` on the unit(s) (only those whose parameters
   * include `params`, when given) complete with `results`, or fail with
   * `fail`, after `duration`.
   */
  scriptAction(unitOrApplication: string, actionName: string, script: ActionScript = {}): void {
    const name = checkString("action", actionName);
    const b: ActionBehaviour = {};
    if (script.fail !== undefined) b.fail = checkString("fail", script.fail);
    if (script.results !== undefined) {
      if (
        typeof script.results !== "object" ||
        script.results === null ||
        Array.isArray(script.results)
      ) {
        throw new ControlError("not valid", "results must be an object");
      }
      b.results = { ...script.results };
    }
    if (script.duration !== undefined) b.durationMs = parseDuration(script.duration);
    this.actions.push(
      this.rule(unitOrApplication, script, {
        name,
        ...(script.params === undefined ? {} : { params: { ...script.params } }),
        b,
      }),
    );
  }

  /** The unit(s) report this workload version (now, for started units, and whenever they start). */
  setWorkloadVersion(
    unitOrApplication: string,
    version: string,
    options: EntityOptions = {},
  ): void {
    if (typeof version !== "string")
      throw new ControlError("not valid", "version must be a string");
    this.versions.push(this.rule(unitOrApplication, options, version));
    for (const [model, u] of this.unitsMatching(unitOrApplication, options.model)) {
      if (!u.started) continue;
      u.workloadVersion = version;
      model.state.publishUnit(u);
    }
  }

  /** Removes every script (faults and pinned statuses stay; see {@link clearFaults}). */
  clearScripts(): void {
    this.hookFailures = [];
    this.hookDurations = [];
    this.hookStatuses = [];
    this.statusSequences = [];
    this.blocks = [];
    this.versions = [];
    this.actions = [];
    this.provisioningRules = [];
  }

  // ----- acting on units and applications -----

  /**
   * Sets a unit's workload status now, as its charm would with
   * `status-set`; it sticks through later hooks until set again.
   */
  setWorkloadStatus(
    unit: string,
    status: WorkloadStatusName | "error",
    message = "",
    options: EntityOptions = {},
  ): void {
    const s = checkStatus(status);
    const [model, u] = this.unit(unit, options.model);
    this.pinned.set(`${model.uuid}/${u.name}`, [s, String(message)]);
    model.state.setUnitStatus(u, undefined, [s, String(message)]);
  }

  /** Sets a unit's agent and/or workload status directly, once (later hooks change them as usual). */
  setUnitStatus(
    unit: string,
    statuses: {
      agent?: { status: string; message?: string };
      workload?: { status: string; message?: string };
    },
    options: EntityOptions = {},
  ): void {
    const [model, u] = this.unit(unit, options.model);
    const agent = statuses.agent;
    const workload = statuses.workload;
    model.state.setUnitStatus(
      u,
      agent === undefined
        ? undefined
        : [checkString("agent status", agent.status), agent.message ?? ""],
      workload === undefined ? undefined : [checkStatus(workload.status), workload.message ?? ""],
    );
  }

  /** Sets an application's own status (the one its leader sets with `status-set --application`). */
  setApplicationStatus(
    application: string,
    status: WorkloadStatusName | "error" | "unset",
    message = "",
    options: EntityOptions = {},
  ): void {
    const s = checkStatus(status, new Set([...WORKLOAD_STATUSES, "unset"]));
    const model = this.modelWith(application, options.model, (m) =>
      m.state.applications.has(application),
    );
    const a = model.state.applications.get(application);
    if (a === undefined)
      throw new ControlError("not found", `application ${application} not found`);
    a.status = { current: s, message: String(message), since: this.store.clock.now() };
    model.state.publishApplication(a);
  }

  /** Makes `unit` its application's leader: it runs `leader-elected`, the others `leader-settings-changed`. */
  setLeader(unit: string, options: EntityOptions = {}): void {
    const [model, u] = this.unit(unit, options.model);
    const app = model.state.applications.get(u.application);
    if (app === undefined || app.leader === u.name) return;
    app.leader = u.name;
    model.state.publishApplication(app);
    for (const o of model.state.unitsOf(app.name)) {
      model.agents.runHookThenSettle(o, o === u ? "leader-elected" : "leader-settings-changed");
    }
  }

  /**
   * Kills a unit's agent: the unit shows `lost` (workload `unknown`) and
   * runs nothing until {@link reviveAgent}.
   */
  killUnitAgent(unit: string, options: EntityOptions = {}): void {
    const [model, u] = this.unit(unit, options.model);
    this.markLost(model, u);
  }

  private markLost(model: ModelRecord, u: UnitRecord): void {
    model.agents.agentKilled(`unit:${u.name}`);
    const msg = `agent lost, see 'juju show-status-log ${u.name}'`;
    model.state.setUnitStatus(u, ["lost", msg], ["unknown", msg]);
  }

  /**
   * Kills a machine's agent: the machine is `down` and its units are
   * `lost` until {@link reviveAgent}.
   */
  killMachineAgent(machine: string, options: EntityOptions = {}): void {
    const [model, m] = this.machine(machine, options.model);
    model.agents.agentKilled(`machine:${m.id}`);
    m.agentStatus = {
      current: "down",
      message: "agent is not communicating with the server",
      since: this.store.clock.now(),
    };
    model.state.publishMachine(m);
    for (const name of m.principals) {
      const u = model.state.units.get(name);
      if (u === undefined) continue;
      this.markLost(model, u);
      for (const s of u.subordinates) {
        const su = model.state.units.get(s);
        if (su !== undefined) this.markLost(model, su);
      }
    }
  }

  /** A killed unit or machine agent (`app/0` or a machine id) comes back and settles. */
  reviveAgent(unitOrMachine: string, options: EntityOptions = {}): void {
    const name = checkString("unit or machine", unitOrMachine);
    if (name.includes("/") && !/^\d+(\/\w+\/\d+)*$/.test(name)) {
      const [model, u] = this.unit(name, options.model);
      this.revive(model, u);
      return;
    }
    const [model, m] = this.machine(name, options.model);
    model.agents.agentRevived(`machine:${m.id}`);
    m.agentStatus = { current: "started", message: "", since: this.store.clock.now() };
    model.state.publishMachine(m);
    for (const p of m.principals) {
      const u = model.state.units.get(p);
      if (u === undefined) continue;
      this.revive(model, u);
      for (const s of u.subordinates) {
        const su = model.state.units.get(s);
        if (su !== undefined) this.revive(model, su);
      }
    }
  }

  private revive(model: ModelRecord, u: UnitRecord): void {
    if (u.agentStatus.current !== "lost") return;
    model.agents.agentRevived(`unit:${u.name}`);
    model.state.setUnitStatus(u, ["idle", ""]);
    model.agents.resettle(u);
  }

  /** Reboots a machine: its agent stops, comes back after a boot, and its units run `start`. */
  rebootMachine(machine: string, options: EntityOptions = {}): void {
    const [model, m] = this.machine(machine, options.model);
    if (m.agentStatus.current !== "started") {
      throw new ControlError(
        "not valid",
        `machine ${m.id} is not running (agent ${m.agentStatus.current})`,
      );
    }
    model.agents.rebootMachine(m);
  }

  // ----- machines -----

  /**
   * The next machines provisioned (`times`, default 1; or machine `machine`
   * only) fail with `message` (instance status `provisioning error`,
   * machine status `error`; `RetryProvisioning` tries again).
   */
  failProvisioning(
    options: { machine?: string; message?: string; times?: number; model?: string } = {},
  ): void {
    const message = options.message ?? "failed to start machine: no matching instance types";
    this.provisioningRules.push({
      target: {
        name: options.machine ?? "*",
        ...(options.model === undefined ? {} : { model: options.model }),
      },
      left: options.times === undefined ? 1 : checkTimes(options.times),
      value: { fail: checkString("message", message) },
    });
  }

  /** The next machines provisioned (`times`, default all; or machine `machine` only) take `duration` to start. */
  delayProvisioning(
    duration: Duration,
    options: { machine?: string; times?: number; model?: string } = {},
  ): void {
    this.provisioningRules.push({
      target: {
        name: options.machine ?? "*",
        ...(options.model === undefined ? {} : { model: options.model }),
      },
      left: checkTimes(options.times),
      value: { delayMs: parseDuration(duration) },
    });
  }

  /** Sets a machine's instance status (`running`, `provisioning error`, …) directly. */
  setInstanceStatus(
    machine: string,
    status: string,
    message = "",
    options: EntityOptions = {},
  ): void {
    const [model, m] = this.machine(machine, options.model);
    m.instanceStatus = {
      current: checkString("status", status),
      message: String(message),
      since: this.store.clock.now(),
    };
    model.state.publishMachine(m);
  }

  // ----- charms -----

  /**
   * Publishes a new revision of a catalog charm to `channel` (default
   * `latest/stable`), so that a refresh has a target. Needs the built-in
   * catalog (not a custom `charms` source).
   */
  addCharmRevision(
    charm: string,
    revision: number,
    options: { channel?: string; workloadVersion?: string } = {},
  ): {
    /** The charm name. */
    charm: string;
    /** The new revision. */
    revision: number;
    /** The channel it was released to. */
    channel: string;
  } {
    if (this.catalog === undefined) {
      throw new ControlError(
        "not supported",
        "charm revisions can only be added to the simulator's catalog",
      );
    }
    if (!Number.isInteger(revision) || revision < 1) {
      throw new ControlError("not valid", `revision must be a positive integer, got ${revision}`);
    }
    const c = this.catalog.get(checkString("charm", charm));
    if (c === undefined)
      throw new ControlError("not found", `charm ${charm} not found in the catalog`);
    let ch: Channel;
    try {
      ch = parseChannel(options.channel ?? "latest/stable");
    } catch (e) {
      throw new ControlError("not valid", (e as Error).message);
    }
    if (ch.track === "") ch.track = c.defaultTrack;
    const channel = formatChannel(ch);
    // The catalog's own release list is extended in place, so that resource
    // revisions and per-release metadata stay as they are.
    const same = (r: CatalogRelease) =>
      r.channel.track === ch.track &&
      r.channel.risk === ch.risk &&
      (r.channel.branch ?? "") === (ch.branch ?? "");
    const template = c.releases.find(same) ?? c.releases[0];
    if (template === undefined)
      throw new ControlError("not valid", `charm ${charm} has no release`);
    const release: CatalogRelease = {
      channel: ch,
      bases: template.bases.map((b) => ({ ...b })),
      revisions: Object.fromEntries(Object.keys(template.revisions).map((a) => [a, revision])),
      info: template.info,
      ...(options.workloadVersion !== undefined
        ? { workloadVersion: options.workloadVersion }
        : template.workloadVersion === undefined
          ? {}
          : { workloadVersion: template.workloadVersion }),
    };
    const at = c.releases.findIndex(same);
    if (at >= 0) c.releases[at] = release;
    else c.releases.push(release);
    return { charm, revision, channel };
  }

  // ----- faults -----

  /** Cuts the matching API connections (all by default) as a network failure would; returns how many. */
  dropConnections(filter?: ConnectionFilter): {
    /** How many connections were closed. */
    dropped: number;
  } {
    return { dropped: this.faults.dropConnections(filter) };
  }

  /** Cuts a matching connection once it has received `frames` more request frames. */
  dropAfterFrames(frames: number, filter?: ConnectionFilter): void {
    this.faults.dropAfterFrames(frames, filter);
  }

  /** Calls of `facade.method` (any version, or `version`) reply with `error` (`times`, default all). */
  failMethod(
    facade: string,
    method: string,
    error: InjectedError,
    options: { version?: number; times?: number } = {},
  ): void {
    this.faults.failMethod(
      { facade, method, ...(options.version === undefined ? {} : { version: options.version }) },
      error,
      options.times,
    );
  }

  /** Calls of `facade.method` wait `duration` of real time first (`times`, default all). */
  delayMethod(
    facade: string,
    method: string,
    duration: Duration,
    options: { version?: number; times?: number } = {},
  ): void {
    this.faults.delayMethod(
      { facade, method, ...(options.version === undefined ? {} : { version: options.version }) },
      parseDuration(duration),
      options.times,
    );
  }

  /** Watcher `Next` calls hang until {@link releaseWatchers}. */
  stallWatchers(): void {
    this.faults.stallWatchers();
  }

  /** Stalled watcher calls proceed. */
  releaseWatchers(): void {
    this.faults.releaseWatchers();
  }

  /** Closes the API listener and every connection, waits `downtime` (real time), listens again on the same port. */
  async restart(options: { downtime?: Duration } = {}): Promise<void> {
    await this.faults.restart(options.downtime === undefined ? 0 : parseDuration(options.downtime));
  }

  /** Removes every fault. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** The open API connections. */
  connections(): ConnectionInfo[] {
    return this.faults.connections();
  }

  // ----- lookups -----

  private rule<T>(
    unitOrApplication: string,
    options: ScriptOptions & EntityOptions,
    value: T,
  ): Rule<T> {
    const name = checkString("unit or application", unitOrApplication);
    return {
      target: {
        name,
        ...(options.model === undefined ? {} : { model: checkString("model", options.model) }),
      },
      left: checkTimes(options.times),
      value,
    };
  }

  private matches(t: Target, modelUuid: string, u: UnitRecord): boolean {
    if (t.model !== undefined && this.store.models.get(modelUuid)?.name !== t.model) return false;
    return t.name === u.name || t.name === u.application;
  }

  /** The first live rule for the unit (consuming one use when `consume`). */
  private find<T>(
    rules: Rule<T>[],
    modelUuid: string,
    u: UnitRecord,
    pred: (v: T) => boolean = () => true,
    consume = true,
  ): T | undefined {
    // Unit-specific rules win over application-wide ones.
    const ordered = [
      ...rules.filter((r) => r.target.name === u.name),
      ...rules.filter((r) => r.target.name !== u.name),
    ];
    for (const r of ordered) {
      if (r.left <= 0 || !this.matches(r.target, modelUuid, u) || !pred(r.value)) continue;
      if (consume) r.left--;
      return r.value;
    }
    return undefined;
  }

  private script(): AgentScript {
    return {
      hookFails: (uuid, u, hook) =>
        this.find(this.hookFailures, uuid, u, (h) => h === hook) !== undefined,
      hookDuration: (uuid, u, hook) =>
        this.find(this.hookDurations, uuid, u, (h) => h.hook === hook)?.ms,
      hookStatus: (uuid, u, hook) => {
        const key = `${uuid}/${u.name}`;
        let s = this.find(this.hookStatuses, uuid, u, (h) => h.hook === hook)?.status;
        if (s === undefined) {
          const seq = this.find(this.statusSequences, uuid, u, () => true, false);
          if (seq !== undefined) {
            const i = this.sequencePos.get(key) ?? 0;
            s = seq[Math.min(i, seq.length - 1)];
            this.sequencePos.set(key, i + 1);
          }
        }
        if (s !== undefined) this.pinned.set(key, s);
        return s;
      },
      workload: (uuid, u) => {
        const b = this.find(this.blocks, uuid, u, () => true, false);
        return b === undefined ? undefined : { blockedUntil: b };
      },
      pinnedStatus: (uuid, u) => this.pinned.get(`${uuid}/${u.name}`),
      workloadVersion: (uuid, u) => this.find(this.versions, uuid, u, () => true, false),
      provisioning: (uuid, m) => {
        const model = this.store.models.get(uuid)?.name;
        for (const r of this.provisioningRules) {
          if (r.left <= 0) continue;
          if (r.target.model !== undefined && r.target.model !== model) continue;
          if (r.target.name !== "*" && r.target.name !== m.id) continue;
          r.left--;
          return r.value;
        }
        return undefined;
      },
      action: (uuid, u, name, params) =>
        this.find(
          this.actions,
          uuid,
          u,
          (a) => a.name === name && (a.params === undefined || subset(a.params, params)),
        )?.b,
    };
  }

  private models(model: string | undefined): ModelRecord[] {
    const all = [...this.store.models.values()];
    if (model === undefined) return all;
    const m = all.filter((x) => x.name === model);
    if (m.length === 0) throw new ControlError("not found", `model ${model} not found`);
    return m;
  }

  private modelWith(
    what: string,
    model: string | undefined,
    has: (m: ModelRecord) => boolean,
  ): ModelRecord {
    const found = this.models(model).filter(has);
    if (found.length === 0) throw new ControlError("not found", `${what} not found`);
    if (found.length > 1) {
      throw new ControlError(
        "not valid",
        `${what} exists in several models: pass the model option`,
      );
    }
    return found[0] as ModelRecord;
  }

  private unit(name: string, model: string | undefined): [ModelRecord, UnitRecord] {
    const n = checkString("unit", name);
    const m = this.modelWith(`unit ${n}`, model, (x) => x.state.units.has(n));
    return [m, m.state.units.get(n) as UnitRecord];
  }

  private machine(id: string, model: string | undefined): [ModelRecord, MachineRecord] {
    const n = checkString("machine", id);
    const m = this.modelWith(`machine ${n}`, model, (x) => x.state.machines.has(n));
    return [m, m.state.machines.get(n) as MachineRecord];
  }

  private unitsMatching(
    unitOrApplication: string,
    model: string | undefined,
  ): Array<[ModelRecord, UnitRecord]> {
    const out: Array<[ModelRecord, UnitRecord]> = [];
    for (const m of this.models(model)) {
      for (const u of m.state.units.values()) {
        if (u.name === unitOrApplication || u.application === unitOrApplication) out.push([m, u]);
      }
    }
    return out;
  }

  private resettle(unitOrApplication: string, model: string | undefined): void {
    for (const [m, u] of this.unitsMatching(unitOrApplication, model)) {
      if (u.started) m.agents.resettle(u);
    }
  }
}

/** The control methods that take and return JSON only: what an HTTP control port may dispatch. */
export const CONTROL_METHODS = Object.freeze([
  "now",
  "advance",
  "settle",
  "failHook",
  "setHookDuration",
  "setHookStatus",
  "setStatusSequence",
  "blockUntilRelation",
  "scriptAction",
  "setWorkloadVersion",
  "clearScripts",
  "setWorkloadStatus",
  "setUnitStatus",
  "setApplicationStatus",
  "setLeader",
  "killUnitAgent",
  "killMachineAgent",
  "reviveAgent",
  "rebootMachine",
  "failProvisioning",
  "delayProvisioning",
  "setInstanceStatus",
  "addCharmRevision",
  "dropConnections",
  "dropAfterFrames",
  "failMethod",
  "delayMethod",
  "stallWatchers",
  "releaseWatchers",
  "restart",
  "clearFaults",
  "connections",
] as const satisfies readonly (keyof SimulatorControl)[]);

/** The name of a JSON-safe control method. */
export type ControlMethodName = (typeof CONTROL_METHODS)[number];
