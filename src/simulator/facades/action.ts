/**
 * `Action(7)`: charm actions, `juju exec` and operations
 * (`apiserver/facades/client/action`: action.go, operation.go, run.go),
 * over the model's {@link ModelActions}.
 * @module
 */

import type { Action as ActionFacade } from "../../facades/generated/index.js";
import {
  type ActionRequest,
  actionSchema,
  errorResult,
  JUJU_EXEC,
  type ModelActions,
  modelActions,
  type OperationRecord,
  type TaskRecord,
  taskResult,
} from "../actions.js";
import { Errors, ServerError } from "../errors.js";
import { goTime } from "../store.js";
import { parseTag } from "../tags.js";
import { bulk } from "./bulk.js";
import type { CallContext, MethodSpec } from "./registry.js";
import { method, optString, type Params, type ParamsOfMethod } from "./typed.js";

/** `params.RunParams` of any version (Juju 4 has no `workload-context`). */
type RunParams = ParamsOfMethod<"Action", "Run">;

const ZERO = "0001-01-01T00:00:00Z";

function actionsOf(ctx: CallContext): ModelActions {
  return modelActions(ctx.model());
}

/** `params.OperationResult`; `detail` false lists tasks without output and log (`ListOperations`). */
function operationResult(
  acts: ModelActions,
  op: OperationRecord,
  tasks: TaskRecord[],
  detail: boolean,
): ActionFacade.OperationResult {
  const out: ActionFacade.OperationResult = {
    operation: `operation-${op.id}`,
    summary: op.summary,
    enqueued: goTime(op.enqueued),
    started: op.started === undefined ? ZERO : goTime(op.started),
    completed: op.completed === undefined ? ZERO : goTime(op.completed),
    status: acts.operationStatus(op),
  };
  if (op.fail !== "") out.fail = op.fail;
  if (tasks.length > 0) out.actions = tasks.map((t) => taskResult(t, detail));
  return out;
}

/** `params.EnqueuedActions` of an enqueue. */
function enqueued(acts: ModelActions, requests: ActionRequest[]): ActionFacade.EnqueuedActions {
  const { operation, results } = acts.enqueue(requests);
  const out: ActionFacade.EnqueuedActions = { operation: `operation-${operation.id}` };
  if (results.length > 0) {
    out.actions = results.map((r) => (r instanceof ServerError ? errorResult(r) : taskResult(r)));
  }
  return out;
}

/** A task by `action-N` tag; anything else is `id not found` (`ErrBadId`), as in Go. */
function taskByTag(acts: ModelActions, tag: string): TaskRecord {
  let id: string;
  try {
    const t = parseTag(tag);
    if (t.kind !== "action") throw Errors.badId();
    id = t.id;
  } catch {
    throw Errors.badId();
  }
  const task = acts.tasks.get(id);
  if (task === undefined) throw Errors.badId();
  return task;
}

/** The receivers of `Run`: units (with `app/leader`), every unit of the applications, sorted; then machines. */
function runReceivers(ctx: CallContext, p: Params<RunParams>): string[] {
  const ents = ctx.model().state;
  const units = new Set<string>();
  for (const u of p.strings("units")) {
    if (!u.endsWith("leader")) {
      units.add(u);
      continue;
    }
    const app = u.split("/")[0] ?? "";
    const leader = ents.applications.get(app)?.leader ?? "";
    if (leader === "")
      throw new ServerError(`could not determine leader for ${JSON.stringify(app)}`);
    units.add(leader);
  }
  for (const a of p.strings("applications")) {
    if (!ents.applications.has(a)) {
      throw new ServerError(`application ${JSON.stringify(a)} not found`, "not found");
    }
    for (const u of ents.unitsOf(a)) units.add(u.name);
  }
  const tags: string[] = [];
  for (const u of [...units].sort()) {
    if (!/^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*\/(?:0|[1-9][0-9]*)$/.test(u)) {
      throw new ServerError(`invalid unit name ${JSON.stringify(u)}`);
    }
    tags.push(`unit-${u.replace("/", "-")}`);
  }
  for (const m of p.strings("machines")) {
    if (!/^(?:0|[1-9][0-9]*)(?:\/[a-z]+\/(?:0|[1-9][0-9]*))*$/.test(m)) {
      throw new ServerError(`invalid machine id ${JSON.stringify(m)}`);
    }
    tags.push(`machine-${m.replaceAll("/", "-")}`);
  }
  return tags;
}

/**
 * `createRunActionsParams`: one `juju-exec` action per receiver. Juju 4
 * dropped `workload-context` (from RunParams and from the action's
 * parameters), so `workloadContext` is `undefined` on the 4.0 profile.
 */
function execRequests(
  receivers: string[],
  p: Params<RunParams>,
  workloadContext: boolean | undefined,
): ActionRequest[] {
  const parameters = {
    command: p.string("commands"),
    timeout: p.optInt("timeout", "time.Duration") ?? 0,
    ...(workloadContext === undefined ? {} : { "workload-context": workloadContext }),
  };
  return receivers.map((receiver) => ({
    receiver,
    name: JUJU_EXEC,
    parameters: structuredClone(parameters),
    parallel: p.optBool("parallel"),
    executionGroup: optString(p, "execution-group"),
  }));
}

