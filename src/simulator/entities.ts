/**
 * The entities of one simulated model (machines, applications, units,
 * relations, charms, annotations) and their wire form: every change is
 * published to the model's {@link EntityLog} as the `params.*Info` delta
 * entity Juju 3.6 sends (protocol notes §4). Lifecycle over time lives in
 * `agents.ts`; facades change state only through this module.
 * @module
 */
import type { Constraints } from "../parse/constraints.js";
import type {
  ApplicationData,
  CharmData,
  CharmRelationData,
  HardwareData,
  MachineData,
  StatusData,
  UnitData,
} from "../protocol/entity-data.js";
import type { CharmEndpointSpec, CharmSpec } from "./charm-source.js";
import type { Clock, Prng, Timing } from "./clock.js";
import { ServerError } from "./errors.js";
import { goTime, type Life, type StatusValue } from "./store.js";
import type { EntityLog } from "./watcher-hub.js";

/** A base as Juju's params carry it: `{name: "ubuntu", channel: "22.04"}` (risk not included). */
export interface BaseValue {
  name: string;
  channel: string;
}

/** Ubuntu series names by version, for v6 URLs and `series` fields. */
const SERIES: Readonly<Record<string, string>> = {
  "18.04": "bionic",
  "20.04": "focal",
  "22.04": "jammy",
  "24.04": "noble",
  "24.10": "oracular",
  "25.04": "plucky",
};

/** `base.GetSeriesFromBase`: `jammy` for ubuntu 22.04; `""` when unknown. */
export function seriesOf(base: BaseValue): string {
  return base.name === "ubuntu" ? (SERIES[base.channel.replace(/\/.*$/, "")] ?? "") : "";
}

/** The series-to-base direction: `jammy` → `{ubuntu, 22.04}`. */
export function baseOfSeries(series: string): BaseValue | undefined {
  for (const [v, s] of Object.entries(SERIES))
    if (s === series) return { name: "ubuntu", channel: v };
  return undefined;
}

/** A charm added to the model (`Charms.AddCharm`, or a local charm upload). */
export interface CharmRecord {
  /** The URL as stored, e.g. `ch:amd64/jammy/mysql-58`, `ch:amd64/mysql-58` or `local:jammy/dummy-3`. */
  url: string;
  spec: CharmSpec;
  origin: CharmOriginValue;
  life: Life;
  /** The stored archive of an uploaded (local) charm; Charmhub charms are never downloaded here. */
  archive?: { path: string; sha256: string; size: number };
  /** The first line of the charm's `version` file (local charms), for the `charm-version` delta field. */
  charmVersion?: string;
}

/** The schema of a charm URL: `local`, or `ch` for Charmhub URLs (with or without `ch:`/`cs:`). */
function urlSchema(url: string): "local" | "ch" {
  return url.startsWith("local:") ? "local" : "ch";
}

/** `params.CharmOrigin` as stored with a charm and an application. */
export interface CharmOriginValue {
  source: string;
  type: string;
  id: string;
  hash?: string;
  risk?: string;
  revision?: number;
  track?: string;
  branch?: string;
  architecture?: string;
  base: BaseValue;
  "instance-key"?: string;
}

/** A machine or container. */
export interface MachineRecord {
  id: string;
  life: Life;
  base: BaseValue;
  constraints: Constraints;
  /** `""` for a machine, `lxd` for a container. */
  containerType: string;
  parentId: string;
  instanceId: string;
  hostname: string;
  agentStatus: StatusValue;
  instanceStatus: StatusValue;
  hardware: HardwareData | undefined;
  addresses: string[];
  zone: string | undefined;
  /** Next container number per type. */
  containerSeq: number;
  /** Principal units assigned here. */
  principals: string[];
  /**
   * Set for a machine added with an instance id (manual provisioning,
   * `juju add-machine ssh:…`): already provisioned, no provisioner runs.
   */
  injected?: InjectedMachine;
}

