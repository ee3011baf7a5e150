/**
 * Decoding of request params with the errors Go's `encoding/json` gives when a
 * value does not fit the Go struct (`json: cannot unmarshal …`). Unknown keys
 * are ignored and keys match case-insensitively, as in Go.
 * @module
 */
import { ServerError } from "./errors.js";

/**
 * A params value Go's decoder rejects. Juju decodes the whole params before
 * the method runs, so this fails the call (a top-level RPC error with an
 * empty code), never one item of a bulk reply.
 */
export class DecodeError extends ServerError {}

/** The JSON kind of a value, as Go names it in unmarshal errors. */
function jsonKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return "number";
  if (typeof v === "string") return "string";
  return "object";
}

/**
 * Builds Go's `*json.UnmarshalTypeError` message. Go names a number with its
 * text only when the number itself is wrong for the type (a fraction into an
 * int, a negative into a uint64, an overflow); a number where a string,
 * bool, array or object belongs is just `number`.
 */
function typeError(value: unknown, goStruct: string, path: string, goType: string): ServerError {
  const what = jsonKind(value);
  return path === ""
    ? new DecodeError(`json: cannot unmarshal ${jsonKind(value)} into Go value of type ${goType}`)
    : new DecodeError(
        `json: cannot unmarshal ${what} into Go struct field ${goStruct}.${path} of type ${goType}`,
      );
}

/** Go's `encoding/json` key matching: case-insensitive, and the last matching key wins. */
export function goField(obj: Record<string, unknown>, name: string): unknown {
  // Each decoded object is read field by field (a request header alone takes
  // ~10 lookups), so its keys are lower-cased once and kept for the object's life.
  let fields = loweredKeys.get(obj);
  if (!fields) {
    fields = new Map();
    for (const [k, v] of Object.entries(obj)) fields.set(k.toLowerCase(), v);
    loweredKeys.set(obj, fields);
  }
  return fields.get(name.toLowerCase());
}

const loweredKeys = new WeakMap<object, Map<string, unknown>>();

/** A view of one JSON object of the params, reading fields with Go's rules. */
export class Fields {
  private readonly obj: Record<string, unknown>;
  constructor(
    value: unknown,
    /** Go struct name, e.g. `params.Entities` (for messages). */
    goType: string,
    /** JSON path of this object inside the top-level params (for messages). */
    private readonly path = "",
    /** Top-level Go struct name for field errors (`Entities` in `Entities.entities.tag`). */
    private readonly root = goType.replace(/^params\./, ""),
  ) {
    if (value === null || value === undefined) {
      this.obj = {};
    } else if (typeof value !== "object" || Array.isArray(value)) {
      throw typeError(value, this.root, path, goType);
    } else {
      this.obj = value as Record<string, unknown>;
    }
  }

  /** The raw value of a key, matched case-insensitively; the last matching key wins, as in Go. */
  raw(name: string): unknown {
    return goField(this.obj, name);
  }

  private at(name: string): string {
    return this.path === "" ? name : `${this.path}.${name}`;
  }

  /** A string field (`""` when absent or null). */
  string(name: string): string {
    const v = this.raw(name);
    if (v === undefined || v === null) return "";
    if (typeof v !== "string") throw typeError(v, this.root, this.at(name), "string");
    return v;
  }

  /** A boolean field, or undefined when absent or null (Go's `*bool`). */
  optBool(name: string): boolean | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") throw typeError(v, this.root, this.at(name), "bool");
    return v;
  }

  /** An integer field (Go `int`/`int64`: fractions and overflows refused), or undefined when absent or null. */
  optInt(name: string, goType = "int"): number | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null) return undefined;
    // Named integer types (`params.StorageKind`, `time.Duration`) are Go ints.
    checkGo(
      v,
      Object.hasOwn(INT_RANGES, goType) ? goType : "int",
      this.root,
      this.at(name),
      goType,
    );
    return v as number;
  }

  /** A Go `uint64` field (negatives, fractions and overflows refused), or undefined when absent or null. */
  optUint64(name: string): number | undefined {
    return this.optInt(name, "uint64");
  }

  /**
   * A struct field decoded with Go's rules for the given field types (see
   * {@link GoStruct}): `{}` when absent or null; each present field must fit
   * its Go type. Unknown keys are dropped, as Go ignores them.
   */
  struct(name: string, shape: GoStruct): Record<string, unknown> {
    const v = this.raw(name);
    if (v === undefined || v === null) return {};
    return decodeStruct(v, shape, this.root, this.at(name));
  }

  /** A `map[string]<struct>` field, each value decoded as {@link struct}. */
  structMap(name: string, shape: GoStruct): Record<string, Record<string, unknown>> {
    const v = this.raw(name);
    if (v === undefined || v === null) return {};
    if (typeof v !== "object" || Array.isArray(v))
      throw typeError(v, this.root, this.at(name), `map[string]${shape.name}`);
    const out: Record<string, Record<string, unknown>> = {};
    for (const [k, item] of Object.entries(v)) {
      out[k] = item === null ? {} : decodeStruct(item, shape, this.root, this.at(name));
    }
    return out;
  }

  /** A list of strings (`[]` when absent or null). */
  strings(name: string): string[] {
    const v = this.raw(name);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw typeError(v, this.root, this.at(name), "[]string");
    return v.map((item) => {
      if (typeof item !== "string") throw typeError(item, this.root, this.at(name), "string");
      return item;
    });
  }

  /** A list of objects (`[]` when absent or null), each as {@link Fields}. */
  objects(name: string, goType: string): Fields[] {
    const v = this.raw(name);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw typeError(v, this.root, this.at(name), `[]${goType}`);
    return v.map((item) => new Fields(item, goType, this.at(name), this.root));
  }

  /** A free-form map (`map[string]interface{}`), `{}` when absent or null. */
  map(name: string): Record<string, unknown> {
    const v = this.raw(name);
    if (v === undefined || v === null) return {};
    if (typeof v !== "object" || Array.isArray(v)) {
      throw typeError(v, this.root, this.at(name), "map[string]interface {}");
    }
    return v as Record<string, unknown>;
  }
}

