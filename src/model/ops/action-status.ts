/**
 * Task statuses by id, id prefix or action name (python-libjuju's
 * `get_action_status`). Juju 3 removed `Action.FindActionTagsByPrefix` and
 * `FindActionsByNames` (Action v7), so prefixes and names are matched
 * against the model's operations (`Action.ListOperations`, every page).
 * @module
 */

import { InvalidArgumentError } from "../errors.js";
import type { OpsContext } from "../ops-context.js";
import { getActionResults, listOperations, type OperationInfo } from "./actions.js";

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
