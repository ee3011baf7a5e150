/**
 * `Application`: an application of the model (`application` deltas).
 * @module
 */
import type { Resources } from "../../facades/generated/index.js";
import type { Constraints } from "../../parse/constraints.js";
import type { ObserverFn, Unsubscribe } from "../observers.js";
import { getAnnotations, setAnnotations } from "../ops/annotations.js";
import * as apps from "../ops/applications.js";
import type { Base } from "../ops/bases.js";
import { type RefreshOptions, refresh } from "../ops/deploy.js";
import * as members from "../ops/entity-members.js";
import { destroyRelation, type IntegrateOptions, integrate } from "../ops/relations.js";
import {
  type ApplicationResources,
  attachResource,
  getResources,
  type ResourceUploadOptions,
} from "../ops/resources.js";
import { deriveApplicationStatus, type StatusInfo } from "../status.js";
import { applicationTag } from "../tags.js";
import type { Action } from "./action.js";
import type { Relation } from "./relation.js";
import { TypedEntity } from "./typed-entity.js";
import type { Unit } from "./unit.js";
import { viewOf, viewsOf } from "./views.js";

/** An application. Getters read this view's state; operations act on the live application. */
export class Application extends TypedEntity<"application"> {
  /** The application name. */
  get name(): string {
    return this.entityId;
  }

  /** The charm URL, e.g. `ch:amd64/mysql-58`. */
  get charmUrl(): string {
    return this.str("charm-url");
  }

  /** The charm name, from the charm URL (`mysql`). */
  get charmName(): string {
    const last =
      this.charmUrl
        .replace(/^[a-z]+:/, "")
        .split("/")
        .at(-1) ?? "";
    return last.replace(/-\d+$/, "");
  }

  /** True when the application is exposed. */
  get exposed(): boolean {
    return this.get("exposed") === true;
  }

  /** True for subordinate applications. */
  get subordinate(): boolean {
    return this.get("subordinate") === true;
  }

  /** The workload version the charm reported. */
  get workloadVersion(): string {
    return this.str("workload-version");
  }

  /** The constraints as the watcher reports them (wire form). */
  get constraints(): Constraints {
    return { ...this.get("constraints") };
  }

  /** Minimum number of units (`juju set-application-min-units`). */
  get minUnits(): number {
    return Number(this.get("min-units") ?? 0);
  }

  /**
   * The status to show, as a string (`active`, `blocked`, …): the
   * application's own when the charm set one, otherwise the most severe of
   * its units' workload statuses (as Juju and python-libjuju's `status`).
   * The whole status is {@link statusInfo}.
   */
  get status(): string {
    return this.statusInfo.current;
  }

  /** The message of the status shown by {@link status}. */
  get statusMessage(): string {
    return this.statusInfo.message ?? "";
  }

  /** The whole status shown by {@link status}: `{current, message, since, version}`. */
  get statusInfo(): StatusInfo {
    return deriveApplicationStatus(
      this.statusOf("status"),
      this.units.map((u) => u.workloadStatusInfo),
    );
  }

  /** When the status shown by {@link status} was set, when Juju says. */
  get statusSince(): Date | undefined {
    return this.timeOf(this.statusInfo.since);
  }

  /** The live units of this application. */
  get units(): Unit[] {
    return this.context.entities("unit").filter((u) => u.applicationName === this.name);
  }

  /** The live relations this application takes part in. */
  get relations(): Relation[] {
    return this.context
      .entities("relation")
      .filter((r) => r.endpoints.some((e) => e.application === this.name));
  }

  /** Names of the other applications related to this one. */
  relatedApplications(): string[] {
    const out = new Set<string>();
    for (const r of this.relations)
      for (const e of r.endpoints) if (e.application !== this.name) out.add(e.application);
    return [...out];
  }

  /** Adds units (`Application.AddUnits`); resolves with the new units once the model shows them. */
  addUnits(options: apps.AddUnitsOptions = {}): Promise<Unit[]> {
    return viewsOf(this.context, "unit", apps.addUnits(this.context, this.name, options));
  }

  /** Alias of {@link addUnits} (python-libjuju's `add_unit`). */
  addUnit(options: apps.AddUnitsOptions = {}): Promise<Unit[]> {
    return this.addUnits(options);
  }

  /** Sets the unit count of a Kubernetes application (`Application.ScaleApplications`). */
  scale(options: apps.ScaleOptions): Promise<number> {
    return apps.scaleApplication(this.context, this.name, options);
  }

