/**
 * `RemoteApplication`: an application consumed from an offer (`remoteApplication` deltas).
 * @module
 */
import type { StatusInfo } from "../status.js";
import { TypedEntity } from "./typed-entity.js";

/** A consumed (SAAS) application. */
export class RemoteApplication extends TypedEntity<"remoteApplication"> {
  /** The local name of the consumed application. */
  get name(): string {
    return this.entityId;
  }

  /** The offer URL, e.g. `admin/other.mysql`. */
  get offerUrl(): string {
    return this.str("offer-url");
  }

  /** The offer UUID (`""` from Juju 3.6, whose watcher does not fill it). */
  get offerUuid(): string {
    return this.str("offer-uuid");
  }

  /** The status of the remote application (python-libjuju's `status`). */
  get status(): string {
    return this.statusOf("status")?.current ?? "";
  }

  /** The status message. */
  get statusMessage(): string {
    return this.statusOf("status")?.message ?? "";
  }

  /** The whole status: `{current, message, since, version}`. */
  get statusInfo(): StatusInfo | undefined {
    return this.statusOf("status");
  }
}
