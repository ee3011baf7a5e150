/**
 * `Storage(6, 7)` (`apiserver/facades/client/storage`): pools, storage
 * instances, filesystems, volumes and attachments of the connection's model.
 * The state behind it lives in `../storage.ts`.
 * @module
 */
import type { Storage as StorageFacade } from "../../facades/generated/index.js";
import { Fields } from "../decode.js";
import { ServerError } from "../errors.js";
import {
  addToUnit,
  attach,
  createPool,
  detach,
  importFilesystem,
  instanceOf,
  listPools,
  parseStorageTag,
  parseUnitTag,
  remove,
  removePool,
  type StorageInstance,
  storageOf,
  updatePool,
} from "../storage.js";
import { goTime, type ModelRecord } from "../store.js";
import type { MethodSpec } from "./registry.js";
import { method, type Params } from "./typed.js";

const wireErr = (e: unknown) => ({
  error: (e instanceof ServerError ? e : new ServerError(String(e))).toWire(),
});

/** Runs `f` for one item of a bulk call: `{}` or `{error}`. */
function item(f: () => void): StorageFacade.ErrorResult {
  try {
    f();
    return {};
  } catch (e) {
    return wireErr(e);
  }
}

const storageTag = (id: string) => `storage-${id.replace("/", "-")}`;
const unitTag = (name: string) => `unit-${name.replace("/", "-")}`;

/** The unit's machine id, or `""` while it waits for one. */
function machineOf(model: ModelRecord, unit: string): string {
  return model.state.units.get(unit)?.machineId ?? "";
}

/** Attached once every attachment's unit has a machine; detached without attachments. */
function statusOf(model: ModelRecord, inst: StorageInstance): StorageFacade.EntityStatus {
  const current =
    inst.attachments.length === 0
      ? "detached"
      : inst.attachments.every((u) => machineOf(model, u) !== "")
        ? "attached"
        : "pending";
  return { status: current, info: "", since: goTime(inst.since) };
}

/** `params.StorageDetails` of one instance. */
function details(model: ModelRecord, inst: StorageInstance): StorageFacade.StorageDetails {
  const attachments: Record<string, StorageFacade.StorageAttachmentDetails> = {};
  for (const u of inst.attachments) {
    const m = machineOf(model, u);
    attachments[unitTag(u)] = {
      "storage-tag": storageTag(inst.id),
      "unit-tag": unitTag(u),
      "machine-tag": m === "" ? "" : `machine-${m.replace(/\//g, "-")}`,
      location: m === "" ? "" : inst.location,
      life: "alive",
    };
  }
  return {
    "storage-tag": storageTag(inst.id),
    "owner-tag": inst.owner === "" ? "" : unitTag(inst.owner),
    kind: inst.kind,
    life: inst.life,
    status: statusOf(model, inst),
    persistent: providerOf(model, inst) === "lxd",
    ...(inst.attachments.length > 0 ? { attachments } : {}),
  };
}

function providerOf(model: ModelRecord, inst: StorageInstance): string {
  return storageOf(model).pools.find((p) => p.name === inst.pool)?.provider ?? inst.pool;
}

/** Sorted by storage name then number, as `juju storage` shows them. */
function sortedInstances(model: ModelRecord): StorageInstance[] {
  return [...storageOf(model).instances.values()].sort(
    (a, b) =>
      a.name.localeCompare(b.name) ||
      Number(a.id.split("/")[1] ?? 0) - Number(b.id.split("/")[1] ?? 0),
  );
}

/** Attachments of a filesystem or volume keyed by machine and unit tag. */
function attachmentsOf<T>(
  model: ModelRecord,
  inst: StorageInstance,
  attachment: () => T,
): { "machine-attachments"?: Record<string, T>; "unit-attachments"?: Record<string, T> } {
  const machine: Record<string, T> = {};
  const unit: Record<string, T> = {};
  for (const u of inst.attachments) {
    const m = machineOf(model, u);
    if (m === "") continue;
    machine[`machine-${m.replace(/\//g, "-")}`] = attachment();
    unit[unitTag(u)] = attachment();
  }
  return {
    ...(Object.keys(machine).length > 0 ? { "machine-attachments": machine } : {}),
    ...(Object.keys(unit).length > 0 ? { "unit-attachments": unit } : {}),
  };
}

function filesystemDetails(
  model: ModelRecord,
  inst: StorageInstance,
): StorageFacade.FilesystemDetails {
  return {
    "filesystem-tag": `filesystem-${inst.filesystemId}`,
    ...(inst.volumeId === undefined ? {} : { "volume-tag": `volume-${inst.volumeId}` }),
    info: {
      "filesystem-id": inst.providerId ?? `filesystem-${inst.filesystemId}`,
      pool: inst.pool,
      size: inst.size,
    },
    life: inst.life,
    status: statusOf(model, inst),
    storage: details(model, inst),
    ...attachmentsOf(
      model,
      inst,
      (): StorageFacade.FilesystemAttachmentDetails => ({
        life: "alive",
        "mount-point": inst.location,
        "read-only": false,
      }),
    ),
  };
}