  /** Removes the application (`Application.DestroyApplication`). */
  async destroy(options: apps.DestroyOptions = {}): Promise<apps.DestroyInfo> {
    const [info] = await apps.destroyApplications(this.context, [this.name], options);
    return info!;
  }

  /**
   * Alias of {@link destroy} (python-libjuju's `remove`).
   * @deprecated Use {@link destroy}; kept for python-libjuju parity.
   */
  remove(options: apps.DestroyOptions = {}): Promise<apps.DestroyInfo> {
    return this.destroy(options);
  }

  /** Exposes the application, or the given endpoints (`""` = all) to spaces/CIDRs. */
  expose(endpoints?: Readonly<Record<string, apps.ExposedEndpoint>>): Promise<void> {
    return apps.expose(this.context, this.name, endpoints);
  }

  /** Unexposes the application, or only the given endpoints. */
  unexpose(endpoints: readonly string[] = []): Promise<void> {
    return apps.unexpose(this.context, this.name, endpoints);
  }

  /** The config options with their values and sources (`Application.Get`). */
  getConfig(): Promise<Record<string, apps.ApplicationConfigOption>> {
    return apps.getApplicationConfig(this.context, this.name);
  }

  /** Sets config values (`Application.SetConfigs`). */
  setConfig(config: Readonly<Record<string, unknown>>): Promise<void> {
    return apps.setApplicationConfig(this.context, this.name, config);
  }

  /** Resets options to the charm defaults (`Application.UnsetApplicationsConfig`). */
  resetConfig(keys: readonly string[]): Promise<void> {
    return apps.resetApplicationConfig(this.context, this.name, keys);
  }

  /** The constraints (`Application.GetConstraints`). */
  getConstraints(): Promise<Constraints> {
    return apps.getApplicationConstraints(this.context, this.name);
  }

  /** Sets constraints (`Application.SetConstraints`); a string is parsed first. */
  setConstraints(constraints: string | Constraints): Promise<void> {
    return apps.setApplicationConstraints(this.context, this.name, constraints);
  }

  /** The actions the charm defines (`Action.ApplicationsCharmsActions`). */
  getActions(): Promise<Record<string, apps.ActionSpec>> {
    return apps.getActions(this.context, this.name);
  }

  /**
   * Relates `localEndpoint` of this application (or the application, when
   * empty) to `remote` (`app[:endpoint]`); resolves with the relation.
   */
  relate(localEndpoint: string, remote: string, options: IntegrateOptions = {}): Promise<Relation> {
    const local = localEndpoint ? `${this.name}:${localEndpoint}` : this.name;
    return viewOf(this.context, "relation", integrate(this.context, local, remote, options));
  }

  /**
   * Alias of {@link relate} (python-libjuju's `add_relation`).
   * @deprecated Use {@link relate}, as python-libjuju does since 2.9.9.
   */
  addRelation(
    localEndpoint: string,
    remote: string,
    options: IntegrateOptions = {},
  ): Promise<Relation> {
    return this.relate(localEndpoint, remote, options);
  }

  /**
   * Removes the relation between `localEndpoint` of this application and
   * `remote` (`Application.DestroyRelation`; python-libjuju's `destroy_relation`).
   */
  destroyRelation(
    localEndpoint: string,
    remote: string,
    options: { force?: boolean } = {},
  ): Promise<void> {
    const local = localEndpoint ? `${this.name}:${localEndpoint}` : this.name;
    return destroyRelation(this.context, { endpoints: [local, remote] }, options);
  }

  /**
   * Alias of {@link destroyRelation} (python-libjuju's `remove_relation`).
   * @deprecated Use {@link destroyRelation}; kept for python-libjuju parity.
   */
  removeRelation(
    localEndpoint: string,
    remote: string,
    options: { force?: boolean } = {},
  ): Promise<void> {
    return this.destroyRelation(localEndpoint, remote, options);
  }

  /**
   * Refreshes the charm to another revision or channel, or with `path` to a
   * local charm directory or `.charm` file (uploaded unless unchanged);
   * resolves with the new charm URL.
   */
  refresh(options: RefreshOptions = {}): Promise<string> {
    return refresh(this.context, this.name, options);
  }

  /** Alias of {@link refresh} (python-libjuju's `upgrade_charm`). */
  upgradeCharm(options: RefreshOptions = {}): Promise<string> {
    return this.refresh(options);
  }

