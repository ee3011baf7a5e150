/**
 * `ModelInfoEntity`: the model itself as the watcher reports it (`model`
 * deltas; python-libjuju's `ModelInfo` entity).
 * @module
 */
import type { Constraints } from "../../parse/constraints.js";
import type { StatusInfo } from "../status.js";
import { TypedEntity } from "./typed-entity.js";

/** The model delta: name, owner, type, cloud, config, status. Keyed by model UUID. */
export class ModelInfoEntity extends TypedEntity<"model"> {
  /** The model UUID. */
  get uuid(): string {
    return this.entityId;
  }

  /** The short model name. */
  get name(): string {
    return this.str("name");
  }

  /** The owner's user name. */
  get owner(): string {
    return this.str("owner");
  }

  /** `iaas` or `caas`. */
  get type(): string {
    return this.str("type");
  }

  /** The cloud name. */
  get cloud(): string {
    return this.str("cloud");
  }

  /** The cloud region. */
  get cloudRegion(): string {
    return this.str("cloud-region");
  }

  /** The model's agent version. */
  get agentVersion(): string {
    return this.str("version");
  }

  /** The controller UUID. */
  get controllerUuid(): string {
    return this.str("controller-uuid");
  }

  /** True for the controller model. */
  get isController(): boolean {
    return this.get("is-controller") === true;
  }

  /** The model status (`available`, `busy`, `error`…). */
  get status(): string {
    return this.statusOf("status")?.current ?? "";
  }

  /** The model status message. */
  get statusMessage(): string {
    return this.statusOf("status")?.message ?? "";
  }

  /** The whole model status: `{current, message, since, version}`. */
  get statusInfo(): StatusInfo | undefined {
    return this.statusOf("status");
  }

  /** The model config, when the delta carries it. */
  get config(): Record<string, unknown> {
    return { ...this.get("config") };
  }

  /** The model constraints. */
  get constraints(): Constraints {
    return { ...this.get("constraints") };
  }
}
