/**
 * Loading Juju's facade schemas (`../shared/juju-schema/`), shared by the
 * facade generator (`scripts/generate-facades.ts`) and the schema-conformance
 * validator used by tests (`test/support/schema-conformance.ts`).
 *
 * Nothing here is used by the product at run time: the product only uses the
 * generated output in `src/facades/generated/`.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BYTE_FIELDS,
  DEFINITION_OVERRIDES,
  FREE_FORM_FIELDS,
  INLINE_EMBEDDED,
  isGhostProperty,
  isGoInterface,
  NULLABLE_FIELDS,
  resolveNameClashes,
} from "./facade-overrides.js";

/** A JSON schema node as found in Juju's schema files (draft-ish, loosely typed). */
export interface SchemaNode {
  type?: string | string[];
  $ref?: string;
  description?: string;
  format?: string;
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode | SchemaNode[];
  required?: string[];
  definitions?: Record<string, SchemaNode>;
  [key: string]: unknown;
}

/** One element of `client-facades-by-version.json`: one version of one facade. */
export interface FacadeSchema {
  Name: string;
  Version: number;
  Description?: string;
  AvailableTo?: string[];
  Schema: SchemaNode;
  _from_commit?: string;
  _commit_date?: string;
}

/** A facade and its versions, as in a Login reply (`{name, versions}`). */
export interface FacadeVersionsEntry {
  name: string;
  versions: number[];
}

/** `login-facades-3.6.json`. */
export interface LoginFacadesFile {
  juju_branch: string;
  juju_version: string;
  commit: string;
  all_registered: FacadeVersionsEntry[];
  model_login_facades: FacadeVersionsEntry[];
  controller_login_facades: FacadeVersionsEntry[];
}

/** The repository root: the parent of `scripts/`. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Default location of the read-only reference material: `<repo>/../shared`. */
export const DEFAULT_SHARED_DIR = resolve(REPO_ROOT, "..", "shared");

/**
 * The Admin facade is never listed in a Login reply (nor in
 * `all_registered`), but every client speaks Admin v3 to log in.
 */
export const IMPLICIT_CLIENT_FACADES: readonly FacadeVersionsEntry[] = [
  { name: "Admin", versions: [3] },
];

export function loadClientFacades(sharedDir: string = DEFAULT_SHARED_DIR): FacadeSchema[] {
  const path = join(sharedDir, "juju-schema", "client-facades-by-version.json");
  return JSON.parse(readFileSync(path, "utf8")) as FacadeSchema[];
}

export function loadLoginFacades(sharedDir: string = DEFAULT_SHARED_DIR): LoginFacadesFile {
  const path = join(sharedDir, "juju-schema", "login-facades-3.6.json");
  return JSON.parse(readFileSync(path, "utf8")) as LoginFacadesFile;
}

/** The derived 4.0 Login facade lists, kept in the repository (`scripts/data/`): see its `_about`. */
export const LOGIN_FACADES_4_0_PATH = join(REPO_ROOT, "scripts", "data", "login-facades-4.0.json");

export function loadLoginFacades4(): LoginFacadesFile {
  return JSON.parse(readFileSync(LOGIN_FACADES_4_0_PATH, "utf8")) as LoginFacadesFile;
}

/**
 * The client facades of Juju 4.x: every facade of `schema-4.0.json` (4.0.15,
 * newest version each), plus the facade versions `schema-main-4.1.json` adds
 * (e.g. MachineManager 12). Shapes are taken as 4.x has them, even where the
 * version number is the same as in 3.6 (Application 22, Charms 7, Client 8).
 */
export function loadJuju4Facades(sharedDir: string = DEFAULT_SHARED_DIR): FacadeSchema[] {
  const read = (file: string) =>
    JSON.parse(readFileSync(join(sharedDir, "juju-schema", file), "utf8")) as FacadeSchema[];
  const base = read("schema-4.0.json");
  const seen = new Set(base.map((f) => `${f.Name}/${f.Version}`));
  const added = read("schema-main-4.1.json").filter((f) => !seen.has(`${f.Name}/${f.Version}`));
  return [...base, ...added].sort(
    (a, b) => compareStrings(a.Name, b.Name) || a.Version - b.Version,
  );
}

