/**
 * Reads charm metadata given as file contents into one normalized
 * {@link CharmInfo}. Pure: no file system access, so the simulator, the
 * client and a browser can all use it.
 *
 * Rules follow Juju's charm package (`meta.go`, `config.go`, `actions.go`,
 * `resources.go`, `extra_bindings.go`, `lxdprofile.go` of github.com/juju/charm
 * v12, the 3.x line): the same required keys, defaults and checks, and error
 * messages in the same words where Juju has them.
 *
 * Accepted layouts:
 * - metadata.yaml (+ config.yaml, actions.yaml), with bases from the legacy
 *   `series:` list;
 * - a unified charmcraft.yaml carrying the metadata keys plus `config:
 *   {options}` and `actions:`;
 * - metadata.yaml + charmcraft.yaml for the bases (`bases:` or `base:` +
 *   `platforms:` or multi-base `platforms:`);
 * - manifest.yaml `bases:` of a built charm, which wins over charmcraft.yaml.
 *
 * When both metadata.yaml and charmcraft.yaml carry a key, metadata.yaml
 * wins: Juju reads only metadata.yaml of a built charm, and charmcraft
 * refuses to pack a source that defines metadata in both.
 * @module
 */
import { CharmMetadataError } from "./errors.js";
import {
  type CharmBase,
  compareBaseChannels,
  normaliseArch,
  parseBaseString,
  seriesToBase,
} from "./series.js";
import { describeValue, isYamlMap, loadYaml, type YamlMap } from "./yaml.js";

export type { CharmBase } from "./series.js";

/** The role of a relation endpoint. */
export type RelationRole = "provider" | "requirer" | "peer";
/** The scope of a relation endpoint: `container` relates a subordinate to its principal. */
export type RelationScope = "global" | "container";

/** One relation endpoint, as Juju's `charm.Relation`. */
export interface CharmRelation {
  /** The endpoint name, e.g. `db`. */
  name: string;
  /** Which side of a relation the endpoint is. */
  role: RelationRole;
  /** The interface name, e.g. `mysql`. */
  interface: string;
  /** The charm marks the endpoint optional (informational; Juju does not enforce it). */
  optional: boolean;
  /** Maximum number of relations; 0 means unlimited (Juju's default for every role). */
  limit: number;
  /** `container` for a subordinate's per-machine relation, else `global`. */
  scope: RelationScope;
}

/** A storage requirement, as Juju's `charm.Storage`. */
export interface CharmStorage {
  /** The storage name. */
  name: string;
  /** Filesystem or block device. */
  type: "filesystem" | "block";
  /** What the charm uses it for. */
  description?: string;
  /** Whether units share one instance. */
  shared: boolean;
  /** Whether it is mounted read-only. */
  readOnly: boolean;
  /** Minimum number of instances (default 1). */
  countMin: number;
  /** Maximum number of instances; -1 means no upper bound (default 1). */
  countMax: number;
  /** True when the charm declared `multiple:`. */
  multiple: boolean;
  /** Minimum size in MiB, when declared. */
  minimumSize?: number;
  /** Where a filesystem is mounted. */
  location?: string;
  /** Storage properties, e.g. `transient`. */
  properties?: string[];
}

/** A device requirement (GPUs), as Juju's `charm.Device`. */
export interface CharmDevice {
  /** The device name. */
  name: string;
  /** The device type, e.g. `gpu`, `nvidia.com/gpu`. */
  type: string;
  /** What the charm uses it for. */
  description?: string;
  /** Fewest devices required. */
  countMin: number;
  /** Most devices accepted. */
  countMax: number;
}

/** A resource declared by the charm. */
export interface CharmResourceMeta {
  /** The resource name. */
  name: string;
  /** A file or an OCI image. */
  type: "file" | "oci-image";
  /** The file name under the resource directory (required for `file` resources). */
  filename?: string;
  /** What the resource is for. */
  description?: string;
}

/** A storage mount of a sidecar container. */
export interface CharmMount {
  /** The storage name to mount. */
  storage: string;
  /** Where to mount it in the container. */
  location: string;
}

/** A workload container of a sidecar (Kubernetes) charm. */
export interface CharmContainer {
  /** The OCI image resource the container runs. */
  resource?: string;
  /** The storage mounted in the container. */
  mounts: CharmMount[];
  /** The user id the container runs as. */
  uid?: number;
  /** The group id the container runs as. */
  gid?: number;
}

/** Config option types Juju accepts. */
export type ConfigType = "string" | "int" | "float" | "boolean" | "secret";

/** One config option, as Juju's `charm.Option` after `ReadConfig`. */
export interface CharmConfigOption {
  /** The option's value type. */
  type: ConfigType;
  /** What the option does. */
  description?: string;
  /** The default, coerced to the option's type; absent when the option has none. */
  default?: string | number | boolean;
}

/** One action, as Juju's `charm.ActionSpec`. */
export interface CharmAction {
  /** The description (`No description` when the charm gives none, as Juju does). */
  description: string;
  /** Whether it may run in parallel with other actions. */
  parallel: boolean;
  /** The group whose actions run one at a time (with `parallel: false`). */
  executionGroup: string;
  /** The JSON schema of the parameters: `{description, type: "object", title, properties, ...}`. */
  params: Record<string, unknown>;
}

/** The contents of lxd-profile.yaml. */
export interface CharmLxdProfile {
  /** LXD profile config keys. */
  config: Record<string, string>;
  /** The profile's description. */
  description: string;
  /** LXD devices: name → device settings. */
  devices: Record<string, Record<string, string>>;
}

