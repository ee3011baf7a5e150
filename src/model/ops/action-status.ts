/**
 * Task statuses by id, id prefix or action name (python-libjuju's
 * `get_action_status`), and a task's output (`get_action_output`). Juju 3 removed `Action.FindActionTagsByPrefix` and
 * `FindActionsByNames` (Action v7), so prefixes and names are matched
 * against the model's operations (`Action.ListOperations`, every page).
 * @module
 */

import * as ac from "../arg-check.js";
import { InvalidArgumentError } from "../errors.js";
import type { OpsContext } from "../ops-context.js";
import { getActionResults, listOperations, type OperationInfo, waitForTask } from "./actions.js";

async function allOperations(ctx: OpsContext, actions?: string[]): Promise<OperationInfo[]> {
  const out: OperationInfo[] = [];
  for (let offset = 0; ; ) {
    const page = await listOperations(
      ctx,
      actions === undefined ? { offset } : { actions, offset },
    );
    out.push(...page.operations);
    if (!page.truncated || page.operations.length === 0) return out;
    offset += page.operations.length;
  }
}

/**
 * Statuses by task id of the tasks whose id is `idOrPrefix` or starts with
 * it, and of the tasks of the action `name`; both filters add up, as in
 * python-libjuju. Without either, every task of the model.
 */
export async function actionStatus(
  ctx: OpsContext,
  idOrPrefix?: string,
  name?: string,
): Promise<Record<string, string>> {
  if (idOrPrefix !== undefined && !/^\d*$/.test(idOrPrefix)) {
    throw new InvalidArgumentError(
      "idOrPrefix",
      `task ids are numbers in Juju 3: ${JSON.stringify(idOrPrefix)} is not an id or an id prefix`,
    );
  }
  const out: Record<string, string> = {};
  if (name !== undefined) {
    for (const op of await allOperations(ctx, [name]))
      for (const t of op.tasks) out[t.id] = t.status;
  }
  if (idOrPrefix !== undefined || name === undefined) {
    const prefix = idOrPrefix ?? "";
    const ids: string[] = [];
    for (const op of await allOperations(ctx)) {
      for (const t of op.tasks) if (t.id.startsWith(prefix)) ids.push(t.id);
    }
    // The task records themselves (`Action.Actions`) carry the current status.
    if (ids.length > 0) {
      const results = await getActionResults(ctx, ids);
      ids.forEach((id, i) => {
        out[id] = results[i]!.status;
      });
    }
  }
  return out;
}

/**
 * `Model.getActionStatus` in either form: python-libjuju's
 * `(idOrPrefix, name)` (see {@link actionStatus}), or the object form: one
 * task (`id`), every task of an action (`name`), or every task of the model.
 */
export async function getActionStatus(
  ctx: OpsContext,
  arg: string | { id?: string; name?: string },
  name: string | undefined,
): Promise<Record<string, string>> {
  // python-libjuju's form: a task id or id prefix, and/or an action name.
  if (typeof arg === "string" || name !== undefined) {
    if (typeof arg === "string") ac.checkArg("idOrPrefix", arg, ac.name);
    if (name !== undefined) ac.checkArg("name", name, ac.name);
    return actionStatus(ctx, typeof arg === "string" ? arg : undefined, name);
  }
  const query = arg;
  ac.checkOptions("getActionStatus", query, { id: ac.name, name: ac.name });
  if (query.id !== undefined) {
    const [r] = await getActionResults(ctx, [query.id]);
    return { [query.id]: r!.status };
  }
  const out: Record<string, string> = {};
  const list = await listOperations(ctx, query.name === undefined ? {} : { actions: [query.name] });
  for (const op of list.operations) for (const t of op.tasks) out[t.id] = t.status;
  return out;
}

/**
 * A task's output (`Action.Actions`): what the charm set, plus
 * `return-code`, `stdout` and `stderr`; with `wait` (ms), once the task
 * finished (told by its `action` delta), up to that long.
 */
export async function actionOutput(
  ctx: OpsContext,
  id: string,
  options: { wait?: number },
): Promise<Record<string, unknown>> {
  ac.checkArg("id", id, ac.name);
  ac.checkOptions("getActionOutput", options, { wait: ac.num(0) });
  if (options.wait !== undefined) {
    return (await waitForTask(ctx, id, { timeout: options.wait })).output;
  }
  const [r] = await getActionResults(ctx, [id]);
  return r!.output;
}