function volumeDetails(model: ModelRecord, inst: StorageInstance): StorageFacade.VolumeDetails {
  return {
    "volume-tag": `volume-${inst.volumeId}`,
    info: {
      "volume-id": `volume-${inst.volumeId}`,
      pool: inst.pool,
      size: inst.size,
      persistent: false,
    },
    life: inst.life,
    status: statusOf(model, inst),
    storage: details(model, inst),
    ...attachmentsOf(
      model,
      inst,
      (): StorageFacade.VolumeAttachmentDetails => ({
        life: "alive",
        "device-name": `loop${inst.volumeId}`,
        "read-only": false,
      }),
    ),
  };
}

/** Machines named by a filter (`machine-0`), or undefined for all. */
function machineFilter(
  f: Params<StorageFacade.FilesystemFilter | StorageFacade.VolumeFilter>,
): Set<string> | undefined {
  const ms = f.strings("machines");
  return ms.length === 0 ? undefined : new Set(ms);
}

function onMachines(model: ModelRecord, inst: StorageInstance, ms: Set<string> | undefined) {
  if (ms === undefined) return true;
  return inst.attachments.some((u) => ms.has(`machine-${machineOf(model, u).replace(/\//g, "-")}`));
}

function poolArgs(
  p: Params<StorageFacade.StoragePoolArgs>,
): Array<{ name: string; provider: string; attrs: Record<string, unknown> }> {
  return p.objects("pools", "params.StoragePool").map((x) => ({
    name: x.string("name"),
    provider: x.string("provider"),
    attrs: x.map("attrs"),
  }));
}

type StorageStatus = {
  storage?: StorageFacade.StorageDetails[];
  filesystems?: StorageFacade.FilesystemDetails[];
  volumes?: StorageFacade.VolumeDetails[];
};

/**
 * `FullStatus`'s storage sections (`include-storage`): instances,
 * filesystems and volumes, each left out when empty as Go's `omitempty` does.
 */
export function storageStatus(
  model: ModelRecord,
): Pick<StorageStatus, "storage" | "filesystems" | "volumes"> {
  const all = sortedInstances(model);
  const fs = all.filter((i) => i.filesystemId !== undefined);
  const vols = all.filter((i) => i.volumeId !== undefined);
  return {
    ...(all.length > 0 ? { storage: all.map((i) => details(model, i)) } : {}),
    ...(fs.length > 0 ? { filesystems: fs.map((i) => filesystemDetails(model, i)) } : {}),
    ...(vols.length > 0 ? { volumes: vols.map((i) => volumeDetails(model, i)) } : {}),
  };
}

