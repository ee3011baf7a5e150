/**
 * `Machine`: a machine or container of the model (`machine` deltas).
 * @module
 */

import type { AddressData, HardwareData } from "../../protocol/entity-data.js";
import { addressByScope, DNS_SCOPES } from "../machine-addresses.js";
import { getAnnotations, setAnnotations } from "../ops/annotations.js";
import * as members from "../ops/entity-members.js";
import {
  type DestroyMachineInfo,
  type DestroyMachineOptions,
  destroyMachines,
} from "../ops/machines.js";
import { machineScp, machineSsh, type SshOptions } from "../ops/ssh.js";
import type { StatusInfo } from "../status.js";
import { machineTag } from "../tags.js";
import { TypedEntity } from "./typed-entity.js";
import type { Unit } from "./unit.js";

/** An address of a machine (the wire's `params.Address`). */
export type MachineAddress = AddressData;

/** What the provider reports about a machine's hardware (sizes in MiB). */
export type HardwareCharacteristics = HardwareData;

/** A machine. Getters read this view's state; operations act on the live machine. */
export class Machine extends TypedEntity<"machine"> {
  /** The machine id, e.g. `0` or `0/lxd/1`. */
  get id(): string {
    return this.entityId;
  }

  /** The instance status (`pending`, `allocating`, `running`, `provisioning error`…), as python-libjuju's `status`. */
  get status(): string {
    return this.statusOf("instance-status")?.current ?? "";
  }

  /** The instance status message. */
  get statusMessage(): string {
    return this.statusOf("instance-status")?.message ?? "";
  }

  /** The whole instance status: `{current, message, since, version}`. */
  get statusInfo(): StatusInfo | undefined {
    return this.statusOf("instance-status");
  }

  /** When the instance status was set. */
  get statusSince(): Date | undefined {
    return this.timeOf(this.statusInfo?.since);
  }

  /** The machine agent status (`pending`, `started`, `stopped`, `error`, `down`). */
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

  /** The machine agent's version. */
  get agentVersion(): string {
    return this.statusOf("agent-status")?.version ?? "";
  }

  /** The addresses of the machine. */
  get addresses(): MachineAddress[] {
    return (this.get("addresses") ?? []).map((a) => ({ ...a }));
  }

  /** The best address to reach the machine: public, else cloud-local, else fan; undefined when none. */
  get dnsName(): string | undefined {
    return addressByScope(this.get("addresses"), DNS_SCOPES);
  }

  /** The host name the agent reported, when any. */
  get hostname(): string | undefined {
    return this.str("hostname") || undefined;
  }

  /** The provider's instance id ("" until provisioned). */
  get instanceId(): string {
    return this.str("instance-id");
  }

  /** The base, e.g. `ubuntu@22.04`. */
  get base(): string {
    return this.str("base");
  }

  /** The container type (`lxd`, `kvm`), "" for a machine. */
  get containerType(): string {
    return this.str("container-type");
  }

  /** The hardware characteristics, once provisioned. */
  get hardware(): HardwareCharacteristics {
    return { ...this.get("hardware-characteristics") };
  }

  /** The machine holding this container, for containers. */
  get parentId(): string | undefined {
    const parts = this.id.split("/");
    return parts.length > 1 ? parts.slice(0, -2).join("/") : undefined;
  }

  /** The live containers directly on this machine. */
  get containers(): Machine[] {
    const prefix = `${this.id}/`;
    return this.context
      .entities("machine")
      .filter(
        (m) => m.id.startsWith(prefix) && m.id.split("/").length === this.id.split("/").length + 2,
      );
  }

  /** The live units assigned to this machine. */
  get units(): Unit[] {
    return this.context.entities("unit").filter((u) => u.machineId === this.id);
  }

  /**
   * Removes the machine (`MachineManager.DestroyMachineWithParams`) and, as
   * python-libjuju, waits until it is gone unless `blockUntilDone: false`.
   */
  async destroy(options: DestroyMachineOptions = {}): Promise<DestroyMachineInfo> {
    const [info] = await destroyMachines(this.context, [this.id], {
      ...options,
      blockUntilDone: options.blockUntilDone ?? true,
    });
    return info!;
  }

  /**
   * Alias of {@link destroy} (python-libjuju's `remove`).
   * @deprecated Use {@link destroy}; kept for python-libjuju parity.
   */
  remove(options: DestroyMachineOptions = {}): Promise<DestroyMachineInfo> {
    return this.destroy(options);
  }

  /** The machine's annotations. */
  getAnnotations(): Promise<Record<string, string>> {
    return getAnnotations(this.context, machineTag(this.id));
  }

  /** Sets annotations (an empty value removes a key). */
  setAnnotations(annotations: Readonly<Record<string, string>>): Promise<void> {
    return setAnnotations(this.context, machineTag(this.id), annotations);
  }

  // ---- python-libjuju 3.5 members ----

  /**
   * The machine's status history (`juju show-status-log`), newest first:
   * the instance's by default (`machine`), or its agent's with `kind: "juju-machine"`.
   */
  statusHistory(options: members.StatusHistoryOptions = {}): Promise<members.StatusHistoryEntry[]> {
    return members.statusHistory(this.context, machineTag(this.id), "machine", options);
  }

  /**
   * Runs `command` on the machine over SSH (as `ubuntu`, with the Juju
   * client key, at its {@link dnsName}) and returns its standard output;
   * a non-zero exit throws `SshCommandError` (python-libjuju's `ssh`).
   */
  ssh(command: string, options: SshOptions = {}): Promise<string> {
    return machineSsh(this.context, this.id, command, options);
  }

  /** Copies local file `source` to `destination` on the machine (python-libjuju's `scp_to`). */
  scpTo(source: string, destination: string, options: SshOptions = {}): Promise<void> {
    return machineScp(this.context, this.id, "to", source, destination, options);
  }

  /** Copies file `source` on the machine to local `destination` (python-libjuju's `scp_from`). */
  scpFrom(source: string, destination: string, options: SshOptions = {}): Promise<void> {
    return machineScp(this.context, this.id, "from", source, destination, options);
  }
}
