/**
 * Where machines and units go: placement directives (`#:<id>`, `lxd`,
 * `lxd:<id>`, `zone=<az>` with the model-uuid scope) turned into new or
 * existing machines, with Juju's errors (`state/addmachine.go`,
 * `apiserver/facades/client/application` unit placement).
 * @module
 */
import type { Constraints } from "../parse/constraints.js";
import type { BaseValue, MachineRecord } from "./entities.js";
import { Errors, ServerError } from "./errors.js";
import type { ModelRecord } from "./store.js";

/** A `params.Placement`. */
export interface PlacementValue {
  scope: string;
  directive: string;
}

/** Constraints of a new machine: the model's, overridden by the given ones. */
export function effectiveConstraints(model: ModelRecord, c: Constraints): Constraints {
  return { ...model.state.modelConstraints, ...c };
}

/** An existing machine, or Juju's `machine N not found`. */
export function existingMachine(model: ModelRecord, id: string): MachineRecord {
  const m = model.state.machines.get(id);
  if (m === undefined) throw Errors.notFound(`machine ${id}`);
  if (m.life !== "alive") throw new ServerError(`machine ${id} is not alive`);
  return m;
}

const CONSTRAINT_KEYS = [
  "arch",
  "container",
  "cores",
  "cpu-power",
  "mem",
  "root-disk",
  "root-disk-source",
  "tags",
  "instance-role",
  "instance-type",
  "spaces",
  "virt-type",
  "zones",
  "allocate-public-ip",
  "image-id",
] as const;

/** A `constraints.Value` from the wire: known keys kept, empty values dropped. */
export function constraintsFrom(raw: Record<string, unknown>): Constraints {
  const out: Record<string, unknown> = {};
  for (const k of CONSTRAINT_KEYS) {
    const v = raw[k];
    if (v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out as Constraints;
}

/** Adds a machine (and starts its agents) for a placement; `undefined` placement means a new machine. */
export function machineForPlacement(
  model: ModelRecord,
  placement: PlacementValue | undefined,
  base: BaseValue,
  constraints: Constraints,
): MachineRecord {
  const st = model.state;
  const cons = effectiveConstraints(model, constraints);
  const add = (args: Parameters<typeof st.addMachine>[0]) => {
    const m = st.addMachine(args);
    model.agents.machineAdded(m);
    return m;
  };
  if (placement === undefined || (placement.scope === "" && placement.directive === "")) {
    return add({ base, constraints: cons });
  }
  const { scope, directive } = placement;
  if (scope === "#") return existingMachine(model, directive);
  if (scope === "lxd") {
    const parent =
      directive === "" ? add({ base, constraints: cons }) : existingMachine(model, directive);
    return add({ base, constraints: cons, containerType: "lxd", parent });
  }
  if (scope === "kvm") {
    throw new ServerError(`container type "kvm" not supported on this machine`, "not supported");
  }
  if (scope === model.uuid) {
    const zone = /^zone=(.+)$/.exec(directive)?.[1];
    if (zone === undefined) {
      throw new ServerError(`unknown placement directive: ${directive}`, "not valid");
    }
    return add({ base, constraints: cons, zone });
  }
  throw new ServerError(`invalid model UUID ${JSON.stringify(scope)}`, "not valid");
}
