/**
 * Overlays, applied as Juju 3.6 applies them (charm.ReadAndMergeBundleData):
 * the first document is the base bundle and may not use overlay-only fields
 * (`offers`, `exposed-endpoints`); every later document, from the same file
 * or another one, is merged onto it field by field. `include-file://` and
 * `include-base64://` values and `./relative` charm paths are resolved
 * against the directory of the file that holds them.
 * @module
 */
import { APPLICATION, childPath, type DecodedBundle } from "./decode.js";
import type { BundleProblem } from "./errors.js";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Reports overlay-only fields in a base bundle, with Juju's message
 * (`applications.apache2.offers can only appear in an overlay section`).
 */
export function overlayOnlyProblems(base: DecodedBundle): BundleProblem[] {
  const out: BundleProblem[] = [];
  const apps = base.applications;
  if (!isObj(apps)) return out;
  const report = (path: string, dotted: string) =>
    out.push({ path, message: `${dotted} can only appear in an overlay section` });
  for (const [name, app] of Object.entries(apps)) {
    if (!isObj(app)) continue;
    const appPath = childPath("applications", name);
    const appDotted = `applications.${name}`;
    const groups: [string, string[]][] = [
      ["exposed-endpoints", ["expose-to-spaces", "expose-to-cidrs"]],
      ["offers", ["endpoints", "acl"]],
    ];
    for (const [field, inner] of groups) {
      const m = app[field];
      if (!isObj(m) || Object.keys(m).length === 0) continue;
      report(childPath(appPath, field), `${appDotted}.${field}`);
      for (const [key, spec] of Object.entries(m)) {
        if (!isObj(spec)) continue;
        for (const f of inner) {
          const v = spec[f];
          const nonEmpty = Array.isArray(v) ? v.length > 0 : isObj(v) && Object.keys(v).length > 0;
          if (nonEmpty) {
            report(
              childPath(childPath(childPath(appPath, field), key), f),
              `${appDotted}.${field}.${key}.${f}`,
            );
          }
        }
      }
    }
  }
  return out;
}

/** True for a value Go would see as the zero value of a non-scalar (nil pointer, empty struct). */
function isZeroNonScalar(v: unknown, field: string): boolean {
  if (v === null || v === undefined) return true;
  if (field === "exposed-endpoints" && isObj(v)) {
    return Object.values(v).every(
      (x) => x === null || x === undefined || (Array.isArray(x) && x.length === 0),
    );
  }
  return false;
}

const MAP_FIELDS = new Set(
  Object.entries(APPLICATION.fields)
    .filter(([, k]) => k === "stringMap" || k === "anyMap" || typeof k === "object")
    .map(([name]) => name),
);

/** Merges an overlay's application (or SAAS) spec into the base one, field by present field. */
function mergeSpec(dst: Obj, src: Obj): void {
  for (const [field, value] of Object.entries(src)) {
    if (!MAP_FIELDS.has(field)) {
      dst[field] = structuredClone(value);
      continue;
    }
    // A nil or empty map clears the base's map; otherwise keys are merged and
    // a nil (or empty non-scalar) value deletes the key.
    if (!isObj(value) || Object.keys(value).length === 0) {
      dst[field] = {};
      continue;
    }
    const target: Obj = isObj(dst[field]) ? (dst[field] as Obj) : {};
    dst[field] = target;
    for (const [k, v] of Object.entries(value)) {
      if (isZeroNonScalar(v, field)) delete target[k];
      else target[k] = structuredClone(v);
    }
  }
}

/** Drops the relations that involve `app` (either endpoint), keeping malformed ones for validation. */
export function removeRelations(relations: unknown, app: string): unknown {
  if (!Array.isArray(relations)) return relations;
  return relations.filter((rel) => {
    if (!Array.isArray(rel) || rel.length !== 2) return true;
    return !rel.some((ep) => typeof ep === "string" && (ep === app || ep.startsWith(`${app}:`)));
  });
}

/** Applies one overlay document onto the base (mutating it), as Juju's applyOverlay does. */
export function applyOverlay(base: DecodedBundle, overlay: DecodedBundle): void {
  if (Object.keys(overlay).length === 0) return;
  for (const section of ["applications", "saas"] as const) {
    const specs = overlay[section];
    if (!isObj(specs) || Object.keys(specs).length === 0) continue;
    if (!isObj(base[section])) base[section] = {};
    const target = base[section] as Obj;
    for (const [name, spec] of Object.entries(specs)) {
      if (spec === null || spec === undefined) {
        delete target[name];
        base.relations = removeRelations(base.relations, name);
        continue;
      }
      const existing = target[name];
      if (!isObj(existing)) {
        target[name] = structuredClone(spec);
        continue;
      }
      mergeSpec(existing, spec as Obj);
    }
  }
  if (typeof overlay.series === "string" && overlay.series !== "") base.series = overlay.series;
  if (Array.isArray(overlay.relations) && overlay.relations.length > 0) {
    base.relations = [
      ...(Array.isArray(base.relations) ? base.relations : []),
      ...structuredClone(overlay.relations),
    ];
  }
  if (isObj(overlay.machines)) base.machines = structuredClone(overlay.machines);
}

/** One `include-file://` or `include-base64://` directive found in a document. */
export interface IncludeRef {
  /** `file` keeps the content as text; `base64` encodes it. */
  encoding: "file" | "base64";
  /** The path as written after the directive. */
  path: string;
}

