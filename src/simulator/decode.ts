/**
 * Decoding of request params with the errors Go's `encoding/json` gives when a
 * value does not fit the Go struct (`json: cannot unmarshal …`). Unknown keys
 * are ignored and keys match case-insensitively, as in Go.
 * @module
 */
import { ServerError } from "./errors.js";

/** The JSON kind of a value, as Go names it in unmarshal errors. */
function jsonKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return "number";
  if (typeof v === "string") return "string";
  return "object";
}

/** Builds Go's `*json.UnmarshalTypeError` message. */
function typeError(value: unknown, goStruct: string, path: string, goType: string): ServerError {
  const what = typeof value === "number" ? `number ${value}` : jsonKind(value);
  return path === ""
    ? new ServerError(`json: cannot unmarshal ${jsonKind(value)} into Go value of type ${goType}`)
    : new ServerError(
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

  /** An integer field, or undefined when absent or null. */
  optInt(name: string, goType = "int"): number | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw typeError(v, this.root, this.at(name), goType);
    }
    return v;
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
