/**
 * Machines: `MachineManager.AddMachines` (and manual `ssh:` provisioning,
 * `manual-provision.ts`), `DestroyMachineWithParams`, `RetryProvisioning`.
 * @module
 */

import type { MachineManager } from "../../facades/generated/index.js";
import type { Constraints } from "../../parse/constraints.js";
import { ParseError } from "../../parse/errors.js";
import { isContainerType, parsePlacement } from "../../parse/placement.js";
import { bulkResultsStrict } from "../../rpc/bulk.js";
import * as ac from "../arg-check.js";
import { NotSupportedError } from "../errors.js";
import {
  DEFAULT_OPERATION_TIMEOUT,
  type OperationWaitOptions,
  type OpsContext,
} from "../ops-context.js";
import { machineTag } from "../tags.js";
import { type BaseSpec, parseBase } from "./bases.js";
import { callOptions, maxWaitNs, single, siteOf, toConstraints } from "./common.js";
import {
  type ManualProvisionOptions,
  type ProvisioningApi,
  parseSshSpec,
  provisionMachine,
  type SshConnector,
  type SshSpec,
} from "./manual-provision.js";

/** A disk (storage constraints) for a new machine. */
export interface DiskSpec {
  /** Storage pool, e.g. `rootfs`. */
  pool?: string;
  /** Size in MiB. */
  size?: number;
  /** How many such disks. */
  count?: number;
}

/** Options of `Model.addMachine`. */
export interface AddMachineOptions extends OperationWaitOptions {
  /** Constraints, as a Juju string (`"mem=4G cores=2"`) or the wire object. */
  constraints?: string | Constraints;
  /** Disks to attach (`juju add-machine --disks`). */
  disks?: readonly DiskSpec[];
  /** Base (`ubuntu@22.04`) or, as python-libjuju, a series name (`jammy`). */
  base?: BaseSpec;
  /** Alias of `base`, for python-libjuju's `series` argument. */
  series?: BaseSpec;
  /**
   * For `ssh:[user@]host[:port]` specs: credentials, timeouts and the SSH
   * implementation of manual provisioning. Constraints, disks and base do not
   * apply there: the host is what it is, and its base and hardware are
   * detected (as `juju add-machine ssh:…` ignores them too).
   */
  ssh?: ManualProvisionOptions;
}

/** A disk of `addMachine`'s `disks` option. */
const DISK: ac.Check = Object.assign(
  (v: unknown, n: string) => {
    if (!ac.isPlainObject(v))
      throw ac.invalid(n, `expected {pool, size, count}, got ${ac.describe(v)}`);
    ac.checkOptions(n, v, { pool: ac.str, size: ac.uint64, count: ac.uint64 });
  },
  { expected: "{pool, size, count}" },
);

/** The type and range of every option of `addMachine` (checked before any request). */
export const ADD_MACHINE_SPEC: ac.OptionSpec = {
  ...ac.WAIT_OPTIONS,
  callTimeout: ac.num(0),
  constraints: ac.constraints,
  disks: ac.arrayOf(DISK),
  base: ac.base,
  series: ac.base,
  ssh: ac.check("an ssh options object", ac.isPlainObject),
};

/**
 * The `ssh:` spec of manual provisioning, parsed (`ssh:[user@]host[:port]`,
 * or python-libjuju's `ssh:user@host:/path/to/key`); `undefined` for any
 * other spec. Throws `ParseError` for a bad one (`ssh:` without a host).
 */
export function sshSpecOf(spec: string | undefined, modelUuid: string): SshSpec | undefined {
  if (spec === undefined || !spec.startsWith("ssh:")) return undefined;
  const placement = parsePlacement(spec, modelUuid);
  return parseSshSpec(spec, placement.directive);
}

/**
 * Builds the `AddMachineParams` for a spec, as `juju add-machine` does:
 * no spec: a new machine; `lxd`: a new machine holding a new container;
 * `lxd:4`: a new container on machine 4; `zone=az1` or a MAAS host name:
 * provider placement (scoped to the model); a machine id is sent as is
 * (scope `#`) for the controller to judge. `ssh:…` specs are provisioned
 * over SSH instead ({@link addMachine}); here they throw `ParseError`.
 */
