/**
 * Errors of the model layer that are not server errors.
 * @module
 */
import { LibjujuError } from "../rpc/errors.js";
import type { ModelEvent } from "./observers.js";

/**
 * The operation exists in Juju but this client cannot do it faithfully
 * (e.g. manual `ssh:` provisioning, which needs an SSH session to the
 * host). `reason` says why.
 */
export class NotSupportedError extends LibjujuError {
  /** What was asked, e.g. `addMachine("ssh:ubuntu@10.0.0.4")`. */
  readonly operation: string;
  constructor(operation: string, reason: string) {
    super(`${operation} is not supported by libjuju: ${reason}`, "ERR_NOT_SUPPORTED");
    this.operation = operation;
  }
}

/**
 * The operation needs the model's live state (the AllWatcher), but the
 * model was connected with `watch: false`.
 */
export class NotWatchingError extends LibjujuError {
  constructor(operation: string) {
    super(
      `${operation} needs the model's live state: connect without {watch: false}`,
      "ERR_NOT_WATCHING",
    );
  }
}

/** A model observer threw or rejected; `cause` is what it threw. */
export class ObserverError extends LibjujuError {
  /** The event the observer failed on. */
  readonly event: ModelEvent;
  /** How many further observer failures were pending with this one. */
  readonly more: number;
  constructor(error: unknown, event: ModelEvent, more = 0) {
    const msg = error instanceof Error ? error.message : String(error);
    super(
      `observer failed on ${event.action} ${event.entityType} ${JSON.stringify(event.entityId)}: ${msg}` +
        (more > 0 ? ` (and ${more} more observer failures)` : ""),
      "ERR_OBSERVER",
      { cause: error },
    );
    this.event = event;
    this.more = more;
  }
}

/**
 * An argument was rejected by the client before anything was sent (an
 * unknown base, a channel that does not parse, a unit count below one…).
 * `code` is Juju's `not valid`, as the server would answer.
 */
export class InvalidArgumentError extends LibjujuError {
  /** The option or argument that was wrong. */
  readonly argument: string;
  constructor(argument: string, message: string) {
    super(message, "ERR_INVALID_ARGUMENT");
    this.argument = argument;
  }
}
