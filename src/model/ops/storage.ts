/**
 * Storage (`Storage` facade): pools, storage instances, filesystems, volumes
 * and attachments, as python-libjuju's `create_storage_pool`,
 * `list_storage`, `show_storage_details`, `remove_storage` and the unit's
 * `add_storage` / `attach_storage` / `detach_storage`; plus the storage
 * constraints parser (`storage.ParseConstraints`: `"[pool][,count][,size]"`)
 * used by deploy.
 * @module
 */
import type {
  FilesystemDetails,
  StorageDetails,
  StoragePool,
  VolumeDetails,
} from "../../facades/generated/storage.js";
import { ParseError } from "../../parse/errors.js";
import { bulkResultsStrict, rethrowSingleFailure } from "../../rpc/bulk.js";
import * as ac from "../arg-check.js";
import { storage as checkStorage, str } from "../arg-check.js";
import { InvalidArgumentError } from "../errors.js";
import type { OpsContext } from "../ops-context.js";
import { unitTag } from "../tags.js";
import { siteOf } from "./common.js";

export type { FilesystemDetails, StorageDetails, StoragePool, VolumeDetails };

/** Storage constraints as the API carries them; `Size` is in MiB. */
export interface StorageConstraints {
  /** The storage pool. */
  Pool: string;
  /** Size in MiB. */
  Size: number;
  /** How many instances. */
  Count: number;
}

/** Storage given as a Juju string (`"ebs,10G,2"`) or as `{pool, size (MiB), count}`. */
export type StorageSpec =
  | string
  | {
      /** The storage pool. */
      pool?: string;
      /** Size in MiB. */
      size?: number;
      /** How many instances. */
      count?: number;
    };

const SIZE = /^(\d+(?:\.\d+)?)([MGTPE])(?:i?B)?$/;
const MULT: Record<string, number> = { M: 1, G: 1024, T: 1024 ** 2, P: 1024 ** 3, E: 1024 ** 4 };

/** Parses one storage constraint; throws {@link ParseError} naming the bad field. */
export function parseStorageConstraint(spec: string): StorageConstraints {
  str(spec, "storage");
  const out: StorageConstraints = { Pool: "", Size: 0, Count: 1 };
  let countSet = false;
  let sizeSet = false;
  spec.split(",").forEach((raw, i) => {
    const field = raw.trim();
    const fail = (why: string): never => {
      throw new ParseError("storage constraints", spec, field, why);
    };
    if (field === "") fail("empty field");
    if (/^\d+$/.test(field)) {
      if (countSet) fail("count already specified");
      out.Count = Number(field);
      if (!Number.isSafeInteger(out.Count)) fail(`count ${field} is too large`);
      countSet = true;
      return;
    }
    const m = SIZE.exec(field);
    if (m) {
      if (sizeSet) fail("size already specified");
      out.Size = Math.ceil(Number(m[1]) * (MULT[m[2] ?? "M"] ?? 1));
      if (!Number.isSafeInteger(out.Size)) fail(`size ${field} is too large`);
      sizeSet = true;
      return;
    }
    if (i !== 0)
      fail(
        `unrecognized storage constraint ${JSON.stringify(field)} (the pool name must come first)`,
      );
    if (!/^[a-zA-Z][a-zA-Z0-9_-]*$/.test(field)) fail(`invalid pool name ${JSON.stringify(field)}`);
    out.Pool = field;
  });
  return out;
}

/** Parses a map of storage name → spec. */
export function parseStorageConstraints(
  specs: Readonly<Record<string, StorageSpec>>,
): Record<string, StorageConstraints> {
  checkStorage(specs, "storage");
  const out: Record<string, StorageConstraints> = {};
  for (const [name, spec] of Object.entries(specs)) {
    out[name] =
      typeof spec === "string"
        ? parseStorageConstraint(spec)
        : { Pool: spec.pool ?? "", Size: spec.size ?? 0, Count: spec.count ?? 1 };
  }
  return out;
}

