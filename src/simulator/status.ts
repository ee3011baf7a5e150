/**
 * `Client.FullStatus` from the model's entities (`apiserver/facades/client/client/status.go`):
 * machines with containers and hardware, applications with units,
 * subordinates and relations, relation statuses, the derived application
 * status, and `patterns` filtering by application, unit or machine.
 * @module
 */
import type { Client } from "../facades/generated/index.js";
import { formatConstraints } from "../parse/constraints.js";
import { statusSeverity } from "../protocol/status.js";
import {
  type ApplicationRecord,
  baseWire,
  channelString,
  endpointBindings,
  exposedEndpointsWire,
  type MachineRecord,
  type ModelEntities,
  portRangeStrings,
  relationStatus,
  type UnitRecord,
} from "./entities.js";
import type { Reply } from "./facades/typed.js";
import { offersStatus, remoteApplicationsStatus } from "./remote-applications.js";
import { goTime, type ModelRecord, type StatusValue } from "./store.js";

// A status's `since` keeps its Date until the status changes: format each once.
const sinceText = new WeakMap<Date, string>();
function since(d: Date): string {
  let text = sinceText.get(d);
  if (text === undefined) {
    text = goTime(d);
    sinceText.set(d, text);
  }
  return text;
}

/** `params.DetailedStatus` of a status (FullStatus and its parts). */
export function detailed(s: StatusValue, version = "", life = ""): Client.DetailedStatus {
  return {
    status: s.current,
    info: s.message,
    data: {},
    since: since(s.since),
    kind: "",
    version,
    life,
  };
}

/** The application status clients see: the charm's, else the most severe of its units'. */
export function derivedApplicationStatus(
  st: ModelEntities,
  a: ApplicationRecord,
  units: readonly UnitRecord[] = st.unitsOf(a.name),
): StatusValue {
  if (a.status.current !== "unset") return a.status;
  let best: StatusValue | undefined;
  for (const u of units) {
    const s = u.workloadStatus;
    if (best === undefined || statusSeverity(s.current) > statusSeverity(best.current)) best = s;
  }
  return best ?? { current: "waiting", message: "waiting for machine", since: a.status.since };
}

function hardwareString(m: MachineRecord): string {
  const h = m.hardware;
  if (h === undefined) return "";
  const parts: string[] = [];
  if (h.arch !== undefined) parts.push(`arch=${h.arch}`);
  if (h["cpu-cores"] !== undefined) parts.push(`cores=${h["cpu-cores"]}`);
  if (h["cpu-power"] !== undefined) parts.push(`cpu-power=${h["cpu-power"]}`);
  if (h.mem !== undefined) parts.push(`mem=${h.mem}M`);
  if (h["root-disk"] !== undefined) parts.push(`root-disk=${h["root-disk"]}M`);
  if (h["availability-zone"] !== undefined)
    parts.push(`availability-zone=${h["availability-zone"]}`);
  return parts.join(" ");
}

function machineStatus(
  model: ModelRecord,
  m: MachineRecord,
  keep: Set<string>,
  children: ReadonlyMap<string, MachineRecord[]>,
): Client.MachineStatus {
  const containers: Record<string, Client.MachineStatus> = {};
  for (const c of children.get(m.id) ?? []) {
    if (keep.has(c.id)) containers[c.id] = machineStatus(model, c, keep, children);
  }
  const out: Client.MachineStatus = {
    "agent-status": detailed(
      m.agentStatus,
      m.agentStatus.current === "started" ? model.agentVersion : "",
      // Juju's processLife: alive, the usual state, is left out.
      m.life === "alive" ? "" : m.life,
    ),
    "instance-status": detailed(m.instanceStatus),
    "modification-status": detailed({ current: "idle", message: "", since: m.agentStatus.since }),
    "dns-name": m.addresses[0] ?? "",
    "instance-id": m.instanceId === "" ? "pending" : m.instanceId,
    "display-name": "",
    base: baseWire(m.base),
    id: m.id,
    containers,
    constraints: formatConstraints(m.constraints),
    hardware: hardwareString(m),
    jobs: ["JobHostUnits"],
    "has-vote": false,
    "wants-vote": false,
  };
  if (m.addresses.length > 0) out["ip-addresses"] = [...m.addresses];
  if (m.hostname !== "") out.hostname = m.hostname;
  return out;
}

function unitStatus(model: ModelRecord, u: UnitRecord): Client.UnitStatus {
  const st = model.state;
  const a = st.applications.get(u.application);
  const m = st.machines.get(u.machineId);
  const subordinates: Record<string, Client.UnitStatus> = {};
  for (const s of u.subordinates) {
    const su = st.units.get(s);
    if (su !== undefined) subordinates[s] = unitStatus(model, su);
  }
  const out: Client.UnitStatus = {
    "agent-status": detailed(u.agentStatus, model.agentVersion, u.life === "alive" ? "" : u.life),
    "workload-status": detailed(u.workloadStatus, "", u.life === "alive" ? "" : u.life),
    "workload-version": u.workloadVersion,
    machine: u.machineId,
    "opened-ports": portRangeStrings(u),
    "public-address": m?.addresses[0] ?? "",
    charm: "",
    subordinates,
  };
  if (m?.addresses[0] !== undefined) out.address = m.addresses[0];
  if (a?.leader === u.name) out.leader = true;
  return out;
}

/** Whether an entity name matches a status pattern (`mysql`, `mysql/0`, `0`, globs with `*`). */
function matches(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
  return re.test(name);
}

