/**
 * Bases, series and architectures as Juju names them.
 *
 * The series table follows `core/base/supported.go` (juju/juju 3.6): every
 * Ubuntu series Juju knows with its version and LTS flag, the CentOS series,
 * and the legacy `kubernetes` pseudo-series of early Kubernetes charms.
 * @module
 */

/** An OS base a charm runs on, e.g. `{name: "ubuntu", channel: "22.04"}`. */
export interface CharmBase {
  /** OS name: `ubuntu`, `centos`, or `kubernetes` for the legacy pseudo-series. */
  name: string;
  /** OS version (the channel's track only, never a risk): `22.04`. */
  channel: string;
  /** Architectures the charm is built for on this base, normalised (`arm64`, not `aarch64`). */
  architectures?: string[];
}

interface SeriesVersion {
  os: string;
  version: string;
  lts: boolean;
}

// core/base/supported.go: ubuntuSeries + centosSeries (3.6); kubernetes from
// the kubernetesSeries table used by legacy k8s charms.
const SERIES: Readonly<Record<string, SeriesVersion>> = {
  precise: { os: "ubuntu", version: "12.04", lts: false },
  quantal: { os: "ubuntu", version: "12.10", lts: false },
  raring: { os: "ubuntu", version: "13.04", lts: false },
  saucy: { os: "ubuntu", version: "13.10", lts: false },
  trusty: { os: "ubuntu", version: "14.04", lts: true },
  utopic: { os: "ubuntu", version: "14.10", lts: false },
  vivid: { os: "ubuntu", version: "15.04", lts: false },
  wily: { os: "ubuntu", version: "15.10", lts: false },
  xenial: { os: "ubuntu", version: "16.04", lts: true },
  yakkety: { os: "ubuntu", version: "16.10", lts: false },
  zesty: { os: "ubuntu", version: "17.04", lts: false },
  artful: { os: "ubuntu", version: "17.10", lts: false },
  bionic: { os: "ubuntu", version: "18.04", lts: true },
  cosmic: { os: "ubuntu", version: "18.10", lts: false },
  disco: { os: "ubuntu", version: "19.04", lts: false },
  eoan: { os: "ubuntu", version: "19.10", lts: false },
  focal: { os: "ubuntu", version: "20.04", lts: true },
  groovy: { os: "ubuntu", version: "20.10", lts: false },
  hirsute: { os: "ubuntu", version: "21.04", lts: false },
  impish: { os: "ubuntu", version: "21.10", lts: false },
  jammy: { os: "ubuntu", version: "22.04", lts: true },
  kinetic: { os: "ubuntu", version: "22.10", lts: false },
  lunar: { os: "ubuntu", version: "23.04", lts: false },
  mantic: { os: "ubuntu", version: "23.10", lts: false },
  noble: { os: "ubuntu", version: "24.04", lts: true },
  centos7: { os: "centos", version: "7", lts: false },
  centos9: { os: "centos", version: "9", lts: false },
  kubernetes: { os: "kubernetes", version: "kubernetes", lts: false },
};

/**
 * The Ubuntu bases a Juju 3.6 controller deploys workloads on (focal, jammy,
 * noble: the `Supported`/`ESMSupported` rows of the table), newest first.
 */
export const SUPPORTED_UBUNTU_CHANNELS: readonly string[] = ["24.04", "22.04", "20.04"];

/** The base Juju 3.6 picks when nothing else decides (`DefaultSupportedLTSBase`). */
export const DEFAULT_BASE: Readonly<CharmBase> = { name: "ubuntu", channel: "24.04" };

/** Maps a series name (`jammy`) to its base (`ubuntu@22.04`); `undefined` when Juju does not know it. */
export function seriesToBase(series: string): CharmBase | undefined {
  const v = SERIES[series];
  return v ? { name: v.os, channel: v.version } : undefined;
}

/** Maps a base back to its series name (`ubuntu@22.04` → `jammy`), as v6 charm URLs need. */
export function baseToSeries(base: { name: string; channel: string }): string | undefined {
  const track = base.channel.split("/")[0];
  for (const [name, v] of Object.entries(SERIES)) {
    if (v.os === base.name && v.version === track) return name;
  }
  return undefined;
}

/**
 * Whether a base is an LTS release. Known series use the table; newer Ubuntu
 * releases follow Ubuntu's rule (even year, April release).
 */
export function isLtsBase(base: { name: string; channel: string }): boolean {
  if (base.name !== "ubuntu") return false;
  const track = base.channel.split("/")[0] ?? "";
  const known = Object.values(SERIES).find((v) => v.os === "ubuntu" && v.version === track);
  if (known) return known.lts;
  const m = /^(\d+)\.04$/.exec(track);
  return m !== null && Number(m[1]) % 2 === 0;
}

// juju/utils/arch: the aliases NormaliseArch folds onto Juju's names.
const ARCH_ALIASES: readonly [RegExp, string][] = [
  [/^(amd64|x86_64)$/, "amd64"],
  [/^i?[3-9]86$/, "i386"],
  [/^(arm|armv.*)$/, "armhf"],
  [/^(arm64|aarch64)$/, "arm64"],
  [/^(ppc64el|ppc64le)$/, "ppc64el"],
  [/^s390x$/, "s390x"],
  [/^(riscv64|risc$|risc-[vV]64)$/, "riscv64"],
];

/** Normalises an architecture name the way Juju does (`aarch64` → `arm64`, `x86_64` → `amd64`). */
export function normaliseArch(arch: string): string {
  const a = arch.trim();
  for (const [re, name] of ARCH_ALIASES) if (re.test(a)) return name;
  return a;
}

/**
 * Parses a base string such as `ubuntu@22.04` or `ubuntu@22.04/stable`.
 * Returns `undefined` when the string has no single `@` or an empty part.
 */
export function parseBaseString(s: string): { name: string; channel: string } | undefined {
  const parts = s.split("@");
  if (parts.length !== 2) return undefined;
  const name = (parts[0] ?? "").toLowerCase();
  const track = (parts[1] ?? "").split("/")[0] ?? "";
  if (name === "" || track === "") return undefined;
  return { name, channel: track };
}

/** Formats a base as Juju displays it: `ubuntu@22.04`. */
export function formatBase(base: { name: string; channel: string }): string {
  return `${base.name}@${base.channel}`;
}

/** Compares two version channels numerically (`20.04` < `22.04` < `24.04`). */
export function compareBaseChannels(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (Number.isNaN(x) || Number.isNaN(y)) return a < b ? -1 : a > b ? 1 : 0;
    if (x !== y) return x - y;
  }
  return 0;
}
