/**
 * `Unit`: a unit of an application (`unit` deltas).
 * @module
 */

import type { PortData } from "../../protocol/entity-data.js";
import { DeadEntityError } from "../entity.js";
import {
  type ActionResult,
  type EnqueueOptions,
  type ExecOptions,
  exec,
  runAction,
} from "../ops/actions.js";
import { getAnnotations, setAnnotations } from "../ops/annotations.js";
import { type DestroyInfo, type DestroyOptions, destroyUnits } from "../ops/applications.js";
import * as members from "../ops/entity-members.js";
import { SshError } from "../ops/manual-provision.js";
import { machineScp, machineSsh, type SshOptions } from "../ops/ssh.js";
import {
  type AddStorageSpec,
  addStorage,
  attachStorage,
  type DetachStorageOptions,
  detachStorage,
} from "../ops/storage.js";
import type { StatusInfo } from "../status.js";
import { unitTag } from "../tags.js";
import type { Action } from "./action.js";
import type { Application } from "./application.js";
import type { Machine } from "./machine.js";
import { TypedEntity } from "./typed-entity.js";
import { viewOf } from "./views.js";

/** A port a unit opened (the wire's `params.Port`). */
export type UnitPort = PortData;

/** A unit. Getters read this view's state; operations act on the live unit. */
export class Unit extends TypedEntity<"unit"> {
  /** The unit name, e.g. `mysql/0`. */
  get name(): string {
    return this.entityId;
  }

  /** The application's name. */
  get applicationName(): string {
    return this.str("application");
  }

  /** The application (latest view), while it is in the model. */
  get application(): Application | undefined {
    return this.context.entity("application", this.applicationName);
  }

  /** The machine id ("" until the unit is assigned; subordinates: the principal's machine). */
  get machineId(): string {
    return this.str("machine-id");
  }

  /** The machine (latest view), once assigned. */
  get machine(): Machine | undefined {
    const id = this.machineId;
    return id ? this.context.entity("machine", id) : undefined;
  }

  /** The workload status (`active`, `blocked`, `waiting`, `maintenance`, `error`, `unknown`…). */
  get workloadStatus(): string {
    return this.statusOf("workload-status")?.current ?? "";
  }

  /** The workload status message. */
  get workloadStatusMessage(): string {
    return this.statusOf("workload-status")?.message ?? "";
  }

  /** The whole workload status: `{current, message, since, version}`. */
  get workloadStatusInfo(): StatusInfo | undefined {
    return this.statusOf("workload-status");
  }

  /** When the workload status was set. */
  get workloadStatusSince(): Date | undefined {
    return this.timeOf(this.workloadStatusInfo?.since);
  }

  /** The agent status (`allocating`, `executing`, `idle`, `failed`, `lost`…). */
  get agentStatus(): string {
    return this.statusOf("agent-status")?.current ?? "";
  }

  /** The agent status message. */
  get agentStatusMessage(): string {
    return this.statusOf("agent-status")?.message ?? "";
  }

  /** The whole agent status: `{current, message, since, version}`. */
  get agentStatusInfo(): StatusInfo | undefined {
    return this.statusOf("agent-status");
  }

  /** When the agent status was set. */
  get agentStatusSince(): Date | undefined {
    return this.timeOf(this.agentStatusInfo?.since);
  }

  /** The public address ("" until known). */
  get publicAddress(): string {
    return this.str("public-address");
  }

  /** The private address ("" until known). */
  get privateAddress(): string {
    return this.str("private-address");
  }

  /** The charm URL the unit runs. */
  get charmUrl(): string {
    return this.str("charm-url");
  }

  /** The base, e.g. `ubuntu@22.04`. */
  get base(): string {
    return this.str("base");
  }

  /** True for subordinate units. */
  get subordinate(): boolean {
    return this.get("subordinate") === true;
  }

  /** The principal unit's name, for subordinates ("" otherwise). */
  get principal(): string {
    return this.str("principal");
  }

  /** The opened ports. */
  get ports(): UnitPort[] {
    return (this.get("ports") ?? []).map((p) => ({ ...p }));
  }

  /**
   * True when `Client.FullStatus` reports this unit as its application's
   * leader (python-libjuju's `is_leader_from_status`).
   */
  async isLeaderFromStatus(): Promise<boolean> {
    const status = await this.context.connection
      .facade("Client")
      .call("FullStatus", { patterns: [this.name] });
    const app = status.applications?.[this.applicationName];
    const direct = app?.units?.[this.name];
    if (direct) return direct.leader === true;
    // A subordinate unit is listed under its principal.
    for (const apps of Object.values(status.applications ?? {})) {
      for (const u of Object.values(apps.units ?? {})) {
        const sub = u.subordinates?.[this.name];
        if (sub) return sub.leader === true;
      }
    }
    return false;
  }

  /**
   * Runs a charm action on this unit (`Action.EnqueueOperation`) and
   * returns the task once the model shows it; `await action.wait()` for its
   * results. An unknown action or bad parameters throw a `JujuError` with
   * Juju's message.
   */
  runAction(
    name: string,
    params: Readonly<Record<string, unknown>> = {},
    options: EnqueueOptions = {},
  ): Promise<Action> {
    return viewOf(
      this.context,
      "action",
      runAction(this.context, this.name, name, params, options),
    );
  }

