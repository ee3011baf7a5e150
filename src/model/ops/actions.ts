/**
 * Actions and `juju exec` (the `Action` facade, v7): enqueue a charm action
 * or commands, wait for the task on the AllWatcher (the `action` delta says
 * when it finished, no polling), then fetch its results once with
 * `Action.Actions`.
 * @module
 */
import type { Action as ActionFacade } from "../../facades/generated/index.js";
import type { Action as ActionFacade4 } from "../../facades/generated/juju4/index.js";
import { bulkResultsStrict } from "../../rpc/bulk.js";
import { JujuError } from "../../rpc/errors.js";
import * as ac from "../arg-check.js";
import { InvalidArgumentError, NotSupportedError } from "../errors.js";
import {
  DEFAULT_OPERATION_TIMEOUT,
  liveData,
  type OperationWaitOptions,
  type OpsContext,
} from "../ops-context.js";
import { unitTag } from "../tags.js";
import { siteOf } from "./common.js";

/** Task statuses after which nothing changes any more. */
export const FINAL_ACTION_STATUSES: ReadonlySet<string> = new Set([
  "completed",
  "failed",
  "cancelled",
  "aborted",
  "error",
]);

const ZERO_TIME = "0001-01-01T00:00:00Z";
const time = (s: string | undefined): string | undefined =>
  s === undefined || s === "" || s === ZERO_TIME ? undefined : s;

/** A task's full record, from `Action.Actions` (what `juju show-task` shows). */
export interface ActionResult {
  /** The task id, e.g. `2`. */
  id: string;
  /** The receiver's tag, e.g. `unit-mysql-0` or `machine-0`. */
  receiver: string;
  /** The action name (`juju-exec` for `juju exec`). */
  name: string;
  /** The parameters it was run with. */
  parameters: Record<string, unknown>;
  /** `pending`, `running`, `completed`, `failed`, `cancelled`, `aborted` or `error`. */
  status: string;
  /** The charm's message (`action-fail`), if any. */
  message: string;
  /**
   * The results: what the charm set with `action-set`, plus `return-code`,
   * and `stdout` / `stderr` when there was output (Juju 3 keys).
   */
  output: Record<string, unknown>;
  /** Messages the action logged (`action-log`). */
  log: Array<{
    /** When it was logged (RFC 3339). */
    timestamp: string;
    /** The logged line. */
    message: string;
  }>;
  /** When it was enqueued (RFC 3339). */
  enqueued: string | undefined;
  /** When it started (RFC 3339), if it did. */
  started: string | undefined;
  /** When it finished (RFC 3339), if it did. */
  completed: string | undefined;
}

/** One operation, from `Action.ListOperations` / `Action.Operations`. */
export interface OperationInfo {
  /** The operation id, e.g. `1`. */
  id: string;
  /** What was run, e.g. `backup run on unit-mysql-0`. */
  summary: string;
  /** The operation's overall status, as its tasks'. */
  status: string;
  /** Why some of its tasks could not be enqueued. */
  fail: string;
  /** When it was enqueued (RFC 3339). */
  enqueued: string | undefined;
  /** When its first task started (RFC 3339), if one did. */
  started: string | undefined;
  /** When its last task finished (RFC 3339), if all did. */
  completed: string | undefined;
  /** Its tasks; `ListOperations` leaves out their output and log. */
  tasks: ActionResult[];
}

/** Filters of {@link Model.listOperations} (all optional; none lists the operations of every unit). */
export interface ListOperationsOptions {
  /** Application names. */
  applications?: string[];
  /** Unit names, e.g. `mysql/0`. */
  units?: string[];
  /** Machine ids. */
  machines?: string[];
  /** Action names. */
  actions?: string[];
  /** Operation statuses, e.g. `["running", "pending"]`. */
  status?: string[];
  /** Operations to skip (paging). */
  offset?: number;
  /** At most this many (the controller's default and cap is 500). */
  limit?: number;
}

/** A page of operations; `truncated` when more match. */
export interface OperationList {
  /** The operations of this page. */
  operations: OperationInfo[];
  /** True when more operations match than this page holds. */
  truncated: boolean;
}

/** Options of {@link Unit.runAction} and {@link Unit.run}. */
export interface EnqueueOptions extends OperationWaitOptions {
  /** Run in parallel with other actions on the unit (`juju run --parallel`). */
  parallel?: boolean;
  /** The execution group (`juju run --execution-group`). */
  executionGroup?: string;
}

/** Options of {@link Unit.run} and {@link Application.run}. */
export interface ExecOptions extends EnqueueOptions {
  /** How long the commands may run, in seconds; default: no limit. */
  timeoutSeconds?: number;
  /**
   * CAAS models: run in the workload container. Juju 3.x only: Juju 4
   * removed `workload-context` from `RunParams`, so on a 4.x controller this
   * option throws {@link NotSupportedError} rather than being dropped.
   */
  workloadContext?: boolean;
}

