/**
 * Series names ⇄ bases (`jammy` ⇄ `ubuntu@22.04`), as Juju 3.6's core/base
 * converts them for bundles that still say `series:`. Pure: shared by the
 * bundle parser and planner.
 * @module
 */

// Juju 3.6's series table (core/os/series): Ubuntu releases and CentOS.
const SERIES_BASES: Readonly<Record<string, readonly [os: string, version: string]>> = {
  precise: ["ubuntu", "12.04"],
  quantal: ["ubuntu", "12.10"],
  raring: ["ubuntu", "13.04"],
  saucy: ["ubuntu", "13.10"],
  trusty: ["ubuntu", "14.04"],
  utopic: ["ubuntu", "14.10"],
  vivid: ["ubuntu", "15.04"],
  wily: ["ubuntu", "15.10"],
  xenial: ["ubuntu", "16.04"],
  yakkety: ["ubuntu", "16.10"],
  zesty: ["ubuntu", "17.04"],
  artful: ["ubuntu", "17.10"],
  bionic: ["ubuntu", "18.04"],
  cosmic: ["ubuntu", "18.10"],
  disco: ["ubuntu", "19.04"],
  eoan: ["ubuntu", "19.10"],
  focal: ["ubuntu", "20.04"],
  groovy: ["ubuntu", "20.10"],
  hirsute: ["ubuntu", "21.04"],
  impish: ["ubuntu", "21.10"],
  jammy: ["ubuntu", "22.04"],
  kinetic: ["ubuntu", "22.10"],
  lunar: ["ubuntu", "23.04"],
  mantic: ["ubuntu", "23.10"],
  noble: ["ubuntu", "24.04"],
  oracular: ["ubuntu", "24.10"],
  plucky: ["ubuntu", "25.04"],
  centos7: ["centos", "7"],
  centos8: ["centos", "8"],
  centos9: ["centos", "9"],
};

/** A base split into its parts: `ubuntu@22.04/stable` → `{os: "ubuntu", track: "22.04", risk: "stable"}`. */
export interface ParsedBase {
  /** The OS name, e.g. `ubuntu`. */
  os: string;
  /** The OS version (the channel's track). */
  track: string;
  /** The channel's risk; `stable` when the base did not say. */
  risk: string;
  /** The channel's branch, when given. */
  branch?: string;
}

const RISKS = ["stable", "candidate", "beta", "edge"];
const VALID_OS = ["ubuntu", "centos", "windows", "osx", "opensuse", "genericlinux"];

/**
 * Parses a base string as Juju's charm.ParseBase does (`os@track[/risk[/branch]]`,
 * the OS one Juju knows). Returns an error message instead of throwing.
 */
export function parseBaseString(s: string):
  | ParsedBase
  | {
      /** Why the text did not parse. */
      error: string;
    } {
  const segments = s.split("@");
  if (segments.length !== 2) {
    return { error: `base string must contain exactly one @. ${JSON.stringify(s)} not valid` };
  }
  const os = (segments[0] as string).toLowerCase();
  const channel = segments[1] as string;
  const invalid = (why: string) => ({ error: `invalid base string ${JSON.stringify(s)}: ${why}` });
  if (os === "") return invalid("base without name not valid");
  if (!VALID_OS.includes(os)) return invalid(`os ${JSON.stringify(os)} not valid`);
  if (channel === "") return invalid("channel not valid");
  const p = channel.split("/");
  let track = "";
  let risk = "";
  let branch: string | undefined;
  if (p.length === 1) {
    if (RISKS.includes(p[0] as string)) risk = p[0] as string;
    else track = p[0] as string;
  } else if (p.length === 2) {
    if (RISKS.includes(p[0] as string)) [risk, branch] = [p[0] as string, p[1]];
    else [track, risk] = [p[0] as string, p[1] as string];
  } else if (p.length === 3) {
    [track, risk, branch] = [p[0] as string, p[1] as string, p[2]];
  } else {
    return invalid(`channel is malformed and has too many components ${JSON.stringify(channel)}`);
  }
  const bad = `malformed channel in base string ${JSON.stringify(s)}`;
  if (p.length > 1 && !RISKS.includes(risk)) {
    return { error: `${bad}: risk in channel ${JSON.stringify(channel)} not valid` };
  }
  if (p.length > 1 && p.length === 3 && track === "") {
    return { error: `${bad}: track in channel ${JSON.stringify(channel)} not valid` };
  }
  if (branch !== undefined && branch === "") {
    return { error: `${bad}: branch in channel ${JSON.stringify(channel)} not valid` };
  }
  const out: ParsedBase = { os, track, risk: risk || "stable" };
  if (branch) out.branch = branch;
  return out;
}

/** The series of a base (`ubuntu@22.04/stable` → `jammy`), or undefined when Juju has no series for it. */
export function seriesForBase(base: string): string | undefined {
  const b = parseBaseString(base);
  if ("error" in b) return undefined;
  for (const [series, [os, version]] of Object.entries(SERIES_BASES)) {
    if (os === b.os && version === b.track) return series;
  }
  return undefined;
}

/** The base of a series (`jammy` → `ubuntu@22.04`), or undefined for an unknown series. */
export function baseForSeries(series: string): string | undefined {
  const b = SERIES_BASES[series];
  return b ? `${b[0]}@${b[1]}` : undefined;
}

/** True when `series` is a series name Juju 3.6 knows. */
export function isKnownSeries(series: string): boolean {
  return Object.hasOwn(SERIES_BASES, series);
}
