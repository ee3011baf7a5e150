/**
 * `Action`: a task run on a unit (`action` deltas).
 * @module
 */
import { TypedEntity } from "./typed-entity.js";

// Go's zero time: Juju sends it for `started` / `completed` until they happen.
const ZERO_TIME = "0001-01-01T00:00:00Z";
const time = (s: string): string | undefined => (s === "" || s === ZERO_TIME ? undefined : s);

/**
 * An action (task). The watcher does not carry parameters or results
 * (Juju 3.6 does not copy them into the delta); `Action.Actions` has them.
 */
export class Action extends TypedEntity {
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
}
