/**
 * Model config checked as Juju 3.6 checks it on `ModelConfig.ModelSet`:
 * first the schema coercion of `environs/config/config.go`'s `configSchema`
 * (through `environschema.ValidationSchema` and `juju/schema` checkers:
 * strings stay strings, bools take Go's `ParseBool` strings, ints take
 * numbers and numeric strings, enumerated values must be one of a list),
 * then the checks of `config.Validate` on durations and sizes. Keys outside
 * the schema are kept as they are (Juju warns and preserves them) when their
 * value is a string, number, bool or list of strings. Messages are Go's.
 * @module
 */
import { ServerError } from "./errors.js";

type FieldType = "string" | "bool" | "int" | "attrs";

/** The field types of `configSchema` (plus the LXD provider's `project`), and enumerations. */
const FIELDS: Readonly<Record<string, { type: FieldType; values?: readonly string[] }>> = {
  "agent-metadata-url": { type: "string" },
  "agent-stream": { type: "string" },
  "agent-version": { type: "string" },
  "apt-ftp-proxy": { type: "string" },
  "apt-http-proxy": { type: "string" },
  "apt-https-proxy": { type: "string" },
  "apt-no-proxy": { type: "string" },
  "apt-mirror": { type: "string" },
  "authorized-keys": { type: "string" },
  "default-base": { type: "string" },
  development: { type: "bool" },
  "disable-network-management": { type: "bool" },
  "ignore-machine-addresses": { type: "bool" },
  "enable-os-refresh-update": { type: "bool" },
  "enable-os-upgrade": { type: "bool" },
  "extra-info": { type: "string" },
  "firewall-mode": { type: "string", values: ["instance", "global", "none"] },
  "ftp-proxy": { type: "string" },
  "http-proxy": { type: "string" },
  "https-proxy": { type: "string" },
  "no-proxy": { type: "string" },
  "juju-ftp-proxy": { type: "string" },
  "juju-http-proxy": { type: "string" },
  "juju-https-proxy": { type: "string" },
  "juju-no-proxy": { type: "string" },
  "snap-http-proxy": { type: "string" },
  "snap-https-proxy": { type: "string" },
  "snap-store-proxy": { type: "string" },
  "snap-store-assertions": { type: "string" },
  "snap-store-proxy-url": { type: "string" },
  "image-metadata-url": { type: "string" },
  "image-stream": { type: "string" },
  "image-metadata-defaults-disabled": { type: "bool" },
  "container-image-metadata-url": { type: "string" },
  "container-image-stream": { type: "string" },
  "container-image-metadata-defaults-disabled": { type: "bool" },
  "logging-config": { type: "string" },
  name: { type: "string" },
  "provisioner-harvest-mode": {
    type: "string",
    values: ["all", "none", "unknown", "destroyed"],
  },
  "num-provision-workers": { type: "int" },
  "num-container-provision-workers": { type: "int" },
  "proxy-ssh": { type: "bool" },
  "resource-tags": { type: "attrs" },
  "logforward-enabled": { type: "bool" },
  "syslog-host": { type: "string" },
  "syslog-ca-cert": { type: "string" },
  "syslog-client-cert": { type: "string" },
  "syslog-client-key": { type: "string" },
  "ssl-hostname-verification": { type: "bool" },
  "storage-default-block-source": { type: "string" },
  "storage-default-filesystem-source": { type: "string" },
  "test-mode": { type: "bool" },
  "disable-telemetry": { type: "bool" },
  mode: { type: "string" },
  "ssh-allow": { type: "string" },
  "saas-ingress-allow": { type: "string" },
  type: { type: "string" },
  uuid: { type: "string" },
  "automatically-retry-hooks": { type: "bool" },
  "transmit-vendor-metrics": { type: "bool" },
  "net-bond-reconfigure-delay": { type: "int" },
  "container-networking-method": { type: "string" },
  "max-status-history-age": { type: "string" },
  "max-status-history-size": { type: "string" },
  "max-action-results-age": { type: "string" },
  "max-action-results-size": { type: "string" },
  "update-status-hook-interval": { type: "string" },
  "egress-subnets": { type: "string" },
  "fan-config": { type: "string" },
  "cloudinit-userdata": { type: "string" },
  "container-inherit-properties": { type: "string" },
  "backup-dir": { type: "string" },
  "default-space": { type: "string" },
  "lxd-snap-channel": { type: "string" },
  "charmhub-url": { type: "string" },
  "logging-output": { type: "string" },
  "secret-backend": { type: "string" },
  "container-image-reference": { type: "string" },
  // The LXD provider's own field.
  project: { type: "string" },
};

/** Schema fields missing from `alwaysOptional`: `config.Validate` refuses them empty. */
const REQUIRED_NON_EMPTY = new Set(["name", "type", "uuid", "secret-backend"]);

/** Go's `%T(%#v)` of a value decoded from JSON into `interface{}` (numbers are float64). */
function goTyped(v: unknown): string {
  if (typeof v === "string") return `string(${JSON.stringify(v)})`;
  if (typeof v === "number") return `float64(${v})`;
  if (typeof v === "boolean") return `bool(${v})`;
  if (Array.isArray(v)) return "[]interface {}{...}";
  return "map[string]interface {}{...}";
}

/** `juju/schema`'s `error_`: `<key>: expected <want>, got <T>(<v>)` or `got nothing`. */
function expected(key: string, want: string, v: unknown): ServerError {
  if (v === null || v === undefined)
    return new ServerError(`${key}: expected ${want}, got nothing`);
  return new ServerError(`${key}: expected ${want}, got ${goTyped(v)}`);
}

