/**
 * `MachineManager(9, 10)`: `AddMachines` (including machines that come with
 * their instance, as manual provisioning adds them), `ProvisioningScript`,
 * `DestroyMachineWithParams`, `RetryProvisioning` and `InstanceTypes`
 * (`apiserver/facades/client/machinemanager`).
 * @module
 */

import type { MachineManager as MachineManagerFacade } from "../../facades/generated/index.js";
import { CONSTRAINTS_VALUE, Fields } from "../decode.js";
import { type BaseValue, baseOfSeries, type MachineRecord } from "../entities.js";
import { Errors, ServerError } from "../errors.js";
import {
  constraintsFrom,
  effectiveConstraints,
  existingMachine,
  machineForPlacement,
} from "../placement.js";
import { provisioningScript } from "../provisioning-script.js";
import type { ModelRecord } from "../store.js";
import { parseTagOfKind } from "../tags.js";
import { bulk, type ErrorItem, mapSliced, sliced } from "./bulk.js";
import { infoOf } from "./controller.js";
import type { MethodSpec } from "./registry.js";
import { type ItemOf, method, type Params, type ParamsOfMethod } from "./typed.js";

/** The base of new machines without one: the model's `default-base`, else Juju 3.6's default LTS. */
export function defaultBase(model: ModelRecord): BaseValue {
  const v = model.config.get("default-base")?.value;
  if (typeof v === "string" && v.includes("@")) {
    const [name = "ubuntu", channel = ""] = v.split("@");
    return { name, channel: channel.replace(/\/.*$/, "") };
  }
  return { name: "ubuntu", channel: "24.04" };
}

/** A base from `{name, channel}` params (risk dropped). */
export function baseFrom(f: Params<MachineManagerFacade.Base> | undefined): BaseValue | undefined {
  if (f === undefined) return undefined;
  const name = f.string("name");
  const channel = f.string("channel").replace(/\/.*$/, "");
  if (name === "" && channel === "") return undefined;
  if (name === "" || channel === "") {
    throw new ServerError(`base name and channel must both be set`, "not valid");
  }
  return { name, channel };
}

/** `names.MachineTag` id (`machine-0-lxd-1` → `0/lxd/1`). */
function machineIdFromTag(tag: string): string {
  return parseTagOfKind(tag, "machine").replace(/-/g, "/");
}

