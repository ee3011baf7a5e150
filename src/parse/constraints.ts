/**
 * Juju's constraints language (`core/constraints`): `"mem=4G cores=2
 * spaces=db,^admin"` ⇄ the wire `constraints` object.
 * @module
 */
import { describe } from "./describe-value.js";
import { ParseError } from "./errors.js";

/** A constraints value as sent on the wire (`params.Value`); sizes are MiB. */
export interface Constraints {
  /** CPU architecture, e.g. `amd64`. */
  arch?: string;
  /** Container type to run in (`lxd`, `kvm`; `none` for a machine). */
  container?: string;
  /** Minimum number of CPU cores. */
  cores?: number;
  /** Minimum CPU speed, where 100 is one Amazon ECU (roughly one 2007-era Xeon core). */
  "cpu-power"?: number;
  /** Minimum memory in MiB. */
  mem?: number;
  /** Minimum root disk size in MiB. */
  "root-disk"?: number;
  /** Where the root disk comes from (a storage pool or provider-specific source). */
  "root-disk-source"?: string;
  /** Provider tags the machine must have (`^tag` excludes one). */
  tags?: string[];
  /** The cloud role (e.g. an AWS instance profile) the machine gets. */
  "instance-role"?: string;
  /** A provider instance type, e.g. `m5.large`. */
  "instance-type"?: string;
  /** Network spaces the machine must (or with `^`, must not) be in. */
  spaces?: string[];
  /** Virtualisation type, e.g. `virtual-machine` for LXD VMs. */
  "virt-type"?: string;
  /** Availability zones to choose from. */
  zones?: string[];
  /** Whether to give the machine a public IP. */
  "allocate-public-ip"?: boolean;
  /** A provider image id to boot from. */
  "image-id"?: string;
}

/** Architectures Juju 3.6 accepts (`core/arch`). */
export const SUPPORTED_ARCHES = ["amd64", "arm64", "ppc64el", "s390x", "riscv64"] as const;
/** Container types accepted by the `container` constraint (`none` means "not in a container"). */
export const CONTAINER_TYPES = ["none", "lxd", "kvm"] as const;

/** How a constraint's value is written and carried (`uint`/`size` are Go uint64s, sizes in MiB). */
export type ConstraintKind = "string" | "uint" | "size" | "list" | "bool";
/** Every constraint name Juju 3.6 knows, with its kind. */
export const CONSTRAINT_KINDS: Readonly<Record<keyof Constraints, ConstraintKind>> = {
  arch: "string",
  container: "string",
  cores: "uint",
  "cpu-power": "uint",
  mem: "size",
  "root-disk": "size",
  "root-disk-source": "string",
  tags: "list",
  "instance-role": "string",
  "instance-type": "string",
  spaces: "list",
  "virt-type": "string",
  zones: "list",
  "allocate-public-ip": "bool",
  "image-id": "string",
};
// Output order of Juju's Value.String().
const ORDER: (keyof Constraints)[] = [
  "arch",
  "container",
  "cores",
  "cpu-power",
  "instance-role",
  "instance-type",
  "mem",
  "root-disk",
  "root-disk-source",
  "tags",
  "spaces",
  "virt-type",
  "zones",
  "allocate-public-ip",
  "image-id",
];
const KEYS = CONSTRAINT_KINDS;
const ALIASES: Readonly<Record<string, keyof Constraints>> = { "cpu-cores": "cores" };
const SIZE_SUFFIX: Record<string, number> = { M: 1, G: 1024, T: 1024 ** 2, P: 1024 ** 3 };
const DECIMAL = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPACE_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function isKey(name: string): name is keyof Constraints {
  return Object.hasOwn(KEYS, name);
}

/**
 * Parses one or more constraints strings (`name=value` pairs separated by
 * spaces; a value may contain `\ ` for a space). A name given twice, an
 * unknown name or a bad value throws a {@link ParseError} naming that part.
 */
