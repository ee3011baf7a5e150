/**
 * `juju status --format json|yaml`: the shape Juju's CLI prints, built from
 * a `Client.FullStatus` result. Field names, order and omission follow the
 * 3.6 CLI's formatter (`cmd/juju/status/formatted.go`, `formatter.go`), not
 * the wire shape: `juju-status` for the agent, `machine-status` for the
 * instance, `application-status`, relations grouped per endpoint, `since`
 * as the CLI formats times.
 * @module
 */
import { type GoYamlValue, goYamlDocument } from "../protocol/go-yaml.js";

/** A `params.DetailedStatus` as FullStatus carries it. */
interface WireStatus {
  status?: string;
  info?: string;
  since?: string | null;
  version?: string;
  life?: string;
  err?: unknown;
}

interface WireBase {
  name: string;
  channel: string;
}

interface WireUnit {
  "workload-status"?: WireStatus;
  "agent-status"?: WireStatus;
  leader?: boolean;
  charm?: string;
  machine?: string;
  "opened-ports"?: string[] | null;
  "public-address"?: string;
  address?: string;
  "provider-id"?: string;
  subordinates?: Record<string, WireUnit> | null;
}

interface WireApplication {
  charm: string;
  "charm-version"?: string;
  "charm-profile"?: string;
  "charm-channel"?: string;
  "charm-rev"?: number;
  base?: WireBase;
  exposed?: boolean;
  "exposed-endpoints"?: Record<
    string,
    { "expose-to-spaces"?: string[] | null; "expose-to-cidrs"?: string[] | null }
  > | null;
  life?: string;
  "can-upgrade-to"?: string;
  "subordinate-to"?: string[] | null;
  units?: Record<string, WireUnit> | null;
  status?: WireStatus;
  "workload-version"?: string;
  "endpoint-bindings"?: Record<string, string> | null;
  "public-address"?: string;
  scale?: number;
  "provider-id"?: string;
}

interface WireNetworkInterface {
  "ip-addresses"?: string[] | null;
  "mac-address"?: string;
  gateway?: string;
  "dns-nameservers"?: string[] | null;
  space?: string;
  "is-up"?: boolean;
}

interface WireMachine {
  "agent-status"?: WireStatus;
  "instance-status"?: WireStatus;
  "modification-status"?: WireStatus;
  hostname?: string;
  "dns-name"?: string;
  "ip-addresses"?: string[] | null;
  "instance-id"?: string;
  "display-name"?: string;
  base?: WireBase;
  "network-interfaces"?: Record<string, WireNetworkInterface> | null;
  containers?: Record<string, WireMachine> | null;
  constraints?: string;
  hardware?: string;
  "has-vote"?: boolean;
  "wants-vote"?: boolean;
  "primary-controller-machine"?: boolean | null;
}

interface WireRelation {
  id: number;
  key: string;
  interface: string;
  scope?: string;
  endpoints?: { application: string; name: string; role: string }[] | null;
}

interface WireRemoteApplication {
  "offer-url"?: string;
  endpoints?: { name: string; interface: string; role: string }[] | null;
  life?: string;
  status?: WireStatus;
}

interface WireOffer {
  "offer-name"?: string;
  "application-name"?: string;
  charm?: string;
  endpoints?: Record<string, { name: string; interface: string; role: string }> | null;
  "active-connected-count"?: number;
  "total-connected-count"?: number;
}

/** The parts of a `Client.FullStatus` result that `juju status` prints. */
export interface FullStatusView {
  model: {
    name: string;
    type?: string;
    "cloud-tag": string;
    region?: string;
    version: string;
    "available-version"?: string;
    "model-status"?: WireStatus;
    sla?: string;
  };
  machines?: Record<string, WireMachine> | null;
  applications?: Record<string, WireApplication> | null;
  "remote-applications"?: Record<string, WireRemoteApplication> | null;
  offers?: Record<string, WireOffer> | null;
  relations?: WireRelation[] | null;
  "controller-timestamp"?: string | null;
}

