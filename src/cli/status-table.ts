/**
 * Renders a `Client.FullStatus` result the way `juju status` does: a model
 * line, then applications, units, machines and integrations.
 * @module
 */
import { renderTable } from "./table.js";

/** The parts of a FullStatus result that the status table shows. */
export interface StatusView {
  model: {
    name: string;
    "cloud-tag": string;
    region?: string;
    version: string;
    sla?: string;
    "model-status"?: { status?: string };
  };
  "controller-timestamp"?: string | null;
  applications?: Record<string, ApplicationView> | null;
  machines?: Record<string, MachineView> | null;
  relations?: RelationView[] | null;
}

interface DetailedStatus {
  status?: string;
  info?: string;
}

interface ApplicationView {
  charm: string;
  "charm-name"?: string;
  "charm-rev"?: number;
  "charm-channel"?: string;
  "workload-version"?: string;
  exposed?: boolean;
  status?: DetailedStatus;
  units?: Record<string, UnitView> | null;
  "subordinate-to"?: string[] | null;
}

interface UnitView {
  "workload-status"?: DetailedStatus;
  "agent-status"?: DetailedStatus;
  machine?: string;
  "public-address"?: string;
  "opened-ports"?: string[] | null;
  leader?: boolean;
  subordinates?: Record<string, UnitView> | null;
}

interface MachineView {
  "agent-status"?: DetailedStatus;
  "instance-status"?: DetailedStatus;
  "dns-name"?: string;
  "instance-id"?: string;
  base?: { name: string; channel: string };
  hardware?: string;
  containers?: Record<string, MachineView> | null;
}

interface RelationView {
  id: number;
  key: string;
  interface: string;
  scope?: string;
  endpoints?: { application: string; name: string; role: string }[] | null;
}

/** Charm name from a charm URL such as `ch:amd64/jammy/mysql-58`. */
function charmName(url: string): string {
  const last =
    url
      .replace(/^[a-z]+:/, "")
      .split("/")
      .pop() ?? url;
  return last.replace(/-\d+$/, "");
}

/** Strips the `cloud-` tag prefix. */
function untag(tag: string, kind: string): string {
  return tag.startsWith(`${kind}-`) ? tag.slice(kind.length + 1) : tag;
}

function zone(hardware: string | undefined): string {
  return /availability-zone=(\S+)/.exec(hardware ?? "")?.[1] ?? "";
}

/** ANSI colours of status values, grouped as the juju CLI groups them (`cmd/output`). */
const STATUS_COLOURS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    ["active", "running", "idle", "started", "executing", "attaching", "attached"].map((s) => [
      s,
      "32",
    ]),
  ),
  ...Object.fromEntries(
    [
      "allocating",
      "lost",
      "maintenance",
      "pending",
      "rebooting",
      "stopped",
      "unknown",
      "detaching",
      "detached",
    ].map((s) => [s, "33"]),
  ),
  ...Object.fromEntries(["blocked", "down", "error", "failed", "terminated"].map((s) => [s, "31"])),
};

/** A status value, coloured when `color` is on and Juju colours it. */
export function colourStatus(value: string, color: boolean): string {
  const code = color && Object.hasOwn(STATUS_COLOURS, value) ? STATUS_COLOURS[value] : undefined;
  return code ? `\u001b[${code}m${value}\u001b[0m` : value;
}

/** Options of {@link renderStatus}. */
export interface RenderStatusOptions {
  /** Colour status values (ANSI), as `juju status` does on a terminal. */
  color?: boolean;
}