export function addMachineParams(
  spec: string | undefined,
  options: AddMachineOptions,
  modelUuid: string,
): MachineManager.AddMachineParams {
  if (spec !== undefined) ac.checkArg("spec", spec, ac.str);
  ac.checkOptions("addMachine", options, ADD_MACHINE_SPEC);
  const params: MachineManager.AddMachineParams = {
    addresses: [],
    constraints: toConstraints(options.constraints),
    "container-type": "",
    "hardware-characteristics": {},
    "instance-id": "",
    jobs: ["JobHostUnits"],
    nonce: "",
    "parent-id": "",
  };
  if (spec !== undefined && spec !== "") {
    const placement = parsePlacement(spec, modelUuid);
    if (placement.scope === "ssh") {
      throw new ParseError(
        "placement",
        spec,
        spec,
        "ssh: placements are provisioned over SSH by addMachine, not sent as AddMachineParams",
      );
    }
    if (isContainerType(placement.scope)) {
      params["container-type"] = placement.scope;
      params["parent-id"] = placement.directive;
    } else {
      params.placement = placement;
    }
  }
  const base = options.base ?? options.series;
  if (base !== undefined)
    params.base = parseBase(base, options.base !== undefined ? "base" : "series");
  if (options.disks?.length) {
    params.disks = options.disks.map((d) => ({
      Pool: d.pool ?? "",
      Size: d.size ?? 0,
      Count: d.count ?? 1,
    }));
  }
  return params;
}

/**
 * Adds a machine (or container), waits for it to appear in the model and
 * returns its id.
 * An `ssh:` spec provisions an existing host over SSH first
 * (`manual-provision.ts`; failures are `ProvisioningError`s).
 */
export async function addMachine(
  ctx: OpsContext,
  spec: string | undefined,
  options: AddMachineOptions = {},
): Promise<string> {
  if (spec !== undefined) ac.checkArg("spec", spec, ac.str);
  ac.checkOptions("addMachine", options, ADD_MACHINE_SPEC);
  ctx.requireWatching("addMachine");
  const ssh = sshSpecOf(spec, ctx.uuid);
  const mm = ctx.connection.facade("MachineManager");
  const add = async (params: MachineManager.AddMachineParams): Promise<string> => {
    const [r] = await single(`cannot add machine ${JSON.stringify(spec ?? "")}`, async () => {
      const res = await mm.call("AddMachines", { params: [params] }, callOptions(options));
      return bulkResultsStrict({ results: res.machines }, siteOf(mm, "AddMachines"));
    });
    return r?.machine ?? "";
  };
  let id: string;
  if (ssh !== undefined) {
    const sshOptions = options.ssh ?? {};
    const api: ProvisioningApi = {
      addMachine: add,
      provisioningScript: async (p) =>
        (await mm.call("ProvisioningScript", p, callOptions(options))).script,
      destroyMachine: async (machineId) => {
        // DestroyMachinesWithParams(force=false, keep=false, dryRun=false, maxWait=nil).
        const res = await mm.call("DestroyMachineWithParams", {
          "machine-tags": [machineTag(machineId)],
          force: false,
          keep: false,
          "dry-run": false,
        });
        bulkResultsStrict(res, siteOf(mm, "DestroyMachineWithParams"));
      },
    };
    id = await provisionMachine(
      ssh,
      sshOptions,
      api,
      sshOptions.connector ?? (await nodeSshConnector()),
      options.signal,
    );
  } else {
    id = await add(addMachineParams(spec, options, ctx.uuid));
  }
  await ctx.waitFor(
    `machine ${id} to appear`,
    () => ctx.state.entityData("machine", id) !== undefined,
    options,
  );
  return id;
}

/**
 * The `ssh2`-based connector, imported only when needed: it is the one
 * Node-only piece of manual provisioning, and loading `ssh2` costs startup
 * time nobody else should pay.
 */
async function nodeSshConnector(): Promise<SshConnector> {
  try {
    return (await import("./manual-provision-ssh2.js")).ssh2Connector;
  } catch (err) {
    // ssh2 is an optional dependency: installs without it (npm --omit=optional,
    // or where its build failed) get a typed error, not a module-loader trace.
    if (
      (err as NodeJS.ErrnoException)?.code === "ERR_MODULE_NOT_FOUND" &&
      String(err).includes("ssh2")
    ) {
      throw new NotSupportedError(
        "manual provisioning (ssh:)",
        "the optional dependency ssh2 is not installed (npm install ssh2), or pass ssh.connector",
      );
    }
    throw err;
  }
}