/** `pgdata/0` → `storage-pgdata-0`; throws {@link InvalidArgumentError} for a malformed id. */
export function storageTag(id: string): string {
  if (!/^[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*\/(?:0|[1-9]\d*)$/.test(id)) {
    throw new InvalidArgumentError("storage", `invalid storage id ${JSON.stringify(id)}`);
  }
  return `storage-${id.replace("/", "-")}`;
}

/** A storage tag as given, or the tag of a storage id (`data/0`). */
export const asStorageTag = (idOrTag: string): string =>
  idOrTag.startsWith("storage-") ? idOrTag : storageTag(idOrTag);

/** `storage-pgdata-0` → `pgdata/0`. */
export function storageIdOf(tag: string): string {
  const m = /^storage-(.+)-(\d+)$/.exec(tag);
  return m ? `${m[1]}/${m[2]}` : tag;
}

/** Pool attributes as a map, or python-libjuju's `"key=value key2=value2"` string. */
export type PoolAttributes = Readonly<Record<string, unknown>> | string;

function attrsOf(attrs: PoolAttributes): Record<string, unknown> {
  if (typeof attrs !== "string") return { ...attrs };
  const out: Record<string, unknown> = {};
  for (const pair of attrs.split(/\s+/).filter((x) => x !== "")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      throw new InvalidArgumentError(
        "attributes",
        `invalid pool attribute ${JSON.stringify(pair)}: expected key=value`,
      );
    }
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** Creates a storage pool of `provider` (`Storage.CreatePool`); Juju's refusal throws its `JujuError`. */
export async function createStoragePool(
  ctx: OpsContext,
  name: string,
  provider: string,
  attrs: PoolAttributes = {},
): Promise<void> {
  ac.checkArg("name", name, ac.name);
  ac.checkArg("provider", provider, ac.name);
  ac.checkArg("attrs", attrs, ac.anyOf(ac.str, ac.recordOf(ac.any)));
  const f = ctx.connection.facade("Storage");
  const res = await f.call("CreatePool", { pools: [{ name, provider, attrs: attrsOf(attrs) }] });
  try {
    bulkResultsStrict(res, siteOf(f, "CreatePool"));
  } catch (e) {
    rethrowSingleFailure(e);
  }
}

/** Options of {@link Model.updateStoragePool}. */
export interface UpdateStoragePoolOptions {
  /** A new provider; by default the pool keeps its own. */
  provider?: string;
}

/** Replaces a pool's attributes (`Storage.UpdatePool`). */
export async function updateStoragePool(
  ctx: OpsContext,
  name: string,
  attrs: PoolAttributes,
  options: UpdateStoragePoolOptions = {},
): Promise<void> {
  ac.checkArg("name", name, ac.name);
  ac.checkArg("attrs", attrs, ac.anyOf(ac.str, ac.recordOf(ac.any)));
  ac.checkOptions("updateStoragePool", options, { provider: ac.str });
  const f = ctx.connection.facade("Storage");
  const res = await f.call("UpdatePool", {
    pools: [{ name, provider: options.provider ?? "", attrs: attrsOf(attrs) }],
  });
  try {
    bulkResultsStrict(res, siteOf(f, "UpdatePool"));
  } catch (e) {
    rethrowSingleFailure(e);
  }
}

/** Removes a storage pool (`Storage.RemovePool`). */
export async function removeStoragePool(ctx: OpsContext, name: string): Promise<void> {
  ac.checkArg("name", name, ac.name);
  const f = ctx.connection.facade("Storage");
  const res = await f.call("RemovePool", { pools: [{ name }] });
  try {
    bulkResultsStrict(res, siteOf(f, "RemovePool"));
  } catch (e) {
    rethrowSingleFailure(e);
  }
}

/** Filters of {@link Model.getStoragePools}: a pool must match both lists when both are given. */
export interface GetStoragePoolsOptions {
  /** Only pools with these names. */
  names?: readonly string[];
  /** Only pools of these provider types. */
  providers?: readonly string[];
}

/** The model's storage pools, providers' defaults included (`Storage.ListPools`). */
export async function getStoragePools(
  ctx: OpsContext,
  options: GetStoragePoolsOptions = {},
): Promise<StoragePool[]> {
  ac.checkOptions("getStoragePools", options, {
    names: ac.arrayOf(ac.name),
    providers: ac.arrayOf(ac.name),
  });
  const f = ctx.connection.facade("Storage");
  const filter: { names?: string[]; providers?: string[] } = {};
  if (options.names?.length) filter.names = [...options.names];
  if (options.providers?.length) filter.providers = [...options.providers];
  const res = await f.call("ListPools", { filters: [filter] });
  let items: { "storage-pools"?: StoragePool[] }[] = [];
  try {
    items = bulkResultsStrict(res, siteOf(f, "ListPools"));
  } catch (e) {
    rethrowSingleFailure(e);
  }
  return [...(items[0]?.["storage-pools"] ?? [])];
}

/** Options of {@link Model.listStorage}. */
export interface ListStorageOptions {
  /** List filesystems (`Storage.ListFilesystems`). */
  filesystem?: boolean;
  /** List volumes (`Storage.ListVolumes`). */
  volume?: boolean;
}

/**
 * The model's storage instances, or with `filesystem` its filesystems, or
 * with `volume` its volumes (python-libjuju's `list_storage`).
 */
export async function listStorage(
  ctx: OpsContext,
  options: ListStorageOptions = {},
): Promise<StorageDetails[] | FilesystemDetails[] | VolumeDetails[]> {
  ac.checkOptions("listStorage", options, { filesystem: ac.bool, volume: ac.bool });
  if (options.filesystem === true && options.volume === true) {
    throw new InvalidArgumentError("filesystem", "filesystem and volume can not be used together");
  }
  const f = ctx.connection.facade("Storage");
  if (options.filesystem === true) {
    const res = await f.call("ListFilesystems", { filters: [{}] });
    return firstList(res, siteOf(f, "ListFilesystems"));
  }
  if (options.volume === true) {
    const res = await f.call("ListVolumes", { filters: [{}] });
    return firstList(res, siteOf(f, "ListVolumes"));
  }
  const res = await f.call("ListStorageDetails", { filters: [{}] });
  return firstList(res, siteOf(f, "ListStorageDetails"));
}

function firstList<T>(res: { results?: { result?: T[] }[] }, site: ReturnType<typeof siteOf>): T[] {
  let items: { result?: T[] }[] = [];
  try {
    items = bulkResultsStrict(res, site);
  } catch (e) {
    rethrowSingleFailure(e);
  }
  return [...(items[0]?.result ?? [])];
}

/** Details of storage instances by id (`pgdata/0`); unknown ids throw one `JujuBulkError`. */
export async function showStorage(
  ctx: OpsContext,
  ids: readonly string[],
): Promise<StorageDetails[]> {
  ac.checkArg("ids", ids, ac.arrayOf(ac.name));
  if (ids.length === 0) throw new InvalidArgumentError("ids", "expected at least one storage id");
  const f = ctx.connection.facade("Storage");
  const res = await f.call("StorageDetails", {
    entities: ids.map((id) => ({ tag: storageTag(id) })),
  });
  return bulkResultsStrict(res, siteOf(f, "StorageDetails")).map((r) => r.result as StorageDetails);
}

/** Options of {@link Model.removeStorage}. */
export interface RemoveStorageOptions {
  /** Destroy the cloud storage too, rather than release it from the model. */
  destroyStorage?: boolean;
  /** Remove even if attached, without waiting for the charm. */
  force?: boolean;
  /** Detach from units first (default true, as `juju remove-storage`). */
  destroyAttachments?: boolean;
}

/** Removes storage instances from the model (`Storage.Remove`); failures throw one `JujuBulkError`. */
export async function removeStorage(
  ctx: OpsContext,
  ids: readonly string[],
  options: RemoveStorageOptions = {},
): Promise<void> {
  ac.checkArg("ids", ids, ac.arrayOf(ac.name));
  ac.checkOptions("removeStorage", options, {
    destroyStorage: ac.bool,
    force: ac.bool,
    destroyAttachments: ac.bool,
  });
  if (ids.length === 0) throw new InvalidArgumentError("ids", "expected at least one storage id");
  const f = ctx.connection.facade("Storage");
  const res = await f.call("Remove", {
    storage: ids.map((id) => ({
      tag: storageTag(id),
      "destroy-storage": options.destroyStorage ?? false,
      "destroy-attachments": options.destroyAttachments ?? true,
      ...(options.force === undefined ? {} : { force: options.force }),
    })),
  });
  try {
    bulkResultsStrict(res, siteOf(f, "Remove"));
  } catch (e) {
    rethrowSingleFailure(e);
  }
}

/** Storage to add to a unit: `"pool,size,count"` or `{pool, size (MiB), count}`. */
export type AddStorageSpec = StorageSpec;

/** Adds new instances of a charm store to a unit (`Storage.AddToUnit`); returns their ids. */
export async function addStorage(
  ctx: OpsContext,
  unit: string,
  name: string,
  spec: AddStorageSpec = {},
): Promise<string[]> {
  ac.checkArg("unit", unit, ac.name);
  ac.checkArg("name", name, ac.name);
  ac.checkArg("spec", { [name]: spec }, ac.storage);
  const c =
    typeof spec === "string"
      ? parseStorageConstraint(spec)
      : { Pool: spec.pool ?? "", Size: spec.size ?? 0, Count: spec.count ?? 1 };
  const storage: { pool?: string; size?: number; count?: number } = { count: c.Count };
  if (c.Pool !== "") storage.pool = c.Pool;
  if (c.Size > 0) storage.size = c.Size;
  const f = ctx.connection.facade("Storage");
  const res = await f.call("AddToUnit", { storages: [{ unit: unitTag(unit), name, storage }] });
  let items: { result?: { "storage-tags": string[] } }[] = [];
  try {
    items = bulkResultsStrict(res, siteOf(f, "AddToUnit"));
  } catch (e) {
    rethrowSingleFailure(e);
  }
  return (items[0]?.result?.["storage-tags"] ?? []).map(storageIdOf);
}

/** Attaches existing storage instances to a unit (`Storage.Attach`). */
export async function attachStorage(
  ctx: OpsContext,
  unit: string,
  ids: readonly string[],
): Promise<void> {
  ac.checkArg("unit", unit, ac.name);
  ac.checkArg("ids", ids, ac.arrayOf(ac.name));
  if (ids.length === 0) throw new InvalidArgumentError("ids", "expected at least one storage id");
  const f = ctx.connection.facade("Storage");
  const res = await f.call("Attach", {
    ids: ids.map((id) => ({ "storage-tag": storageTag(id), "unit-tag": unitTag(unit) })),
  });
  try {
    bulkResultsStrict(res, siteOf(f, "Attach"));
  } catch (e) {
    rethrowSingleFailure(e);
  }
}

/** Options of {@link Unit.detachStorage}. */
export interface DetachStorageOptions {
  /** Detach even if the charm's storage-detaching hook fails. */
  force?: boolean;
}

/** Detaches storage instances from a unit (`Storage.DetachStorage`). */
export async function detachStorage(
  ctx: OpsContext,
  unit: string,
  ids: readonly string[],
  options: DetachStorageOptions = {},
): Promise<void> {
  ac.checkArg("unit", unit, ac.name);
  ac.checkArg("ids", ids, ac.arrayOf(ac.name));
  ac.checkOptions("detachStorage", options, { force: ac.bool });
  if (ids.length === 0) throw new InvalidArgumentError("ids", "expected at least one storage id");
  const f = ctx.connection.facade("Storage");
  const res = await f.call("DetachStorage", {
    ids: { ids: ids.map((id) => ({ "storage-tag": storageTag(id), "unit-tag": unitTag(unit) })) },
    ...(options.force === undefined ? {} : { force: options.force }),
  });
  try {
    bulkResultsStrict(res, siteOf(f, "DetachStorage"));
  } catch (e) {
    rethrowSingleFailure(e);
  }
}