function addMachine(
  model: ModelRecord,
  p: Params<ItemOf<ParamsOfMethod<"MachineManager", "AddMachines">["params"]>>,
): string {
  const jobs = p.strings("jobs");
  for (const j of jobs) {
    if (j !== "JobHostUnits") {
      throw new ServerError(`invalid machine job ${JSON.stringify(j)}`, "not valid");
    }
  }
  const baseField = p.raw("base");
  let base =
    baseField === undefined || baseField === null
      ? undefined
      : baseFrom(new Fields(baseField, "params.Base"));
  const series = p.string("series");
  if (base === undefined && series !== "") {
    base = baseOfSeries(series);
    if (base === undefined)
      throw new ServerError(`series ${JSON.stringify(series)} not valid`, "not valid");
  }
  const constraints = constraintsFrom(p.struct("constraints", CONSTRAINTS_VALUE));
  const containerType = p.string("container-type");
  const parentId = p.string("parent-id");
  const rawPlacement = p.raw("placement");
  const placement =
    rawPlacement === undefined || rawPlacement === null
      ? undefined
      : (() => {
          const pf: Params<MachineManagerFacade.Placement> = new Fields(
            rawPlacement,
            "params.Placement",
          );
          return { scope: pf.string("scope"), directive: pf.string("directive") };
        })();
  for (const d of p.objects("disks", "storage.Constraints")) {
    d.string("Pool");
    d.optUint64("Size");
    d.optUint64("Count");
  }
  const instanceId = p.string("instance-id");
  const nonce = p.string("nonce");
  const hardware = Object.fromEntries(
    Object.entries(p.map("hardware-characteristics")).filter(([, v]) => v !== null),
  );
  const addresses = p.objects("addresses", "params.Address").map((a) => ({
    value: a.string("value"),
    type: a.string("type"),
    scope: a.string("scope"),
  }));
  // state.effectiveMachineTemplate and AddMachineInside*: an instance needs a nonce and vice versa.
  if (instanceId !== "" && containerType !== "") {
    throw new ServerError(
      "cannot add a new machine: cannot specify instance id for a new container",
    );
  }
  if (instanceId !== "" && nonce === "") {
    throw new ServerError(
      "cannot add a new machine: cannot add a machine with an instance id and no nonce",
    );
  }
  if (instanceId === "" && nonce !== "") {
    throw new ServerError(
      "cannot add a new machine: cannot specify a nonce without an instance id",
    );
  }
  if (instanceId !== "") {
    // Already provisioned (manual provisioning): no provisioner step.
    const st = model.state;
    const injected = st.addMachine({
      base: base ?? defaultBase(model),
      constraints: effectiveConstraints(model, constraints),
      instance: { id: instanceId, hardware, injected: { nonce, addresses } },
    });
    model.agents.injectedMachineAdded(injected);
    return injected.id;
  }
  if (containerType !== "" && containerType !== "lxd") {
    throw new ServerError(`invalid container type ${JSON.stringify(containerType)}`, "not valid");
  }
  let m: MachineRecord;
  if (containerType !== "") {
    if (placement !== undefined && placement.scope !== "#" && placement.scope !== "") {
      throw new ServerError("container placement must be a machine", "not valid");
    }
    const parent = parentId !== "" ? parentId : (placement?.directive ?? "");
    const parentMachine = parent === "" ? undefined : existingMachine(model, parent);
    const b = base ?? parentMachine?.base ?? defaultBase(model);
    m = machineForPlacement(
      model,
      { scope: "lxd", directive: parentMachine?.id ?? "" },
      b,
      constraints,
    );
  } else {
    if (placement?.scope === "#") {
      throw new ServerError(
        `cannot add a new machine: machine placement directive ${JSON.stringify(placement.directive)} refers to an existing machine`,
        "not valid",
      );
    }
    // MachineManager.addOneMachine: a scope that is not a container type must
    // name the model, by name or UUID (`invalid model name %q`).
    const modelScoped =
      placement === undefined ||
      placement.scope === "" ||
      placement.scope === "lxd" ||
      placement.scope === "kvm"
        ? placement
        : placement.scope === model.uuid || placement.scope === model.name
          ? { scope: model.uuid, directive: placement.directive }
          : undefined;
    if (placement !== undefined && modelScoped === undefined)
      throw new ServerError(`invalid model name ${JSON.stringify(placement.scope)}`);
    m = machineForPlacement(model, modelScoped, base ?? defaultBase(model), constraints);
  }
  return m.id;
}

function destroyInfo(
  model: ModelRecord,
  m: MachineRecord,
  force: boolean,
  dryRun: boolean,
): MachineManagerFacade.DestroyMachineInfo {
  const units = m.principals.flatMap((n) => {
    const u = model.state.units.get(n);
    return [n, ...(u?.subordinates ?? [])];
  });
  const containers = model.state.containersOf(m.id);
  if (!force) {
    if (units.length > 0) {
      throw new ServerError(
        `machine ${m.id} has unit ${JSON.stringify(m.principals[0])} assigned`,
        "machine has assigned units",
      );
    }
    if (containers.length > 0) {
      throw new ServerError(
        `machine ${m.id} is hosting containers ${JSON.stringify(containers.map((c) => c.id).join(","))}`,
        "machine is hosting containers",
      );
    }
  }
  const info: MachineManagerFacade.DestroyMachineInfo = { "machine-id": m.id };
  if (units.length > 0)
    info["destroyed-units"] = units.map((n) => ({ tag: `unit-${n.replace("/", "-")}` }));
  if (containers.length > 0) {
    info["destroyed-containers"] = containers.map((c) => ({
      info: destroyInfo(model, c, force, dryRun),
    }));
  }
  if (!dryRun) {
    for (const n of m.principals) {
      const u = model.state.units.get(n);
      if (u !== undefined) model.agents.destroyUnit(u);
    }
    model.agents.destroyMachine(m);
  }
  return info;
}

