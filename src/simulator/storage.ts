/**
 * A model's storage as a Juju 3.6 controller keeps it (`state/storage.go`,
 * `storage/poolmanager`): pools, storage instances, their filesystems or
 * volumes, and attachments to units.
 *
 * Simulated: the model is an LXD model, so the provider pools are `loop`,
 * `rootfs`, `tmpfs` and `lxd` (with LXD's `lxd-zfs` / `lxd-btrfs` defaults);
 * filesystem storage defaults to `rootfs` and block storage to `loop`, as Juju
 * does without `storage-default-*-source` model config. Storage is provisioned
 * as soon as its unit has a machine (no real disks exist).
 * @module
 */
import type { CharmStorage } from "../charm/metadata.js";
import type { CharmSpec } from "./charm-source.js";
import { Errors, ServerError } from "./errors.js";
import { hookRanLog } from "./logs.js";
import type { ModelRecord } from "./store.js";

/** `storage.StorageKind`: 1 block, 2 filesystem, as on the wire. */
export const KIND_BLOCK = 1;
/** `storage.StorageKindFilesystem`. */
export const KIND_FILESYSTEM = 2;

/** The storage providers an LXD model registers. */
export const PROVIDERS = ["loop", "rootfs", "tmpfs", "lxd"] as const;

/** A storage pool. */
export interface PoolRecord {
  name: string;
  provider: string;
  attrs: Record<string, unknown>;
  /** Provider default pools are listed but never stored as settings. */
  builtin: boolean;
}

/** Storage directives after defaults: pool name, size in MiB, count. */
export interface Directive {
  pool: string;
  size: number;
  count: number;
}

/** A storage instance with its filesystem or volume. */
export interface StorageInstance {
  /** `pgdata/0`. */
  id: string;
  name: string;
  kind: number;
  pool: string;
  size: number;
  /** The unit owning the storage (`""` once released from it). */
  owner: string;
  /** Units the storage is attached to. */
  attachments: string[];
  life: "alive" | "dying";
  filesystemId?: string;
  volumeId?: string;
  location: string;
  /** The provider's id of an imported filesystem. */
  providerId?: string;
  /** When the storage was created (its status time). */
  since: Date;
}

/** The model's storage state. */
export interface StorageState {
  pools: PoolRecord[];
  instances: Map<string, StorageInstance>;
  /** Directives each application was deployed with (used for new units). */
  appDirectives: Map<string, Record<string, Directive>>;
  /** Units being destroyed with `destroy-storage`: their storage goes with them. */
  destroyWith: Set<string>;
  nextStorage: number;
  nextFilesystem: number;
  nextVolume: number;
}

const STATES = new WeakMap<ModelRecord, StorageState>();
/** The same states keyed by the model's entities, for the agents (which see only those). */
const BY_ENTITIES = new WeakMap<object, StorageState>();

const builtin = (name: string, provider: string, attrs: Record<string, unknown> = {}) => ({
  name,
  provider,
  attrs,
  builtin: true,
});

/** The model's storage state, created on first use with LXD's default pools. */
export function storageOf(model: ModelRecord): StorageState {
  let s = STATES.get(model);
  if (s === undefined) {
    s = {
      pools: [
        builtin("loop", "loop"),
        builtin("lxd", "lxd"),
        builtin("lxd-btrfs", "lxd", { driver: "btrfs", "lxd-pool": "juju-btrfs" }),
        builtin("lxd-zfs", "lxd", {
          driver: "zfs",
          "lxd-pool": "juju-zfs",
          "zfs.pool_name": "juju-lxd",
        }),
        builtin("rootfs", "rootfs"),
        builtin("tmpfs", "tmpfs"),
      ],
      instances: new Map(),
      appDirectives: new Map(),
      destroyWith: new Set(),
      nextStorage: 0,
      nextFilesystem: 0,
      nextVolume: 0,
    };
    STATES.set(model, s);
    BY_ENTITIES.set(model.state, s);
  }
  pruneRemovedUnits(model, s);
  return s;
}

/** Provider types whose storage cannot outlive its unit (machine-scoped, not detachable). */
const NOT_DETACHABLE = new Set(["rootfs", "tmpfs"]);

function detachable(s: StorageState, inst: StorageInstance): boolean {
  const provider = s.pools.find((p) => p.name === inst.pool)?.provider ?? inst.pool;
  return !NOT_DETACHABLE.has(provider);
}

