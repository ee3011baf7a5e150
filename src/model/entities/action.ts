/**
 * `Action`: a task run on a unit (`action` deltas).
 * @module
 */
import type { OperationWaitOptions } from "../context.js";
import {
  type ActionResult,
  cancelActions,
  FINAL_ACTION_STATUSES,
  getActionResults,
  waitForTask,
} from "../ops/actions.js";
import { TypedEntity } from "./typed-entity.js";

// Go's zero time: Juju sends it for `started` / `completed` until they happen.
const ZERO_TIME = "0001-01-01T00:00:00Z";
const time = (s: string): string | undefined => (s === "" || s === ZERO_TIME ? undefined : s);

/**
 * An action (task). The watcher does not carry parameters or results
 * (Juju 3.6 does not copy them into the delta); `Action.Actions` has them.
 */
export class Action extends TypedEntity<"action"> {
  /** The task id, e.g. `2`. */
  get id(): string {
    return this.entityId;
  }

  /** The action name, e.g. `backup`. */
  get name(): string {
    return this.str("name");
  }

  /** The unit it runs on (a unit name). */
  get receiver(): string {
    return this.str("receiver");
  }

  /** `pending`, `running`, `completed`, `failed`, `cancelled`, `aborting`, `aborted`, `error`. */
  get status(): string {
    return this.str("status");
  }

  /** The status message. */
  get message(): string {
    return this.str("message");
  }

  /** When it was queued (RFC 3339). */
  get enqueued(): string | undefined {
    return time(this.str("enqueued"));
  }

  /** When it started, once it has. */
  get started(): string | undefined {
    return time(this.str("started"));
  }

  /** When it finished, once it has. */
  get completed(): string | undefined {
    return time(this.str("completed"));
  }

  /** True once the task reached a final status (completed, failed, cancelled, aborted, error). */
  get finished(): boolean {
    return FINAL_ACTION_STATUSES.has(this.status);
  }

  /**
   * Waits for the task to finish (told by its `action` delta, no polling),
   * then fetches its record once: status, message, `output` (results with
   * `return-code`, `stdout`, `stderr`), log and times. A failed task
   * resolves too; check `status`. `timeout` in ms, default: no limit.
   */
  wait(options: OperationWaitOptions = {}): Promise<ActionResult> {
    return waitForTask(this.context, this.id, options);
  }

  /** The task's record now (`Action.Actions`), finished or not. */
  async getResult(): Promise<ActionResult> {
    const [r] = await getActionResults(this.context, [this.id]);
    return r as ActionResult;
  }

  /** Cancels the task (`Action.Cancel`): a pending task is cancelled, a running one aborts. */
  async cancel(): Promise<ActionResult> {
    const [r] = await cancelActions(this.context, [this.id]);
    return r as ActionResult;
  }
}