/** The MachineManager methods. */
export const machineManagerMethods: readonly MethodSpec[] = [
  method({
    facade: "MachineManager",
    method: "AddMachines",
    params: "params.AddMachines",
    call: (ctx, p) => ({
      // `machine` is not omitempty: an error result still carries "".
      machines: bulk(p.objects("params", "params.AddMachineParams"), (item) => ({
        machine: addMachine(ctx.model(), item),
      })).map((r) => ("error" in r ? { machine: "", ...r } : r)),
    }),
  }),
  method({
    facade: "MachineManager",
    method: "ProvisioningScript",
    params: "params.ProvisioningScriptParams",
    call: (ctx, p) => {
      const model = ctx.model();
      const id = p.string("machine-id");
      const nonce = p.string("nonce");
      const dataDir = p.string("data-dir");
      const disable = p.optBool("disable-package-commands") ?? false;
      // InstanceConfig's errors, annotated as the facade does.
      const m = model.state.machines.get(id);
      if (m === undefined) {
        throw new ServerError(
          `getting instance config: getting machine: machine ${id} not found`,
          "not found",
        );
      }
      if (typeof m.hardware?.arch !== "string") {
        throw new ServerError(
          `getting instance config: arch is not set for "machine-${id.replaceAll("/", "-")}"`,
        );
      }
      const config = (k: string) => model.config.get(k)?.value;
      const info = infoOf(ctx.store);
      const script = provisioningScript({
        machine: m,
        nonce,
        dataDir: dataDir === "" ? "/var/lib/juju" : dataDir,
        modelUuid: model.uuid,
        controllerUuid: ctx.store.controllerUuid,
        agentVersion: model.agentVersion,
        apiAddresses: info.addresses(),
        caCert: info.caCert,
        providerType: model.cloud.type,
        loggingConfig: String(config("logging-config") ?? "<root>=INFO"),
        // DisablePackageCommands overrides the model config only when true.
        refreshUpdate: !disable && config("enable-os-refresh-update") !== false,
        upgrade: !disable && config("enable-os-upgrade") !== false,
      });
      model.agents.provisioningScriptIssued(m, nonce);
      return { script };
    },
  }),
  method({
    facade: "MachineManager",
    method: "DestroyMachineWithParams",
    params: "params.DestroyMachinesParams",
    call: async (ctx, p) => {
      const force = p.optBool("force") ?? false;
      const dryRun = p.optBool("dry-run") ?? false;
      p.optBool("keep");
      p.optInt("max-wait", "time.Duration");
      const model = ctx.model();
      // In slices: thousands of machines must not stall other clients (bulk.ts).
      const results = await mapSliced(p.strings("machine-tags"), (tag) => {
        const id = machineIdFromTag(tag);
        const m = model.state.machines.get(id);
        if (m === undefined) throw Errors.notFound(`machine ${id}`);
        return { info: destroyInfo(model, m, force, dryRun) };
      });
      return { results };
    },
  }),
  method({
    facade: "MachineManager",
    method: "RetryProvisioning",
    params: "params.RetryProvisioningArgs",
    call: async (ctx, p) => {
      // As machinemanager.go RetryProvisioning: bad tags give errors, the
      // named machines (or all with `all`) are walked in the model's list,
      // unknown ids are ignored; a named machine whose instance is not in
      // error is an error, with `all` it is skipped. Results hold errors only.
      const model = ctx.model();
      const all = p.optBool("all") ?? false;
      const results: ErrorItem[] = [];
      const wanted = new Set<string>();
      const tags = p.strings("machines");
      await sliced(tags.length, (i) => {
        try {
          wanted.add(machineIdFromTag(tags[i]!));
        } catch (e) {
          if (!(e instanceof ServerError)) throw e;
          results.push({ error: e.toWire() });
        }
      });
      const machines = [...model.state.machines.values()];
      // In slices: thousands of machines must not stall other clients (bulk.ts).
      await sliced(machines.length, (i) => {
        const m = machines[i]!;
        if (!all && !wanted.has(m.id)) return;
        const status = m.instanceStatus.current;
        if (status !== "error" && status !== "provisioning error") {
          if (!all) {
            const e = new ServerError(`machine ${m.id} is not in an error state (${status})`);
            results.push({ error: e.toWire() });
          }
          return;
        }
        model.agents.retryProvisioning(m);
      });
      // A nil Results slice: Go marshals it as null.
      return { results: results.length > 0 ? results : null };
    },
  }),
  method({
    facade: "MachineManager",
    method: "InstanceTypes",
    params: "params.ModelInstanceTypesConstraints",
    call: (_ctx, p) => ({
      // LXD has no instance types: the provider answers with an empty list.
      results: p.objects("constraints", "params.ModelInstanceTypesConstraint").map(() => ({
        "instance-types": [],
      })),
    }),
  }),
];