/**
 * Settles storage of units the agents have removed since the last look: it
 * is destroyed with its unit (`destroy-storage`, or not detachable), else
 * detached and kept in the model, as Juju's storage provisioner leaves it.
 */
function pruneRemovedUnits(model: ModelRecord, s: StorageState): void {
  for (const inst of [...s.instances.values()]) {
    const gone = inst.attachments.filter((u) => !model.state.units.has(u));
    if (gone.length === 0) continue;
    inst.attachments = inst.attachments.filter((u) => model.state.units.has(u));
    const destroy = gone.some((u) => s.destroyWith.has(u)) || !detachable(s, inst);
    if (inst.attachments.length === 0 && destroy) s.instances.delete(inst.id);
    else if (gone.includes(inst.owner)) inst.owner = "";
  }
  for (const u of [...s.destroyWith]) if (!model.state.units.has(u)) s.destroyWith.delete(u);
}

/**
 * `DestroyUnit`'s storage: marks what goes with the unit and returns the
 * `destroyed-storage` / `detached-storage` entries of its `DestroyUnitInfo`.
 */
export function unitDestroying(
  model: ModelRecord,
  unit: string,
  destroyStorage: boolean,
): { "destroyed-storage"?: { tag: string }[]; "detached-storage"?: { tag: string }[] } {
  const s = storageOf(model);
  const destroyed: { tag: string }[] = [];
  const detached: { tag: string }[] = [];
  for (const inst of s.instances.values()) {
    if (!inst.attachments.includes(unit)) continue;
    const tag = { tag: `storage-${inst.id.replace("/", "-")}` };
    if (destroyStorage || !detachable(s, inst)) destroyed.push(tag);
    else detached.push(tag);
  }
  if (destroyStorage) s.destroyWith.add(unit);
  return {
    ...(destroyed.length > 0 ? { "destroyed-storage": destroyed } : {}),
    ...(detached.length > 0 ? { "detached-storage": detached } : {}),
  };
}

/** `storage.IsValidPoolName`. */
const POOL_NAME = /^[a-zA-Z]+[-?a-zA-Z0-9]*$/;

/** Validates a pool's name and provider the way `poolmanager.validatedConfig` does. */
function validatePool(name: string, provider: string): void {
  if (name === "") throw new ServerError("pool name is missing");
  if (provider === "") throw new ServerError("provider type is missing");
  if (!POOL_NAME.test(name)) throw Errors.notValid(`pool name ${JSON.stringify(name)}`);
  if (!(PROVIDERS as readonly string[]).includes(provider)) {
    throw Errors.notFound(`storage provider ${JSON.stringify(provider)}`);
  }
}

/** `poolmanager.Create`. */
export function createPool(
  s: StorageState,
  name: string,
  provider: string,
  attrs: Record<string, unknown>,
): void {
  validatePool(name, provider);
  if (s.pools.some((p) => p.name === name && !p.builtin)) {
    throw new ServerError(
      `creating pool ${JSON.stringify(name)}: cannot overwrite existing settings`,
    );
  }
  // A user pool shadows a provider default of the same name, as in ListPools.
  s.pools = s.pools.filter((p) => p.name !== name);
  s.pools.push({ name, provider, attrs: { ...attrs }, builtin: false });
}

/** `poolmanager.Replace` (UpdatePool): an empty provider keeps the pool's own. */
export function updatePool(
  s: StorageState,
  name: string,
  provider: string,
  attrs: Record<string, unknown>,
): void {
  if (name === "") throw new ServerError("pool name is missing");
  const pool = s.pools.find((p) => p.name === name && !p.builtin);
  if (pool === undefined) throw Errors.notFound(`pool ${JSON.stringify(name)}`);
  const prov = provider === "" ? pool.provider : provider;
  validatePool(name, prov);
  pool.provider = prov;
  pool.attrs = { ...attrs };
}

/** `StorageAPI.RemovePool`: pools in use by storage cannot go. */
export function removePool(s: StorageState, name: string): void {
  const i = s.pools.findIndex((p) => p.name === name && !p.builtin);
  if (i < 0) throw Errors.notFound(`storage pool ${JSON.stringify(name)}`);
  const directives = [...s.appDirectives.values()].flatMap((d) => Object.values(d));
  if ([...s.instances.values(), ...directives].some((x) => x.pool === name)) {
    throw new ServerError(`storage pool ${JSON.stringify(name)} in use`);
  }
  s.pools.splice(i, 1);
}

