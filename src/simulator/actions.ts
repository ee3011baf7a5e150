/**
 * Actions and operations of one simulated model (`state/action.go`,
 * `state/operation.go`, the uniter's action runner): enqueueing with Juju's
 * receiver resolution and parameter checks, simulated execution on the
 * model's clock, and the `action` deltas the AllWatcher sends.
 *
 * Facts the simulation follows:
 * - operations and tasks share one id sequence (`sequenceWithMin("task", 1)`):
 *   operation 1, then tasks 2, 3…; times are truncated to the second;
 * - a task runs on its receiver's agent one operation at a time, after the
 *   hooks already queued there, and only once the agent is up: pending →
 *   running (unit agent `executing`, "running action <name>") → completed or
 *   failed, then the agent goes back to `idle`;
 * - results carry `return-code`, and `stdout` / `stderr` when not empty, as
 *   the uniter records them. The simulator does not run charm code, so a
 *   charm action's results are just `{"return-code": 0}` and its log is
 *   empty; only the behaviour of real charms listed in
 *   {@link CHARM_ACTION_BEHAVIOURS} is added (e.g. juju-qa-test's `fortune`
 *   fails with its `fail` parameter). `juju-exec` commands go through the
 *   simulated shell of `exec-sim.ts`.
 * @module
 */
import type { Action as ActionFacade } from "../facades/generated/index.js";
import { insertActionDefaults, validateActionParams } from "./action-params.js";
import type { CharmSpec } from "./charm-source.js";
import type { ModelEntities, UnitRecord } from "./entities.js";
import { ServerError } from "./errors.js";
import { simulateExec } from "./exec-sim.js";
import { goTime, type ModelRecord } from "./store.js";
import { parseTag } from "./tags.js";

/** Task (action) statuses, as `state.ActionStatus`. */
export type TaskStatus =
  | "pending"
  | "running"
  | "completed"
  | "failed"
  | "cancelled"
  | "aborting"
  | "aborted"
  | "error";

/** Go's zero `time.Time`, which Juju sends for times not yet set. */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

/** The name of the predefined action behind `juju exec` (`core/actions.JujuExecActionName`). */
export const JUJU_EXEC = "juju-exec";

/** The schema of the predefined `juju-exec` action (`core/actions.PredefinedActionsSpec`). */
const JUJU_EXEC_SCHEMA: Record<string, unknown> = {
  type: "object",
  title: JUJU_EXEC,
  description: "predefined juju-exec action",
  properties: {
    command: { type: "string", description: "command to be ran under juju-exec" },
    timeout: { type: "number", description: "timeout for command execution" },
    "workload-context": { type: "boolean", description: "run the command in the workload context" },
  },
  required: ["command", "timeout"],
};

/** What a real charm's action does that the simulator reproduces: fail with a message, or set results. */
export interface ActionBehaviour {
  fail?: string;
  results?: Record<string, unknown>;
  /** How long the action runs, in ms of the model's clock (default: one `hook` step). */
  durationMs?: number;
}

/**
 * Behaviour of real charms' actions, by charm and action name, derived from
 * their action code. Actions not listed complete with `{"return-code": 0}`.
 */
export const CHARM_ACTION_BEHAVIOURS: Readonly<
  Record<string, Record<string, (params: Record<string, unknown>) => ActionBehaviour>>
> = {
  // juju-qa-test's fortune calls action-fail with the `fail` parameter when it is set.
  "juju-qa-test": {
    fortune: (p) => (typeof p.fail === "string" && p.fail !== "" ? { fail: p.fail } : {}),
  },
};

/**
 * What a test scripted for a task (control.ts `scriptAction`), picked when
 * it is scheduled. Kept outside the model's records: it is not model state
 * (snapshots hold only settled models, where no task waits for it).
 */
const scriptedTasks = new WeakMap<TaskRecord, ActionBehaviour>();

/** One task. */
export interface TaskRecord {
  id: string;
  operation: string;
  /** `unit` or `machine`. */
  receiverKind: "unit" | "machine";
  /** The unit name or machine id. */
  receiver: string;
  name: string;
  parameters: Record<string, unknown>;
  parallel: boolean;
  executionGroup: string;
  status: TaskStatus;
  message: string;
  output: Record<string, unknown>;
  log: Array<{ timestamp: Date; message: string }>;
  enqueued: Date;
  started: Date | undefined;
  completed: Date | undefined;
}