/** `items` grouped by `key`, in their order. */
function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Builds `params.FullStatus` for a facade version (v6 leaves out `charm-rev`). */
export function fullStatus(
  model: ModelRecord,
  patterns: string[],
  version: number,
): Reply<Client.FullStatus> {
  const st = model.state;
  let units = [...st.units.values()];
  let apps = [...st.applications.values()];
  let machines = [...st.machines.values()];
  if (patterns.length > 0) {
    const unitMatch = (u: UnitRecord) =>
      patterns.some(
        (p) =>
          matches(p, u.name) ||
          matches(p, u.application) ||
          (u.machineId !== "" && (matches(p, u.machineId) || u.machineId.startsWith(`${p}/`))),
      );
    const keptUnits = new Set(units.filter(unitMatch).map((u) => u.name));
    for (const u of units) {
      if (keptUnits.has(u.name)) {
        for (const s of u.subordinates) keptUnits.add(s);
        if (u.principal !== "") keptUnits.add(u.principal);
      }
    }
    units = units.filter((u) => keptUnits.has(u.name));
    apps = apps.filter(
      (a) =>
        patterns.some((p) => matches(p, a.name)) || units.some((u) => u.application === a.name),
    );
    const keptMachines = new Set(units.map((u) => u.machineId).filter((id) => id !== ""));
    for (const m of machines) if (patterns.some((p) => matches(p, m.id))) keptMachines.add(m.id);
    for (const id of [...keptMachines]) {
      const parts = id.split("/");
      for (let i = 1; i < parts.length; i += 2) keptMachines.add(parts.slice(0, i).join("/"));
    }
    machines = machines.filter((m) => keptMachines.has(m.id));
  }
  const keep = new Set(machines.map((m) => m.id));
  // Indexes built once per call: per-machine and per-application scans of
  // the whole model made a 2,000-unit FullStatus quadratic.
  const children = groupBy(st.machines.values(), (m) => m.parentId);
  const allUnitsOf = groupBy(st.units.values(), (u) => u.application);
  const keptUnitsOf = patterns.length > 0 ? groupBy(units, (u) => u.application) : allUnitsOf;
  const machineOut: Record<string, Client.MachineStatus> = {};
  for (const m of machines)
    if (m.parentId === "") machineOut[m.id] = machineStatus(model, m, keep, children);

  const appNames = new Set(apps.map((a) => a.name));
  const appOut: Record<string, Reply<Client.ApplicationStatus>> = {};
  for (const a of apps) {
    const relations: Record<string, string[]> = {};
    const subordinateTo = new Set<string>();
    for (const r of st.relationsOf(a.name)) {
      const mine = r.endpoints.find((e) => e.application === a.name);
      if (mine === undefined) continue;
      const others = r.endpoints.filter((e) => e.application !== a.name).map((e) => e.application);
      const list = relations[mine.name] ?? [];
      for (const o of mine.role === "peer" ? [a.name] : others) if (!list.includes(o)) list.push(o);
      relations[mine.name] = list.sort();
      if (a.charm.subordinate === true && mine.scope === "container") {
        for (const o of others)
          if (st.applications.get(o)?.charm.subordinate !== true) subordinateTo.add(o);
      }
    }
    const unitOut: Record<string, Client.UnitStatus> = {};
    if (a.charm.subordinate !== true) {
      for (const u of keptUnitsOf.get(a.name) ?? []) unitOut[u.name] = unitStatus(model, u);
    }
    // A local charm has no channel; its version comes from the archive's `version` file.
    const channel = channelString(a);
    const out: Reply<Client.ApplicationStatus> = {
      charm: a.charmUrl,
      "charm-version": st.charms.get(a.charmUrl)?.charmVersion ?? "",
      "charm-profile": "",
      "charm-channel": channel,
      base: baseWire(a.base),
      exposed: a.exposed,
      life: a.life === "alive" ? "" : a.life,
      relations,
      "can-upgrade-to": "",
      "subordinate-to": [...subordinateTo].sort(),
      units: a.charm.subordinate === true ? null : unitOut,
      "meter-statuses": {},
      status: detailed(derivedApplicationStatus(st, a, allUnitsOf.get(a.name) ?? [])),
      // The first unit with a workload version (entities.applicationWorkloadVersion).
      "workload-version":
        (allUnitsOf.get(a.name) ?? []).find((u) => u.workloadVersion !== "")?.workloadVersion ?? "",
      "endpoint-bindings": endpointBindings(a),
      "public-address": "",
    };
    if (version >= 7) out["charm-rev"] = a.charm.revision;
    if (a.exposed) out["exposed-endpoints"] = exposedEndpointsWire(a);
    appOut[a.name] = out;
  }

  const relationsOut = [...st.relations.values()]
    .filter((r) => r.endpoints.some((e) => appNames.has(e.application)))
    .map((r) => ({
      id: r.id,
      key: r.key,
      interface: r.endpoints[0]?.interface ?? "",
      scope: r.endpoints[0]?.scope ?? "global",
      endpoints: r.endpoints.map((e) => ({
        application: e.application,
        name: e.name,
        role: e.role,
        subordinate: st.applications.get(e.application)?.charm.subordinate === true,
      })),
      // The relation's status document, with the time it was set (not of this call).
      status: detailed(relationStatus(r, model.state.now())),
    }));

  const m = model;
  const modelInfo: Client.ModelStatusInfo = {
    name: m.name,
    type: m.type,
    "cloud-tag": `cloud-${m.cloud.name}`,
    version: m.agentVersion,
    "available-version": "",
    "model-status": detailed(m.status),
    "meter-status": { color: "", message: "" },
    sla: "unsupported",
  };
  if (m.region !== "") modelInfo.region = m.region;
  return {
    model: modelInfo,
    machines: machineOut,
    applications: appOut,
    "remote-applications": remoteApplicationsStatus(model, (s) => detailed(s)),
    offers: offersStatus(model),
    relations: relationsOut,
    "controller-timestamp": goTime(st.now()),
    branches: {},
  };
}
