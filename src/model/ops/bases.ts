/**
 * Bases (`ubuntu@22.04`) and the series names python-libjuju still accepts.
 * @module
 */
import { base as checkBase } from "../arg-check.js";
import { InvalidArgumentError } from "../errors.js";

/** A base as the API carries it: `{name: "ubuntu", channel: "22.04"}`. */
export interface Base {
  /** The OS, e.g. `ubuntu`. */
  name: string;
  /** The OS channel, e.g. `22.04` (optionally `/risk`). */
  channel: string;
}

/** A base given as `ubuntu@22.04` (optionally `/risk`), a series name (`jammy`), or the wire object. */
export type BaseSpec = string | Base;

// Ubuntu series Juju 3.6 knows (core/base/supportedseries.go).
const UBUNTU_SERIES: Readonly<Record<string, string>> = {
  xenial: "16.04",
  bionic: "18.04",
  focal: "20.04",
  jammy: "22.04",
  mantic: "23.10",
  noble: "24.04",
  oracular: "24.10",
  plucky: "25.04",
};

/** Parses a base spec; throws {@link InvalidArgumentError} for something that is neither a base nor a known series. */
export function parseBase(spec: BaseSpec, argument = "base"): Base {
  checkBase(spec, argument);
  if (typeof spec !== "string") return { name: spec.name, channel: spec.channel };
  const at = spec.indexOf("@");
  if (at > 0 && at < spec.length - 1 && !spec.includes("@", at + 1)) {
    return { name: spec.slice(0, at), channel: spec.slice(at + 1) };
  }
  // Own keys only: "toString" or "constructor" are not series.
  if (Object.hasOwn(UBUNTU_SERIES, spec)) return { name: "ubuntu", channel: UBUNTU_SERIES[spec]! };
  throw new InvalidArgumentError(
    argument,
    `invalid base ${JSON.stringify(spec)}: expected "<os>@<version>" (e.g. "ubuntu@22.04") or a series name`,
  );
}

/** `ubuntu@22.04`: a base without its risk. */
export function formatBase(base: Base): string {
  return `${base.name}@${trackOf(base.channel)}`;
}

/** The version part of a base channel (`22.04/stable` → `22.04`). */
export function trackOf(channel: string): string {
  const slash = channel.indexOf("/");
  return slash === -1 ? channel : channel.slice(0, slash);
}

/** True when two bases name the same OS version (risks are ignored). */
export function sameBase(a: Base, b: Base): boolean {
  return a.name === b.name && trackOf(a.channel) === trackOf(b.channel);
}