/** One operation. */
export interface OperationRecord {
  id: string;
  summary: string;
  enqueued: Date;
  started: Date | undefined;
  completed: Date | undefined;
  /** The stored status: `pending` until it started, then `running`, then final. */
  status: TaskStatus;
  fail: string;
  /** How many tasks must finish for the operation to complete. */
  spawned: number;
  finished: number;
}

/** One requested action of `EnqueueOperation`. */
export interface ActionRequest {
  receiver: string;
  name: string;
  parameters: Record<string, unknown>;
  parallel: boolean | undefined;
  executionGroup: string | undefined;
}

/** Filters of `ListOperations`. */
export interface OperationQuery {
  applications: string[];
  units: string[];
  machines: string[];
  actions: string[];
  status: string[];
  offset: number;
  limit: number;
}

/** Go's `errors.NotFoundf("%q", tag)` as the API sends it. */
function notFound(what: string): ServerError {
  return new ServerError(`${what} not found`, "not found");
}

/** Ids compare as Go's sort of `<model-uuid>:<id>` document ids: as strings. */
function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const runtimes = new WeakMap<ModelRecord, ModelActions>();

/** The actions of a model, created on first use. */
export function modelActions(model: ModelRecord): ModelActions {
  let a = runtimes.get(model);
  if (a === undefined) {
    a = new ModelActions(model);
    runtimes.set(model, a);
  }
  return a;
}

/** The action receivers that do not run actions yet, with the tasks waiting for them. */
type Waiting = Map<string, TaskRecord[]>;

/** Operations and tasks of one model, and their simulated execution. */
export class ModelActions {
  readonly operations = new Map<string, OperationRecord>();
  readonly tasks = new Map<string, TaskRecord>();
  private seq = 0;
  private readonly waiting: Waiting = new Map();

  constructor(private readonly model: ModelRecord) {
    model.agents.startedListeners.add((kind, id) => this.receiverStarted(kind, id));
  }

  private get ents(): ModelEntities {
    return this.model.state;
  }

  /** The model clock's time, truncated to the second (`nowToTheSecond`). */
  private now(): Date {
    const t = this.ents.now().getTime();
    return new Date(t - (((t % 1000) + 1000) % 1000));
  }

  // ----- enqueueing -----

  /**
   * `EnqueueOperation`: creates the operation, then one task per request;
   * a request that fails yields its error in place of a task. When some
   * fail, the operation records them (`FailOperationEnqueuing`).
   */
  enqueue(requests: readonly ActionRequest[]): {
    operation: OperationRecord;
    results: Array<TaskRecord | ServerError>;
  } {
    let opName = "";
    const receivers: string[] = [];
    for (const r of requests) {
      if (r.receiver !== "") receivers.push(r.receiver);
      if (opName === "") opName = r.name;
      else if (opName !== r.name) opName = "multiple actions";
    }
    const op: OperationRecord = {
      id: String(++this.seq),
      summary: `${opName} run on ${receivers.join(",")}`,
      enqueued: this.now(),
      started: undefined,
      completed: undefined,
      status: "pending",
      fail: "",
      spawned: receivers.length,
      finished: 0,
    };
    this.operations.set(op.id, op);
    const results = requests.map((r) => {
      try {
        return this.addTask(op, r);
      } catch (e) {
        if (e instanceof ServerError) return e;
        throw e;
      }
    });
    const failures = results.filter((r): r is ServerError => r instanceof ServerError);
    if (failures.length > 0) {
      op.fail = `error(s) enqueueing action(s): ${failures.map((f) => f.message).join(", ")}`;
      op.spawned = requests.length - failures.length;
      if (op.spawned <= 0) {
        op.status = "error";
        op.completed = this.now();
      }
    }
    return { operation: op, results };
  }