/** How {@link formatStatus} prints times. */
export interface StatusFormatOptions {
  /** The controller's name (the model line's `controller`). */
  controller: string;
  /**
   * `--utc`: times as RFC 3339 in UTC; otherwise as the juju CLI prints
   * them by default, `30 Nov 2026 08:00:00Z` in the local time zone.
   */
  utc?: boolean;
  /** The local time zone offset in minutes east of UTC at a given time; default: the process's. */
  zoneOffset?: (at: Date) => number;
}

type Out = Record<string, unknown>;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
] as const;

/** Go's `Z07:00`: `Z` at UTC, else `+01:00`. */
function zone(offset: number): string {
  if (offset === 0) return "Z";
  const abs = Math.abs(offset);
  return `${offset < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A time shifted into the given zone, read with the UTC getters. */
function shifted(at: Date, offset: number): Date {
  return new Date(at.getTime() + offset * 60_000);
}

/** Juju's `common.FormatTime`. */
export function formatStatusTime(
  at: Date,
  options: Omit<StatusFormatOptions, "controller">,
): string {
  if (options.utc) return `${at.toISOString().slice(0, 19)}Z`;
  const offset = (options.zoneOffset ?? localOffset)(at);
  const t = shifted(at, offset);
  return (
    `${pad(t.getUTCDate())} ${MONTHS[t.getUTCMonth()]} ${t.getUTCFullYear()} ` +
    `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}${zone(offset)}`
  );
}

/** Juju's `common.FormatTimeAsTimestamp`: the time of day only. */
function formatTimestamp(at: Date, options: Omit<StatusFormatOptions, "controller">): string {
  const offset = options.utc ? 0 : (options.zoneOffset ?? localOffset)(at);
  const t = shifted(at, offset);
  return `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}${zone(offset)}`;
}

function localOffset(at: Date): number {
  return -at.getTimezoneOffset();
}

/** Drops the keys whose value Go's `omitempty` leaves out. */
function omitEmpty(o: Out, keep: ReadonlySet<string> = new Set()): Out {
  const out: Out = {};
  for (const [k, v] of Object.entries(o)) {
    if (keep.has(k)) {
      out[k] = v;
      continue;
    }
    if (v === undefined || v === null || v === "" || v === false || v === 0) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (v instanceof Map && v.size === 0) continue;
    if (
      typeof v === "object" &&
      !(v instanceof Map) &&
      !Array.isArray(v) &&
      Object.keys(v).length === 0
    )
      continue;
    out[k] = v;
  }
  return out;
}

/** A wire `DetailedStatus` as the CLI's `statusInfoContents`. */
function statusInfo(
  s: WireStatus | undefined,
  opts: StatusFormatOptions,
  withVersion = false,
): Out {
  if (!s) return {};
  const since = s.since ? new Date(s.since) : undefined;
  return omitEmpty({
    current: s.status,
    message: s.info,
    since: since && !Number.isNaN(since.getTime()) ? formatStatusTime(since, opts) : undefined,
    version: withVersion ? s.version : undefined,
    life: s.life,
  });
}

/** `cloud-localhost` → `localhost`. */
function untag(tag: string, kind: string): string {
  return tag.startsWith(`${kind}-`) ? tag.slice(kind.length + 1) : tag;
}

/** Charm name, origin and revision from a charm URL (`ch:amd64/jammy/mysql-58`, `local:focal/ubuntu-2`). */
export function parseCharmUrl(url: string): { name: string; origin: string; revision: number } {
  const schema = /^([a-z]+):/.exec(url)?.[1] ?? "ch";
  const last =
    url
      .replace(/^[a-z]+:/, "")
      .split("/")
      .pop() ?? url;
  const m = /^(.*)-(\d+)$/.exec(last);
  return {
    name: m?.[1] ?? last,
    origin: schema === "local" ? "local" : schema === "cs" ? "charmstore" : "charmhub",
    revision: m ? Number(m[2]) : -1,
  };
}

function formatUnit(u: WireUnit, opts: StatusFormatOptions): Out {
  const subordinates = new Map<string, Out>();
  for (const [name, su] of Object.entries(u.subordinates ?? {}))
    subordinates.set(name, formatUnit(su, opts));
  return omitEmpty(
    {
      "workload-status": statusInfo(u["workload-status"], opts),
      "juju-status": statusInfo(u["agent-status"], opts, true),
      leader: u.leader,
      "upgrading-from": u.charm,
      machine: u.machine,
      "open-ports": u["opened-ports"] ?? undefined,
      "public-address": u["public-address"],
      address: u.address,
      "provider-id": u["provider-id"],
      subordinates,
    },
    // The CLI's YAML keeps both status blocks even when empty.
    new Set(["workload-status", "juju-status"]),
  );
}

/** Relations of one application, by its endpoint, as `juju status` groups them. */
function applicationRelations(app: string, relations: readonly WireRelation[]): Map<string, Out[]> {
  const out = new Map<string, Out[]>();
  for (const r of relations) {
    const eps = r.endpoints ?? [];
    const mine = eps.filter((e) => e.application === app);
    for (const ep of mine) {
      const others = eps.length === 1 ? eps : eps.filter((e) => e !== ep);
      for (const other of others) {
        const list = out.get(ep.name) ?? [];
        out.set(ep.name, list);
        list.push({
          "related-application": other.application,
          interface: r.interface,
          scope: r.scope ?? "global",
        });
      }
    }
  }
  for (const list of out.values()) {
    list.sort((a, b) =>
      String(a["related-application"]).localeCompare(String(b["related-application"])),
    );
  }
  return out;
}

function formatApplication(
  name: string,
  app: WireApplication,
  relations: readonly WireRelation[],
  opts: StatusFormatOptions,
): Out {
  const charm = parseCharmUrl(app.charm);
  const units = new Map<string, Out>();
  for (const [unit, u] of Object.entries(app.units ?? {})) units.set(unit, formatUnit(u, opts));
  const exposed = new Map<string, Out>();
  for (const [ep, e] of Object.entries(app["exposed-endpoints"] ?? {})) {
    exposed.set(
      ep,
      omitEmpty({
        "expose-to-spaces": e["expose-to-spaces"] ?? undefined,
        "expose-to-cidrs": e["expose-to-cidrs"] ?? undefined,
      }),
    );
  }
  return omitEmpty(
    {
      charm: charm.name,
      base: app.base ? { name: app.base.name, channel: app.base.channel } : undefined,
      "charm-origin": charm.origin,
      "charm-name": charm.name,
      "charm-rev": charm.revision,
      "charm-version": app["charm-version"],
      "charm-profile": app["charm-profile"],
      "charm-channel": app["charm-channel"],
      "can-upgrade-to": app["can-upgrade-to"],
      scale: app.scale,
      "provider-id": app["provider-id"],
      address: app["public-address"],
      exposed: app.exposed ?? false,
      "exposed-endpoints": exposed,
      life: app.life,
      "application-status": statusInfo(app.status, opts),
      relations: applicationRelations(name, relations),
      "subordinate-to": app["subordinate-to"] ?? undefined,
      units,
      version: app["workload-version"],
      "endpoint-bindings": app["endpoint-bindings"]
        ? new Map(Object.entries(app["endpoint-bindings"]))
        : undefined,
    },
    new Set(["charm", "charm-origin", "charm-name", "charm-rev", "exposed", "application-status"]),
  );
}

function formatMachine(m: WireMachine, opts: StatusFormatOptions): Out {
  const containers = new Map<string, Out>();
  for (const [id, c] of Object.entries(m.containers ?? {}))
    containers.set(id, formatMachine(c, opts));
  const nics = new Map<string, Out>();
  for (const [name, n] of Object.entries(m["network-interfaces"] ?? {})) {
    nics.set(
      name,
      omitEmpty(
        {
          "ip-addresses": n["ip-addresses"] ?? [],
          "mac-address": n["mac-address"] ?? "",
          gateway: n.gateway,
          "dns-nameservers": n["dns-nameservers"] ?? undefined,
          space: n.space,
          "is-up": n["is-up"] ?? false,
        },
        new Set(["ip-addresses", "mac-address", "is-up"]),
      ),
    );
  }
  let member: string | undefined;
  if (m["has-vote"] || m["wants-vote"]) {
    member =
      m["has-vote"] && m["wants-vote"]
        ? "has-vote"
        : m["wants-vote"]
          ? "adding-vote"
          : "removing-vote";
  }
  return omitEmpty({
    "juju-status": statusInfo(m["agent-status"], opts, true),
    hostname: m.hostname,
    "dns-name": m["dns-name"],
    "ip-addresses": m["ip-addresses"] ?? undefined,
    "instance-id": m["instance-id"],
    "display-name": m["display-name"],
    "machine-status": statusInfo(m["instance-status"], opts),
    "modification-status": statusInfo(m["modification-status"], opts),
    base: m.base ? { name: m.base.name, channel: m.base.channel } : undefined,
    "network-interfaces": nics,
    containers,
    constraints: m.constraints,
    hardware: m.hardware,
    "controller-member-status": member,
    "ha-primary": m["primary-controller-machine"] ?? undefined,
  });
}

/**
 * A FullStatus result in the shape of `juju status --format json|yaml`.
 * Go maps are `Map`s (their keys may look like numbers, which a plain
 * object would reorder); the encoders below sort them as Go does.
 */
export function formatStatus(status: FullStatusView, opts: StatusFormatOptions): Out {
  const m = status.model;
  const relations = status.relations ?? [];
  const machines = new Map<string, Out>();
  for (const [id, mach] of Object.entries(status.machines ?? {}))
    machines.set(id, formatMachine(mach, opts));
  const applications = new Map<string, Out>();
  for (const [name, app] of Object.entries(status.applications ?? {}))
    applications.set(name, formatApplication(name, app, relations, opts));
  const saas = new Map<string, Out>();
  for (const [name, ra] of Object.entries(status["remote-applications"] ?? {})) {
    const endpoints = new Map<string, Out>();
    for (const ep of ra.endpoints ?? [])
      endpoints.set(ep.name, { interface: ep.interface, role: ep.role });
    saas.set(
      name,
      omitEmpty(
        {
          url: ra["offer-url"] ?? "",
          endpoints,
          life: ra.life,
          "application-status": statusInfo(ra.status, opts),
          relations: applicationRelations(name, relations),
        },
        new Set(["url", "application-status"]),
      ),
    );
  }
  const offers = new Map<string, Out>();
  for (const [name, o] of Object.entries(status.offers ?? {})) {
    const endpoints = new Map<string, Out>();
    for (const [alias, ep] of Object.entries(o.endpoints ?? {}))
      endpoints.set(alias, { interface: ep.interface, role: ep.role });
    offers.set(
      name,
      omitEmpty(
        {
          application: o["application-name"] ?? "",
          charm: o.charm,
          "total-connected-count": o["total-connected-count"],
          "active-connected-count": o["active-connected-count"],
          endpoints,
        },
        new Set(["application", "endpoints"]),
      ),
    );
  }
  const ts = status["controller-timestamp"] ? new Date(status["controller-timestamp"]) : undefined;
  return omitEmpty(
    {
      model: omitEmpty(
        {
          name: m.name,
          type: m.type ?? "",
          controller: opts.controller,
          cloud: untag(m["cloud-tag"], "cloud"),
          region: m.region,
          version: m.version,
          "upgrade-available": m["available-version"],
          "model-status": statusInfo(m["model-status"], opts),
          sla: m.sla,
        },
        new Set(["name", "type", "controller", "cloud", "version"]),
      ),
      machines,
      applications,
      "application-endpoints": saas,
      offers,
      controller:
        ts && !Number.isNaN(ts.getTime()) ? { timestamp: formatTimestamp(ts, opts) } : undefined,
    },
    new Set(["model", "machines", "applications"]),
  );
}

/** Go's `encoding/json` map order: keys sorted by their bytes. */
function byteLess(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON as Go's encoder writes it: structs in field order, maps sorted by key, one line. */
function goJson(value: unknown): string {
  if (value instanceof Map) {
    const keys = [...value.keys()].sort(byteLess);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${goJson(value.get(k))}`).join(",")}}`;
  }
  if (Array.isArray(value)) return `[${value.map(goJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const parts = Object.entries(value as Out).map(([k, v]) => `${JSON.stringify(k)}:${goJson(v)}`);
    return `{${parts.join(",")}}`;
  }
  return JSON.stringify(value);
}

/** `juju status --format json`. */
export function statusToJson(formatted: Out): string {
  return `${goJson(formatted)}\n`;
}

/** `juju status --format yaml`, written as go-yaml v2 writes it. */
export function statusToYaml(formatted: Out): string {
  return goYamlDocument(formatted as GoYamlValue);
}
