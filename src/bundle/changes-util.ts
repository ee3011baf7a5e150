/**
 * Small pure helpers of the bundle planner: Juju's natural sort, bases and
 * series, charm URLs and unit placement directives as Juju 3.6 reads them.
 * @module
 */

const CHUNK = /(\d+|\D+)/g;

/**
 * Natural order as github.com/juju/naturalsort orders strings: runs of
 * digits compare as numbers, everything else byte-wise.
 */
export function naturalCompare(a: string, b: string): number {
  if (a === b) return 0;
  const ca = a.match(CHUNK) ?? [];
  const cb = b.match(CHUNK) ?? [];
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const x = ca[i] as string;
    const y = cb[i] as string;
    if (x === y) continue;
    const dx = x.charCodeAt(0) >= 48 && x.charCodeAt(0) <= 57;
    const dy = y.charCodeAt(0) >= 48 && y.charCodeAt(0) <= 57;
    if (dx && dy) {
      const nx = x.replace(/^0+(?=\d)/, "");
      const ny = y.replace(/^0+(?=\d)/, "");
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return nx < ny ? -1 : 1;
      // Same value, different zero padding: shorter first.
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return ca.length - cb.length;
}

/** Sorts a copy naturally. */
export function naturalSorted(values: Iterable<string>): string[] {
  return [...values].sort(naturalCompare);
}

/** Byte-wise string order, as Go's sort.Strings. */
export function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Ubuntu release versions and their series names. */
const UBUNTU_SERIES: Record<string, string> = {
  "12.04": "precise",
  "12.10": "quantal",
  "13.04": "raring",
  "13.10": "saucy",
  "14.04": "trusty",
  "14.10": "utopic",
  "15.04": "vivid",
  "15.10": "wily",
  "16.04": "xenial",
  "16.10": "yakkety",
  "17.04": "zesty",
  "17.10": "artful",
  "18.04": "bionic",
  "18.10": "cosmic",
  "19.04": "disco",
  "19.10": "eoan",
  "20.04": "focal",
  "20.10": "groovy",
  "21.04": "hirsute",
  "21.10": "impish",
  "22.04": "jammy",
  "22.10": "kinetic",
  "23.04": "lunar",
  "23.10": "mantic",
  "24.04": "noble",
  "24.10": "oracular",
  "25.04": "plucky",
};
const SERIES_UBUNTU: Record<string, string> = Object.fromEntries(
  Object.entries(UBUNTU_SERIES).map(([v, s]) => [s, v]),
);
const CENTOS_SERIES: Record<string, string> = { "7": "centos7", "8": "centos8", "9": "centos9" };

/**
 * A base as Juju prints it (`ubuntu@22.04/stable`): the risk defaults to
 * stable, as corebase.ParseBase normalises the channel.
 */
export function normaliseBase(base: string): string {
  if (base === "") return "";
  const at = base.indexOf("@");
  if (at < 0) return base;
  const os = base.slice(0, at);
  let channel = base.slice(at + 1);
  if (!channel.includes("/")) channel += "/stable";
  return `${os}@${channel}`;
}

/** The base for a legacy series name (`jammy` → `ubuntu@22.04/stable`); "" when unknown. */
export function baseFromSeries(series: string): string {
  const version = SERIES_UBUNTU[series];
  if (version) return `ubuntu@${version}/stable`;
  for (const [v, s] of Object.entries(CENTOS_SERIES)) if (s === series) return `centos@${v}/stable`;
  if (series === "kubernetes") return "ubuntu@20.04/stable";
  return "";
}

/** The series name of a base (`ubuntu@22.04/stable` → `jammy`); "" when it has none. */
export function seriesFromBase(base: string): string {
  const at = base.indexOf("@");
  if (at < 0) return "";
  const os = base.slice(0, at);
  const track = (base.slice(at + 1).split("/")[0] ?? "").trim();
  if (os === "ubuntu") return UBUNTU_SERIES[track] ?? "";
  if (os === "centos") return CENTOS_SERIES[track] ?? "";
  return "";
}

const ARCHES = new Set(["amd64", "arm64", "ppc64el", "s390x", "riscv64", "i386", "armhf"]);
const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$/;

/** A charm URL as charm.ParseURL reads it (Juju 3.6: ch: and local: only). */
export interface CharmURLParts {
  schema: "ch" | "local";
  name: string;
  series: string;
  architecture: string;
  revision: number;
}

/**
 * Parses a charm URL or Charmhub name; undefined when Juju's ParseURL would
 * fail (local paths, removed cs: URLs), in which case Juju shows the string
 * as it is.
 */
export function parseCharmURL(url: string): CharmURLParts | undefined {
  // A path is a local charm directory or archive, never a URL.
  if (url.startsWith(".") || url.startsWith("/")) return undefined;
  let schema: "ch" | "local" = "ch";
  let rest = url;
  const colon = url.indexOf(":");
  if (colon >= 0) {
    const s = url.slice(0, colon);
    if (s !== "ch" && s !== "local") return undefined;
    schema = s;
    rest = url.slice(colon + 1);
  }
  const parts = rest.split("/");
  if (parts.length > 3 || parts.some((p) => p === "")) return undefined;
  let last = parts[parts.length - 1] as string;
  let revision = -1;
  const rev = /-(\d+)$/.exec(last);
  if (rev) {
    revision = Number(rev[1]);
    last = last.slice(0, rev.index);
  }
  if (!NAME.test(last)) return undefined;
  let architecture = "";
  let series = "";
  if (parts.length === 3) {
    architecture = parts[0] as string;
    series = parts[1] as string;
  } else if (parts.length === 2) {
    if (schema === "ch") architecture = parts[0] as string;
    else series = parts[0] as string;
  }
  if (architecture !== "" && !ARCHES.has(architecture)) return undefined;
  if (series !== "" && !/^[a-z]+[a-z0-9]*$/.test(series)) return undefined;
  return { schema, name: last, series, architecture, revision };
}

/** Where Juju says a charm comes from, for descriptions. */
export function storeLocation(schema: string): string {
  return schema === "ch" ? "charm-hub" : schema === "local" ? "local" : "";
}

/** A unit placement directive as charm.ParsePlacement reads it. */
export interface UnitPlacement {
  containerType: string;
  /** A machine number, `new`, or "". */
  machine: string;
  application: string;
  /** The unit number, or -1. */
  unit: number;
}

const NUMBER = "(?:0|[1-9][0-9]*)";
const PLACEMENT = new RegExp(
  `^(?:([a-z]+):)?(?:([a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*)(?:/(${NUMBER}))?|(${NUMBER}))$`,
);

/** Parses a `to:` directive as charm.ParsePlacement does; undefined when invalid. */
export function parsePlacement(directive: string): UnitPlacement | undefined {
  const m = PLACEMENT.exec(directive);
  if (!m) return undefined;
  const p: UnitPlacement = {
    containerType: m[1] ?? "",
    machine: m[4] ?? "",
    application: m[2] ?? "",
    unit: m[3] === undefined ? -1 : Number(m[3]),
  };
  // `new` reads as an application name and means a new machine.
  if (p.application === "new") {
    if (p.unit !== -1) return undefined;
    p.machine = "new";
    p.application = "";
  }
  return p;
}

/** A machine id's container type (`0/lxd/1` → `lxd`), "" for a top-level machine. */
export function machineContainerType(id: string): string {
  const parts = id.split("/");
  return parts.length >= 3 ? (parts[parts.length - 2] as string) : "";
}

/** A container's parent machine id (`0/lxd/1` → `0`). */
export function machineParent(id: string): string {
  const parts = id.split("/");
  return parts.length >= 3 ? parts.slice(0, -2).join("/") : "";
}

/** The top-level machine of a machine or container id. */
export function topLevelMachine(id: string): string {
  return id.split("/")[0] ?? id;
}

/** The architecture named by a constraints string (`arch=arm64`), or "". */
export function archFromConstraints(constraints: string | undefined): string {
  if (!constraints) return "";
  for (const term of constraints.split(/\s+/)) {
    if (term.startsWith("arch=")) return term.slice(5);
  }
  return "";
}

/** Go's %q for the plain strings the planner quotes. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}