/** The Storage methods. */
export const storageMethods: readonly MethodSpec[] = [
  method({
    facade: "Storage",
    method: "ListPools",
    params: "params.StoragePoolFilters",
    call: (ctx, p) => {
      const s = storageOf(ctx.model());
      const results = p.objects("filters", "params.StoragePoolFilter").map((f) => {
        try {
          const pools = listPools(s, f.strings("names"), f.strings("providers"));
          return {
            "storage-pools": pools.map((x) => ({
              name: x.name,
              provider: x.provider,
              attrs: { ...x.attrs },
            })),
          };
        } catch (e) {
          return wireErr(e);
        }
      });
      return { results };
    },
  }),
  method({
    facade: "Storage",
    method: "CreatePool",
    params: "params.StoragePoolArgs",
    call: (ctx, p) => {
      const s = storageOf(ctx.model());
      return {
        results: poolArgs(p).map((x) => item(() => createPool(s, x.name, x.provider, x.attrs))),
      };
    },
  }),
  method({
    facade: "Storage",
    method: "UpdatePool",
    params: "params.StoragePoolArgs",
    call: (ctx, p) => {
      const s = storageOf(ctx.model());
      return {
        results: poolArgs(p).map((x) => item(() => updatePool(s, x.name, x.provider, x.attrs))),
      };
    },
  }),
  method({
    facade: "Storage",
    method: "RemovePool",
    params: "params.StoragePoolDeleteArgs",
    call: (ctx, p) => {
      const s = storageOf(ctx.model());
      const names = p.objects("pools", "params.StoragePoolDeleteArg").map((x) => x.string("name"));
      return { results: names.map((n) => item(() => removePool(s, n))) };
    },
  }),
  method({
    facade: "Storage",
    method: "ListStorageDetails",
    params: "params.StorageFilters",
    call: (ctx, p) => {
      const model = ctx.model();
      const results = p
        .objects("filters", "params.StorageFilter")
        .map(() => ({ result: sortedInstances(model).map((i) => details(model, i)) }));
      return { results };
    },
  }),
  method({
    facade: "Storage",
    method: "StorageDetails",
    params: "params.Entities",
    call: (ctx, p) => {
      const model = ctx.model();
      const s = storageOf(model);
      const results = p.objects("entities", "params.Entity").map((e) => {
        try {
          return { result: details(model, instanceOf(s, parseStorageTag(e.string("tag")))) };
        } catch (err) {
          return wireErr(err);
        }
      });
      return { results };
    },
  }),
  method({
    facade: "Storage",
    method: "ListFilesystems",
    params: "params.FilesystemFilters",
    call: (ctx, p) => {
      const model = ctx.model();
      const results = p.objects("filters", "params.FilesystemFilter").map((f) => {
        const ms = machineFilter(f);
        return {
          result: sortedInstances(model)
            .filter((i) => i.filesystemId !== undefined && onMachines(model, i, ms))
            .map((i) => filesystemDetails(model, i)),
        };
      });
      return { results };
    },
  }),
  method({
    facade: "Storage",
    method: "ListVolumes",
    params: "params.VolumeFilters",
    call: (ctx, p) => {
      const model = ctx.model();
      const results = p.objects("filters", "params.VolumeFilter").map((f) => {
        const ms = machineFilter(f);
        return {
          result: sortedInstances(model)
            .filter((i) => i.volumeId !== undefined && onMachines(model, i, ms))
            .map((i) => volumeDetails(model, i)),
        };
      });
      return { results };
    },
  }),
  method({
    facade: "Storage",
    method: "AddToUnit",
    params: "params.StoragesAddParams",
    call: (ctx, p) => {
      const model = ctx.model();
      const results = p.objects("storages", "params.StorageAddParams").map((a) => {
        try {
          const unit = parseUnitTag(a.string("unit"));
          const c: Params<StorageFacade.StorageConstraints> = new Fields(
            a.raw("storage"),
            "params.StorageConstraints",
          );
          const given: { pool?: string; size?: number; count?: number } = {};
          const pool = c.string("pool");
          if (pool !== "") given.pool = pool;
          const size = c.optInt("size", "uint64");
          if (size !== undefined) given.size = size;
          const count = c.optInt("count", "uint64");
          if (count !== undefined) given.count = count;
          const ids = addToUnit(model, unit, a.string("name"), given);
          return { result: { "storage-tags": ids.map(storageTag) } };
        } catch (err) {
          return wireErr(err);
        }
      });
      return { results };
    },
  }),
  method({
    facade: "Storage",
    method: "Attach",
    params: "params.StorageAttachmentIds",
    call: (ctx, p) => {
      const model = ctx.model();
      const results = p
        .objects("ids", "params.StorageAttachmentId")
        .map((x) =>
          item(() =>
            attach(
              model,
              parseStorageTag(x.string("storage-tag")),
              parseUnitTag(x.string("unit-tag")),
            ),
          ),
        );
      return { results };
    },
  }),
  method({
    facade: "Storage",
    method: "DetachStorage",
    params: "params.StorageDetachmentParams",
    call: (ctx, p) => {
      const model = ctx.model();
      const force = p.optBool("force") === true;
      const ids: Params<StorageFacade.StorageAttachmentIds> = new Fields(
        p.raw("ids"),
        "params.StorageAttachmentIds",
      );
      const results = ids.objects("ids", "params.StorageAttachmentId").map((x) =>
        item(() => {
          const id = parseStorageTag(x.string("storage-tag"));
          const unitT = x.string("unit-tag");
          if (unitT === "") {
            // No unit: detach from every unit it is attached to (`juju detach-storage`).
            const inst = instanceOf(storageOf(model), id);
            for (const u of [...inst.attachments]) detach(model, id, u, force);
            return;
          }
          detach(model, id, parseUnitTag(unitT), force);
        }),
      );
      return { results };
    },
  }),
  method({
    facade: "Storage",
    method: "Remove",
    params: "params.RemoveStorage",
    call: (ctx, p) => {
      const model = ctx.model();
      const results = p.objects("storage", "params.RemoveStorageInstance").map((x) =>
        item(() =>
          remove(model, parseStorageTag(x.string("tag")), {
            destroyStorage: x.optBool("destroy-storage") === true,
            destroyAttachments: x.optBool("destroy-attachments") === true,
            force: x.optBool("force") === true,
          }),
        ),
      );
      return { results };
    },
  }),
  method({
    facade: "Storage",
    method: "Import",
    params: "params.BulkImportStorageParams",
    call: (ctx, p) => {
      const model = ctx.model();
      const results = p.objects("storage", "params.ImportStorageParams").map((x) => {
        try {
          if (ctx.version >= 7) x.optBool("force");
          const id = importFilesystem(
            model,
            x.optInt("kind", "params.StorageKind") ?? 0,
            x.string("pool"),
            x.string("provider-id"),
            x.string("storage-name"),
          );
          return { result: { "storage-tag": storageTag(id) } };
        } catch (err) {
          return wireErr(err);
        }
      });
      return { results };
    },
  }),
];