/** Lists pools filtered like `ListPools` (names and providers both must match when given). */
export function listPools(s: StorageState, names: string[], providers: string[]): PoolRecord[] {
  for (const n of names) {
    if (!POOL_NAME.test(n)) throw new ServerError(`pool name ${JSON.stringify(n)} not valid`);
  }
  for (const p of providers) {
    if (!(PROVIDERS as readonly string[]).includes(p)) {
      throw new ServerError(`storage provider ${JSON.stringify(p)} not found`, "not found");
    }
  }
  return s.pools
    .filter((p) => names.length === 0 || names.includes(p.name))
    .filter((p) => providers.length === 0 || providers.includes(p.provider))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Go's `humanize.Bytes` (SI units) of a size in MiB × 10^6, as Juju prints sizes in errors. */
export function humanBytes(mib: number): string {
  const s = mib * 1_000_000;
  if (s < 10) return `${s} B`;
  const units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
  const e = Math.floor(Math.log(s) / Math.log(1000));
  const val = Math.floor((s / 1000 ** e) * 10 + 0.5) / 10;
  return `${val < 10 ? val.toFixed(1) : val.toFixed(0)} ${units[e]}`;
}

const kindOf = (st: CharmStorage): number => (st.type === "block" ? KIND_BLOCK : KIND_FILESYSTEM);
/** Juju's default size when neither the user nor the charm gives one: 1 GiB. */
const DEFAULT_SIZE = 1024;

/** The directive with Juju's defaults filled (`addDefaultStorageConstraints`). */
function withDefaults(st: CharmStorage, given: Partial<Directive> | undefined): Directive {
  const pool = given?.pool || (st.type === "block" ? "loop" : "rootfs");
  const size = given?.size || Math.max(st.minimumSize ?? 0, DEFAULT_SIZE);
  const count = given?.count ?? (given ? 1 : st.countMin);
  return { pool, size, count: given && given.count === 0 ? 1 : count };
}

/** Checks one directive against the charm and the pools (`validateStorageConstraintsAgainstCharm`). */
function checkDirective(s: StorageState, charm: CharmSpec, name: string, d: Directive): void {
  const st = charm.storage?.[name];
  if (st === undefined) {
    throw new ServerError(
      `charm ${JSON.stringify(charm.name)} has no store called ${JSON.stringify(name)}`,
    );
  }
  const where = `charm ${JSON.stringify(charm.name)} store ${JSON.stringify(name)}`;
  if (d.count < st.countMin) {
    throw new ServerError(`${where}: ${st.countMin} instances required, ${d.count} specified`);
  }
  if (st.countMax >= 0 && d.count > st.countMax) {
    throw new ServerError(
      `${where}: at most ${st.countMax} instances supported, ${d.count} specified`,
    );
  }
  if ((st.minimumSize ?? 0) > 0 && d.size < (st.minimumSize ?? 0)) {
    throw new ServerError(
      `${where}: minimum storage size is ${humanBytes(st.minimumSize ?? 0)}, ${humanBytes(d.size)} specified`,
    );
  }
  if (!s.pools.some((p) => p.name === d.pool)) {
    throw Errors.notFound(`storage pool ${JSON.stringify(d.pool)}`);
  }
}

/** Reads one `params.StorageConstraints` value of a Deploy call. */
function directiveOf(raw: unknown, name: string): Partial<Directive> {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ServerError(
      `json: cannot unmarshal ${Array.isArray(raw) ? "array" : typeof raw} into Go struct field ApplicationDeploy.applications.storage of type storage.Directive`,
    );
  }
  const o = raw as Record<string, unknown>;
  const num = (k: string): number | undefined => {
    const v = o[k] ?? o[k.charAt(0).toUpperCase() + k.slice(1)];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
      throw new ServerError(
        `json: cannot unmarshal ${JSON.stringify(v)} into Go struct field Directive.applications.storage.${name}.${k} of type uint64`,
      );
    }
    return v;
  };
  const pool = o.pool ?? o.Pool;
  const out: Partial<Directive> = {};
  if (typeof pool === "string" && pool !== "") out.pool = pool;
  const size = num("size");
  if (size !== undefined) out.size = size;
  const count = num("count");
  if (count !== undefined) out.count = count;
  return out;
}