  private addTask(op: OperationRecord, r: ActionRequest): TaskRecord {
    let receiver = r.receiver;
    if (receiver.endsWith("leader")) {
      const app = receiver.split("/")[0] ?? "";
      const leader = this.ents.applications.get(app)?.leader ?? "";
      if (leader === "")
        throw new ServerError(`could not determine leader for ${JSON.stringify(app)}`);
      receiver = `unit-${leader.replace("/", "-")}`;
    }
    let tag: { kind: string; id: string };
    try {
      tag = parseTag(receiver);
    } catch {
      throw new ServerError(`${JSON.stringify(receiver)} not valid`, "not valid");
    }
    let kind: "unit" | "machine";
    let id: string;
    let schema: Record<string, unknown> | undefined;
    if (tag.kind === "unit") {
      kind = "unit";
      id = tag.id.replace(/-(\d+)$/, "/$1");
      const unit = this.ents.units.get(id);
      if (unit === undefined) throw notFound(JSON.stringify(receiver));
      schema = this.unitActionSchema(unit, r.name);
    } else if (tag.kind === "machine") {
      kind = "machine";
      id = tag.id.replaceAll("-", "/");
      if (!this.ents.machines.has(id)) throw notFound(JSON.stringify(receiver));
      if (r.name === "") throw new ServerError("no action name given");
      if (r.name !== JUJU_EXEC) {
        throw new ServerError(`cannot run ${JSON.stringify(r.name)} action on a machine`);
      }
      schema = JUJU_EXEC_SCHEMA;
    } else if (this.entityExists(tag)) {
      throw new ServerError(
        `action receiver interface on entity ${receiver} not implemented`,
        "not implemented",
      );
    } else {
      throw notFound(JSON.stringify(receiver));
    }
    const invalid = validateActionParams(schema, r.parameters);
    if (invalid !== undefined) throw new ServerError(invalid);
    const task: TaskRecord = {
      id: String(++this.seq),
      operation: op.id,
      receiverKind: kind,
      receiver: id,
      name: r.name,
      parameters: insertActionDefaults(schema, r.parameters),
      parallel: r.parallel ?? false,
      executionGroup: r.executionGroup ?? "",
      status: "pending",
      message: "",
      output: {},
      log: [],
      enqueued: this.now(),
      started: undefined,
      completed: undefined,
    };
    this.tasks.set(task.id, task);
    this.publish(task);
    this.schedule(task);
    return task;
  }

  private entityExists(tag: { kind: string; id: string }): boolean {
    if (tag.kind === "application") return this.ents.applications.has(tag.id);
    if (tag.kind === "model") return tag.id === this.model.uuid;
    return false;
  }

  /** `Unit.PrepareActionPayload`'s lookup: the predefined `juju-exec`, else the charm's action. */
  private unitActionSchema(unit: UnitRecord, name: string): Record<string, unknown> {
    if (name === "") throw new ServerError("no action name given");
    if (name === JUJU_EXEC) return JUJU_EXEC_SCHEMA;
    const charm = this.ents.applications.get(unit.application)?.charm;
    const spec = charm?.actions?.[name];
    if (spec === undefined) {
      throw new ServerError(
        `action ${JSON.stringify(name)} not defined on unit ${JSON.stringify(unit.name)}`,
      );
    }
    return actionSchema(name, spec);
  }

  // ----- execution -----

  private agentKey(task: TaskRecord): string {
    return task.receiverKind === "unit" ? `unit:${task.receiver}` : `machine:${task.receiver}`;
  }

  private receiverReady(task: TaskRecord): boolean {
    if (task.receiverKind === "unit") return this.ents.units.get(task.receiver)?.started === true;
    return this.ents.machines.get(task.receiver)?.agentStatus.current === "started";
  }

  /** Runs the task once its agent is up; until then it stays pending. */
  private schedule(task: TaskRecord): void {
    if (!this.receiverReady(task)) {
      const key = this.agentKey(task);
      this.waiting.set(key, [...(this.waiting.get(key) ?? []), task]);
      return;
    }
    const unit = task.receiverKind === "unit" ? this.ents.units.get(task.receiver) : undefined;
    const scripted =
      unit === undefined || task.name === JUJU_EXEC
        ? undefined
        : this.model.agents.script?.action(this.model.uuid, unit, task.name, task.parameters);
    if (scripted !== undefined) scriptedTasks.set(task, scripted);
    this.model.agents.task(this.agentKey(task), () => this.begin(task), scripted?.durationMs);
  }

  private receiverStarted(kind: "unit" | "machine", id: string): void {
    const key = `${kind}:${id}`;
    const tasks = this.waiting.get(key);
    if (tasks === undefined) return;
    this.waiting.delete(key);
    for (const t of tasks) this.schedule(t);
  }