/** Everything libjuju knows about a charm from its files. */
export interface CharmInfo {
  /** `charm`, or `bundle` for a charmcraft.yaml with `type: bundle`. */
  charmType: "charm" | "bundle";
  /** The charm name. */
  name: string;
  /** One-line summary. */
  summary: string;
  /** Long description. */
  description: string;
  /** Whether it is a subordinate charm. */
  subordinate: boolean;
  /** Endpoints it provides, by name. */
  provides: Record<string, CharmRelation>;
  /** Endpoints it requires, by name. */
  requires: Record<string, CharmRelation>;
  /** Peer endpoints, by name. */
  peers: Record<string, CharmRelation>;
  /** Extra binding names (endpoints without a relation, for space bindings). */
  extraBindings: string[];
  /** Charmhub categories. */
  categories: string[];
  /** Tags (the older name of categories). */
  tags: string[];
  /** The legacy `series:` list of metadata.yaml, verbatim. */
  series: string[];
  /** Storage it declares, by name. */
  storage: Record<string, CharmStorage>;
  /** Devices it declares, by name. */
  devices: Record<string, CharmDevice>;
  /** Resources it declares, by name. */
  resources: Record<string, CharmResourceMeta>;
  /** Sidecar containers (Kubernetes charms), by name. */
  containers: Record<string, CharmContainer>;
  /** The `assumes:` expression, as written (a list of strings and `any-of`/`all-of` maps). */
  assumes?: unknown[];
  /** The oldest Juju that can deploy it. */
  minJujuVersion?: string;
  /** Terms a user must accept. */
  terms: string[];
  /** The user the charm's hooks run as (Kubernetes charms). */
  charmUser?: "root" | "sudoer" | "non-root";
  /** Bases the charm runs on, merged per OS version, with normalised architectures. */
  bases: CharmBase[];
  /** Config options (`config.yaml`), by name. */
  config: Record<string, CharmConfigOption>;
  /** Actions (`actions.yaml`), by name. */
  actions: Record<string, CharmAction>;
  /** The LXD profile (`lxd-profile.yaml`), if any. */
  lxdProfile?: CharmLxdProfile;
  /** Metadata format: 2 when bases come from charmcraft/manifest, 1 for legacy `series:` charms. */
  format: 1 | 2;
}

/** The charm files to read, as text. Every file is optional, but one must name the charm. */
export interface CharmFiles {
  metadata?: string;
  charmcraft?: string;
  config?: string;
  actions?: string;
  lxdProfile?: string;
  manifest?: string;
}

const META = "metadata.yaml";
const CHARMCRAFT = "charmcraft.yaml";

/** Builds a {@link CharmMetadataError}; messages carry the `metadata: ` prefix Juju's schema errors have. */
function fail(file: string, key: string | undefined, message: string): never {
  throw new CharmMetadataError(message, file, key);
}

function schemaFail(file: string, key: string, want: string, got: unknown): never {
  fail(
    file,
    key,
    `parsing "${file}" file: metadata: ${key}: expected ${want}, got ${describeValue(got)}`,
  );
}

class Fields {
  constructor(
    readonly file: string,
    readonly map: YamlMap,
    readonly path: string,
  ) {}
  key(k: string): string {
    return this.path === "" ? k : `${this.path}.${k}`;
  }
  has(k: string): boolean {
    return this.map[k] !== undefined && this.map[k] !== null;
  }
  str(k: string, required = false): string | undefined {
    const v = this.map[k];
    if (v === undefined || v === null) {
      if (required) schemaFail(this.file, this.key(k), "string", v);
      return undefined;
    }
    if (typeof v !== "string") schemaFail(this.file, this.key(k), "string", v);
    return v;
  }
  bool(k: string): boolean | undefined {
    const v = this.map[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") schemaFail(this.file, this.key(k), "bool", v);
    return v;
  }
  int(k: string): number | undefined {
    const v = this.map[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v)) schemaFail(this.file, this.key(k), "int", v);
    return v;
  }
  strings(k: string): string[] {
    const v = this.map[k];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) schemaFail(this.file, this.key(k), "list", v);
    return v.map((item, i) => {
      if (typeof item !== "string") schemaFail(this.file, `${this.key(k)}[${i}]`, "string", item);
      return item;
    });
  }
  sub(k: string): Fields | undefined {
    const v = this.map[k];
    if (v === undefined || v === null) return undefined;
    if (!isYamlMap(v)) schemaFail(this.file, this.key(k), "map", v);
    return new Fields(this.file, v, this.key(k));
  }
  entries(): [string, unknown][] {
    return Object.entries(this.map);
  }
}

// ---------------------------------------------------------------------------
// metadata