/** Options of machine removal. */
export interface DestroyMachineOptions extends OperationWaitOptions {
  /** Remove even with units or containers on it, or when the provider fails. */
  force?: boolean;
  /** Keep the cloud instance (release it from Juju only). */
  keep?: boolean;
  /** With `force`, seconds to wait before forcing each step. */
  maxWait?: number;
  /** Only report what would be removed. */
  dryRun?: boolean;
  /** Wait until the machines are gone from the model (default false). */
  blockUntilDone?: boolean;
}

/** What removing one machine destroyed or detached. */
export interface DestroyMachineInfo {
  /** The machine removed. */
  machineId: string;
  /** Tags of the units removed with it. */
  destroyedUnits: string[];
  /** Tags of the containers removed with it. */
  destroyedContainers: string[];
  /** Tags of the storage destroyed. */
  destroyedStorage: string[];
  /** Tags of the storage detached (kept). */
  detachedStorage: string[];
}

/**
 * Removes machines (`MachineManager.DestroyMachineWithParams`). A
 * {@link JujuBulkError} names each machine that could not be removed
 * (e.g. `machine 1 has unit "mysql/0" assigned`, or not found).
 */
export async function destroyMachines(
  ctx: OpsContext,
  ids: readonly string[],
  options: DestroyMachineOptions = {},
): Promise<DestroyMachineInfo[]> {
  ac.checkArg("ids", ids, ac.arrayOf(ac.name));
  ac.checkOptions("removeMachines", options, {
    ...ac.WAIT_OPTIONS,
    force: ac.bool,
    keep: ac.bool,
    maxWait: ac.num(0),
    dryRun: ac.bool,
    blockUntilDone: ac.bool,
  });
  if (options.blockUntilDone) ctx.requireWatching("removeMachines with blockUntilDone");
  const params: MachineManager.DestroyMachinesParams = { "machine-tags": ids.map(machineTag) };
  if (options.force !== undefined) params.force = options.force;
  if (options.keep !== undefined) params.keep = options.keep;
  if (options.dryRun !== undefined) params["dry-run"] = options.dryRun;
  const mw = maxWaitNs(options.maxWait);
  if (mw !== undefined) params["max-wait"] = mw;
  const mm = ctx.connection.facade("MachineManager");
  const res = await mm.call(
    "DestroyMachineWithParams",
    params,
    options.signal ? { signal: options.signal } : {},
  );
  const items = bulkResultsStrict(res, siteOf(mm, "DestroyMachineWithParams"));
  if (options.blockUntilDone && !options.dryRun) {
    await ctx.waitFor(
      `machines ${ids.join(", ")} to be removed`,
      () => ids.every((id) => ctx.state.entityData("machine", id) === undefined),
      { ...options, timeout: options.timeout ?? DEFAULT_OPERATION_TIMEOUT },
    );
  }
  const tags = (l: readonly { tag: string }[] | undefined) => (l ?? []).map((e) => e.tag);
  return items.map((r, i) => ({
    machineId: r.info?.["machine-id"] ?? ids[i] ?? "",
    destroyedUnits: tags(r.info?.["destroyed-units"]),
    destroyedContainers: (r.info?.["destroyed-containers"] ?? []).map(
      (c) => c.info?.["machine-id"] ?? "",
    ),
    destroyedStorage: tags(r.info?.["destroyed-storage"]),
    detachedStorage: tags(r.info?.["detached-storage"]),
  }));
}

/**
 * Retries provisioning of machines in `provisioning error`
 * (`MachineManager.RetryProvisioning`); no ids means every such machine.
 */
export async function retryProvisioning(
  ctx: OpsContext,
  ids: readonly string[] = [],
): Promise<void> {
  ac.checkArg("ids", ids, ac.arrayOf(ac.name));
  const mm = ctx.connection.facade("MachineManager");
  const params: MachineManager.RetryProvisioningArgs =
    ids.length === 0 ? { all: true } : { all: false, machines: ids.map(machineTag) };
  const res = await mm.call("RetryProvisioning", params);
  bulkResultsStrict(res, siteOf(mm, "RetryProvisioning"));
}