/**
 * The storage directives of a deploy with defaults, validated against the
 * charm; throws Juju's `cannot add application "x": …` errors.
 */
export function deployDirectives(
  model: ModelRecord,
  app: string,
  charm: CharmSpec,
  storage: Record<string, unknown>,
): Record<string, Directive> {
  const s = storageOf(model);
  const out: Record<string, Directive> = {};
  try {
    for (const [name, raw] of Object.entries(storage)) {
      const st = charm.storage?.[name];
      if (st === undefined) checkDirective(s, charm, name, { pool: "", size: 0, count: 0 });
      else out[name] = withDefaults(st, directiveOf(raw, name));
    }
    for (const [name, st] of Object.entries(charm.storage ?? {})) {
      if (out[name] === undefined && st.countMin > 0) out[name] = withDefaults(st, undefined);
    }
    for (const [name, d] of Object.entries(out)) checkDirective(s, charm, name, d);
  } catch (e) {
    if (e instanceof ServerError) throw e.annotate(`cannot add application ${JSON.stringify(app)}`);
    throw e;
  }
  return out;
}

/** Records the directives an application was deployed with, for its units to come. */
export function rememberDirectives(
  model: ModelRecord,
  app: string,
  directives: Record<string, Directive>,
): void {
  storageOf(model).appDirectives.set(app, directives);
}

/** Creates storage instances for a new unit of `app` from the application's directives. */
export function createUnitStorage(
  model: ModelRecord,
  app: string,
  charm: CharmSpec,
  unit: string,
): void {
  const s = storageOf(model);
  for (const [name, d] of Object.entries(s.appDirectives.get(app) ?? {})) {
    const st = charm.storage?.[name];
    if (st === undefined) continue;
    // Storage attached at creation (`attach-storage`) counts toward the directive.
    const have = [...s.instances.values()].filter(
      (x) => x.name === name && x.attachments.includes(unit),
    ).length;
    for (let i = have; i < d.count; i++) addInstance(model, st, d, unit);
  }
}

function addInstance(
  model: ModelRecord,
  st: CharmStorage,
  d: Directive,
  unit: string,
): StorageInstance {
  const s = storageOf(model);
  const provider = s.pools.find((p) => p.name === d.pool)?.provider ?? d.pool;
  const kind = kindOf(st);
  const inst: StorageInstance = {
    id: `${st.name}/${s.nextStorage++}`,
    name: st.name,
    kind,
    pool: d.pool,
    size: d.size,
    owner: unit,
    attachments: [unit],
    life: "alive",
    since: model.state.now(),
    location:
      kind === KIND_FILESYSTEM
        ? (st.location ?? `/var/lib/juju/storage/${st.name}/${s.nextStorage - 1}`)
        : "",
  };
  // Block storage, and filesystems on a block-device provider, are backed by a volume.
  if (kind === KIND_BLOCK || provider === "loop") inst.volumeId = String(s.nextVolume++);
  if (kind === KIND_FILESYSTEM) inst.filesystemId = String(s.nextFilesystem++);
  s.instances.set(inst.id, inst);
  storageHook(model, unit, `${st.name}-storage-attached`);
  return inst;
}

