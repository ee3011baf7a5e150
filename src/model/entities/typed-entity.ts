/**
 * The base of the entity classes: a {@link ModelEntity} whose context is
 * the whole model, so that entities can run operations.
 * @module
 */
import type { ModelContext } from "../context.js";
import { ModelEntity } from "../entity.js";
import type { StatusInfo } from "../status.js";

/** A model entity with access to its model's operations. */
export class TypedEntity extends ModelEntity {
  /** The owning model. */
  declare protected readonly context: ModelContext;

  /** A string field of this view's data ("" when absent). */
  protected str(field: string): string {
    const v = this.data?.[field];
    return typeof v === "string" ? v : v === undefined || v === null ? "" : String(v);
  }

  /** A status field (`{current, message, since}`) of this view's data. */
  protected statusOf(field: string): StatusInfo | undefined {
    return this.data?.[field] as StatusInfo | undefined;
  }

  /** `life`: `alive`, `dying` or `dead`. */
  get life(): string {
    return this.str("life");
  }
}