/** What `AddMachines` recorded for a machine that came with its instance (`state.MachineTemplate`). */
export interface InjectedMachine {
  /** The provisioning nonce its agent must present (`machineDoc.Nonce`). */
  nonce: string;
  /** The addresses as given (`params.Address`: value, type, scope). */
  addresses: Array<{ value: string; type: string; scope: string }>;
}

/** An application. */
export interface ApplicationRecord {
  name: string;
  charmUrl: string;
  charm: CharmSpec;
  origin: CharmOriginValue;
  /** `latest/stable`, as the application tracks it. */
  channel: string;
  base: BaseValue;
  life: Life;
  exposed: boolean;
  exposedEndpoints: Record<string, { "expose-to-spaces"?: string[]; "expose-to-cidrs"?: string[] }>;
  constraints: Constraints;
  /** Config set by the user (values typed per the charm's options). */
  config: Record<string, unknown>;
  /** Application (not charm) settings set by the user, such as `trust` (Juju's application config). */
  appConfig?: Record<string, unknown>;
  unitSeq: number;
  status: StatusValue;
  bindings: Record<string, string>;
  /** The leader unit's name, or `""`. */
  leader: string;
  /** Placements staged by Deploy for the unit assigner, per unit name. */
  staged: Map<string, { scope: string; directive: string } | undefined>;
}

/** A unit. */
export interface UnitRecord {
  name: string;
  application: string;
  life: Life;
  machineId: string;
  principal: string;
  subordinates: string[];
  agentStatus: StatusValue;
  workloadStatus: StatusValue;
  workloadVersion: string;
  ports: Array<{ from: number; to: number; protocol: string }>;
  /** Whether the start hook ran. */
  started: boolean;
}

/** One end of a relation. */
export interface RelationEndpoint {
  application: string;
  name: string;
  role: "provider" | "requirer" | "peer";
  interface: string;
  optional: boolean;
  limit: number;
  scope: "global" | "container";
}

/** A relation. */
export interface RelationRecord {
  id: number;
  key: string;
  endpoints: RelationEndpoint[];
  life: Life;
  /**
   * The relation's status document (`state.Relation.Status`): `joining`
   * from AddRelation, then what {@link ModelEntities.setRelationStatus}
   * sets, each with the time it was set. Absent in relations restored from
   * snapshots taken before it was kept (see {@link relationStatus}).
   */
  status?: StatusValue;
}

/** The statuses a relation can be set to (`status.Joining` … `status.Error`, state/relation.go). */
export type RelationStatusName =
  | "joining"
  | "joined"
  | "suspending"
  | "suspended"
  | "broken"
  | "error";

/**
 * A relation's status. A relation from an older snapshot has no document:
 * it reads as its life implies (joined or broken), since `now`.
 */
export function relationStatus(r: RelationRecord, now: Date): StatusValue {
  return r.status ?? { current: r.life === "alive" ? "joined" : "broken", message: "", since: now };
}

/**
 * Why Juju's `Relation.SetStatus` refuses to go from `from` to `to`
 * (state/relation.go), or undefined when the change is allowed.
 */
export function relationStatusRefusal(
  from: string,
  to: RelationStatusName,
  message: string,
): string | undefined {
  if (to === "error" && message === "") return `cannot set status "error" without info`;
  if (from === to) return undefined;
  const allowed =
    to === "broken" || to === "error"
      ? true
      : to === "suspending"
        ? from !== "broken" && from !== "suspended"
        : to === "joining"
          ? from !== "broken" && from !== "joined"
          : from !== "broken";
  return allowed ? undefined : `cannot set status "${to}" when relation has status "${from}"`;
}

function status(current: string, message: string, since: Date): StatusValue {
  return { current, message, since };
}

/** A status as deltas carry it (`params.StatusInfo`); `version` is the agent version of agent statuses. */
export function wireStatus(s: StatusValue, version = ""): StatusData {
  return { current: s.current, message: s.message, since: goTime(s.since), version };
}