/** Go's error for a number that does not fit an integer type: it quotes the number. */
function numberError(value: number, goStruct: string, path: string, goType: string): ServerError {
  return path === ""
    ? new DecodeError(
        `json: cannot unmarshal number ${goNumber(value)} into Go value of type ${goType}`,
      )
    : new DecodeError(
        `json: cannot unmarshal number ${goNumber(value)} into Go struct field ${goStruct}.${path} of type ${goType}`,
      );
}

/** Go's rendering of a float64 in messages (`1e+30`, not `1e30`). */
function goNumber(v: number): string {
  return String(v).replace(
    /e([+-]?)(\d+)$/,
    (_m, sign: string, exp: string) => `e${sign || "+"}${exp}`,
  );
}

const INT_RANGES: Record<string, [number, number]> = {
  int: [-(2 ** 63), 2 ** 63],
  int64: [-(2 ** 63), 2 ** 63],
  "time.Duration": [-(2 ** 63), 2 ** 63],
  uint64: [0, 2 ** 64],
};

/**
 * Checks a JSON value against a Go scalar or list type as `encoding/json`
 * would: kinds must match, integers must be whole and in range (a uint64
 * takes no negative number). The upper bounds are exclusive: JSON numbers
 * past them overflow in Go.
 */
function checkGo(v: unknown, goType: string, root: string, path: string, typeName = goType): void {
  if (v === null) return; // null leaves Go's zero value
  const range = INT_RANGES[goType];
  if (range !== undefined) {
    if (typeof v !== "number") throw typeError(v, root, path, typeName);
    if (!Number.isInteger(v) || v < range[0] || v >= range[1])
      throw numberError(v, root, path, typeName);
    return;
  }
  switch (goType) {
    case "string":
      if (typeof v !== "string") throw typeError(v, root, path, goType);
      return;
    case "bool":
      if (typeof v !== "boolean") throw typeError(v, root, path, goType);
      return;
    case "[]string":
      if (!Array.isArray(v)) throw typeError(v, root, path, goType);
      for (const item of v)
        if (typeof item !== "string") throw typeError(item, root, path, "string");
      return;
    default:
      throw new Error(`decode: unsupported Go type ${goType}`);
  }
}

/** A Go struct's JSON fields and their Go types (`string`, `bool`, `int`, `uint64`, `[]string`). */
export interface GoStruct {
  /** The Go type name, e.g. `constraints.Value` (for messages about the struct itself). */
  readonly name: string;
  readonly fields: Readonly<Record<string, string>>;
}

function decodeStruct(
  v: unknown,
  shape: GoStruct,
  root: string,
  path: string,
): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw typeError(v, root, path, shape.name);
  const out: Record<string, unknown> = {};
  for (const [key, goType] of Object.entries(shape.fields)) {
    const item = goField(v as Record<string, unknown>, key);
    if (item === undefined) continue;
    checkGo(item, goType, root, `${path}.${key}`);
    if (item !== null) out[key] = item;
  }
  return out;
}

/**
 * Juju's `constraints.Value` (core/constraints/constraints.go): pointer
 * fields, so each may be absent or null. The facade schema says only
 * `integer` for the counts and sizes; Go declares them `*uint64`.
 */
export const CONSTRAINTS_VALUE: GoStruct = {
  name: "constraints.Value",
  fields: {
    arch: "string",
    container: "string",
    cores: "uint64",
    "cpu-power": "uint64",
    mem: "uint64",
    "root-disk": "uint64",
    "root-disk-source": "string",
    tags: "[]string",
    "instance-role": "string",
    "instance-type": "string",
    spaces: "[]string",
    "virt-type": "string",
    zones: "[]string",
    "allocate-public-ip": "bool",
    "image-id": "string",
  },
};

/** Juju's `storage.Constraints` (`Pool string; Size, Count uint64`, no JSON tags). */
export const STORAGE_CONSTRAINTS: GoStruct = {
  name: "storage.Constraints",
  fields: { Pool: "string", Size: "uint64", Count: "uint64" },
};