/** Parses the metadata keys of metadata.yaml (or of a unified charmcraft.yaml) and checks them. */
export function parseMetadata(
  raw: unknown,
  file = META,
): Omit<CharmInfo, "bases" | "config" | "actions" | "lxdProfile" | "format" | "charmType"> {
  const doc = raw === undefined || raw === null ? {} : raw;
  if (!isYamlMap(doc)) {
    fail(
      file,
      undefined,
      `parsing "${file}" file: metadata: expected map, got ${describeValue(doc)}`,
    );
  }
  ensureUnambiguousFormat(doc, file);
  const f = new Fields(file, doc, "");
  const name = f.str("name", true) as string;
  const summary = f.str("summary", true) as string;
  const description = f.str("description", true) as string;
  const meta = {
    name,
    summary,
    description,
    subordinate: f.bool("subordinate") ?? false,
    provides: parseRelations(f, "provides", "provider"),
    requires: parseRelations(f, "requires", "requirer"),
    peers: parseRelations(f, "peers", "peer"),
    extraBindings: parseExtraBindings(f),
    categories: f.strings("categories"),
    tags: f.strings("tags"),
    series: f.strings("series"),
    storage: parseStorage(f),
    devices: parseDevices(f),
    resources: parseResources(f),
    containers: {} as Record<string, CharmContainer>,
    terms: f.strings("terms"),
  } satisfies Partial<CharmInfo>;
  const result: ReturnType<typeof parseMetadata> = {
    ...meta,
    containers: parseContainers(f, meta.resources, meta.storage),
  };
  const minJuju = f.str("min-juju-version");
  if (minJuju !== undefined) {
    if (!/^\d+\.\d+(?:[.-][0-9a-z.-]+)?$/.test(minJuju)) {
      fail(file, "min-juju-version", `invalid min-juju-version: invalid version "${minJuju}"`);
    }
    result.minJujuVersion = minJuju;
  }
  if (doc.assumes !== undefined && doc.assumes !== null) {
    if (!Array.isArray(doc.assumes)) schemaFail(file, "assumes", "list", doc.assumes);
    result.assumes = doc.assumes as unknown[];
  }
  const user = f.str("charm-user");
  if (user !== undefined) {
    if (user !== "root" && user !== "sudoer" && user !== "non-root") {
      fail(
        file,
        "charm-user",
        `parsing charm-user: invalid charm-user "${user}" expected one of root, sudoer or non-root`,
      );
    }
    result.charmUser = user;
  }
  checkMeta(result, file);
  return result;
}

/** Juju's `ensureUnambiguousFormat`: v1-only and v2-only keys cannot be mixed. */
function ensureUnambiguousFormat(doc: YamlMap, file: string): void {
  let format = 0;
  const matched: string[] = [];
  const mismatched: string[] = [];
  for (const key of Object.keys(doc).sort()) {
    let detected = 0;
    if (key === "containers" || key === "assumes" || key === "charm-user") detected = 2;
    if (key === "series" || key === "deployment" || key === "min-juju-version") detected = 1;
    if (detected === 0) continue;
    if (format === 0) format = detected;
    (format === detected ? matched : mismatched).push(key);
  }
  if (mismatched.length > 0) {
    fail(
      file,
      mismatched[0],
      `ambiguous metadata: keys "${mismatched.join('", "')}" cannot be used with "${matched.join('", "')}"`,
    );
  }
}

function parseRelations(
  f: Fields,
  key: "provides" | "requires" | "peers",
  role: RelationRole,
): Record<string, CharmRelation> {
  const section = f.sub(key);
  const out: Record<string, CharmRelation> = {};
  if (!section) return out;
  for (const [name, value] of section.entries()) {
    const path = section.key(name);
    if (typeof value === "string") {
      out[name] = { name, role, interface: value, optional: false, limit: 0, scope: "global" };
      continue;
    }
    if (!isYamlMap(value)) schemaFail(f.file, path, "map", value);
    const rel = new Fields(f.file, value, path);
    const iface = rel.str("interface", true) as string;
    const limit = rel.int("limit") ?? 0;
    const scope = value.scope ?? "global";
    if (scope !== "global" && scope !== "container") {
      fail(
        f.file,
        `${path}.scope`,
        `parsing "${f.file}" file: metadata: ${path}.scope: unexpected value ${JSON.stringify(scope)}`,
      );
    }
    out[name] = {
      name,
      role,
      interface: iface,
      optional: rel.bool("optional") ?? false,
      limit,
      scope,
    };
  }
  return out;
}

function parseExtraBindings(f: Fields): string[] {
  const v = f.map["extra-bindings"];
  if (v === undefined || v === null) return [];
  if (!isYamlMap(v)) schemaFail(f.file, "extra-bindings", "map", v);
  const names: string[] = [];
  for (const [name, value] of Object.entries(v)) {
    if (name === "") schemaFail(f.file, "extra-bindings", "non-empty binding name", name);
    if (value !== null && value !== undefined) {
      fail(
        f.file,
        `extra-bindings.${name}`,
        `parsing "${f.file}" file: metadata: extra-bindings.${name}: expected empty value, got ${describeValue(value)}`,
      );
    }
    names.push(name);
  }
  return names.sort();
}

const SIZE_SUFFIXES = "MGTPEZY";

/** juju/utils `ParseSize`: a non-negative number with an optional M/G/T/P/E/Z/Y suffix, in MiB. */
export function parseSizeMiB(s: string): number {
  const i = s.search(/[^0-9.]/);
  let multiplier = 1;
  let num = s;
  if (i > 0) {
    const suffix = s.slice(i);
    const j = [...SIZE_SUFFIXES].findIndex((b) => [b, `${b}B`, `${b}iB`].includes(suffix));
    if (j < 0) {
      throw new Error(`invalid multiplier suffix "${suffix}", expected one of ${SIZE_SUFFIXES}`);
    }
    multiplier = 1024 ** j;
    num = s.slice(0, i);
  }
  const val = Number(num);
  if (num === "" || Number.isNaN(val) || val < 0) {
    throw new Error(`expected a non-negative number, got "${num}"`);
  }
  return Math.ceil(val * multiplier);
}

