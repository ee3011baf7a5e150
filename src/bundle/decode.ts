/**
 * Decodes one YAML document into bundle data the way Juju's strict and lax
 * go-yaml decoders together do (charm.BundleData in Juju 3.6): values of the
 * wrong shape are problems (`cannot unmarshal !!str \`x\` into int`), unknown
 * keys and duplicate keys are reported separately because Juju only warns
 * about them, and which keys were present is kept (an object's own keys) so
 * overlays can tell `options: {}` from a missing `options`.
 * @module
 */
import type { BundleProblem } from "./errors.js";
import { type YNode, yamlKindName } from "./yaml.js";

/** A decoded document: own keys are the keys present; nulls are kept as null. */
export type DecodedBundle = Record<string, unknown>;

/** The result of decoding one document. */
export interface DecodeResult {
  data: DecodedBundle;
  /** Values of the wrong type: always errors. */
  problems: BundleProblem[];
  /** Unknown and duplicate keys: Juju ignores them with a warning. */
  ignored: BundleProblem[];
  /** The document named its applications with the legacy `services` key. */
  usedServices: boolean;
}

type Kind =
  | "string"
  | "int"
  | "intPtr"
  | "bool"
  | "strings"
  | "stringMap"
  | "anyMap"
  | "relations"
  | "any"
  | { struct: StructSpec; pointerMap?: boolean; valueMap?: boolean };

interface StructSpec {
  /** The Go type, as go-yaml names it in type errors. */
  goName: string;
  /** How Juju's friendlier unmarshal errors name it (`applications`), when they do. */
  name?: string;
  fields: Record<string, Kind>;
}

const EXPOSED_ENDPOINT: StructSpec = {
  goName: "charm.ExposedEndpointSpec",
  fields: { "expose-to-spaces": "strings", "expose-to-cidrs": "strings" },
};
const OFFER: StructSpec = {
  goName: "charm.OfferSpec",
  fields: { endpoints: "strings", acl: "stringMap" },
};

/** charm.ApplicationSpec's YAML fields. */
export const APPLICATION: StructSpec = {
  goName: "charm.ApplicationSpec",
  name: "applications",
  fields: {
    charm: "string",
    channel: "string",
    revision: "intPtr",
    series: "string",
    base: "string",
    resources: "anyMap",
    num_units: "int",
    scale: "int",
    to: "strings",
    placement: "string",
    expose: "bool",
    "exposed-endpoints": { struct: EXPOSED_ENDPOINT, valueMap: true },
    options: "anyMap",
    annotations: "stringMap",
    constraints: "string",
    storage: "stringMap",
    devices: "stringMap",
    bindings: "stringMap",
    offers: { struct: OFFER, pointerMap: true },
    plan: "string",
    trust: "bool",
  },
};
const MACHINE: StructSpec = {
  goName: "charm.MachineSpec",
  name: "machines",
  fields: { constraints: "string", annotations: "stringMap", series: "string", base: "string" },
};
const SAAS: StructSpec = { goName: "charm.SaasSpec", name: "saas", fields: { url: "string" } };

/**
 * charm.BundleData's YAML fields, plus the legacy `services` (Juju 2's name
 * for `applications`) and Charmhub's bundle metadata (`name`, `docs`,
 * `issues`, `source`, `website`: charmcraft's bundle.yaml has them) and
 * `variables` (where OpenStack bundles keep their YAML anchors): Juju ignores
 * these, so they are not reported as unknown either.
 */
export const BUNDLE: StructSpec = {
  goName: "charm.BundleData",
  name: "bundle",
  fields: {
    bundle: "string",
    applications: { struct: APPLICATION, pointerMap: true },
    services: { struct: APPLICATION, pointerMap: true },
    machines: { struct: MACHINE, pointerMap: true },
    saas: { struct: SAAS, pointerMap: true },
    series: "string",
    "default-base": "string",
    relations: "relations",
    tags: "strings",
    description: "string",
    name: "string",
    docs: "string",
    issues: "string",
    source: "string",
    website: "string",
    variables: "any",
  },
};

/** Charmhub metadata keys that are read but not part of {@link BundleData}. */
export const METADATA_ONLY = ["docs", "issues", "source", "website", "variables"];

/** How a struct is named in field errors: Juju's friendly name, else go-yaml's `type charm.X`. */
function fieldOwner(spec: StructSpec): string {
  return spec.name ?? `type ${spec.goName}`;
}