  /**
   * Runs commands on this unit with `juju exec` (`Action.Run`). By default
   * returns the task at once; with `block: true` waits for it and returns
   * its record (`output` holds `return-code`, `stdout`, `stderr`).
   */
  run(command: string, options?: ExecOptions & { block?: false }): Promise<Action>;
  run(command: string, options: ExecOptions & { block: true }): Promise<ActionResult>;
  async run(
    command: string,
    options: ExecOptions & { block?: boolean } = {},
  ): Promise<Action | ActionResult> {
    const { block, ...rest } = options;
    const [task] = await exec(this.context, command, { units: [this.name] }, rest);
    const action = this.context.entity("action", task as string) as Action;
    return block === true ? action.wait(rest) : action;
  }

  /** Removes the unit (`Application.DestroyUnit`). */
  async destroy(options: DestroyOptions = {}): Promise<DestroyInfo> {
    const [info] = await destroyUnits(this.context, [this.name], options);
    return info!;
  }

  /**
   * Alias of {@link destroy} (python-libjuju's `remove`).
   * @deprecated Use {@link destroy}; kept for python-libjuju parity.
   */
  remove(options: DestroyOptions = {}): Promise<DestroyInfo> {
    return this.destroy(options);
  }

  /** Adds new instances of the charm store `name` to the unit; returns their ids (`Storage.AddToUnit`). */
  addStorage(name: string, spec: AddStorageSpec = {}): Promise<string[]> {
    return addStorage(this.context, this.name, name, spec);
  }

  /** Attaches existing storage instances (`pgdata/0`) to the unit (`Storage.Attach`). */
  attachStorage(...ids: string[]): Promise<void> {
    return attachStorage(this.context, this.name, ids);
  }

  /** Detaches storage instances from the unit (`Storage.DetachStorage`). */
  detachStorage(ids: readonly string[], options: DetachStorageOptions = {}): Promise<void> {
    return detachStorage(this.context, this.name, ids, options);
  }

  /** The unit's annotations. */
  getAnnotations(): Promise<Record<string, string>> {
    return getAnnotations(this.context, unitTag(this.name));
  }

  /** Sets annotations (an empty value removes a key). */
  setAnnotations(annotations: Readonly<Record<string, string>>): Promise<void> {
    return setAnnotations(this.context, unitTag(this.name), annotations);
  }

  // ---- python-libjuju 3.5 members ----

  /** The live subordinate units whose principal is this unit (python-libjuju's `get_subordinates`). */
  getSubordinates(): Unit[] {
    return this.context.entities("unit").filter((u) => u.subordinate && u.principal === this.name);
  }

  /**
   * The unit's public address: the watcher's, or `Application.UnitsInfo`'s
   * when the watcher has none yet; undefined when the unit has none.
   */
  getPublicAddress(): Promise<string | undefined> {
    return members.unitPublicAddress(this.context, unitTag(this.name), this.publicAddress);
  }

  /**
   * Marks the unit's error resolved (`Application.ResolveUnitErrors`, as
   * `juju resolved`); with `retryHooks` the failed hook runs again.
   */
  resolved(options: { retryHooks?: boolean } = {}): Promise<void> {
    return members.resolveUnit(this.context, unitTag(this.name), options.retryHooks ?? false);
  }

  /**
   * The unit's status history (`juju show-status-log`), newest first: agent
   * and workload statuses by default, or `kind: "workload"` / `"juju-unit"`.
   */
  statusHistory(options: members.StatusHistoryOptions = {}): Promise<members.StatusHistoryEntry[]> {
    return members.statusHistory(this.context, unitTag(this.name), "unit", options);
  }

  /** The id of the machine to reach this unit on (its latest state). */
  private sshMachine(): string {
    const live = this.latest();
    if (live.dead) throw new DeadEntityError("unit", this.name);
    const id = live.machineId;
    if (id === "")
      throw new SshError("unreachable", `ssh: unit ${this.name} is not assigned to a machine yet`);
    return id;
  }

  /**
   * Runs `command` on the unit's machine over SSH and returns its standard
   * output (python-libjuju's `Unit.ssh`; see `Machine.ssh`).
   */
  async ssh(command: string, options: SshOptions = {}): Promise<string> {
    return machineSsh(this.context, this.sshMachine(), command, options);
  }

  /** Copies local file `source` to `destination` on the unit's machine (python-libjuju's `scp_to`). */
  async scpTo(source: string, destination: string, options: SshOptions = {}): Promise<void> {
    return machineScp(this.context, this.sshMachine(), "to", source, destination, options);
  }

  /** Copies file `source` on the unit's machine to local `destination` (python-libjuju's `scp_from`). */
  async scpFrom(source: string, destination: string, options: SshOptions = {}): Promise<void> {
    return machineScp(this.context, this.sshMachine(), "from", source, destination, options);
  }
}