export function parseConstraints(...args: string[]): Constraints {
  const out: Constraints = {};
  args.forEach((a, i) => {
    if (typeof a !== "string")
      throw new ParseError(
        "constraints",
        describe(a),
        describe(a),
        `argument ${i + 1} must be a string, got ${describe(a)}`,
      );
  });
  const input = args.join(" ");
  const fail = (part: string, reason: string): never => {
    throw new ParseError("constraints", input, part, reason);
  };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters
  const control = /[\u0000-\u001f\u007f-\u009f]/.exec(input);
  if (control) fail(input, `control character ${JSON.stringify(control[0])} not allowed`);
  for (const arg of args) {
    for (const token of arg.replaceAll("\\ ", "\0").trim().split(" ")) {
      const raw = token.replaceAll("\0", " ").trim();
      if (raw === "") continue;
      const eq = raw.indexOf("=");
      if (eq <= 0) fail(raw, `malformed constraint ${JSON.stringify(raw)}`);
      const given = raw.slice(0, eq);
      const value = raw.slice(eq + 1);
      const name = Object.hasOwn(ALIASES, given) ? ALIASES[given]! : given;
      if (!isKey(name)) return fail(raw, `unknown constraint ${JSON.stringify(given)}`);
      const bad = (reason: string) =>
        fail(raw, `bad ${JSON.stringify(given)} constraint: ${reason}`);
      if (out[name] !== undefined) bad("already set");
      setValue(out, name, value, bad);
    }
  }
  return out;
}

function setValue(
  out: Constraints,
  name: keyof Constraints,
  value: string,
  bad: (r: string) => never,
): void {
  const target = out as Record<string, unknown>;
  switch (KEYS[name]) {
    case "uint": {
      if (value !== "" && !/^\d+$/.test(value)) bad("must be a non-negative integer");
      const n = value === "" ? 0 : Number(value);
      // Juju carries a uint64; past 2^53 a JavaScript number is no longer exact.
      if (!Number.isSafeInteger(n))
        bad(`${value} is too large (at most ${Number.MAX_SAFE_INTEGER})`);
      target[name] = n;
      return;
    }
    case "size": {
      let num = value;
      let mult = 1;
      const suffix = SIZE_SUFFIX[value.slice(-1)];
      if (value !== "" && suffix !== undefined) {
        num = value.slice(0, -1);
        mult = suffix;
      }
      if (value !== "" && !DECIMAL.test(num))
        bad("must be a non-negative float with optional M/G/T/P suffix");
      const n = value === "" ? 0 : Number(num);
      const mib = Math.ceil(n * mult);
      // 1e400 is Infinity, which JSON would send as null: no constraint at all.
      if (!Number.isSafeInteger(mib))
        bad(`${value} is too large (at most ${Number.MAX_SAFE_INTEGER}M)`);
      target[name] = mib;
      return;
    }
    case "list": {
      const items = value === "" ? [] : value.split(",");
      if (name === "spaces") {
        for (const s of items) {
          const space = s.startsWith("^") ? s.slice(1) : s;
          if (!SPACE_NAME.test(space)) bad(`${JSON.stringify(space)} is not a valid space name`);
        }
      }
      target[name] = items;
      return;
    }
    case "bool": {
      if (value === "") return; // Juju ignores an empty allocate-public-ip.
      const b = parseGoBool(value);
      if (b === undefined) bad("must be 'true' or 'false'");
      target[name] = b;
      return;
    }
    case "string": {
      if (
        name === "arch" &&
        value !== "" &&
        !(SUPPORTED_ARCHES as readonly string[]).includes(value)
      ) {
        bad(`${JSON.stringify(value)} not recognized`);
      }
      if (
        name === "container" &&
        value !== "" &&
        !(CONTAINER_TYPES as readonly string[]).includes(value)
      ) {
        bad(`invalid container type ${JSON.stringify(value)}`);
      }
      target[name] = value;
      return;
    }
  }
}

// strconv.ParseBool's accepted spellings.
function parseGoBool(s: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  return undefined;
}

/** Formats constraints the way Juju prints them (`arch=amd64 cores=2 mem=4096M`). */
export function formatConstraints(c: Constraints): string {
  const parts: string[] = [];
  for (const key of ORDER) {
    const v = c[key];
    if (v === undefined) continue;
    let s: string;
    if (Array.isArray(v)) s = v.join(",");
    else if (KEYS[key] === "size") s = v === 0 ? "" : `${v}M`;
    else if (KEYS[key] === "uint") s = v === 0 ? "" : String(v);
    else s = String(v);
    parts.push(`${key}=${s}`.replaceAll(" ", "\\ "));
  }
  return parts.join(" ");
}