  /** The agent picks the task up: running. Returns the step that finishes it. */
  private begin(task: TaskRecord): (() => void) | undefined {
    if (task.status !== "pending") return undefined;
    const unit = task.receiverKind === "unit" ? this.ents.units.get(task.receiver) : undefined;
    if (task.receiverKind === "unit" && unit === undefined) return undefined;
    const now = this.now();
    task.status = "running";
    task.started = now;
    const op = this.operations.get(task.operation);
    if (op !== undefined) {
      op.started ??= now;
      if (op.status === "pending") op.status = "running";
    }
    this.publish(task);
    if (unit !== undefined) {
      this.ents.setUnitStatus(unit, ["executing", `running action ${task.name}`]);
    }
    return () => this.run(task);
  }

  /** The action ran: results, final status, and the agent goes idle. */
  private run(task: TaskRecord): void {
    if (task.status === "aborting") {
      this.finish(task, "aborted", "", {});
    } else if (task.status === "running") {
      if (task.name === JUJU_EXEC) {
        const r = simulateExec(String(task.parameters.command ?? ""), {
          hostname: this.hostnameOf(task),
        });
        const output: Record<string, unknown> = { "return-code": r.code };
        if (r.stdout !== "") output.stdout = r.stdout;
        if (r.stderr !== "") output.stderr = r.stderr;
        this.finish(task, "completed", "", output);
      } else {
        const charm = this.charmOf(task);
        const b =
          scriptedTasks.get(task) ??
          CHARM_ACTION_BEHAVIOURS[charm?.name ?? ""]?.[task.name]?.(task.parameters) ??
          {};
        const output = { ...b.results, "return-code": 0 };
        if (b.fail !== undefined) this.finish(task, "failed", b.fail, output);
        else this.finish(task, "completed", "", output);
      }
    } else {
      return;
    }
    const unit = task.receiverKind === "unit" ? this.ents.units.get(task.receiver) : undefined;
    if (unit !== undefined && unit.life === "alive") this.ents.setUnitStatus(unit, ["idle", ""]);
  }

  private charmOf(task: TaskRecord): CharmSpec | undefined {
    const u = this.ents.units.get(task.receiver);
    return u === undefined ? undefined : this.ents.applications.get(u.application)?.charm;
  }

  private hostnameOf(task: TaskRecord): string {
    const machineId =
      task.receiverKind === "unit"
        ? (this.ents.units.get(task.receiver)?.machineId ?? "")
        : task.receiver;
    return this.ents.machines.get(machineId)?.hostname ?? "";
  }

  private finish(
    task: TaskRecord,
    status: TaskStatus,
    message: string,
    output: Record<string, unknown>,
  ): void {
    const now = this.now();
    task.status = status;
    task.message = message;
    task.output = output;
    task.completed = now;
    this.publish(task);
    const op = this.operations.get(task.operation);
    if (op === undefined) return;
    op.finished++;
    if (op.finished < op.spawned) return;
    const statuses = this.tasksOf(op.id).map((t) => t.status);
    op.status = statuses.some((s) => s === "failed" || s === "aborted" || s === "error")
      ? "failed"
      : statuses.includes("cancelled")
        ? "cancelled"
        : "completed";
    op.completed = now;
  }

  /**
   * `Action.Cancel`: a pending task is cancelled at once, a running one
   * goes to `aborting` (then `aborted` when its agent stops it); a finished
   * one is left as it is.
   */
  cancel(task: TaskRecord): void {
    if (task.status === "pending") {
      this.finish(task, "cancelled", "action cancelled via the API", {});
    } else if (task.status === "running") {
      task.status = "aborting";
      this.publish(task);
    }
  }

  // ----- queries -----

  /** The tasks of an operation, by id. */
  tasksOf(operationId: string): TaskRecord[] {
    return [...this.tasks.values()].filter((t) => t.operation === operationId).sort(byId);
  }

  /** An operation's status: the stored one, or while pending the most telling of its tasks'. */
  operationStatus(op: OperationRecord): TaskStatus {
    if (op.status !== "pending") return op.status;
    const statuses = new Set(this.tasksOf(op.id).map((t) => t.status));
    for (const s of ["running", "pending", "failed", "cancelled", "completed"] as const) {
      if (statuses.has(s)) return s;
    }
    return op.status;
  }