function parseStorage(f: Fields): Record<string, CharmStorage> {
  const section = f.sub("storage");
  const out: Record<string, CharmStorage> = {};
  if (!section) return out;
  for (const [name, value] of section.entries()) {
    const path = section.key(name);
    if (!isYamlMap(value)) schemaFail(f.file, path, "map", value);
    const s = new Fields(f.file, value, path);
    const type = value.type;
    if (type === undefined || type === null) schemaFail(f.file, `${path}.type`, "string", type);
    if (type !== "filesystem" && type !== "block") {
      fail(
        f.file,
        `${path}.type`,
        `parsing "${f.file}" file: metadata: ${path}.type: unexpected value ${JSON.stringify(type)}`,
      );
    }
    const store: CharmStorage = {
      name,
      type,
      shared: s.bool("shared") ?? false,
      readOnly: s.bool("read-only") ?? false,
      countMin: 1,
      countMax: 1,
      multiple: false,
    };
    const desc = s.str("description");
    if (desc !== undefined) store.description = desc;
    const multiple = s.sub("multiple");
    if (multiple) {
      store.multiple = true;
      const range = multiple.map.range;
      if (range !== undefined && range !== null) {
        [store.countMin, store.countMax] = parseStorageCount(
          f.file,
          `${path}.multiple.range`,
          range,
        );
      }
    }
    const minSize = s.str("minimum-size");
    if (minSize !== undefined) {
      try {
        store.minimumSize = parseSizeMiB(minSize);
      } catch (e) {
        fail(
          f.file,
          `${path}.minimum-size`,
          `parsing "${f.file}" file: metadata: ${path}.minimum-size: ${(e as Error).message}`,
        );
      }
    }
    const location = s.str("location");
    if (location !== undefined) store.location = location;
    const props = s.strings("properties");
    for (const p of props) {
      if (p !== "transient") {
        fail(
          f.file,
          `${path}.properties`,
          `parsing "${f.file}" file: metadata: ${path}.properties: unexpected value ${JSON.stringify(p)}`,
        );
      }
    }
    if (props.length > 0) store.properties = props;
    out[name] = store;
  }
  return out;
}

/** Storage counts: `m`, `m-n`, `m+` or `m-` (no upper bound, -1). */
function parseStorageCount(file: string, key: string, v: unknown): [number, number] {
  if (typeof v === "number" && Number.isInteger(v)) {
    if (v <= 0) fail(file, key, `parsing "${file}" file: metadata: ${key}: invalid count ${v}`);
    return [v, v];
  }
  if (typeof v !== "string") schemaFail(file, key, "int or string", v);
  const m = /^([0-9]+)([-+]|-[0-9]+)$/.exec(v);
  if (!m) {
    fail(
      file,
      key,
      `parsing "${file}" file: metadata: ${key}: value ${JSON.stringify(v)} does not match 'm', 'm-n', or 'm+'`,
    );
  }
  const min = Number(m[1]);
  const rest = m[2] ?? "";
  return [min, rest.length === 1 ? -1 : Number(rest.slice(1))];
}

function parseDevices(f: Fields): Record<string, CharmDevice> {
  const section = f.sub("devices");
  const out: Record<string, CharmDevice> = {};
  if (!section) return out;
  for (const [name, value] of section.entries()) {
    const path = section.key(name);
    if (!isYamlMap(value)) schemaFail(f.file, path, "map", value);
    const d = new Fields(f.file, value, path);
    const dev: CharmDevice = {
      name,
      type: d.str("type", true) as string,
      countMin: d.int("countmin") ?? 1,
      countMax: d.int("countmax") ?? 1,
    };
    for (const k of ["countmin", "countmax"] as const) {
      const n = d.int(k);
      if (n !== undefined && n < 0) {
        fail(
          f.file,
          `${path}.${k}`,
          `parsing "${f.file}" file: metadata: invalid device count ${n}`,
        );
      }
    }
    const desc = d.str("description");
    if (desc !== undefined) dev.description = desc;
    out[name] = dev;
  }
  return out;
}

function parseResources(f: Fields): Record<string, CharmResourceMeta> {
  const section = f.sub("resources");
  const out: Record<string, CharmResourceMeta> = {};
  if (!section) return out;
  for (const [name, value] of section.entries()) {
    const path = section.key(name);
    const r = new Fields(f.file, isYamlMap(value) ? value : {}, path);
    if (value !== null && value !== undefined && !isYamlMap(value)) {
      schemaFail(f.file, path, "map", value);
    }
    const type = r.str("type") ?? "file";
    if (type !== "file" && type !== "oci-image") {
      fail(f.file, `${path}.type`, `unsupported resource type "${type}"`);
    }
    const res: CharmResourceMeta = { name, type };
    const filename = r.str("filename");
    if (filename) res.filename = filename;
    const desc = r.str("description");
    if (desc) res.description = desc;
    out[name] = res;
  }
  return out;
}