const DIRECTIVES: [string, IncludeRef["encoding"]][] = [
  ["include-file://", "file"],
  ["include-base64://", "base64"],
];

function includeOf(v: unknown): IncludeRef | undefined {
  if (typeof v !== "string") return undefined;
  for (const [prefix, encoding] of DIRECTIVES) {
    if (v.startsWith(prefix)) return { encoding, path: v.slice(prefix.length) };
  }
  return undefined;
}

interface IncludeSite {
  ref: IncludeRef;
  path: string;
  context: string;
  set: (v: string) => void;
}

function includeSites(data: DecodedBundle): IncludeSite[] {
  const sites: IncludeSite[] = [];
  const scan = (m: unknown, path: string, what: string, owner: string, ownerName: string) => {
    if (!isObj(m)) return;
    for (const [k, v] of Object.entries(m)) {
      const ref = includeOf(v);
      if (!ref) continue;
      sites.push({
        ref,
        path: childPath(path, k),
        context: `processing ${what} ${JSON.stringify(k)} for ${owner} ${JSON.stringify(ownerName)}`,
        set: (value) => {
          m[k] = value;
        },
      });
    }
  };
  if (isObj(data.applications)) {
    for (const [name, app] of Object.entries(data.applications)) {
      if (!isObj(app)) continue;
      const p = childPath("applications", name);
      scan(app.options, childPath(p, "options"), "option", "application", name);
      scan(app.annotations, childPath(p, "annotations"), "annotation", "application", name);
    }
  }
  if (isObj(data.machines)) {
    for (const [id, m] of Object.entries(data.machines)) {
      if (!isObj(m)) continue;
      scan(
        m.annotations,
        childPath(childPath("machines", id), "annotations"),
        "annotation",
        "machine",
        id,
      );
    }
  }
  return sites;
}

/** The include directives a document uses (options and annotations of applications, machine annotations). */
export function includeRefs(data: DecodedBundle): IncludeRef[] {
  return includeSites(data).map((s) => s.ref);
}

/** The outcome of reading one include: its content, or why it could not be read. */
export type IncludeContent = { data: string | Uint8Array } | { error: string };

/**
 * Replaces include directives in a document with the files' contents
 * (`lookup` gives the content read for each directive path); returns a
 * problem, in Juju's words, for each one that could not be read.
 */
export function substituteIncludes(
  data: DecodedBundle,
  lookup: (ref: IncludeRef) => IncludeContent | undefined,
): BundleProblem[] {
  const problems: BundleProblem[] = [];
  for (const site of includeSites(data)) {
    const got = lookup(site.ref);
    if (got === undefined || "error" in got) {
      const why = got === undefined ? "no readFile option to read it with" : got.error;
      problems.push({
        path: site.path,
        message: `${site.context}: resolving include ${JSON.stringify(site.ref.path)}: ${why}`,
      });
      continue;
    }
    site.set(site.ref.encoding === "file" ? asText(got.data) : toBase64(got.data));
  }
  return problems;
}

function asText(d: string | Uint8Array): string {
  return typeof d === "string" ? d : new TextDecoder().decode(d);
}

function toBase64(d: string | Uint8Array): string {
  const bytes = typeof d === "string" ? new TextEncoder().encode(d) : d;
  let bin = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    bin += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(bin);
}

/** Makes `./relative` charm paths absolute against the document's directory, as Juju does. */
export function resolveCharmPaths(data: DecodedBundle, dir: string | undefined): void {
  if (dir === undefined || !isObj(data.applications)) return;
  for (const app of Object.values(data.applications)) {
    if (isObj(app) && typeof app.charm === "string" && app.charm.startsWith(".")) {
      app.charm = joinPath(dir, app.charm);
    }
  }
}

/** True for `/abs`, `C:\abs` and `\\server\share` paths. */
export function isAbsolutePath(p: string): boolean {
  return p.startsWith("/") || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith("\\\\");
}

/** Joins a relative path onto a directory and normalises `.` and `..` (pure: no `node:path`). */
export function joinPath(dir: string, rel: string): string {
  if (isAbsolutePath(rel) || dir === "") return rel;
  const sep = dir.includes("\\") && !dir.includes("/") ? "\\" : "/";
  const abs = isAbsolutePath(dir);
  const parts: string[] = [];
  for (const seg of `${dir}${sep}${rel}`.split(/[\\/]+/)) {
    if (seg === "" || seg === ".") continue;
    if (seg === ".." && parts.length > 0 && parts[parts.length - 1] !== "..") {
      if (!(abs && parts.length === 1 && /^[A-Za-z]:$/.test(parts[0] as string))) parts.pop();
      continue;
    }
    if (seg === ".." && abs) continue;
    parts.push(seg);
  }
  const joined = parts.join(sep);
  if (dir.startsWith("/")) return `/${joined}`;
  return joined === "" ? "." : joined;
}

/** The directory of a file path (`a/b/c.yaml` → `a/b`; `c.yaml` → `.`). */
export function dirName(p: string): string {
  const i = Math.max(p.lastIndexOf("/"), p.lastIndexOf("\\"));
  if (i < 0) return ".";
  if (i === 0) return p.slice(0, 1);
  return p.slice(0, i);
}