/**
 * One endpoint as `params.CharmRelation`: the `relation` of a relation
 * delta's endpoints and the values of `Application.AddRelation`'s result.
 */
export function charmRelation(e: RelationEndpoint): CharmRelationData {
  return {
    name: e.name,
    role: e.role,
    interface: e.interface,
    optional: e.optional,
    limit: e.limit,
    scope: e.scope,
  };
}

/** The endpoint relation spec of a charm: declared endpoints plus the implicit `juju-info` provider. */
export function charmEndpoints(app: string, charm: CharmSpec): RelationEndpoint[] {
  const out: RelationEndpoint[] = [];
  const add = (role: RelationEndpoint["role"], specs: Record<string, CharmEndpointSpec> = {}) => {
    for (const [name, e] of Object.entries(specs)) {
      out.push({
        application: app,
        name,
        role,
        interface: e.interface,
        optional: e.optional ?? false,
        limit: e.limit ?? (role === "requirer" ? 1 : 0),
        scope: e.scope ?? "global",
      });
    }
  };
  add("provider", charm.provides);
  add("requirer", charm.requires);
  add("peer", charm.peers);
  if (!out.some((e) => e.name === "juju-info")) {
    out.push({
      application: app,
      name: "juju-info",
      role: "provider",
      interface: "juju-info",
      optional: false,
      limit: 0,
      scope: "global",
    });
  }
  return out;
}

/** A base as facade results carry it (`params.Base`): the channel with its risk, `22.04/stable`. */
export function baseWire(b: BaseValue): { name: string; channel: string } {
  return { name: b.name, channel: `${b.channel}/stable` };
}

/** An application's charm channel (`latest/stable` is `stable`); local charms have none. */
export function channelString(a: ApplicationRecord): string {
  if (a.origin.source === "local") return "";
  const risk = a.origin.risk ?? "stable";
  return a.origin.track === undefined ? risk : `${a.origin.track}/${risk}`;
}

/** An application's endpoint bindings: the default space under `""`, then every endpoint's space. */
export function endpointBindings(a: ApplicationRecord): Record<string, string> {
  const def = a.bindings[""] ?? "alpha";
  const out: Record<string, string> = { "": def };
  for (const e of charmEndpoints(a.name, a.charm)) out[e.name] = a.bindings[e.name] ?? def;
  return out;
}

/** An exposed application's `exposed-endpoints`: exposing without endpoints opens all to the world. */
export function exposedEndpointsWire(
  a: ApplicationRecord,
): Record<string, { "expose-to-spaces"?: string[]; "expose-to-cidrs"?: string[] }> {
  return Object.keys(a.exposedEndpoints).length > 0
    ? structuredClone(a.exposedEndpoints)
    : { "": { "expose-to-cidrs": ["0.0.0.0/0", "::/0"] } };
}

/** A unit's open ports as `network.PortRange.String()` writes them: `80/tcp`, `8000-8010/udp`, `icmp`. */
export function portRangeStrings(u: Pick<UnitRecord, "ports">): string[] {
  return u.ports.map((p) =>
    p.protocol === "icmp"
      ? "icmp"
      : p.from === p.to
        ? `${p.from}/${p.protocol}`
        : `${p.from}-${p.to}/${p.protocol}`,
  );
}

const ROLE_ORDER = { requirer: 0, provider: 1, peer: 2 } as const;