function facade(ctx: OpsContext) {
  return ctx.connection.facade("Action");
}

/** A wire `ActionResult` as {@link ActionResult}. */
export function toActionResult(r: ActionFacade.ActionResult): ActionResult {
  return {
    id: (r.action?.tag ?? "").replace(/^action-/, ""),
    receiver: r.action?.receiver ?? "",
    name: r.action?.name ?? "",
    parameters: r.action?.parameters ?? {},
    status: r.status ?? "",
    message: r.message ?? "",
    output: r.output ?? {},
    log: (r.log ?? []).map((l) => ({ timestamp: l.timestamp, message: l.message })),
    enqueued: time(r.enqueued),
    started: time(r.started),
    completed: time(r.completed),
  };
}

function toOperation(r: ActionFacade.OperationResult): OperationInfo {
  return {
    id: r.operation.replace(/^operation-/, ""),
    summary: r.summary,
    status: r.status ?? "",
    fail: r.fail ?? "",
    enqueued: time(r.enqueued),
    started: time(r.started),
    completed: time(r.completed),
    tasks: (r.actions ?? []).map(toActionResult),
  };
}

/**
 * Enqueues tasks and waits for each to appear in the model's live state,
 * returning their ids;
 * an item the controller refused throws its error (of the subclass its code
 * calls for), naming what was asked.
 */
async function enqueued(
  ctx: OpsContext,
  method: "EnqueueOperation" | "Run" | "RunOnAllMachines",
  call: () => Promise<ActionFacade.EnqueuedActions>,
  describe: (index: number) => string,
  options: OperationWaitOptions,
): Promise<string[]> {
  ctx.requireWatching(`Action.${method}`);
  const res = await call();
  const site = siteOf(facade(ctx), method);
  const ids: string[] = [];
  for (const [i, r] of (res.actions ?? []).entries()) {
    if (r.error?.message) {
      throw JujuError.fromWire(
        { message: `${describe(i)}: ${r.error.message}`, code: r.error.code, info: r.error.info },
        site,
      );
    }
    ids.push((r.action?.tag ?? "").replace(/^action-/, ""));
  }
  const waitOpts = { ...options, timeout: options.timeout ?? DEFAULT_OPERATION_TIMEOUT };
  await ctx.waitFor(
    `task${ids.length === 1 ? "" : "s"} ${ids.join(", ")} to appear`,
    () => ids.every((id) => liveData(ctx, "action", id) !== undefined),
    waitOpts,
  );
  return ids;
}

const ENQUEUE_SPEC: ac.OptionSpec = {
  ...ac.WAIT_OPTIONS,
  parallel: ac.bool,
  executionGroup: ac.str,
};

/**
 * Runs a charm action on a unit (`Action.EnqueueOperation`); `unit` may be
 * `app/leader`. The controller checks the name and parameters against the
 * charm's actions: an unknown action, bad parameters or an unknown unit
 * throw a `JujuError` with Juju's message and code. Resolves with the
 * task id once the model shows the task.
 */
export async function runAction(
  ctx: OpsContext,
  unit: string,
  name: string,
  params: Readonly<Record<string, unknown>> = {},
  options: EnqueueOptions = {},
): Promise<string> {
  ac.checkArg("unit", unit, ac.name);
  ac.checkArg("name", name, ac.str);
  ac.checkArg("params", params, ac.recordOf(ac.any));
  ac.checkOptions("runAction", options, ENQUEUE_SPEC);
  if (name === "") throw new InvalidArgumentError("name", "no action name given");
  const receiver = unit.endsWith("/leader") ? unit : unitTag(unit);
  const action: ActionFacade.Action = { receiver, name, parameters: { ...params }, tag: "" };
  if (options.parallel !== undefined) action.parallel = options.parallel;
  if (options.executionGroup !== undefined) action["execution-group"] = options.executionGroup;
  const [a] = await enqueued(
    ctx,
    "EnqueueOperation",
    () => facade(ctx).call("EnqueueOperation", { actions: [action] }),
    () => `cannot run action ${JSON.stringify(name)} on ${unit}`,
    options,
  );
  return a as string;
}

/**
 * Runs commands with `juju exec` (`Action.Run`) on units and machines, or
 * on every machine (`Action.RunOnAllMachines`) when `targets` is `"all"`.
 * Each target gets one `juju-exec` task; their results hold `return-code`,
 * `stdout` and `stderr`. Resolves with the task ids once the model shows them.
 */
