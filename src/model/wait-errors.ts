/**
 * The errors a wait ends with: a timeout that names everything not ready
 * with its status history in the window, and typed status errors raised the
 * moment a unit, machine or agent gets into a state it will not leave alone.
 *
 * Compatibility: every status error is an {@link EntityStatusError} (what
 * `waitForIdle` always raised), with the same `code` (`ERR_ENTITY_ERROR`, or `ERR_ENTITY_BLOCKED`
 * for {@link WorkloadBlockedError}) and `entities`; the subclasses say which
 * kind of trouble it was and carry the first entity's status.
 * @module
 */
import { LibjujuError } from "../rpc/errors.js";

/** One entity that is not ready (or in trouble), and why. */
export interface NotReady {
  /** `application mysql`, `unit mysql/0`, `machine 3`. */
  entity: string;
  /** Why it is not ready, e.g. `agent executing (install) for 12 s`. */
  reason: string;
  /**
   * Its status changes seen during the wait, oldest first (e.g.
   * `10:00:03Z agent executing (running install hook)`); on timeouts only.
   */
  history?: string[];
}

/** A wait ran out of time; `notReady` names each entity, why, and what it went through. */
export class WaitTimeoutError extends LibjujuError {
  /** What was still not ready when the wait gave up. */
  readonly notReady: NotReady[];
  constructor(what: string, timeoutMs: number, notReady: NotReady[]) {
    const lines = notReady
      .map(
        (n) => `  ${n.entity}: ${n.reason}${(n.history ?? []).map((h) => `\n      ${h}`).join("")}`,
      )
      .join("\n");
    super(
      `timed out after ${timeoutMs / 1000}s waiting for ${what}${lines ? `:\n${lines}` : ""}`,
      "ERR_WAIT_TIMEOUT",
    );
    this.notReady = notReady;
  }
}

/** The kinds of trouble a wait raises on. */
export type StatusProblemKind =
  | "unit-error"
  | "application-error"
  | "machine-provisioning"
  | "agent-lost"
  | "workload-blocked";

/** An entity in trouble, as the controller reported it. */
export interface StatusProblem {
  /** What kind of trouble it is. */
  kind: StatusProblemKind;
  /** `unit mysql/0`, `machine 3`, `application mysql`. */
  entity: string;
  /** The status value, e.g. `error`, `provisioning error`, `lost`, `blocked`. */
  status: string;
  /** The status message. */
  message: string;
  /** When the controller says the status was set (RFC 3339), when it said. */
  since: string | undefined;
}

const describe = (p: StatusProblem): NotReady => ({
  entity: p.entity,
  reason: `${p.message || p.status}${p.since ? ` (${p.status} since ${p.since})` : ""}`,
});

/** An entity went into error (or blocked) while waiting with `raiseOnError` / `raiseOnBlocked`. */
export class EntityStatusError extends LibjujuError {
  /** The entities in trouble, with their messages. */
  readonly entities: NotReady[];
  /** The problems behind `entities`, with status and since, when known. */
  readonly problems: StatusProblem[];
  constructor(kind: "error" | "blocked", entities: NotReady[], problems: StatusProblem[] = []) {
    const lines = entities.map((n) => `  ${n.entity}: ${n.reason}`).join("\n");
    super(
      `${entities.length === 1 ? "an entity is" : "entities are"} ${kind}:\n${lines}`,
      kind === "error" ? "ERR_ENTITY_ERROR" : "ERR_ENTITY_BLOCKED",
    );
    this.entities = entities;
    this.problems = problems;
  }

  /** The entity named first (the one the subclass is about). */
  get entity(): string {
    return this.problems[0]?.entity ?? this.entities[0]?.entity ?? "";
  }

  /** Its status message. */
  get statusMessage(): string {
    return this.problems[0]?.message ?? "";
  }

  /** When the controller says it got into that status. */
  get since(): string | undefined {
    return this.problems[0]?.since;
  }
}

/** A unit's workload or agent is in `error` (a hook failed). */
export class UnitErrorStateError extends EntityStatusError {}
/** A machine failed to provision (`provisioning error`, or its agent in `error`). */
export class MachineProvisioningError extends EntityStatusError {}
/** A unit or machine agent is `lost` (or `down`): it stopped talking to the controller. */
export class AgentLostError extends EntityStatusError {}
/** A workload is `blocked`: it needs a human (raised only when asked). */
export class WorkloadBlockedError extends EntityStatusError {}

const ORDER: StatusProblemKind[] = [
  "unit-error",
  "machine-provisioning",
  "agent-lost",
  "application-error",
  "workload-blocked",
];

/**
 * The error for a set of problems: the class of the most telling kind
 * present (a unit's error before the application status it causes), naming
 * every entity.
 */
export function statusProblemError(problems: StatusProblem[]): EntityStatusError {
  const sorted = [...problems].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  const entities = sorted.map(describe);
  switch (sorted[0]?.kind) {
    case "unit-error":
      return new UnitErrorStateError("error", entities, sorted);
    case "machine-provisioning":
      return new MachineProvisioningError("error", entities, sorted);
    case "agent-lost":
      return new AgentLostError("error", entities, sorted);
    case "workload-blocked":
      return new WorkloadBlockedError("blocked", entities, sorted);
    default:
      return new EntityStatusError("error", entities, sorted);
  }
}