/** `applications.mysql` / `bindings[""]`: a YAML path with the key appended. */
export function childPath(path: string, key: string): string {
  if (/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** Converts a scalar/map/seq node into a plain JS value (go-yaml decoding into interface{}). */
export function toPlain(n: YNode): unknown {
  if (n.kind === "scalar") return n.value;
  if (n.kind === "seq") return n.items.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const e of n.entries) out[e.key] = toPlain(e.value);
  return out;
}

class Decoder {
  readonly problems: BundleProblem[] = [];
  readonly ignored: BundleProblem[] = [];
  constructor(readonly source: string | undefined) {}

  private add(list: BundleProblem[], path: string, message: string, line: number): void {
    const p: BundleProblem = { path, message };
    if (this.source !== undefined) p.source = this.source;
    if (line > 0) p.line = line;
    list.push(p);
  }

  private typeError(n: YNode, path: string, goType: string): undefined {
    const what = n.kind === "scalar" ? `${yamlKindName(n)} \`${n.raw}\`` : yamlKindName(n);
    this.add(this.problems, path, `cannot unmarshal ${what} into ${goType}`, n.line);
    return undefined;
  }

  /** Decodes a mapping's entries, reporting duplicate keys; returns the last value of each key. */
  private entries(
    n: YNode & { kind: "map" },
    path: string,
    struct?: StructSpec,
  ): [string, YNode, number][] {
    const seen = new Map<string, number>();
    const out: [string, YNode, number][] = [];
    for (const e of n.entries) {
      if (seen.has(e.key)) {
        this.add(
          this.ignored,
          childPath(path, e.key),
          struct
            ? `field ${e.key} already set in ${fieldOwner(struct)}`
            : `key ${JSON.stringify(e.key)} already set in map`,
          e.keyLine,
        );
        out[seen.get(e.key) as number] = [e.key, e.value, e.keyLine];
        continue;
      }
      seen.set(e.key, out.length);
      out.push([e.key, e.value, e.keyLine]);
    }
    return out;
  }

  struct(n: YNode, spec: StructSpec, path: string): Record<string, unknown> | undefined {
    if (n.kind !== "map") return this.typeError(n, path, spec.goName);
    const out: Record<string, unknown> = {};
    for (const [key, value, line] of this.entries(n, path, spec)) {
      const kind = spec.fields[key];
      const p = childPath(path, key);
      if (kind === undefined) {
        this.add(this.ignored, p, `field ${key} not found in ${fieldOwner(spec)}`, line);
        continue;
      }
      const v = this.value(value, kind, p);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }

  value(n: YNode, kind: Kind, path: string): unknown {
    const isNull = n.kind === "scalar" && n.value === null;
    switch (kind) {
      case "string":
        if (n.kind !== "scalar") return this.typeError(n, path, "string");
        return isNull ? "" : n.raw;
      case "int":
      case "intPtr": {
        if (isNull) return kind === "int" ? 0 : null;
        if (n.kind === "scalar" && typeof n.value === "number" && Number.isInteger(n.value)) {
          return n.value;
        }
        return this.typeError(n, path, "int");
      }
      case "bool":
        if (isNull) return false;
        if (n.kind === "scalar" && typeof n.value === "boolean") return n.value;
        return this.typeError(n, path, "bool");
      case "strings":
        if (isNull) return null;
        if (n.kind !== "seq") return this.typeError(n, path, "[]string");
        return this.list(n, path, (item, p) => this.value(item, "string", p) as string | undefined);
      case "relations":
        if (isNull) return null;
        if (n.kind !== "seq") return this.typeError(n, path, "[][]string");
        return this.list(
          n,
          path,
          (item, p) => this.value(item, "strings", p) as string[] | null | undefined,
        );
      case "stringMap":
        if (isNull) return null;
        if (n.kind !== "map") return this.typeError(n, path, "map[string]string");
        return this.map(n, path, (v, p) => this.value(v, "string", p));
      case "any":
        return toPlain(n);
      case "anyMap":
        if (isNull) return null;
        if (n.kind !== "map") return this.typeError(n, path, "map[string]interface {}");
        return this.map(n, path, (v) => toPlain(v));
      default: {
        const spec = kind.struct;
        if (kind.pointerMap || kind.valueMap) {
          if (isNull) return null;
          if (n.kind !== "map") {
            const goValue = kind.pointerMap ? `*${spec.goName}` : spec.goName;
            return this.typeError(n, path, `map[string]${goValue}`);
          }
          return this.map(n, path, (v, p) => {
            if (v.kind === "scalar" && v.value === null) return kind.pointerMap ? null : {};
            return this.struct(v, spec, p);
          });
        }
        if (isNull) return {};
        return this.struct(n, spec, path);
      }
    }
  }

  private list<T>(
    n: YNode & { kind: "seq" },
    path: string,
    item: (n: YNode, p: string) => T | undefined,
  ): T[] {
    const out: T[] = [];
    n.items.forEach((it, i) => {
      const v = item(it, `${path}[${i}]`);
      if (v !== undefined) out.push(v);
    });
    return out;
  }

  private map(
    n: YNode & { kind: "map" },
    path: string,
    value: (n: YNode, p: string) => unknown,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, v] of this.entries(n, path)) {
      const d = value(v, childPath(path, key));
      if (d !== undefined) out[key] = d;
    }
    return out;
  }
}