/** The Action facade's methods. */
export const actionMethods: MethodSpec[] = [
  method({
    facade: "Action",
    method: "EnqueueOperation",
    params: "params.Actions",
    call(ctx, p) {
      const requests = p.objects("actions", "params.Action").map((a) => ({
        receiver: a.string("receiver"),
        name: a.string("name"),
        parameters: a.map("parameters"),
        parallel: a.optBool("parallel"),
        executionGroup: optString(a, "execution-group"),
      }));
      return enqueued(actionsOf(ctx), requests);
    },
  }),
  method({
    facade: "Action",
    method: "Actions",
    params: "params.Entities",
    call(ctx, p) {
      const acts = actionsOf(ctx);
      return {
        results: bulk(p.objects("entities", "params.Entity"), (e) =>
          taskResult(taskByTag(acts, e.string("tag"))),
        ),
      };
    },
  }),
  method({
    facade: "Action",
    method: "Cancel",
    params: "params.Entities",
    call(ctx, p) {
      const acts = actionsOf(ctx);
      return {
        results: p.objects("entities", "params.Entity").map((e) => {
          const tag = e.string("tag");
          try {
            const task = taskByTag(acts, tag);
            acts.cancel(task);
            return taskResult(task);
          } catch (err) {
            if (!(err instanceof ServerError)) throw err;
            // Go fills in the tag before looking the action up.
            return {
              action: { tag, receiver: "", name: "" },
              ...errorResult(err),
            };
          }
        }),
      };
    },
  }),
  method({
    facade: "Action",
    method: "Operations",
    params: "params.Entities",
    call(ctx, p) {
      const acts = actionsOf(ctx);
      return {
        results: bulk(p.objects("entities", "params.Entity"), (e) => {
          const tag = e.string("tag");
          const t = parseTag(tag);
          if (t.kind !== "operation") {
            throw new ServerError(`${JSON.stringify(tag)} is not a valid operation tag`);
          }
          const op = acts.operations.get(t.id);
          if (op === undefined) throw new ServerError(`operation ${t.id} not found`, "not found");
          return operationResult(acts, op, acts.tasksOf(op.id), true);
        }).map((r) =>
          // An error result still carries the required (empty) operation and summary.
          "error" in r
            ? { operation: "", summary: "", enqueued: ZERO, started: ZERO, completed: ZERO, ...r }
            : r,
        ),
      };
    },
  }),
  method({
    facade: "Action",
    method: "ListOperations",
    params: "params.OperationQueryArgs",
    call(ctx, p) {
      const acts = actionsOf(ctx);
      const { operations, truncated } = acts.list({
        applications: p.strings("applications"),
        units: p.strings("units"),
        machines: p.strings("machines"),
        actions: p.strings("actions"),
        status: [...new Set(p.strings("status"))],
        offset: p.optInt("offset") ?? 0,
        limit: p.optInt("limit") ?? 0,
      });
      const out: ActionFacade.OperationResults = {
        results: operations.map(([op, tasks]) => operationResult(acts, op, tasks, false)),
      };
      if (truncated) out.truncated = true;
      return out;
    },
  }),
  method({
    facade: "Action",
    method: "ApplicationsCharmsActions",
    params: "params.Entities",
    call(ctx, p) {
      const ents = ctx.model().state;
      return {
        results: p.objects("entities", "params.Entity").map((e) => {
          let name: string;
          try {
            const t = parseTag(e.string("tag"));
            if (t.kind !== "application") throw Errors.badId();
            name = t.id;
          } catch {
            return { error: Errors.badId().toWire() };
          }
          const app = ents.applications.get(name);
          const out: ActionFacade.ApplicationCharmActionsResult = {
            "application-tag": `application-${name}`,
          };
          if (app === undefined) {
            out.error = new ServerError(
              `application ${JSON.stringify(name)} not found`,
              "not found",
            ).toWire();
            return out;
          }
          const specs = Object.entries(app.charm.actions ?? {});
          if (specs.length > 0) {
            out.actions = Object.fromEntries(
              specs.map(([n, a]) => [
                n,
                { description: a.description ?? "", params: actionSchema(n, a) },
              ]),
            );
          }
          return out;
        }),
      };
    },
  }),
  method({
    facade: "Action",
    method: "Run",
    params: "params.RunParams",
    call(ctx, p) {
      const receivers = runReceivers(ctx, p);
      return enqueued(
        actionsOf(ctx),
        execRequests(
          receivers,
          p,
          ctx.store.profile.major === 3 ? (p.optBool("workload-context") ?? false) : undefined,
        ),
      );
    },
  }),
  method({
    facade: "Action",
    method: "RunOnAllMachines",
    params: "params.RunParams",
    call(ctx, p) {
      const model = ctx.model();
      if (model.type !== "iaas") {
        throw new ServerError(`cannot run on all machines with a ${model.type} model`);
      }
      const machines = [...model.state.machines.keys()].sort();
      return enqueued(
        actionsOf(ctx),
        execRequests(
          machines.map((m) => `machine-${m.replaceAll("/", "-")}`),
          p,
          ctx.store.profile.major === 3 ? false : undefined,
        ),
      );
    },
  }),
];
