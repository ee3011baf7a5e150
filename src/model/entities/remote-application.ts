/**
 * `RemoteApplication`: an application consumed from an offer (`remoteApplication` deltas).
 * @module
 */
import type { StatusInfo } from "../status.js";
import { TypedEntity } from "./typed-entity.js";

/** A consumed (SAAS) application. */
export class RemoteApplication extends TypedEntity {
  /** The local name of the consumed application. */
  get name(): string {
    return this.entityId;
  }

  /** The offer URL, e.g. `admin/other.mysql`. */
  get offerUrl(): string {
    return this.str("offer-url");
  }

  /** The status of the remote application. */
  get status(): StatusInfo | undefined {
    return this.statusOf("status");
  }
}