  /**
   * Attaches a resource (`juju attach-resource`): a local file path (or, for
   * an `oci-image` resource, an image reference or details file) is uploaded
   * over HTTPS, streamed; a number pins that Charmhub revision. Resolves
   * with the resource as the controller then reports it.
   */
  attachResource(
    name: string,
    pathOrRevision: string | number,
    options: ResourceUploadOptions = {},
  ): Promise<Resources.Resource | undefined> {
    return attachResource(this.context, this.name, name, pathOrRevision, options);
  }

  /** The application's resources, Charmhub's view of them, and each unit's (`Resources.ListResources`). */
  getResources(options: { signal?: AbortSignal } = {}): Promise<ApplicationResources> {
    return getResources(this.context, this.name, options.signal);
  }

  /** The name of the leader unit (`Application.Leader`). */
  getLeader(): Promise<string> {
    return apps.getLeader(this.context, this.name);
  }

  /** True when `unit` (a name or a Unit) is the leader. */
  async isLeader(unit: string | Unit): Promise<boolean> {
    const name = typeof unit === "string" ? unit : unit.name;
    return (await this.getLeader()) === name;
  }

  /** The application's annotations. */
  getAnnotations(): Promise<Record<string, string>> {
    return getAnnotations(this.context, applicationTag(this.name));
  }

  /** Sets annotations (an empty value removes a key). */
  setAnnotations(annotations: Readonly<Record<string, string>>): Promise<void> {
    return setAnnotations(this.context, applicationTag(this.name), annotations);
  }

  // ---- python-libjuju 3.5 members ----

  /** Removes units of this application by name (python-libjuju's `destroy_unit`). */
  destroyUnit(...names: string[]): Promise<apps.DestroyInfo[]> {
    return apps.destroyUnits(this.context, names);
  }

  /** The application's base from the controller (`Application.Get`), e.g. `{name: "ubuntu", channel: "22.04"}`. */
  getBase(): Promise<Base> {
    return members.applicationBase(this.context, this.name);
  }

  /** The series of the application's base, e.g. `jammy` (python-libjuju's `get_series`). */
  getSeries(): Promise<string> {
    return members.applicationSeries(this.context, this.name);
  }

  /**
   * The application's status from `Client.FullStatus`, fresher than the
   * watcher's view: its own, or the most severe of its units' workload statuses.
   */
  getStatus(): Promise<StatusInfo> {
    return members.applicationStatus(this.context, this.name);
  }

  /** Runs `command` on every unit (`juju exec --application`); one task per unit. */
  run(command: string, options: members.ExecOptions = {}): Promise<Action[]> {
    return viewsOf(
      this.context,
      "action",
      members.applicationRun(this.context, this.name, command, options),
    );
  }

  /** Juju 3.6 serves no metrics: throws {@link NotSupportedError}. */
  async getMetrics(): Promise<never> {
    throw members.metricsRemoved("Application.getMetrics");
  }

  /** Calls `fn` whenever a unit of this application is added; returns the unsubscribe function. */
  onUnitAdd(fn: ObserverFn): Unsubscribe {
    return this.context.addObserver(fn, {
      entityType: "unit",
      action: "add",
      entityId: this.#unitPattern(),
    });
  }

  /** Calls `fn` whenever a unit of this application is removed; returns the unsubscribe function. */
  onUnitRemove(fn: ObserverFn): Unsubscribe {
    return this.context.addObserver(fn, {
      entityType: "unit",
      action: "remove",
      entityId: this.#unitPattern(),
    });
  }

  #unitPattern(): RegExp {
    return new RegExp(`^${this.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/\\d+$`);
  }

  /** The application's status history (`juju show-status-log --type application`), newest first. */
  statusHistory(options: members.StatusHistoryOptions = {}): Promise<members.StatusHistoryEntry[]> {
    return members.statusHistory(this.context, applicationTag(this.name), "application", options);
  }

  /** Whether the application is trusted with the cloud credential (its `trust` application config). */
  getTrusted(): Promise<boolean> {
    return apps.getTrusted(this.context, this.name);
  }

  /** Trusts the application with the cloud credential, or stops trusting it (`juju trust [--remove]`). */
  setTrusted(trust: boolean): Promise<void> {
    return apps.setTrusted(this.context, this.name, trust);
  }
}