/** Sorts endpoints the way relation keys order them: requirer, provider, peer; then by name. */
export function sortEndpoints(eps: RelationEndpoint[]): RelationEndpoint[] {
  return [...eps].sort(
    (a, b) =>
      ROLE_ORDER[a.role] - ROLE_ORDER[b.role] ||
      (a.application < b.application ? -1 : a.application > b.application ? 1 : 0) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

/** The relation key, e.g. `wordpress:db mysql:db`. */
export function relationKey(eps: RelationEndpoint[]): string {
  return sortEndpoints(eps)
    .map((e) => `${e.application}:${e.name}`)
    .join(" ");
}

/** Everything a model holds besides its config, with id sequences that never reuse a value. */
export class ModelEntities {
  readonly machines = new Map<string, MachineRecord>();
  readonly applications = new Map<string, ApplicationRecord>();
  readonly units = new Map<string, UnitRecord>();
  readonly relations = new Map<number, RelationRecord>();
  readonly charms = new Map<string, CharmRecord>();
  readonly annotations = new Map<string, Record<string, string>>();
  /** Model-level constraints (`ModelConfig.SetModelConstraints`). */
  modelConstraints: Constraints = {};
  private machineSeq = 0;
  private relationSeq = 0;
  private hostSeq = 0;
  /** Second and third octets of the model's simulated 10.x.y.0/24 subnet. */
  private readonly subnet: [number, number];

  constructor(
    readonly modelUuid: string,
    private readonly log: EntityLog,
    readonly clock: Clock,
    readonly rng: Prng,
    readonly timing: Timing,
    readonly agentVersion: () => string,
  ) {
    this.subnet = [rng.int(1, 250), rng.int(0, 250)];
  }

  /** The current time of the model's clock. */
  now(): Date {
    return this.clock.now();
  }

  // ----- charms -----

  /** Finds an added charm by any URL form naming the same charm and revision. */
  findCharm(url: string): CharmRecord | undefined {
    const direct = this.charms.get(url);
    if (direct !== undefined) return direct;
    const want = charmNameRevision(url);
    if (want === undefined) return undefined;
    // A local charm never stands for a Charmhub one of the same name and revision.
    const schema = urlSchema(url);
    for (const c of this.charms.values()) {
      if (urlSchema(c.url) !== schema) continue;
      const got = charmNameRevision(c.url);
      if (got?.name === want.name && got.revision === want.revision) return c;
    }
    return undefined;
  }

  /** Records a charm (idempotent) and publishes its `charm` delta. */
  addCharm(
    url: string,
    spec: CharmSpec,
    origin: CharmOriginValue,
    extra: Pick<CharmRecord, "archive" | "charmVersion"> = {},
  ): CharmRecord {
    // Local charm URLs differ by series or architecture with the same name and revision.
    const existing = url.startsWith("local:") ? this.charms.get(url) : this.findCharm(url);
    if (existing !== undefined) return existing;
    const rec: CharmRecord = { url, spec, origin, life: "alive", ...extra };
    this.charms.set(url, rec);
    this.publishCharm(rec);
    return rec;
  }

  private publishCharm(c: CharmRecord): void {
    const config: Record<string, unknown> = {};
    for (const [k, o] of Object.entries(c.spec.config ?? {})) {
      if (o.default !== undefined) config[k] = o.default;
    }
    const info: CharmData = {
      "model-uuid": this.modelUuid,
      "charm-url": c.url,
      "charm-version": c.charmVersion ?? "",
      life: c.life,
      profile: null,
    };
    if (Object.keys(config).length > 0) info.config = config;
    this.log.set("charm", c.url, info);
  }

  // ----- machines -----

  /** Adds a top-level machine (`id` from the model's sequence) or a container in `parent`. */
  addMachine(args: {
    base: BaseValue;
    constraints: Constraints;
    containerType?: string;
    parent?: MachineRecord;
    zone?: string;
    /** A machine that exists already: its instance id, hardware and nonce. */
    instance?: { id: string; hardware: HardwareData; injected: InjectedMachine };
  }): MachineRecord {
    const now = this.now();
    let id: string;
    if (args.parent !== undefined) {
      id = `${args.parent.id}/${args.containerType}/${args.parent.containerSeq++}`;
      this.publishMachine(args.parent);
    } else {
      id = String(this.machineSeq++);
    }
    const rec: MachineRecord = {
      id,
      life: "alive",
      base: args.base,
      constraints: args.constraints,
      containerType: args.parent === undefined ? "" : (args.containerType ?? "lxd"),
      parentId: args.parent?.id ?? "",
      instanceId: "",
      hostname: "",
      agentStatus: status("pending", "", now),
      instanceStatus: status("pending", "", now),
      hardware: undefined,
      addresses: [],
      zone: args.zone,
      containerSeq: 0,
      principals: [],
    };
    if (args.instance !== undefined) {
      rec.instanceId = args.instance.id;
      rec.hardware = args.instance.hardware;
      rec.injected = args.instance.injected;
      rec.addresses = args.instance.injected.addresses.map((a) => a.value);
    }
    this.machines.set(id, rec);
    this.publishMachine(rec);
    return rec;
  }

  /** Containers whose parent is `id`. */
  containersOf(id: string): MachineRecord[] {
    return [...this.machines.values()].filter((m) => m.parentId === id);
  }

  /**
   * Where machine addresses come from instead of the model's 10.x.y.0/24
   * subnet: the embedded ssh server's loopback addresses (`ssh-server.ts`).
   */
  addressSource: (() => string | undefined) | undefined;

  /** The next simulated address in the model's subnet. */
  nextAddress(): string {
    const given = this.addressSource?.();
    if (given !== undefined) return given;
    this.hostSeq++;
    const host = 10 + this.hostSeq;
    const [b, c] = this.subnet;
    return `10.${b}.${c + Math.floor(host / 250)}.${host % 250}`;
  }

  /** Publishes a machine's `machine` delta. */
  publishMachine(m: MachineRecord): void {
    const info: MachineData = {
      "model-uuid": this.modelUuid,
      id: m.id,
      "instance-id": m.instanceId,
      "agent-status": wireStatus(
        m.agentStatus,
        m.agentStatus.current === "started" ? this.agentVersion() : "",
      ),
      "instance-status": wireStatus(m.instanceStatus),
      life: m.life,
      base: `${m.base.name}@${m.base.channel}`,
      "container-type": m.containerType,
      "supported-containers": m.instanceId === "" ? null : m.containerType === "" ? ["lxd"] : [],
      "supported-containers-known": m.instanceId !== "",
      jobs: ["JobHostUnits"],
      addresses:
        m.injected?.addresses ??
        m.addresses.map((value) => ({ value, type: "ipv4", scope: "local-cloud" })),
      "has-vote": false,
      "wants-vote": false,
    };
    if (m.hardware !== undefined) info["hardware-characteristics"] = m.hardware;
    if (m.hostname !== "") info.hostname = m.hostname;
    this.log.set("machine", m.id, info);
  }

  /** Removes a machine: its `remove` delta carries the last state. */
  removeMachine(m: MachineRecord): void {
    m.life = "dead";
    this.publishMachine(m);
    this.machines.delete(m.id);
    this.log.remove("machine", m.id);
    this.annotations.delete(`machine-${m.id.replaceAll("/", "-")}`);
  }

  // ----- applications -----

  /** Publishes an application's `application` delta. */
  publishApplication(a: ApplicationRecord): void {
    const config: Record<string, unknown> = { ...a.config };
    const info: ApplicationData = {
      "model-uuid": this.modelUuid,
      name: a.name,
      exposed: a.exposed,
      "charm-url": a.charmUrl,
      "owner-tag": "",
      life: a.life,
      "min-units": 0,
      constraints: { ...a.constraints },
      subordinate: a.charm.subordinate ?? false,
      status: wireStatus(a.status),
      "workload-version": this.applicationWorkloadVersion(a),
    };
    if (Object.keys(config).length > 0) info.config = config;
    this.log.set("application", a.name, info);
  }

  /** The workload version shown for an application: that of its first unit that has one. */
  applicationWorkloadVersion(a: ApplicationRecord): string {
    for (const u of this.unitsOf(a.name)) if (u.workloadVersion !== "") return u.workloadVersion;
    return "";
  }

  /** Adds an application (name uniqueness is checked by the caller). */
  addApplication(
    rec: Omit<ApplicationRecord, "life" | "unitSeq" | "status" | "leader" | "staged">,
  ): ApplicationRecord {
    const a: ApplicationRecord = {
      ...rec,
      life: "alive",
      unitSeq: 0,
      status: status("unset", "", this.now()),
      leader: "",
      staged: new Map(),
    };
    this.applications.set(a.name, a);
    this.publishApplication(a);
    return a;
  }

  /** Removes an application for good. */
  removeApplication(a: ApplicationRecord): void {
    a.life = "dead";
    this.applications.delete(a.name);
    this.log.remove("application", a.name);
    this.annotations.delete(`application-${a.name}`);
  }

  // ----- units -----

  /** The live and dying units of an application, in creation order. */
  unitsOf(app: string): UnitRecord[] {
    return [...this.units.values()].filter((u) => u.application === app);
  }

  /** Creates the next unit of `app` (not yet on a machine). */
  addUnit(app: ApplicationRecord, principal = ""): UnitRecord {
    const name = `${app.name}/${app.unitSeq++}`;
    const now = this.now();
    const u: UnitRecord = {
      name,
      application: app.name,
      life: "alive",
      machineId: "",
      principal,
      subordinates: [],
      agentStatus: status("allocating", "", now),
      workloadStatus: status("waiting", "waiting for machine", now),
      workloadVersion: "",
      ports: [],
      started: false,
    };
    this.units.set(name, u);
    if (principal !== "") {
      const p = this.units.get(principal);
      if (p !== undefined) {
        p.subordinates.push(name);
        u.machineId = p.machineId;
        this.publishUnit(p);
      }
    }
    if (app.leader === "") app.leader = name;
    this.publishUnit(u);
    return u;
  }

  /** Puts a principal unit on a machine. */
  assignUnit(u: UnitRecord, m: MachineRecord): void {
    u.machineId = m.id;
    m.principals.push(u.name);
    this.publishUnit(u);
  }

  /** Sets a unit's statuses (undefined leaves one as it is) and publishes it. */
  setUnitStatus(u: UnitRecord, agent?: [string, string], workload?: [string, string]): void {
    const now = this.now();
    if (agent !== undefined) u.agentStatus = status(agent[0], agent[1], now);
    if (workload !== undefined) u.workloadStatus = status(workload[0], workload[1], now);
    this.publishUnit(u);
  }

  /** Publishes a unit's `unit` delta. */
  publishUnit(u: UnitRecord): void {
    const app = this.applications.get(u.application);
    const m = this.machines.get(u.machineId);
    const address = m?.addresses[0] ?? "";
    const ports = u.ports.flatMap((r) => {
      const out: Array<{ protocol: string; number: number }> = [];
      for (let p = r.from; p <= r.to; p++) out.push({ protocol: r.protocol, number: p });
      return out;
    });
    this.log.set("unit", u.name, {
      "model-uuid": this.modelUuid,
      name: u.name,
      application: u.application,
      base: app === undefined ? "" : `${app.base.name}@${app.base.channel}`,
      "charm-url": app?.charmUrl ?? "",
      life: u.life,
      "public-address": address,
      "private-address": address,
      "machine-id": u.machineId,
      ports,
      "port-ranges": u.ports.map((r) => ({
        "from-port": r.from,
        "to-port": r.to,
        protocol: r.protocol,
      })),
      principal: u.principal,
      subordinate: u.principal !== "",
      "workload-status": wireStatus(u.workloadStatus),
      "agent-status": wireStatus(u.agentStatus, this.agentVersion()),
    } satisfies UnitData);
    if (app !== undefined && app.life === "alive") this.publishApplication(app);
  }

  /** Removes a unit for good (and from its machine and principal). */
  removeUnit(u: UnitRecord): void {
    u.life = "dead";
    this.publishUnit(u);
    this.units.delete(u.name);
    this.log.remove("unit", u.name);
    this.annotations.delete(`unit-${u.name.replace("/", "-")}`);
    const m = this.machines.get(u.machineId);
    if (m !== undefined) m.principals = m.principals.filter((n) => n !== u.name);
    const p = this.units.get(u.principal);
    if (p !== undefined) {
      p.subordinates = p.subordinates.filter((n) => n !== u.name);
      this.publishUnit(p);
    }
    const app = this.applications.get(u.application);
    if (app !== undefined && app.leader === u.name) {
      app.leader = this.unitsOf(app.name).find((x) => x.life === "alive")?.name ?? "";
    }
  }

  // ----- relations -----

  /** Adds a relation with the next id. */
  addRelation(eps: RelationEndpoint[]): RelationRecord {
    const sorted = sortEndpoints(eps);
    const r: RelationRecord = {
      id: this.relationSeq++,
      key: relationKey(sorted),
      endpoints: sorted,
      life: "alive",
      // AddRelation creates the status document as joining (state/state.go).
      status: status("joining", "", this.now()),
    };
    this.relations.set(r.id, r);
    this.publishRelation(r);
    return r;
  }

  /** Publishes a relation's `relation` delta. */
  publishRelation(r: RelationRecord): void {
    this.log.set("relation", r.key, {
      "model-uuid": this.modelUuid,
      key: r.key,
      id: r.id,
      endpoints: r.endpoints.map((e) => ({
        "application-name": e.application,
        relation: charmRelation(e),
      })),
    });
  }

  /**
   * Sets a relation's status document, as `Relation.SetStatus` does: the
   * transition must be allowed ({@link relationStatusRefusal}) and `since`
   * becomes the time of the call, even when the status stays the same (Juju
   * rewrites the document's `updated`). The relation delta carries no
   * status, so the change is counted for saving here.
   * @throws ServerError `not valid` for a refused transition.
   */
  setRelationStatus(r: RelationRecord, current: RelationStatusName, message = ""): void {
    const from = relationStatus(r, this.now()).current;
    const refused = relationStatusRefusal(from, current, message);
    if (refused !== undefined) throw new ServerError(refused, "not valid");
    r.status = status(current, message, this.now());
    this.log.changes?.bump();
  }

  /** Removes a relation for good. */
  removeRelation(r: RelationRecord): void {
    r.life = "dead";
    this.relations.delete(r.id);
    this.log.remove("relation", r.key);
  }

  /** The relations an application takes part in. */
  relationsOf(app: string): RelationRecord[] {
    return [...this.relations.values()].filter((r) =>
      r.endpoints.some((e) => e.application === app),
    );
  }

  // ----- annotations -----

  /** Merges annotations of an entity tag (an empty value deletes a key) and publishes them. */
  setAnnotations(tag: string, values: Record<string, string>): void {
    const cur = { ...(this.annotations.get(tag) ?? {}) };
    for (const [k, v] of Object.entries(values)) {
      if (v === "") delete cur[k];
      else cur[k] = v;
    }
    this.annotations.set(tag, cur);
    this.log.set("annotation", tag, { "model-uuid": this.modelUuid, tag, annotations: cur });
  }

  /** Formats a time like Go (for facades). */
  static time(d: Date): string {
    return goTime(d);
  }
}

/** Name and revision of a charm URL in any of its forms (`ch:amd64/jammy/mysql-58`, `mysql-58`). */
export function charmNameRevision(url: string): { name: string; revision: number } | undefined {
  const m = /^(?:[a-z]+:)?(?:[^/]+\/)*([a-z0-9][a-z0-9-]*?)-(\d+)$/.exec(url);
  if (m === null) return undefined;
  return { name: m[1] ?? "", revision: Number(m[2]) };
}