/** The (facade, version) pairs that a 3.6 controller registers and that the schema file describes, plus Admin v3. */
export function registeredClientFacades(
  facades: readonly FacadeSchema[],
  login: LoginFacadesFile,
): FacadeSchema[] {
  const wanted = new Map<string, Set<number>>();
  for (const f of [...login.all_registered, ...IMPLICIT_CLIENT_FACADES]) {
    wanted.set(f.name, new Set(f.versions));
  }
  const known = new Set(facades.map((f) => f.Name));
  // Every registered version of a client facade (one the schema file knows) must be covered.
  for (const [name, versions] of wanted) {
    if (!known.has(name)) continue; // an agent or controller-internal facade
    for (const v of versions) {
      if (!facades.some((f) => f.Name === name && f.Version === v)) {
        throw new Error(
          `client-facades-by-version.json has no schema for registered ${name} v${v}`,
        );
      }
    }
  }
  return facades
    .filter((f) => wanted.get(f.Name)?.has(f.Version) === true)
    .sort((a, b) => compareStrings(a.Name, b.Name) || a.Version - b.Version);
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Name of the definition a `$ref` points at (`#/definitions/X` → `X`). */
export function refName(ref: string): string {
  return ref.replace(/^#\/definitions\//, "");
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/**
 * Applies `scripts/facade-overrides.ts` to one facade version, returning a new
 * facade whose definitions describe the wire. The input is not modified.
 */
export function applyOverrides(facade: FacadeSchema): FacadeSchema {
  const out = clone(facade);
  const original = facade.Schema.definitions ?? {};
  const defs = out.Schema.definitions ?? {};
  for (const [name, def] of Object.entries(defs)) {
    const override = DEFINITION_OVERRIDES[name];
    if (override !== undefined) {
      defs[name] = clone(override.schema);
      continue;
    }
    const props = def.properties;
    if (props === undefined) continue;
    let required = def.required;
    // (1b) `json:",inline"` embeddings: flatten the target's fields into the parent.
    for (const inline of INLINE_EMBEDDED) {
      const prop = props[inline.property];
      if (inline.definition !== name || prop?.$ref === undefined) continue;
      const target = original[refName(prop.$ref)];
      delete props[inline.property];
      required = required?.filter((r) => r !== inline.property);
      for (const [field, schema] of Object.entries(target?.properties ?? {})) {
        props[field] = clone(schema);
      }
      required = [...(required ?? []), ...(target?.required ?? [])];
    }
    // (1) ghost properties of embedded structs.
    for (const [prop, schema] of Object.entries(props)) {
      if (isGhostProperty(prop, schema, facade.Schema.definitions?.[name] ?? def, original)) {
        delete props[prop];
        required = required?.filter((r) => r !== prop);
      }
    }
    // (4) []byte → base64 string; (7) interface{} → anything.
    for (const field of BYTE_FIELDS) {
      if (field.definition === name && props[field.property] !== undefined) {
        props[field.property] = { type: "string" };
      }
    }
    for (const field of FREE_FORM_FIELDS) {
      if (field.definition === name && props[field.property] !== undefined) {
        props[field.property] = {};
      }
    }
    // (7b) interface{} anywhere in a property: any JSON value.
    for (const [prop, schema] of Object.entries(props)) props[prop] = freeInterfaces(schema);
    // (8b) nil pointers without omitempty.
    for (const field of NULLABLE_FIELDS) {
      const schema = props[field.property];
      if (field.definition === name && schema !== undefined && typeof schema.type === "string") {
        props[field.property] = { ...schema, type: [schema.type, "null"] };
      }
    }
    if (required !== undefined) def.required = required;
  }
  // (10) Go type name clashes: the losing type's properties get their own definition.
  if (out.Schema.definitions !== undefined) resolveNameClashes(out.Schema.definitions);
  return out;
}

/** (7b) Replaces every Go `interface{}` node inside `node` by `{}` (any value). */
function freeInterfaces(node: SchemaNode): SchemaNode {
  if (isGoInterface(node)) return {};
  const copy: SchemaNode = { ...node };
  if (node.patternProperties !== undefined) {
    copy.patternProperties = Object.fromEntries(
      Object.entries(node.patternProperties).map(([k, v]) => [k, freeInterfaces(v)]),
    );
  }
  if (Array.isArray(node.items)) copy.items = node.items.map(freeInterfaces);
  else if (node.items !== undefined) copy.items = freeInterfaces(node.items);
  if (typeof node.additionalProperties === "object") {
    copy.additionalProperties = freeInterfaces(node.additionalProperties);
  }
  return copy;
}

/**
 * (8) Returns a copy of `node` in which every array or object also accepts
 * `null`, as Go sends for nil slices and maps.
 */
export function allowNullCollections(node: SchemaNode): SchemaNode {
  const walk = (n: SchemaNode): SchemaNode => {
    const copy: SchemaNode = { ...n };
    if (n.type === "array" || n.type === "object") copy.type = [n.type, "null"];
    for (const key of ["properties", "patternProperties", "definitions"] as const) {
      const map = n[key];
      if (map !== undefined) {
        copy[key] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, walk(v)]));
      }
    }
    if (Array.isArray(n.items)) copy.items = n.items.map(walk);
    else if (n.items !== undefined) copy.items = walk(n.items);
    if (typeof n.additionalProperties === "object")
      copy.additionalProperties = walk(n.additionalProperties);
    return copy;
  };
  return walk(node);
}