export async function exec(
  ctx: OpsContext,
  commands: string,
  targets: { units?: string[]; applications?: string[]; machines?: string[] } | "all",
  options: ExecOptions = {},
): Promise<string[]> {
  ac.checkArg("command", commands, ac.text);
  if (targets !== "all")
    ac.checkOptions("run", targets, {
      units: ac.arrayOf(ac.name),
      applications: ac.arrayOf(ac.name),
      machines: ac.arrayOf(ac.name),
    });
  ac.checkOptions("run", options, {
    ...ENQUEUE_SPEC,
    timeoutSeconds: ac.num(0),
    workloadContext: ac.bool,
  });
  const f = facade(ctx);
  if (f.major === 4 && options.workloadContext !== undefined) {
    throw new NotSupportedError(
      "exec with workloadContext",
      "Juju 4 removed workload-context from Action.Run (RunParams)",
    );
  }
  // The shape both majors share; 3.x adds workload-context.
  const params: ActionFacade4.RunParams = {
    commands,
    timeout: Math.round((options.timeoutSeconds ?? 0) * 1e9),
  };
  if (targets !== "all") {
    if (targets.units) params.units = [...targets.units];
    if (targets.applications) params.applications = [...targets.applications];
    if (targets.machines) params.machines = [...targets.machines];
  }
  if (options.parallel !== undefined) params.parallel = options.parallel;
  if (options.executionGroup !== undefined) params["execution-group"] = options.executionGroup;
  const method = targets === "all" ? "RunOnAllMachines" : "Run";
  const call =
    f.major === 4
      ? () => f.juju4().call(method, params)
      : () => {
          const p3: ActionFacade.RunParams = { ...params };
          if (options.workloadContext !== undefined)
            p3["workload-context"] = options.workloadContext;
          return f.call(method, p3);
        };
  return enqueued(ctx, method, call, (i) => `cannot run commands on target ${i + 1}`, options);
}

/** The full records of tasks (`Action.Actions`); an unknown id throws `JujuNotFoundError`. */
export async function getActionResults(
  ctx: OpsContext,
  ids: readonly string[],
): Promise<ActionResult[]> {
  ac.checkArg("ids", ids, ac.arrayOf(ac.name));
  const f = facade(ctx);
  const res = await f.call("Actions", { entities: ids.map((id) => ({ tag: `action-${id}` })) });
  return bulkResultsStrict(res, siteOf(f, "Actions")).map(toActionResult);
}

/**
 * Waits until the task's `action` delta shows a final status (completed,
 * failed, cancelled, aborted or error), then returns its full record.
 * Rejects with `WaitTimeoutError` after `timeout` ms (default: no limit).
 */
export async function waitForTask(
  ctx: OpsContext,
  id: string,
  options: OperationWaitOptions = {},
): Promise<ActionResult> {
  ac.checkArg("id", id, ac.name);
  ac.checkOptions("waitForAction", options, ac.WAIT_OPTIONS);
  ctx.requireWatching("waiting for a task");
  await ctx.waitFor(
    `task ${id} to finish`,
    () => FINAL_ACTION_STATUSES.has(liveData(ctx, "action", id)?.status ?? ""),
    options,
  );
  const [r] = await getActionResults(ctx, [id]);
  return r as ActionResult;
}

/** Operations matching the filters (`Action.ListOperations`). */
export async function listOperations(
  ctx: OpsContext,
  options: ListOperationsOptions = {},
): Promise<OperationList> {
  ac.checkOptions("listOperations", options, {
    applications: ac.arrayOf(ac.name),
    units: ac.arrayOf(ac.name),
    machines: ac.arrayOf(ac.name),
    actions: ac.arrayOf(ac.name),
    status: ac.arrayOf(ac.name),
    offset: ac.int(0),
    limit: ac.int(0),
  });
  const args: ActionFacade.OperationQueryArgs = {};
  if (options.applications) args.applications = [...options.applications];
  if (options.units) args.units = [...options.units];
  if (options.machines) args.machines = [...options.machines];
  if (options.actions) args.actions = [...options.actions];
  if (options.status) args.status = [...options.status];
  if (options.offset !== undefined) args.offset = options.offset;
  if (options.limit !== undefined) args.limit = options.limit;
  const res = await facade(ctx).call("ListOperations", args);
  return { operations: (res.results ?? []).map(toOperation), truncated: res.truncated === true };
}

/** One operation with all its tasks' records (`Action.Operations`). */
export async function getOperation(ctx: OpsContext, id: string): Promise<OperationInfo> {
  ac.checkArg("id", id, ac.name);
  const f = facade(ctx);
  const res = await f.call("Operations", { entities: [{ tag: `operation-${id}` }] });
  const [r] = bulkResultsStrict(res, siteOf(f, "Operations"));
  return toOperation(r as ActionFacade.OperationResult);
}

/** Cancels tasks (`Action.Cancel`): pending ones are cancelled, running ones abort. */
export async function cancelActions(
  ctx: OpsContext,
  ids: readonly string[],
): Promise<ActionResult[]> {
  ac.checkArg("ids", ids, ac.arrayOf(ac.name));
  const f = facade(ctx);
  const res = await f.call("Cancel", { entities: ids.map((id) => ({ tag: `action-${id}` })) });
  return bulkResultsStrict(res, siteOf(f, "Cancel")).map(toActionResult);
}