function parseContainers(
  f: Fields,
  resources: Record<string, CharmResourceMeta>,
  storage: Record<string, CharmStorage>,
): Record<string, CharmContainer> {
  const section = f.sub("containers");
  const out: Record<string, CharmContainer> = {};
  if (!section) return out;
  for (const [name, value] of section.entries()) {
    const path = section.key(name);
    const c = new Fields(f.file, isYamlMap(value) ? value : {}, path);
    if (value !== null && value !== undefined && !isYamlMap(value)) {
      schemaFail(f.file, path, "map", value);
    }
    const container: CharmContainer = { mounts: [] };
    const resource = c.str("resource");
    if (resource) {
      const r = resources[resource];
      if (!r)
        fail(
          f.file,
          `${path}.resource`,
          `parsing containers: referenced resource "${resource}" not found`,
        );
      if (r.type !== "oci-image") {
        fail(
          f.file,
          `${path}.resource`,
          `parsing containers: referenced resource "${resource}" is not a oci-image`,
        );
      }
      container.resource = resource;
    }
    const mounts = c.map.mounts;
    if (mounts !== undefined && mounts !== null) {
      if (!Array.isArray(mounts)) schemaFail(f.file, `${path}.mounts`, "list", mounts);
      for (const [i, m] of mounts.entries()) {
        const mk = `${path}.mounts[${i}]`;
        if (!isYamlMap(m)) schemaFail(f.file, mk, "map", m);
        const mf = new Fields(f.file, m, mk);
        const st = mf.str("storage") ?? "";
        const loc = mf.str("location") ?? "";
        const where = `parsing containers: container "${name}"`;
        if (st === "") fail(f.file, `${mk}.storage`, `${where}: storage must be specifed on mount`);
        if (loc === "")
          fail(f.file, `${mk}.location`, `${where}: location must be specifed on mount`);
        if (!storage[st]) fail(f.file, `${mk}.storage`, `${where}: storage "${st}" not valid`);
        container.mounts.push({ storage: st, location: loc });
      }
    }
    for (const k of ["uid", "gid"] as const) {
      const id = c.int(k);
      if (id === undefined) continue;
      if (id >= 1000 && id < 10000) {
        fail(
          f.file,
          `${path}.${k}`,
          `parsing containers: container "${name}" has invalid ${k} ${id}: ${k} cannot be in reserved range 1000-9999`,
        );
      }
      container[k] = id;
    }
    out[name] = container;
  }
  return out;
}

/** Juju's `reservedName`: `juju` and `juju-*` are reserved, except in charms named `juju-*`. */
function reservedName(charmName: string, endpoint: string): string | undefined {
  if (charmName.startsWith("juju-")) return undefined;
  if (endpoint === "juju") return `"juju" is a reserved name`;
  if (endpoint.startsWith("juju-")) return `the "juju-" prefix is reserved`;
  return undefined;
}

/** Juju's `Meta.Check` (the format-independent part). */
function checkMeta(m: ReturnType<typeof parseMetadata>, file: string): void {
  const seen = new Set<string>();
  const check = (src: Record<string, CharmRelation>, section: string): void => {
    for (const [name, rel] of Object.entries(src)) {
      const key = `${section}.${name}`;
      // Container-scoped requires of subordinates may use the juju-* namespace.
      if (!m.subordinate || rel.role !== "requirer" || rel.scope !== "container") {
        if (reservedName(m.name, name)) {
          fail(file, key, `charm "${m.name}" using a reserved relation name: "${name}"`);
        }
      }
      if (rel.role !== "requirer" && reservedName(m.name, rel.interface)) {
        fail(
          file,
          `${key}.interface`,
          `charm "${m.name}" relation "${name}" using a reserved interface: "${rel.interface}"`,
        );
      }
      if (seen.has(name)) {
        fail(file, key, `charm "${m.name}" using a duplicated relation name: "${name}"`);
      }
      seen.add(name);
    }
  };
  check(m.provides, "provides");
  check(m.requires, "requires");
  check(m.peers, "peers");

  const clash = m.extraBindings.filter((b) => seen.has(b)).sort();
  if (clash.length > 0) {
    fail(
      file,
      "extra-bindings",
      `charm "${m.name}" has invalid extra bindings: relation names (${clash.join(", ")}) cannot be used in extra bindings`,
    );
  }
  if (m.subordinate && !Object.values(m.requires).some((r) => r.scope === "container")) {
    fail(
      file,
      "subordinate",
      `subordinate charm "${m.name}" lacks "requires" relation with container scope`,
    );
  }
  for (const s of m.series) {
    if (!/^[a-z]+([a-z0-9]+)?$/.test(s)) {
      fail(file, "series", `charm "${m.name}" declares invalid series: "${s}"`);
    }
  }
  for (const [name, st] of Object.entries(m.storage)) {
    const key = `storage.${name}`;
    if (st.location !== undefined && st.type !== "filesystem") {
      fail(
        file,
        key,
        `charm "${m.name}" storage "${name}": location may not be specified for "type: ${st.type}"`,
      );
    }
    if (st.countMin < 0) {
      fail(file, key, `charm "${m.name}" storage "${name}": invalid minimum count ${st.countMin}`);
    }
    if (st.countMax === 0 || st.countMax < -1) {
      fail(file, key, `charm "${m.name}" storage "${name}": invalid maximum count ${st.countMax}`);
    }
  }
  for (const [name, d] of Object.entries(m.devices)) {
    if (d.countMax >= 0 && d.countMin >= 0 && d.countMin > d.countMax) {
      fail(
        file,
        `devices.${name}`,
        `charm "${m.name}" device "${name}": maximum count ${d.countMax} can not be smaller than minimum count ${d.countMin}`,
      );
    }
  }
  for (const [name, r] of Object.entries(m.resources)) {
    const key = `resources.${name}`;
    if (r.type === "file" && !r.filename) fail(file, key, "resource missing filename");
    if (r.type === "file" && r.filename?.includes("/")) {
      fail(file, key, `filename cannot contain "/" (got "${r.filename}")`);
    }
  }
  for (const term of m.terms) {
    if (
      !/^(?:[a-z0-9-]+:)?(?:[a-z0-9][a-z0-9.+-]*\/)?[a-z](?:-?[a-z0-9]+)+(?:\/\d+)?$/.test(term)
    ) {
      fail(file, "terms", `wrong term name format "${term}"`);
    }
  }
}

// ---------------------------------------------------------------------------
// config.yaml

const CONFIG_TYPES: readonly ConfigType[] = ["string", "int", "float", "boolean", "secret"];