/**
 * Decodes one document's root node as charm.BundleData, then normalises it as
 * Juju does (`scale` → `num_units`; Kubernetes `placement` → `to`).
 * `source` names the file in problems.
 */
export function decodeBundle(root: YNode | null, source?: string): DecodeResult {
  const d = new Decoder(source);
  const data = root === null ? {} : (d.struct(root, BUNDLE, "") ?? {});
  const problems = d.problems;
  const add = (path: string, message: string) => {
    const p: BundleProblem = { path, message };
    if (source !== undefined) p.source = source;
    problems.push(p);
  };
  // Juju 2's `services` is read as `applications`, but not both at once.
  let usedServices = false;
  if (Object.hasOwn(data, "services")) {
    const services = data.services;
    delete data.services;
    const nonEmpty = (v: unknown) =>
      typeof v === "object" && v !== null && Object.keys(v).length > 0;
    if (nonEmpty(data.applications) && nonEmpty(services)) {
      add("services", "cannot specify both applications and services");
    } else if (nonEmpty(services)) {
      data.applications = services;
      usedServices = true;
    }
  }
  const apps = data.applications;
  if (apps && typeof apps === "object") {
    for (const [name, app] of Object.entries(
      apps as Record<string, Record<string, unknown> | null>,
    )) {
      if (!app) continue;
      const path = childPath("applications", name);
      const scale = (app.scale as number | undefined) ?? 0;
      const numUnits = (app.num_units as number | undefined) ?? 0;
      if (scale > 0 && numUnits > 0) {
        add(
          path,
          `cannot specify both scale and num_units for application ${JSON.stringify(name)}`,
        );
      } else if (scale > 0) {
        app.num_units = scale;
      }
      // Juju folds scale into num_units; an overlay's `scale:` then counts as `num_units:`.
      delete app.scale;
      const placement = (app.placement as string | undefined) ?? "";
      if (placement !== "" && data.bundle !== "kubernetes") {
        add(
          childPath(path, "placement"),
          `placement (${placement}) not valid for non-Kubernetes application ${JSON.stringify(name)}`,
        );
      } else if (placement !== "") {
        const to = app.to as string[] | null | undefined;
        if (to && to.length > 0) {
          add(path, `cannot specify both placement and to for application ${JSON.stringify(name)}`);
        } else {
          app.to = [placement];
        }
      }
      delete app.placement;
    }
  }
  return { data, problems, ignored: d.ignored, usedServices };
}

/** Builds a YAML-like node from a JS value, so bundle data given as an object is checked like YAML. */
export function fromPlain(v: unknown, path: string, problems: BundleProblem[]): YNode {
  if (v === null || v === undefined)
    return { kind: "scalar", line: 0, value: null, raw: "", tag: "!!null" };
  if (typeof v === "string") return { kind: "scalar", line: 0, value: v, raw: v, tag: "!!str" };
  if (typeof v === "number") {
    return {
      kind: "scalar",
      line: 0,
      value: v,
      raw: String(v),
      tag: Number.isInteger(v) ? "!!int" : "!!float",
    };
  }
  if (typeof v === "boolean")
    return { kind: "scalar", line: 0, value: v, raw: String(v), tag: "!!bool" };
  if (Array.isArray(v)) {
    return {
      kind: "seq",
      line: 0,
      items: v.map((x, i) => fromPlain(x, `${path}[${i}]`, problems)),
    };
  }
  if (
    typeof v === "object" &&
    (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)
  ) {
    return {
      kind: "map",
      line: 0,
      entries: Object.entries(v as Record<string, unknown>).map(([key, value]) => ({
        key,
        keyLine: 0,
        value: fromPlain(value, childPath(path, key), problems),
      })),
    };
  }
  problems.push({ path, message: `unsupported value of type ${describeType(v)}` });
  return { kind: "scalar", line: 0, value: null, raw: "", tag: "!!null" };
}

/** A short JS type name for messages: `number`, `array`, `Map`. */
export function describeType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}