/** `names.ParseStorageTag` with Go's message; returns the id (`data/0`). */
export function parseStorageTag(tag: string): string {
  const m = /^storage-([a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*)-(\d+)$/.exec(tag);
  if (m === null) throw new ServerError(`${JSON.stringify(tag)} is not a valid storage tag`);
  return `${m[1]}/${m[2]}`;
}

/** `names.ParseUnitTag` with Go's message; returns the unit name. */
export function parseUnitTag(tag: string): string {
  const m = /^unit-([a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*)-(\d+)$/.exec(tag);
  if (m === null) throw new ServerError(`${JSON.stringify(tag)} is not a valid unit tag`);
  return `${m[1]}/${m[2]}`;
}

/** The storage instance `id`, or Go's `storage instance "x" not found`. */
export function instanceOf(s: StorageState, id: string): StorageInstance {
  const inst = s.instances.get(id);
  if (inst === undefined) throw Errors.notFound(`storage instance ${JSON.stringify(id)}`);
  return inst;
}

/** `AddStorageForUnit`: new instances of a charm store for a unit; returns their ids. */
export function addToUnit(
  model: ModelRecord,
  unitName: string,
  name: string,
  given: Partial<Directive>,
): string[] {
  const unit = model.state.units.get(unitName);
  if (unit === undefined) throw Errors.notFound(`unit ${JSON.stringify(unitName)}`);
  const app = model.state.applications.get(unit.application);
  const charm = app?.charm;
  const s = storageOf(model);
  try {
    const st = charm?.storage?.[name];
    if (charm === undefined || st === undefined) {
      throw new ServerError(
        `charm ${JSON.stringify(charm?.name ?? unit.application)} has no store called ${JSON.stringify(name)}`,
      );
    }
    const d = withDefaults(st, { ...given, count: given.count || 1 });
    const current = [...s.instances.values()].filter(
      (x) => x.name === name && x.attachments.includes(unitName),
    ).length;
    if (st.countMax >= 0 && current + d.count > st.countMax) {
      throw new ServerError(
        `attaching ${d.count} storage instances brings the total to ${current + d.count}, exceeding the maximum of ${st.countMax}`,
      );
    }
    if ((st.minimumSize ?? 0) > 0 && d.size < (st.minimumSize ?? 0)) {
      throw new ServerError(
        `charm ${JSON.stringify(charm.name)} store ${JSON.stringify(name)}: minimum storage size is ${humanBytes(st.minimumSize ?? 0)}, ${humanBytes(d.size)} specified`,
      );
    }
    if (!s.pools.some((p) => p.name === d.pool)) {
      throw Errors.notFound(`pool ${JSON.stringify(d.pool)}`);
    }
    const ids: string[] = [];
    for (let i = 0; i < d.count; i++) ids.push(addInstance(model, st, d, unitName).id);
    return ids;
  } catch (e) {
    if (e instanceof ServerError) {
      throw e.annotate(`adding ${JSON.stringify(name)} storage to ${unitName}`);
    }
    throw e;
  }
}

/** `AttachStorage`: attaches a detached storage instance to a unit whose charm declares it. */
export function attach(model: ModelRecord, id: string, unitName: string): void {
  const s = storageOf(model);
  try {
    const inst = instanceOf(s, id);
    const unit = model.state.units.get(unitName);
    if (unit === undefined) throw Errors.notFound(`unit ${JSON.stringify(unitName)}`);
    if (inst.attachments.includes(unitName)) return;
    if (inst.owner !== "" && inst.owner !== unitName) {
      throw new ServerError(
        `cannot attach storage owned by unit ${inst.owner} to unit ${unitName}`,
      );
    }
    const charm = model.state.applications.get(unit.application)?.charm;
    const st = charm?.storage?.[inst.name];
    if (st === undefined) {
      throw new ServerError(
        `charm ${charm?.name ?? unit.application} has no storage called ${inst.name}`,
      );
    }
    const current = [...s.instances.values()].filter(
      (x) => x.name === inst.name && x.attachments.includes(unitName),
    ).length;
    if (st.countMax >= 0 && current + 1 > st.countMax) {
      throw new ServerError(
        `attaching 1 storage instances brings the total to ${current + 1}, exceeding the maximum of ${st.countMax}`,
      );
    }
    inst.attachments.push(unitName);
    inst.owner = unitName;
    storageHook(model, unitName, `${inst.name}-storage-attached`);
  } catch (e) {
    if (e instanceof ServerError) {
      throw e.annotate(`cannot attach storage ${id} to unit ${unitName}`);
    }
    throw e;
  }
}

/** `DetachStorage`: detaches a storage instance from a unit (the charm's minimum count permitting). */
export function detach(model: ModelRecord, id: string, unitName: string, force: boolean): void {
  const s = storageOf(model);
  try {
    const inst = instanceOf(s, id);
    if (!inst.attachments.includes(unitName)) {
      throw Errors.notFound(`storage attachment ${id}:${unitName}`);
    }
    const unit = model.state.units.get(unitName);
    const st = unit && model.state.applications.get(unit.application)?.charm.storage?.[inst.name];
    const current = [...s.instances.values()].filter(
      (x) => x.name === inst.name && x.attachments.includes(unitName),
    ).length;
    if (!force && st !== undefined && current - 1 < st.countMin) {
      throw new ServerError(
        `cannot detach storage ${id} from unit ${unitName}: ${inst.name} requires at least ${st.countMin} storage instances`,
      );
    }
    storageHook(model, unitName, `${inst.name}-storage-detaching`);
    inst.attachments = inst.attachments.filter((u) => u !== unitName);
    // Storage that may outlive its unit (detachable) loses its owner once detached.
    if (inst.attachments.length === 0) inst.owner = "";
  } catch (e) {
    if (e instanceof ServerError && !e.message.startsWith("cannot detach")) {
      throw e.annotate(`cannot detach storage ${id} from unit ${unitName}`);
    }
    throw e;
  }
}

/** `DestroyStorageInstance` / `ReleaseStorageInstance`. */
export function remove(
  model: ModelRecord,
  id: string,
  opts: { destroyStorage: boolean; destroyAttachments: boolean; force: boolean },
): void {
  const s = storageOf(model);
  const verb = opts.destroyStorage ? "destroy" : "release";
  try {
    const inst = instanceOf(s, id);
    if (inst.attachments.length > 0 && !opts.destroyAttachments && !opts.force) {
      throw new ServerError("storage is attached", "storage is attached");
    }
    for (const u of inst.attachments) storageHook(model, u, `${inst.name}-storage-detaching`);
    s.instances.delete(id);
  } catch (e) {
    if (e instanceof ServerError) throw e.annotate(`cannot ${verb} storage ${JSON.stringify(id)}`);
    throw e;
  }
}

/**
 * Validates `attach-storage` of Deploy / AddUnits (one unit only, storage
 * tags, existing instances) and returns the storage ids.
 */
export function attachStorageIds(model: ModelRecord, tags: string[], numUnits: number): string[] {
  if (tags.length === 0) return [];
  if (numUnits !== 1) {
    throw new ServerError(`AttachStorage is non-empty, but NumUnits is ${numUnits}`);
  }
  const s = storageOf(model);
  return tags.map((t) => instanceOf(s, parseStorageTag(t)).id);
}

/**
 * The `<name>-storage-attached` hooks a new unit runs before `install`, one
 * per storage instance it was created with (for the simulated agents).
 */
export function storageAttachedHooks(entities: object, unit: string): string[] {
  const s = BY_ENTITIES.get(entities);
  if (s === undefined) return [];
  return [...s.instances.values()]
    .filter((x) => x.attachments.includes(unit))
    .map((x) => `${x.name}-storage-attached`);
}

/** Logs a storage hook on a unit whose agent is already running (later attach/detach). */
function storageHook(model: ModelRecord, unit: string, hook: string): void {
  if (model.state.units.get(unit)?.started === true) hookRanLog(model.state, unit, hook);
}

/**
 * `StorageAPI.importStorage`: brings an existing provider filesystem into
 * the model as detached storage. Only filesystems import, and only from
 * providers that can (here `lxd`); returns the new storage id.
 */
export function importFilesystem(
  model: ModelRecord,
  kind: number,
  poolName: string,
  providerId: string,
  storageName: string,
): string {
  if (kind !== KIND_FILESYSTEM) {
    const k = kind === KIND_BLOCK ? "block" : "unknown";
    throw new ServerError(`storage kind ${JSON.stringify(k)} not supported`, "not supported");
  }
  if (!POOL_NAME.test(poolName)) throw Errors.notValid(`pool name ${JSON.stringify(poolName)}`);
  if (!/^[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*$/.test(storageName)) {
    throw Errors.notValid(`storage name ${JSON.stringify(storageName)}`);
  }
  const s = storageOf(model);
  const pool = s.pools.find((p) => p.name === poolName);
  if (pool === undefined) throw Errors.notFound(`pool ${JSON.stringify(poolName)}`);
  if (pool.provider !== "lxd") {
    throw new ServerError(
      `importing filesystem with storage provider ${JSON.stringify(pool.provider)} not supported`,
      "not supported",
    );
  }
  const inst: StorageInstance = {
    id: `${storageName}/${s.nextStorage++}`,
    name: storageName,
    kind,
    pool: poolName,
    size: DEFAULT_SIZE,
    owner: "",
    attachments: [],
    life: "alive",
    since: model.state.now(),
    location: "",
    filesystemId: String(s.nextFilesystem++),
    providerId,
  };
  s.instances.set(inst.id, inst);
  return inst.id;
}