/** Renders a status as `juju status` prints it (tabular format). */
export function renderStatus(
  status: StatusView,
  controllerName = "",
  options: RenderStatusOptions = {},
): string {
  const paint = (value: string) => colourStatus(value, options.color ?? false);
  const m = status.model;
  const cloud = untag(m["cloud-tag"], "cloud");
  const ts = status["controller-timestamp"]
    ? `${new Date(status["controller-timestamp"]).toISOString().slice(11, 19)}Z`
    : "";
  const sections = [
    renderTable(
      ["Model", "Controller", "Cloud/Region", "Version", "SLA", "Timestamp"],
      [
        [
          m.name,
          controllerName,
          m.region ? `${cloud}/${m.region}` : cloud,
          m.version,
          m.sla ?? "",
          ts,
        ],
      ],
    ),
  ];

  const apps = Object.entries(status.applications ?? {}).sort(([a], [b]) => a.localeCompare(b));
  // Subordinate units are listed under their principals, not under their own application.
  const subordinateCount = new Map<string, number>();
  for (const [, app] of apps) {
    for (const unit of Object.values(app.units ?? {})) {
      for (const sub of Object.keys(unit.subordinates ?? {})) {
        const owner = sub.split("/")[0] ?? sub;
        subordinateCount.set(owner, (subordinateCount.get(owner) ?? 0) + 1);
      }
    }
  }
  if (apps.length) {
    sections.push(
      renderTable(
        ["App", "Version", "Status", "Scale", "Charm", "Channel", "Rev", "Exposed", "Message"],
        apps.map(([name, app]) => [
          name,
          app["workload-version"] ?? "",
          paint(app.status?.status ?? ""),
          app["subordinate-to"]?.length
            ? (subordinateCount.get(name) ?? 0)
            : Object.keys(app.units ?? {}).length,
          app["charm-name"] || charmName(app.charm),
          app["charm-channel"] ?? "",
          app["charm-rev"] ?? "",
          app.exposed ? "yes" : "no",
          app.status?.info ?? "",
        ]),
      ),
    );
    const unitRows: string[][] = [];
    const pushUnit = (name: string, u: UnitView, indent: string) => {
      unitRows.push([
        `${indent}${name}${u.leader ? "*" : ""}`,
        paint(u["workload-status"]?.status ?? ""),
        paint(u["agent-status"]?.status ?? ""),
        u.machine ?? "",
        u["public-address"] ?? "",
        (u["opened-ports"] ?? []).join(","),
        u["workload-status"]?.info ?? "",
      ]);
      for (const [sub, su] of Object.entries(u.subordinates ?? {}))
        pushUnit(sub, su, `${indent}  `);
    };
    for (const [, app] of apps) {
      const units = Object.entries(app.units ?? {}).sort(([a], [b]) =>
        a.localeCompare(b, undefined, { numeric: true }),
      );
      for (const [name, u] of units) pushUnit(name, u, "");
    }
    if (unitRows.length) {
      sections.push(
        renderTable(
          ["Unit", "Workload", "Agent", "Machine", "Public address", "Ports", "Message"],
          unitRows,
        ),
      );
    }
  }

  const machineRows: string[][] = [];
  const pushMachine = (id: string, mach: MachineView) => {
    machineRows.push([
      id,
      paint(mach["agent-status"]?.status ?? ""),
      mach["dns-name"] ?? "",
      mach["instance-id"] ?? "",
      mach.base ? `${mach.base.name}@${mach.base.channel.split("/")[0]}` : "",
      zone(mach.hardware),
      mach["instance-status"]?.info ?? "",
    ]);
    const containers = Object.entries(mach.containers ?? {}).sort(([a], [b]) =>
      a.localeCompare(b, undefined, { numeric: true }),
    );
    for (const [cid, c] of containers) pushMachine(cid, c);
  };
  const machines = Object.entries(status.machines ?? {}).sort(([a], [b]) =>
    a.localeCompare(b, undefined, { numeric: true }),
  );
  for (const [id, mach] of machines) pushMachine(id, mach);
  if (machineRows.length) {
    sections.push(
      renderTable(["Machine", "State", "Address", "Inst id", "Base", "AZ", "Message"], machineRows),
    );
  }

  const rels = [...(status.relations ?? [])].sort((a, b) => a.id - b.id);
  if (rels.length) {
    sections.push(
      renderTable(
        ["Integration provider", "Requirer", "Interface", "Type", "Message"],
        rels.map((r) => {
          const eps = r.endpoints ?? [];
          const prov = eps.find((e) => e.role === "provider") ?? eps.find((e) => e.role === "peer");
          const req = eps.find((e) => e.role === "requirer") ?? prov;
          const type =
            eps.length === 1 ? "peer" : r.scope === "container" ? "subordinate" : "regular";
          return [
            prov ? `${prov.application}:${prov.name}` : "",
            req ? `${req.application}:${req.name}` : "",
            r.interface,
            type,
            "",
          ];
        }),
      ),
    );
  }
  return `${sections.join("\n\n")}\n`;
}
