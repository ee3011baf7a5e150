/**
 * `ApplicationOffer`: an offer of one of the model's applications (`applicationOffer` deltas).
 * @module
 */
import { TypedEntity } from "./typed-entity.js";

/** An application offer, keyed by offer name. */
export class ApplicationOffer extends TypedEntity<"applicationOffer"> {
  /** The offer name. */
  get offerName(): string {
    return this.entityId;
  }

  /** The offer UUID. */
  get offerUuid(): string {
    return this.str("offer-uuid");
  }

  /** The offered application's name. */
  get applicationName(): string {
    return this.str("application-name");
  }

  /** The offered charm's name. */
  get charmName(): string {
    return this.str("charm-name");
  }

  /** Number of connections ever made to the offer. */
  get totalConnectedCount(): number {
    return this.get("total-connected-count") ?? 0;
  }

  /** Number of active connections. */
  get activeConnectedCount(): number {
    return this.get("active-connected-count") ?? 0;
  }
}
