/**
 * `Relation`: a relation between application endpoints (`relation` deltas).
 * @module
 */
import {
  type DestroyRelationOptions,
  destroyRelation,
  type SuspendRelationOptions,
  setRelationSuspended,
} from "../ops/relations.js";
import { endpointsMatch } from "../relation-endpoints.js";
import type { Application } from "./application.js";
import { TypedEntity } from "./typed-entity.js";

/** One end of a relation. */
export interface RelationEndpoint {
  /** The application name. */
  application: string;
  /** The endpoint name, e.g. `db`. */
  name: string;
  /** `provider`, `requirer` or `peer`. */
  role: string;
  /** The interface, e.g. `mysql`. */
  interface: string;
  /** Whether the charm marks the endpoint optional. */
  optional: boolean;
  /** The most relations the endpoint takes (0: no limit). */
  limit: number;
  /** `global` or `container`. */
  scope: string;
}

/** A relation. Its id is Juju's numeric relation id, as a string. */
export class Relation extends TypedEntity<"relation"> {
  /** The numeric relation id. */
  get id(): number {
    return this.get("id") ?? Number(this.entityId);
  }

  /** The relation key, e.g. `wordpress:db mysql:db`. */
  get key(): string {
    return this.str("key");
  }

  /** The endpoints. */
  get endpoints(): RelationEndpoint[] {
    const eps = this.get("endpoints") ?? [];
    return eps.map((e) => ({
      application: e["application-name"],
      name: e.relation.name,
      role: e.relation.role,
      interface: e.relation.interface,
      optional: e.relation.optional ?? false,
      limit: e.relation.limit ?? 0,
      scope: e.relation.scope ?? "global",
    }));
  }

  /** Endpoints with the provider role. */
  get provides(): RelationEndpoint[] {
    return this.endpoints.filter((e) => e.role === "provider");
  }

  /** Endpoints with the requirer role. */
  get requires(): RelationEndpoint[] {
    return this.endpoints.filter((e) => e.role === "requirer");
  }

  /** Endpoints with the peer role. */
  get peers(): RelationEndpoint[] {
    return this.endpoints.filter((e) => e.role === "peer");
  }

  /** True for a peer relation. */
  get isPeer(): boolean {
    return this.peers.length > 0;
  }

  /** True for a container-scoped (subordinate) relation. */
  get isSubordinate(): boolean {
    return this.endpoints.some((e) => e.scope === "container");
  }

  /** The interface of the relation. */
  get interface(): string {
    return this.endpoints[0]?.interface ?? "";
  }

  /** The applications at either end (latest views, while in the model). */
  get applications(): Application[] {
    return this.endpoints.flatMap((e) => this.context.entity("application", e.application) ?? []);
  }

  /**
   * True when every spec (`"app"` or `"app:endpoint"`) names a different
   * endpoint of this relation (one spec may match a peer relation).
   */
  matches(...specs: string[]): boolean {
    return endpointsMatch(this.endpoints, specs);
  }

  /** Removes the relation (`Application.DestroyRelation` by relation id). */
  destroy(options: DestroyRelationOptions = {}): Promise<void> {
    return destroyRelation(this.context, { relationId: this.id }, options);
  }

  /**
   * Suspends a cross-model relation (`juju suspend-relation`; call it on
   * the offering model): both sides' units leave it, its status becomes
   * `suspended` with `message`. No python-libjuju 3.5 equivalent.
   */
  suspend(options: SuspendRelationOptions = {}): Promise<void> {
    return setRelationSuspended(this.context, this.id, true, options);
  }

  /** Resumes a suspended cross-model relation (`juju resume-relation`): the units join again. */
  resume(options: Omit<SuspendRelationOptions, "message"> = {}): Promise<void> {
    return setRelationSuspended(this.context, this.id, false, options);
  }

  /** `relation 3 (wordpress:db mysql:db)`. */
  override toString(): string {
    return `relation ${this.entityId} (${this.key})${this.dead ? " dead" : ""}`;
  }
}
