/**
 * `Annotation`: the annotations of one entity (`annotation` deltas).
 * @module
 */
import { TypedEntity } from "./typed-entity.js";

/** The annotations of the entity whose tag is the id (`application-mysql`, `model-…`). */
export class Annotation extends TypedEntity<"annotation"> {
  /** The annotated entity's tag. */
  get tag(): string {
    return this.entityId;
  }

  /** The key/value annotations. */
  get annotations(): Record<string, string> {
    return { ...this.get("annotations") };
  }
}
