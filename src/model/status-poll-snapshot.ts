/**
 * `Client.FullStatus` → AllWatcher-shaped entities, and the diff of two
 * such snapshots into AllWatcher deltas. This is what lets a `Model` keep
 * its state on a controller without an AllWatcher (Juju 4): the entity
 * data uses the AllWatcher's field names (`params.*Info` json tags) for
 * every fact status carries; what status does not carry is left out
 * (docs/status-poll.md lists it). Pure: no I/O, no Node-only modules.
 * @module
 */
import type { Delta, EntityData, EntityKind } from "./delta.js";

/** One entity of a snapshot. */
export interface SnapshotEntity {
  readonly kind: EntityKind;
  readonly id: string;
  readonly data: EntityData;
}

/**
 * The model as one FullStatus showed it: entities by `kind\0id`, in the
 * order deltas should be sent (model, machines, applications, units,
 * relations, remote applications, offers).
 */
export type StatusSnapshot = ReadonlyMap<string, SnapshotEntity>;

/** What a snapshot needs besides the FullStatus reply: facts of the login. */
export interface SnapshotContext {
  /** The model's UUID (`model-uuid` of every entity). */
  modelUuid: string;
  /** The controller's UUID, for the model entity. */
  controllerUuid?: string;
  /**
   * The `charm` entities of the charms the status's applications run, by
   * URL ({@link charmEntity}); a URL missing here gives no charm entity.
   */
  charms?: ReadonlyMap<string, EntityData>;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const entries = (v: unknown): Array<[string, Obj]> =>
  isObj(v) ? (Object.entries(v).filter(([, x]) => isObj(x)) as Array<[string, Obj]>) : [];

/** A key of a snapshot entry. */
export const snapshotKey = (kind: EntityKind, id: string): string => `${kind}\0${id}`;

/**
 * A status (`params.DetailedStatus`: status, info, since, version, data…)
 * as the AllWatcher's `StatusInfo` (current, message, since, version, and
 * data only when non-empty, as Juju's `omitempty` does).
 */
export function statusInfo(s: unknown): Obj {
  const d = isObj(s) ? s : {};
  const out: Obj = { current: str(d.status), message: str(d.info) };
  if (typeof d.since === "string" && d.since !== "") out.since = d.since;
  out.version = str(d.version);
  if (isObj(d.data) && Object.keys(d.data).length > 0) out.data = d.data;
  return out;
}

/** Status's `life` ("" while alive) as the AllWatcher's (`alive`, `dying`, `dead`). */
const life = (v: unknown): string => str(v) || "alive";

/** A base `{name, channel: "22.04/stable"}` as the AllWatcher's `ubuntu@22.04` (risk kept unless stable). */
export function baseString(b: unknown): string {
  if (!isObj(b) || str(b.name) === "") return "";
  const channel = str(b.channel).replace(/\/stable$/, "");
  return `${str(b.name)}@${channel}`;
}

/** Status's hardware keys → the AllWatcher's, in Juju's json order (`instance.HardwareCharacteristics`). */
const HW_FIELDS: ReadonlyArray<
  readonly [status: string, field: string, type: "number" | "string" | "list"]
> = [
  ["arch", "arch", "string"],
  ["mem", "mem", "number"],
  ["root-disk", "root-disk", "number"],
  ["root-disk-source", "root-disk-source", "string"],
  ["cores", "cpu-cores", "number"],
  ["cpu-power", "cpu-power", "number"],
  ["tags", "tags", "list"],
  ["availability-zone", "availability-zone", "string"],
  ["virt-type", "virt-type", "string"],
];

/**
 * Status's hardware line (`arch=amd64 cores=2 mem=8192M …`, Juju's
 * `HardwareCharacteristics.String()`) back into the AllWatcher's
 * `hardware-characteristics` object; undefined for an empty line.
 */
export function parseHardware(line: unknown): Obj | undefined {
  const text = str(line).trim();
  if (text === "") return undefined;
  const found = new Map<string, string>();
  for (const part of text.split(/\s+/)) {
    const eq = part.indexOf("=");
    if (eq > 0) found.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const out: Obj = {};
  for (const [key, field, type] of HW_FIELDS) {
    const value = found.get(key);
    if (value === undefined) continue;
    if (type === "string") out[field] = value;
    else if (type === "list") out[field] = value === "" ? [] : value.split(",");
    else {
      const n = Number(value.replace(/M$/, ""));
      if (Number.isFinite(n)) out[field] = n;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `80/tcp`, `8000-8010/udp`, `icmp` → a port range, or undefined when unreadable. */
export function parsePortRange(
  s: string,
): { "from-port": number; "to-port": number; protocol: string } | undefined {
  if (s === "icmp") return { "from-port": -1, "to-port": -1, protocol: "icmp" };
  const m = /^(\d+)(?:-(\d+))?\/([a-z]+)$/.exec(s);
  if (m === null) return undefined;
  const from = Number(m[1]);
  return {
    "from-port": from,
    "to-port": m[2] === undefined ? from : Number(m[2]),
    protocol: m[3]!,
  };
}

/** The container type of a machine id (`0/lxd/1` → `lxd`; "" for a machine). */
const containerType = (id: string): string => {
  const parts = id.split("/");
  return parts.length >= 3 ? parts[parts.length - 2]! : "";
};

const addressType = (v: string): string => (v.includes(":") ? "ipv6" : "ipv4");

function machineEntity(uuid: string, id: string, m: Obj): Obj {
  const instanceId = str(m["instance-id"]);
  const agent = isObj(m["agent-status"]) ? m["agent-status"] : {};
  const out: Obj = {
    "model-uuid": uuid,
    id,
    // Status shows "pending" until the machine has an instance; the AllWatcher "".
    "instance-id": instanceId === "pending" ? "" : instanceId,
    "agent-status": statusInfo(m["agent-status"]),
    "instance-status": statusInfo(m["instance-status"]),
    life: life(agent.life),
    base: baseString(m.base),
    "container-type": containerType(id),
    jobs: Array.isArray(m.jobs) ? [...m.jobs] : [],
    addresses: (Array.isArray(m["ip-addresses"]) ? m["ip-addresses"] : [])
      .filter((a): a is string => typeof a === "string")
      .map((value) => ({ value, type: addressType(value) })),
    "has-vote": m["has-vote"] === true,
    "wants-vote": m["wants-vote"] === true,
  };
  const hw = parseHardware(m.hardware);
  if (hw !== undefined) out["hardware-characteristics"] = hw;
  if (str(m.hostname) !== "") out.hostname = m.hostname;
  return out;
}

function unitEntity(
  uuid: string,
  name: string,
  u: Obj,
  app: string,
  appData: Obj | undefined,
  principal: Obj | undefined,
): Obj {
  const ranges = (Array.isArray(u["opened-ports"]) ? u["opened-ports"] : [])
    .map((p) => (typeof p === "string" ? parsePortRange(p) : undefined))
    .filter((r) => r !== undefined);
  const ports: Array<{ protocol: string; number: number }> = [];
  for (const r of ranges) {
    for (let p = r["from-port"]; p <= r["to-port"]; p++)
      ports.push({ protocol: r.protocol, number: p });
  }
  const agent = isObj(u["agent-status"]) ? u["agent-status"] : {};
  const principalName = principal === undefined ? "" : str(principal.name);
  // Juju leaves a unit's charm empty when it runs its application's.
  const charm = str(u.charm) || str(appData?.charm);
  return {
    "model-uuid": uuid,
    name,
    application: app,
    base: baseString(appData?.base),
    "charm-url": charm,
    life: life(agent.life),
    "public-address": str(u["public-address"]),
    "private-address": str(u.address),
    "machine-id": str(u.machine) || str(principal?.machine),
    ports,
    "port-ranges": ranges,
    principal: principalName,
    subordinate: principalName !== "",
    "workload-status": statusInfo(u["workload-status"]),
    "agent-status": statusInfo(u["agent-status"]),
  };
}

interface CacheEntry {
  raw: Obj;
  deps: string;
  data: Obj;
}

/**
 * Keeps, from one poll to the next, each machine's and unit's status as
 * received and the entity data built from it: when the next poll shows the
 * same status (and the same facts it borrows from elsewhere: the
 * application's charm and base, the principal), the previous data object is
 * reused, which saves building it and makes the diff's comparison
 * immediate. A poller keeps one for its snapshots.
 */
export class SnapshotCache {
  #prev = new Map<string, CacheEntry>();
  #next = new Map<string, CacheEntry>();

  /** Starts a snapshot. */
  begin(): void {
    this.#next = new Map();
  }

  /** Ends a snapshot: what it did not show is forgotten. */
  commit(): void {
    this.#prev = this.#next;
    this.#next = new Map();
  }

  /** The data of `key`: the previous object when `raw` (but its `skip` field) and `deps` are unchanged, else `make()`. */
  reuse(key: string, raw: Obj, skip: string, deps: string, make: () => Obj): Obj {
    const old = this.#prev.get(key);
    const data =
      old !== undefined && old.deps === deps && equalExcept(old.raw, raw, skip) ? old.data : make();
    this.#next.set(key, { raw, deps, data });
    return data;
  }
}

/** {@link deepEqual} of two objects, leaving out one top-level field (nested entities compared on their own). */
function equalExcept(a: Obj, b: Obj, skip: string): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (k === skip) {
      if (!Object.hasOwn(b, k)) return false;
      continue;
    }
    if (!Object.hasOwn(b, k) || !deepEqual(a[k], b[k])) return false;
  }
  return true;
}

/** The name of the application a unit belongs to. */
const unitApp = (unit: string): string => unit.slice(0, unit.lastIndexOf("/"));

/**
 * Builds the entities a FullStatus shows. Unreadable parts (a missing map, a
 * wrong type) are skipped rather than thrown on: the next poll shows them again.
 */
export function snapshotFromStatus(
  status: unknown,
  ctx: SnapshotContext,
  cache: SnapshotCache = new SnapshotCache(),
): Map<string, SnapshotEntity> {
  cache.begin();
  const st = isObj(status) ? status : {};
  const uuid = ctx.modelUuid;
  const out = new Map<string, SnapshotEntity>();
  const put = (kind: EntityKind, id: string, data: Obj) =>
    out.set(snapshotKey(kind, id), { kind, id, data });

  if (isObj(st.model)) {
    const m = st.model;
    const model: Obj = {
      "model-uuid": uuid,
      name: str(m.name),
      status: statusInfo(m["model-status"]),
      type: str(m.type),
      cloud: str(m["cloud-tag"]).replace(/^cloud-/, ""),
      "cloud-region": str(m.region),
      version: str(m.version),
    };
    if (ctx.controllerUuid !== undefined) model["controller-uuid"] = ctx.controllerUuid;
    if (str(m.sla) !== "") model.sla = { level: str(m.sla) };
    put("model", uuid, model);
  }

  // Charms before the applications that run them, as the AllWatcher sends them.
  if (ctx.charms !== undefined) {
    for (const url of statusCharmUrls(st)) {
      const data = ctx.charms.get(url);
      if (data !== undefined) put("charm", url, data as Obj);
    }
  }

  const addMachines = (machines: unknown) => {
    for (const [id, m] of entries(machines)) {
      const mid = str(m.id) || id;
      put(
        "machine",
        mid,
        cache.reuse(`m\0${mid}`, m, "containers", "", () => machineEntity(uuid, mid, m)),
      );
      addMachines(m.containers);
    }
  };
  addMachines(st.machines);

  // Subordinate applications are known from the relations' endpoints and
  // from units nested under principals.
  const subordinateApps = new Set<string>();
  const relations = Array.isArray(st.relations) ? st.relations.filter(isObj) : [];
  for (const r of relations) {
    for (const e of Array.isArray(r.endpoints) ? r.endpoints.filter(isObj) : []) {
      if (e.subordinate === true) subordinateApps.add(str(e.application));
    }
  }
  const apps = entries(st.applications);
  const appByName = new Map(apps);
  const units: Array<[string, Obj]> = [];
  for (const [appName, a] of apps) {
    if ((Array.isArray(a["subordinate-to"]) ? a["subordinate-to"] : []).length > 0)
      subordinateApps.add(appName);
  }
  // What a unit borrows from its application: its charm and base.
  const appFacts = (a: Obj | undefined) =>
    a === undefined ? "" : `${str(a.charm)}\0${baseString(a.base)}`;
  for (const [appName, a] of apps) {
    const facts = appFacts(a);
    for (const [unitName, u] of entries(a.units)) {
      units.push([
        unitName,
        cache.reuse(`u\0${unitName}`, u, "subordinates", facts, () =>
          unitEntity(uuid, unitName, u, appName, a, undefined),
        ),
      ]);
      for (const [subName, s] of entries(u.subordinates)) {
        const subApp = unitApp(subName);
        subordinateApps.add(subApp);
        const subAppData = appByName.get(subApp);
        const deps = `${appFacts(subAppData)}\0${unitName}\0${str(u.machine)}`;
        units.push([
          subName,
          cache.reuse(`u\0${subName}`, s, "subordinates", deps, () =>
            unitEntity(uuid, subName, s, subApp, subAppData, { ...u, name: unitName }),
          ),
        ]);
      }
    }
  }
  for (const [name, a] of apps) {
    put("application", name, {
      "model-uuid": uuid,
      name,
      exposed: a.exposed === true,
      "charm-url": str(a.charm),
      life: life(a.life),
      subordinate: subordinateApps.has(name),
      status: statusInfo(a.status),
      "workload-version": str(a["workload-version"]),
    });
  }
  for (const [name, data] of units) put("unit", name, data);

  for (const r of relations) {
    const id = typeof r.id === "number" ? r.id : Number(r.id);
    if (!Number.isFinite(id)) continue;
    put("relation", String(id), {
      "model-uuid": uuid,
      key: str(r.key),
      id,
      endpoints: (Array.isArray(r.endpoints) ? r.endpoints.filter(isObj) : []).map((e) => ({
        "application-name": str(e.application),
        relation: {
          name: str(e.name),
          role: str(e.role),
          interface: str(r.interface),
          scope: str(r.scope) || "global",
        },
      })),
    });
  }

  for (const [name, ra] of entries(st["remote-applications"])) {
    put("remoteApplication", name, {
      "model-uuid": uuid,
      name,
      "offer-url": str(ra["offer-url"]),
      life: life(ra.life),
      status: statusInfo(ra.status),
    });
  }

  for (const [name, o] of entries(st.offers)) {
    const offerName = str(o["offer-name"]) || name;
    const charm = str(o.charm);
    put("applicationOffer", offerName, {
      "model-uuid": uuid,
      "offer-name": offerName,
      "application-name": str(o["application-name"]),
      "charm-name": charmName(charm),
      "total-connected-count": Number(o["total-connected-count"] ?? 0),
      "active-connected-count": Number(o["active-connected-count"] ?? 0),
    });
  }
  cache.commit();
  return out;
}

/**
 * The charm URLs a FullStatus's applications and units run (a unit runs
 * another charm than its application while it is refreshed), sorted.
 */
export function statusCharmUrls(status: unknown): string[] {
  const urls = new Set<string>();
  const st = isObj(status) ? status : {};
  for (const [, a] of entries(st.applications)) {
    if (str(a.charm) !== "") urls.add(str(a.charm));
    for (const [, u] of entries(a.units)) {
      if (str(u.charm) !== "") urls.add(str(u.charm));
    }
  }
  return [...urls].sort();
}

/**
 * A `Charms.CharmInfo` reply (`params.Charm`) as the AllWatcher's `charm`
 * entity (`params.CharmInfo`): `charm-version` is the reply's `version`,
 * which only Juju 4's `params.Charm` carries; on 3.x it is the version
 * status shows for an application running the charm (`statusVersion`).
 * `config` holds the options' defaults, `profile` the LXD profile (null when
 * the charm has none). Status polls never see a charm dying: `life` is alive.
 */
export function charmEntity(
  modelUuid: string,
  url: string,
  info: unknown,
  statusVersion = "",
): EntityData {
  const i = isObj(info) ? info : {};
  const config: Obj = {};
  for (const [name, option] of entries(i.config)) {
    if (option.default !== undefined && option.default !== null) config[name] = option.default;
  }
  const p = isObj(i["lxd-profile"]) ? i["lxd-profile"] : undefined;
  const profile: Obj | null =
    p === undefined
      ? null
      : {
          ...(isObj(p.config) ? { config: p.config } : {}),
          description: str(p.description),
          ...(isObj(p.devices) ? { devices: p.devices } : {}),
        };
  const data: Obj = {
    "model-uuid": modelUuid,
    "charm-url": url,
    "charm-version": typeof i.version === "string" ? i.version : statusVersion,
    life: "alive",
    profile,
  };
  if (Object.keys(config).length > 0) data.config = config;
  return data as EntityData;
}

/** The `charm-version` status shows for the applications running `url`. */
export function statusCharmVersion(status: unknown, url: string): string {
  const st = isObj(status) ? status : {};
  for (const [, a] of entries(st.applications)) {
    if (str(a.charm) === url && str(a["charm-version"]) !== "") return str(a["charm-version"]);
  }
  return "";
}

/** The charm name of a charm URL (`ch:amd64/jammy/mysql-58` → `mysql`); a bare name as is. */
function charmName(url: string): string {
  const last =
    url
      .replace(/^[a-z]+:/, "")
      .split("/")
      .at(-1) ?? "";
  return last.replace(/-\d+$/, "");
}

/** Removes go in this order (dependents first), changes in the reverse. */
const REMOVE_ORDER: readonly EntityKind[] = [
  "applicationOffer",
  "remoteApplication",
  "relation",
  "unit",
  "application",
  // A charm goes once no application runs it: after them.
  "charm",
  "machine",
  "model",
];

/**
 * The deltas that take `prev` to `next`: a `change` for each entity that is
 * new or differs (deeply), a `remove` (with its last data) for each one gone.
 * Removes come first, dependents before what they depend on.
 */
export function diffSnapshots(prev: StatusSnapshot, next: StatusSnapshot): Delta[] {
  const removes: Delta[] = [];
  for (const [key, e] of prev) if (!next.has(key)) removes.push([e.kind, "remove", e.data]);
  if (removes.length > 1) {
    removes.sort(
      (a, b) => REMOVE_ORDER.indexOf(a[0] as EntityKind) - REMOVE_ORDER.indexOf(b[0] as EntityKind),
    );
  }
  const changes: Delta[] = [];
  for (const [key, e] of next) {
    const old = prev.get(key);
    if (old === undefined || !deepEqual(old.data, e.data)) changes.push([e.kind, "change", e.data]);
  }
  return [...removes, ...changes];
}

/** Every entity of a snapshot as a `change` delta (the first batch, or a resync). */
export function snapshotDeltas(snapshot: StatusSnapshot): Delta[] {
  return [...snapshot.values()].map((e) => [e.kind, "change", e.data] as const);
}

/** Structural equality of JSON values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k)) return false;
    if (!deepEqual((a as Obj)[k], (b as Obj)[k])) return false;
  }
  return true;
}