/** `strconv.ParseBool`'s accepted strings. */
const GO_BOOLS: Readonly<Record<string, boolean>> = {
  "1": true,
  t: true,
  T: true,
  TRUE: true,
  true: true,
  True: true,
  "0": false,
  f: false,
  F: false,
  FALSE: false,
  false: false,
  False: false,
};

function coerce(key: string, type: FieldType, v: unknown): unknown {
  switch (type) {
    case "string":
      if (typeof v !== "string") throw expected(key, "string", v);
      return v;
    case "bool":
      if (typeof v === "boolean") return v;
      if (typeof v === "string" && Object.hasOwn(GO_BOOLS, v)) return GO_BOOLS[v];
      throw expected(key, "bool", v);
    case "int": {
      // schema.ForceInt: numbers (truncated), and strings strconv parses as an int or a float.
      if (typeof v === "number") return Math.trunc(v);
      if (typeof v === "string") {
        if (/^[-+]?(?:0|[1-9][0-9]*)$/.test(v)) return Number(v);
        if (/^[-+]?0[0-7]+$/.test(v)) return Number.parseInt(v, 8);
        if (/^[-+]?0[xX][0-9a-fA-F]+$/.test(v)) return Number(v.replace(/^([-+]?)0[xX]/, "$10x"));
        if (/^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(v))
          return Math.trunc(Number(v));
      }
      throw expected(key, "number", v);
    }
    case "attrs":
      // Tattrs: a string of key=value pairs (kept as the string here), a list or a map of strings.
      if (typeof v === "string" || Array.isArray(v) || (typeof v === "object" && v !== null))
        return v;
      throw new ServerError(`${key}: unexpected type for value, got ${goTyped(v)}`);
  }
}

const DURATION_UNITS = new Set(["ns", "us", "µs", "μs", "ms", "s", "m", "h"]);

/** `time.ParseDuration`'s errors; undefined when `s` parses. */
export function goDurationError(s: string): string | undefined {
  const quoted = JSON.stringify(s);
  let rest = s.replace(/^[-+]/, "");
  if (rest === "0") return undefined;
  if (rest === "") return `time: invalid duration ${quoted}`;
  while (rest !== "") {
    const num = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)/.exec(rest);
    if (num === null) return `time: invalid duration ${quoted}`;
    rest = rest.slice(num[0].length);
    const unit = /^[^0-9.]*/.exec(rest)?.[0] ?? "";
    if (unit === "") return `time: missing unit in duration ${quoted}`;
    if (!DURATION_UNITS.has(unit))
      return `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`;
    rest = rest.slice(unit.length);
  }
  return undefined;
}

/** `utils.ParseSize`'s errors; undefined when `s` parses. */
function goSizeError(s: string): string | undefined {
  const i = [...s].findIndex((c) => c !== "." && !/[0-9]/.test(c));
  let num = s;
  if (i > 0) {
    const suffix = s.slice(i);
    const ok = [..."MGTPEZY"].some(
      (b) => suffix === b || suffix === `${b}B` || suffix === `${b}iB`,
    );
    if (!ok) return `invalid multiplier suffix ${JSON.stringify(suffix)}, expected one of MGTPEZY`;
    num = s.slice(0, i);
  }
  if (!/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)$/.test(num))
    return `expected a non-negative number, got ${JSON.stringify(num)}`;
  return undefined;
}

/** `config.Validate`'s duration and size checks, with its annotations. */
const VALIDATED: ReadonlyArray<[key: string, kind: "duration" | "size", what: string]> = [
  ["max-status-history-age", "duration", "invalid max status history age in model configuration"],
  ["max-status-history-size", "size", "invalid max status history size in model configuration"],
  ["max-action-results-age", "duration", "invalid max action age in model configuration"],
  ["max-action-results-size", "size", "invalid max action size in model configuration"],
  [
    "update-status-hook-interval",
    "duration",
    "invalid update status hook interval in model configuration",
  ],
];

/**
 * Coerces and validates the attributes of a `ModelSet`, returning them as
 * Juju stores them (a bool given as `"true"` is stored as `true`); throws
 * Juju's error for the first bad value.
 */
export function validateModelSet(attrs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) {
    const field = FIELDS[k];
    if (field === undefined) {
      // ValidateUnknownAttrs: unknown fields are kept, if of a simple type.
      const simple =
        typeof v === "string" ||
        typeof v === "number" ||
        typeof v === "boolean" ||
        (Array.isArray(v) && v.every((x) => typeof x === "string"));
      if (!simple) throw new ServerError(`${k}: unknown type (${JSON.stringify(v)})`);
      out[k] = v;
      continue;
    }
    const c = coerce(k, field.type, v);
    if (field.values !== undefined && !field.values.includes(c as string)) {
      throw new ServerError(
        `${k}: expected one of [${field.values.join(" ")}], got ${JSON.stringify(c)}`,
      );
    }
    out[k] = c;
  }
  // config.Validate: a value that is empty ("", 0, no list) must be allowed to be (alwaysOptional).
  for (const [k, v] of Object.entries(out)) {
    const empty = v === "" || v === 0 || v === null || (Array.isArray(v) && v.length === 0);
    if (empty && (FIELDS[k] === undefined || REQUIRED_NON_EMPTY.has(k)))
      throw new ServerError(`empty ${k} in model configuration`);
  }
  for (const [k, kind, what] of VALIDATED) {
    const v = out[k];
    if (typeof v !== "string") continue;
    const err = kind === "duration" ? goDurationError(v) : goSizeError(v);
    if (err !== undefined) throw new ServerError(`${what}: ${err}`);
  }
  return out;
}
