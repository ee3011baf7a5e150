/**
 * The base of the entity classes: a {@link ModelEntity} whose context is
 * the whole model, so that entities can run operations, and whose data is
 * typed by kind.
 * @module
 */
import type { EntityDataOf, EntityKind, StatusData } from "../../protocol/entity-data.js";
import type { ModelContext } from "../context.js";
import { ModelEntity } from "../entity.js";
import type { StatusInfo } from "../status.js";

/** The fields of kind `K` whose value is a status (`status`, `agent-status`, …). */
type StatusField<K extends EntityKind> = {
  [F in keyof EntityDataOf<K>]: EntityDataOf<K>[F] extends StatusData ? F : never;
}[keyof EntityDataOf<K>];

// Go's zero time: Juju sends it for times that have not happened.
const ZERO_TIME = "0001-01-01T00:00:00Z";

/** A model entity of kind `K` with access to its model's operations. */
export class TypedEntity<K extends EntityKind = EntityKind> extends ModelEntity<K> {
  /** The owning model. */
  declare protected readonly context: ModelContext;

  /** A string field of this view's data ("" when absent). */
  protected str(field: keyof EntityDataOf<K> & string): string {
    const v = this.get<unknown>(field);
    return typeof v === "string" ? v : v === undefined || v === null ? "" : String(v);
  }

  /**
   * A status field (`{current, message, since, version}`) of this view's data.
   * @internal
   */
  protected statusOf(field: StatusField<K>): StatusInfo | undefined {
    return this.get<StatusInfo>(field as string);
  }

  /** A time field (RFC 3339) as a Date; undefined when absent, Go's zero time, or not a time. */
  protected timeOf(value: string | undefined): Date | undefined {
    if (value === undefined || value === "" || value === ZERO_TIME) return undefined;
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }

  /** `life`: `alive`, `dying` or `dead` ("" for kinds without a life). */
  get life(): string {
    const v = this.get<unknown>("life");
    return typeof v === "string" ? v : "";
  }
}