/** Go's `%#v` for a default value in config errors. */
function goValue(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

function coerceDefault(
  name: string,
  type: ConfigType,
  v: unknown,
  file: string,
): CharmConfigOption["default"] {
  const bad = (): never =>
    fail(
      file,
      `options.${name}.default`,
      `invalid config default: option "${name}" expected ${type}, got ${goValue(v)}`,
    );
  switch (type) {
    case "string":
      if (typeof v !== "string") bad();
      return v as string;
    case "secret": {
      if (typeof v !== "string") bad();
      const s = v as string;
      if (s !== "" && !s.startsWith("secret:")) bad();
      return s;
    }
    case "int": {
      if (typeof v === "number" && Number.isInteger(v)) return v;
      if (typeof v === "string" && /^[+-]?\d+$/.test(v.trim())) return Number(v);
      return bad();
    }
    case "float": {
      if (typeof v === "number") return v;
      if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
      return bad();
    }
    case "boolean": {
      if (typeof v === "boolean") return v;
      // schema.Bool accepts the strings strconv.ParseBool accepts.
      if (typeof v === "string" && ["1", "t", "T", "TRUE", "true", "True"].includes(v)) return true;
      if (typeof v === "string" && ["0", "f", "F", "FALSE", "false", "False"].includes(v))
        return false;
      return bad();
    }
  }
}

/** Parses a config.yaml document (`{options: {...}}`), as Juju's `ReadConfig`. */
export function parseConfig(raw: unknown, file = "config.yaml"): Record<string, CharmConfigOption> {
  if (raw === undefined || raw === null)
    fail(file, undefined, "invalid config: empty configuration");
  if (!isYamlMap(raw))
    fail(file, undefined, `invalid config: expected map, got ${describeValue(raw)}`);
  if (!("options" in raw)) fail(file, "options", "invalid config: empty configuration");
  const options = raw.options ?? {};
  if (!isYamlMap(options)) schemaFail(file, "options", "map", options);
  const out: Record<string, CharmConfigOption> = {};
  for (const [name, value] of Object.entries(options)) {
    const opt = isYamlMap(value) ? value : {};
    if (value !== null && value !== undefined && !isYamlMap(value)) {
      fail(
        file,
        `options.${name}`,
        `invalid config: option "${name}" expected map, got ${describeValue(value)}`,
      );
    }
    const rawType = opt.type ?? "";
    let type: ConfigType;
    if (rawType === "") type = "string";
    else if (typeof rawType === "string" && (CONFIG_TYPES as readonly string[]).includes(rawType)) {
      type = rawType as ConfigType;
    } else {
      fail(
        file,
        `options.${name}.type`,
        `invalid config: option "${name}" has unknown type "${String(rawType)}"`,
      );
    }
    const o: CharmConfigOption = { type };
    const desc = opt.description;
    if (desc !== undefined && desc !== null) {
      if (typeof desc !== "string") {
        fail(
          file,
          `options.${name}.description`,
          `invalid config: option "${name}" description must be a string`,
        );
      }
      if (desc !== "") o.description = desc;
    }
    const def = opt.default;
    if (def !== undefined && def !== null) o.default = coerceDefault(name, type, def, file);
    out[name] = o;
  }
  return sortRecord(out);
}

// ---------------------------------------------------------------------------
// actions.yaml

const ACTION_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const PROHIBITED_SCHEMA_KEYS = new Set(["$ref", "$schema"]);

function cleanse(v: unknown, file: string, key: string): unknown {
  if (Array.isArray(v)) return v.map((x) => cleanse(x, file, key));
  if (isYamlMap(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (PROHIBITED_SCHEMA_KEYS.has(k)) {
        fail(file, key, `schema key "${k}" not compatible with this version of juju`);
      }
      out[k] = cleanse(x, file, key);
    }
    return out;
  }
  return v;
}

/** Parses an actions.yaml document, as Juju's `ReadActionsYaml`. */
export function parseActions(
  raw: unknown,
  charmName: string,
  file = "actions.yaml",
): Record<string, CharmAction> {
  if (raw === undefined || raw === null) return {};
  if (!isYamlMap(raw))
    fail(file, undefined, `parsing "${file}" file: expected map, got ${describeValue(raw)}`);
  const out: Record<string, CharmAction> = {};
  for (const [name, spec] of Object.entries(raw)) {
    if (!ACTION_NAME.test(name)) fail(file, name, `bad action name ${name}`);
    const reason = reservedName(charmName, name);
    if (reason) fail(file, name, `cannot use action name ${name}: ${reason}`);
    if (spec !== null && spec !== undefined && !isYamlMap(spec)) {
      fail(file, name, `parsing "${file}" file: ${name}: expected map, got ${describeValue(spec)}`);
    }
    let description = "No description";
    let parallel = false;
    let executionGroup = "";
    const schema: Record<string, unknown> = {
      description,
      type: "object",
      title: name,
      properties: {},
    };
    for (const [k, v] of Object.entries(spec ?? {})) {
      const key = `${name}.${k}`;
      switch (k) {
        case "description":
        case "title":
          if (typeof v !== "string")
            fail(file, key, `value for schema key "${k}" must be a string`);
          schema[k] = v;
          if (k === "description") description = v;
          break;
        case "required":
          if (!Array.isArray(v)) fail(file, key, `value for schema key "${k}" must be a YAML list`);
          schema[k] = v;
          break;
        case "parallel":
          if (typeof v !== "boolean") fail(file, key, `value for schema key "${k}" must be a bool`);
          parallel = v;
          break;
        case "execution-group":
          if (typeof v !== "string")
            fail(file, key, `value for schema key "${k}" must be a string`);
          executionGroup = v;
          break;
        case "params": {
          const params = cleanse(v, file, key);
          if (!isYamlMap(params)) fail(file, key, "params failed to parse as a map");
          schema.properties = params;
          break;
        }
        default:
          schema[k] = cleanse(v, file, key);
      }
    }
    out[name] = { description, parallel, executionGroup, params: schema };
  }
  return sortRecord(out);
}

// ---------------------------------------------------------------------------
// lxd-profile.yaml

/** Parses lxd-profile.yaml and applies Juju's `ValidateConfigDevices` checks. */
export function parseLxdProfile(raw: unknown, file = "lxd-profile.yaml"): CharmLxdProfile {
  const doc = raw ?? {};
  if (!isYamlMap(doc)) fail(file, undefined, `failed to unmarshall lxd-profile.yaml: expected map`);
  const profile: CharmLxdProfile = { config: {}, description: "", devices: {} };
  if (typeof doc.description === "string") profile.description = doc.description;
  if (isYamlMap(doc.config)) {
    for (const [k, v] of Object.entries(doc.config)) {
      if (/^(boot|limits|migration)/.test(k)) {
        fail(file, `config.${k}`, `invalid lxd-profile.yaml: contains config value "${k}"`);
      }
      profile.config[k] = String(v);
    }
  }
  if (isYamlMap(doc.devices)) {
    for (const [name, dev] of Object.entries(doc.devices)) {
      const d: Record<string, string> = {};
      for (const [k, v] of Object.entries(isYamlMap(dev) ? dev : {})) d[k] = String(v);
      const t = d.type;
      if (t !== undefined && !["unix-char", "unix-block", "gpu", "usb"].includes(t)) {
        fail(file, `devices.${name}.type`, `invalid lxd-profile.yaml: contains device type "${t}"`);
      }
      profile.devices[name] = d;
    }
  }
  return profile;
}

// ---------------------------------------------------------------------------
// bases

function addBase(out: CharmBase[], name: string, channel: string, archs: readonly string[]): void {
  const normalised = archs.map(normaliseArch);
  const existing = out.find((b) => b.name === name && b.channel === channel);
  if (existing) {
    const merged = existing.architectures ?? [];
    for (const a of normalised) if (!merged.includes(a)) merged.push(a);
    existing.architectures = merged;
    return;
  }
  out.push({ name, channel, architectures: [...new Set(normalised)] });
}

function channelString(v: unknown, file: string, key: string): string {
  if (typeof v === "string" && v !== "") return v.split("/")[0] ?? v;
  // An unquoted 22.04 loads as a number; charmcraft wants a string but accept it.
  if (typeof v === "number") return v.toFixed(2);
  return fail(
    file,
    key,
    `parsing "${file}" file: ${key}: expected string, got ${describeValue(v)}`,
  );
}

// charmcraft defaults run-on architectures to the build host's; libjuju assumes amd64.
const DEFAULT_ARCHS = ["amd64"];

function archList(v: unknown, file: string, key: string): string[] {
  if (v === undefined || v === null) return DEFAULT_ARCHS;
  if (!Array.isArray(v) || v.some((a) => typeof a !== "string")) {
    fail(
      file,
      key,
      `parsing "${file}" file: ${key}: expected list of strings, got ${describeValue(v)}`,
    );
  }
  return v as string[];
}

/** Bases of a charmcraft `bases:` list (long form with run-on, or short form). */
export function basesFromList(list: unknown, file: string): CharmBase[] {
  if (!Array.isArray(list))
    fail(file, "bases", `parsing "${file}" file: bases: expected list, got ${describeValue(list)}`);
  const out: CharmBase[] = [];
  for (const [i, entry] of list.entries()) {
    const key = `bases[${i}]`;
    if (!isYamlMap(entry))
      fail(file, key, `parsing "${file}" file: ${key}: expected map, got ${describeValue(entry)}`);
    const runOn =
      entry["run-on"] ?? (entry["build-on"] === undefined ? [entry] : entry["build-on"]);
    if (!Array.isArray(runOn))
      fail(file, `${key}.run-on`, `parsing "${file}" file: ${key}.run-on: expected list`);
    for (const [j, b] of runOn.entries()) {
      const bk = `${key}.run-on[${j}]`;
      if (!isYamlMap(b)) fail(file, bk, `parsing "${file}" file: ${bk}: expected map`);
      const name = b.name;
      if (typeof name !== "string" || name === "") {
        fail(
          file,
          `${bk}.name`,
          `parsing "${file}" file: ${bk}.name: expected string, got ${describeValue(name)}`,
        );
      }
      addBase(
        out,
        name,
        channelString(b.channel, file, `${bk}.channel`),
        archList(b.architectures, file, `${bk}.architectures`),
      );
    }
  }
  return out;
}

/** Splits a platform string: `ubuntu@22.04:amd64` or `amd64`. */
function splitPlatform(s: string): { base?: { name: string; channel: string }; arch: string } {
  const colon = s.lastIndexOf(":");
  if (colon < 0) return { arch: s };
  const base = parseBaseString(s.slice(0, colon));
  return base ? { base, arch: s.slice(colon + 1) } : { arch: s.slice(colon + 1) };
}

/** Bases of charmcraft `base:` + `platforms:`, or multi-base `platforms:` keys. */
export function basesFromPlatforms(doc: YamlMap, file: string): CharmBase[] {
  const platforms = doc.platforms;
  if (!isYamlMap(platforms)) {
    fail(
      file,
      "platforms",
      `parsing "${file}" file: platforms: expected map, got ${describeValue(platforms)}`,
    );
  }
  let defaultBase: { name: string; channel: string } | undefined;
  if (doc.base !== undefined && doc.base !== null) {
    if (typeof doc.base !== "string" || !parseBaseString(doc.base)) {
      fail(file, "base", `parsing "${file}" file: base: invalid base ${JSON.stringify(doc.base)}`);
    }
    defaultBase = parseBaseString(doc.base);
  }
  const out: CharmBase[] = [];
  for (const [key, value] of Object.entries(platforms)) {
    const targets: string[] = [];
    if (isYamlMap(value) && value["build-for"] !== undefined) {
      const bf = value["build-for"];
      for (const t of Array.isArray(bf) ? bf : [bf]) {
        if (typeof t !== "string")
          fail(
            file,
            `platforms.${key}.build-for`,
            `parsing "${file}" file: platforms.${key}.build-for: expected string`,
          );
        targets.push(t);
      }
    } else {
      targets.push(key);
    }
    for (const t of targets) {
      const { base, arch } = splitPlatform(t);
      const b = base ?? defaultBase;
      if (!b) {
        fail(
          file,
          `platforms.${key}`,
          `parsing "${file}" file: platforms.${key}: no base for platform "${t}" (set "base:" or use "<os>@<version>:<arch>")`,
        );
      }
      addBase(out, b.name, b.channel, [arch]);
    }
  }
  return out;
}

/** Bases from a legacy `series:` list, through Juju's series table (unknown series are skipped). */
export function basesFromSeries(series: readonly string[]): CharmBase[] {
  const out: CharmBase[] = [];
  for (const s of series) {
    const b = seriesToBase(s);
    if (b && !out.some((x) => x.name === b.name && x.channel === b.channel)) out.push(b);
  }
  return out;
}

function sortBases(bases: CharmBase[]): CharmBase[] {
  return bases.sort((a, b) =>
    a.name === b.name ? compareBaseChannels(a.channel, b.channel) : a.name < b.name ? -1 : 1,
  );
}

// ---------------------------------------------------------------------------
// whole charm

const CHARMCRAFT_ONLY_METADATA_IGNORED = new Set(["config", "actions"]);

function sortRecord<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Reads a charm from its files into a {@link CharmInfo}.
 * @throws CharmMetadataError when a file is malformed, breaks Juju's rules,
 *   or when no file names the charm.
 */
export function parseCharmFiles(files: CharmFiles): CharmInfo {
  const craft = files.charmcraft === undefined ? undefined : loadYaml(files.charmcraft, CHARMCRAFT);
  if (craft !== undefined && craft !== null && !isYamlMap(craft)) {
    fail(
      CHARMCRAFT,
      undefined,
      `parsing "${CHARMCRAFT}" file: expected map, got ${describeValue(craft)}`,
    );
  }
  const craftMap: YamlMap = isYamlMap(craft) ? craft : {};
  const charmType = craftMap.type === "bundle" ? "bundle" : "charm";

  let metaRaw: unknown;
  let metaFile: string;
  if (files.metadata !== undefined) {
    metaRaw = loadYaml(files.metadata, META);
    metaFile = META;
  } else if (craftMap.name !== undefined) {
    const m: YamlMap = {};
    for (const [k, v] of Object.entries(craftMap))
      if (!CHARMCRAFT_ONLY_METADATA_IGNORED.has(k)) m[k] = v;
    metaRaw = m;
    metaFile = CHARMCRAFT;
  } else {
    return fail(
      files.charmcraft === undefined ? META : CHARMCRAFT,
      "name",
      files.charmcraft === undefined
        ? `reading "${META}" file: no metadata.yaml and no charmcraft.yaml`
        : `parsing "${CHARMCRAFT}" file: metadata: name: expected string, got nothing (and there is no metadata.yaml)`,
    );
  }
  const meta = parseMetadata(metaRaw, metaFile);

  let config: Record<string, CharmConfigOption> = {};
  if (files.config !== undefined) config = parseConfig(loadYaml(files.config, "config.yaml"));
  else if (craftMap.config !== undefined && craftMap.config !== null)
    config = parseConfig(craftMap.config, CHARMCRAFT);

  let actions: Record<string, CharmAction> = {};
  if (files.actions !== undefined)
    actions = parseActions(loadYaml(files.actions, "actions.yaml"), meta.name);
  else if (craftMap.actions !== undefined)
    actions = parseActions(craftMap.actions, meta.name, CHARMCRAFT);

  let bases: CharmBase[] = [];
  let format: 1 | 2 = 1;
  const manifest =
    files.manifest === undefined ? undefined : loadYaml(files.manifest, "manifest.yaml");
  if (isYamlMap(manifest) && manifest.bases !== undefined) {
    bases = basesFromList(manifest.bases, "manifest.yaml");
    format = 2;
  } else if (craftMap.bases !== undefined && craftMap.bases !== null) {
    bases = basesFromList(craftMap.bases, CHARMCRAFT);
    format = 2;
  } else if (craftMap.platforms !== undefined && craftMap.platforms !== null) {
    bases = basesFromPlatforms(craftMap, CHARMCRAFT);
    format = 2;
  } else {
    bases = basesFromSeries(meta.series);
  }

  const info: CharmInfo = {
    charmType,
    ...meta,
    bases: sortBases(bases),
    config,
    actions,
    format,
  };
  if (files.lxdProfile !== undefined) {
    info.lxdProfile = parseLxdProfile(loadYaml(files.lxdProfile, "lxd-profile.yaml"));
  }
  return info;
}