  /**
   * `ListOperations`: operations with a task matching the receivers and
   * action names, filtered by stored status, ordered by id (as strings, like
   * Juju's document ids), paged; each lists only its matching tasks.
   */
  list(q: OperationQuery): {
    operations: Array<[OperationRecord, TaskRecord[]]>;
    truncated: boolean;
  } {
    const units = [...q.units];
    const machines = [...q.machines];
    let apps = [...q.applications];
    if (q.actions.length === 0 && apps.length === 0 && units.length + machines.length === 0) {
      apps = [...this.ents.applications.keys()];
    }
    for (const a of apps) {
      if (!this.ents.applications.has(a)) throw notFound(`application ${JSON.stringify(a)}`);
      units.push(...this.ents.unitsOf(a).map((u) => u.name));
    }
    const matches = [...this.tasks.values()]
      .filter(
        (t) =>
          units.length + machines.length === 0 ||
          (t.receiverKind === "unit" ? units : machines).includes(t.receiver),
      )
      .filter((t) => q.actions.length === 0 || q.actions.includes(t.name))
      .sort(byId);
    const byOp = new Map<string, TaskRecord[]>();
    for (const t of matches) byOp.set(t.operation, [...(byOp.get(t.operation) ?? []), t]);
    const ops = [...byOp.keys()]
      .map((id) => this.operations.get(id))
      .filter((o): o is OperationRecord => o !== undefined)
      .filter((o) => q.status.length === 0 || q.status.includes(o.status))
      .sort(byId);
    const limit = q.limit <= 0 ? 500 : q.limit;
    const page = ops.slice(Math.max(0, q.offset), Math.max(0, q.offset) + limit);
    return {
      operations: page.map((o) => [o, byOp.get(o.id) ?? []]),
      truncated: ops.length > page.length,
    };
  }

  // ----- wire forms -----

  /** The `action` delta entity (`params.ActionInfo`; 3.6 copies no parameters or results). */
  private publish(task: TaskRecord): void {
    this.model.entities.set("action", task.id, {
      "model-uuid": this.model.uuid,
      id: task.id,
      receiver: task.receiver,
      name: task.name,
      status: task.status,
      message: task.message,
      enqueued: goTime(task.enqueued),
      started: task.started === undefined ? ZERO_TIME : goTime(task.started),
      completed: task.completed === undefined ? ZERO_TIME : goTime(task.completed),
    });
  }
}

/** The JSON schema of a charm action's parameters, as Juju stores it. */
export function actionSchema(
  name: string,
  spec: NonNullable<CharmSpec["actions"]>[string],
): Record<string, unknown> {
  return (
    spec.schema ?? {
      description: spec.description ?? "",
      type: "object",
      title: name,
      properties: spec.params ?? {},
    }
  );
}

/** The receiver tag of a task (`unit-mysql-0`, `machine-0`). */
export function receiverTag(task: TaskRecord): string {
  return task.receiverKind === "unit"
    ? `unit-${task.receiver.replace("/", "-")}`
    : `machine-${task.receiver.replaceAll("/", "-")}`;
}

/**
 * `common.MakeActionResult`: a task as `params.ActionResult`. `detail`
 * false leaves out the output and log, as `ListOperations` does.
 */
export function taskResult(task: TaskRecord, detail = true): ActionFacade.ActionResult {
  const out: ActionFacade.ActionResult = {
    action: {
      tag: `action-${task.id}`,
      receiver: receiverTag(task),
      name: task.name,
      ...(Object.keys(task.parameters).length > 0 ? { parameters: task.parameters } : {}),
      parallel: task.parallel,
      "execution-group": task.executionGroup,
    },
    enqueued: goTime(task.enqueued),
    started: task.started === undefined ? ZERO_TIME : goTime(task.started),
    completed: task.completed === undefined ? ZERO_TIME : goTime(task.completed),
    status: task.status,
  };
  if (task.message !== "") out.message = task.message;
  if (detail && task.log.length > 0) {
    out.log = task.log.map((l) => ({ timestamp: goTime(l.timestamp), message: l.message }));
  }
  if (detail && Object.keys(task.output).length > 0) out.output = structuredClone(task.output);
  return out;
}

/** An error in place of a task (zero times, as Go marshals an otherwise empty `ActionResult`). */
export function errorResult(e: ServerError): ActionFacade.ActionResult {
  return { enqueued: ZERO_TIME, started: ZERO_TIME, completed: ZERO_TIME, error: e.toWire() };
}
