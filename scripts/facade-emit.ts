/**
 * Renders one facade (all its registered versions, overrides applied) as a
 * TypeScript module of interfaces plus one method-map interface per version.
 *
 * Deduplication across versions: two versions share a definition when its
 * shape is identical, including (transitively) the shapes of everything it
 * references. The shape used by the newest version gets the plain schema name
 * (`ResolveCharmWithChannelResult`); every older distinct shape gets the
 * schema name plus `V<newest version using that shape>`
 * (`ResolveCharmWithChannelResultV6` = the shape of Charms v5–v6).
 */
import { DEFINITION_OVERRIDES } from "./facade-overrides.js";
import { compareStrings, type FacadeSchema, refName, type SchemaNode } from "./facade-schema.js";

/** The rendered module plus what index.ts needs to know about it. */
export interface RenderedFacade {
  name: string;
  fileName: string;
  versions: number[];
  text: string;
  /** Per version: method → schema definition names of params and result. */
  methods: Map<number, Map<string, { params?: string; result?: string }>>;
}

/** `ApplicationOffers` → `application-offers`, `SSHClient` → `ssh-client`. */
export function facadeFileBase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .toLowerCase();
}

/** `Application` v22 → `ApplicationV22`: the method map of one facade version. */
export function methodMapName(facade: string, version: number): string {
  return `${facade}V${version}`;
}

/** JSDoc block from free text (`*\/` escaped), indented. Empty text gives "". */
export function jsDoc(text: string | undefined, indent = ""): string {
  const trimmed = (text ?? "").trim();
  if (trimmed === "") return "";
  const lines = trimmed.replace(/\*\//g, "*\\/").split("\n");
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} *${l === "" ? "" : ` ${l}`}`.trimEnd()).join("\n")}\n${indent} */\n`;
}

function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

/** Stable JSON with sorted keys: the local shape of a definition. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([k]) => k !== "description")
      .sort(([a], [b]) => compareStrings(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function collectRefs(node: unknown, out: string[]): string[] {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, out);
  } else if (node !== null && typeof node === "object") {
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === "$ref" && typeof value === "string") out.push(refName(value));
      else collectRefs(value, out);
    }
  }
  return out;
}

/** "v15–v22", "v5, v7". */
export function versionRanges(versions: readonly number[]): string {
  const sorted = [...versions].sort((a, b) => a - b);
  const parts: string[] = [];
  let start = sorted[0];
  let prev = start;
  for (const v of [...sorted.slice(1), Number.NaN]) {
    if (start === undefined || prev === undefined) break;
    if (v === prev + 1) {
      prev = v;
      continue;
    }
    parts.push(start === prev ? `v${start}` : `v${start}–v${prev}`);
    start = v;
    prev = v;
  }
  return parts.join(", ");
}

/**
 * Assigns a TS name to every (version, definition): partition refinement over
 * the definition graph (it has cycles, e.g. FullStatus ↔ MachineStatus), so
 * that equal names mean equal deep shapes.
 */
function assignNames(versions: readonly FacadeSchema[]): Map<string, string> {
  const key = (v: number, def: string) => `${v}:${def}`;
  const nodes: { v: number; def: string; local: string; refs: string[] }[] = [];
  for (const f of versions) {
    for (const [def, schema] of Object.entries(f.Schema.definitions ?? {})) {
      nodes.push({
        v: f.Version,
        def,
        local: `${def}|${canonical(schema)}`,
        refs: collectRefs(schema, []),
      });
    }
  }
  const classOf = new Map<string, number>();
  const intern = (signatures: Map<string, string>) => {
    const ids = new Map<string, number>();
    for (const [k, sig] of signatures) {
      if (!ids.has(sig)) ids.set(sig, ids.size);
      classOf.set(k, ids.get(sig)!);
    }
    return ids.size;
  };
  let count = intern(new Map(nodes.map((n) => [key(n.v, n.def), n.local])));
  for (;;) {
    const sigs = new Map(
      nodes.map((n) => [
        key(n.v, n.def),
        `${classOf.get(key(n.v, n.def))}|${n.refs.map((r) => classOf.get(key(n.v, r)) ?? r).join(",")}`,
      ]),
    );
    const next = intern(sigs);
    if (next === count) break;
    count = next;
  }
  // Group versions by class for each definition name, and name the groups.
  const byDef = new Map<string, Map<number, number[]>>();
  for (const n of nodes) {
    const groups = byDef.get(n.def) ?? new Map<number, number[]>();
    byDef.set(n.def, groups);
    const cls = classOf.get(key(n.v, n.def))!;
    groups.set(cls, [...(groups.get(cls) ?? []), n.v]);
  }
  const taken = new Set(byDef.keys());
  const names = new Map<string, string>();
  for (const [def, groups] of [...byDef].sort(([a], [b]) => compareStrings(a, b))) {
    const newest = Math.max(...[...groups.values()].flat());
    for (const vs of groups.values()) {
      const top = Math.max(...vs);
      let name = def;
      if (top !== newest) {
        name = `${def}V${top}`;
        if (taken.has(name)) name = `${def}_V${top}`;
        if (taken.has(name)) throw new Error(`cannot name version ${top} of ${def}`);
        taken.add(name);
      }
      for (const v of vs) names.set(key(v, def), name);
    }
  }
  return names;
}

class TypeRenderer {
  constructor(
    private readonly names: Map<string, string>,
    private readonly version: number,
  ) {}

  ref(def: string): string {
    const name = this.names.get(`${this.version}:${def}`);
    if (name === undefined) throw new Error(`dangling $ref ${def} in v${this.version}`);
    return name;
  }

  type(node: SchemaNode, indent: string, owner = "?"): string {
    if (node.$ref !== undefined) return this.ref(refName(node.$ref));
    const enumValues = node.enum;
    if (Array.isArray(enumValues)) return enumValues.map((e) => JSON.stringify(e)).join(" | ");
    // A union such as ["string", "null"] (override 8b).
    if (Array.isArray(node.type)) {
      return node.type
        .map((t) => (t === "null" ? "null" : this.type({ ...node, type: t }, indent, owner)))
        .join(" | ");
    }
    switch (node.type) {
      case "string":
        return "string";
      case "integer":
      case "number":
        return "number";
      case "boolean":
        return "boolean";
      case "array": {
        if (Array.isArray(node.items))
          return `[${node.items.map((i) => this.type(i, indent, owner)).join(", ")}]`;
        const item = node.items === undefined ? "unknown" : this.type(node.items, indent, owner);
        return /[ |]/.test(item) && !item.startsWith("{") ? `(${item})[]` : `${item}[]`;
      }
      case "object":
        return this.object(node, indent, owner);
      default:
        return "unknown";
    }
  }

  object(node: SchemaNode, indent: string, owner: string): string {
    if (node.properties !== undefined && Object.keys(node.properties).length > 0) {
      return `{\n${this.members(node, `${indent}  `, owner)}${indent}}`;
    }
    const pattern = Object.values(node.patternProperties ?? {})[0];
    if (pattern !== undefined) return `Record<string, ${this.type(pattern, indent, owner)}>`;
    if (typeof node.additionalProperties === "object") {
      return `Record<string, ${this.type(node.additionalProperties, indent, owner)}>`;
    }
    return node.additionalProperties === false
      ? "Record<string, never>"
      : "Record<string, unknown>";
  }

  /**
   * The members of an object schema, each with a doc comment: Juju's
   * description when the schema has one, else the wire (JSON) name, the
   * definition it belongs to (`owner`, a dotted path for nested objects) and
   * whether the schema marks it required.
   */
  members(node: SchemaNode, indent: string, owner: string): string {
    const required = new Set(node.required ?? []);
    return Object.entries(node.properties ?? {})
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([prop, schema]) => {
        const opt = required.has(prop) ? "" : "?";
        const doc =
          schema.description?.trim() ||
          `Wire field \`${prop}\` of \`${owner}\`${required.has(prop) ? " (required)" : ""}.`;
        return `${jsDoc(doc, indent)}${indent}${propertyKey(prop)}${opt}: ${this.type(schema, indent, `${owner}.${prop}`)};\n`;
      })
      .join("");
  }
}

function renderDefinition(
  def: string,
  tsName: string,
  schema: SchemaNode,
  r: TypeRenderer,
  doc: string,
): string {
  const override = DEFINITION_OVERRIDES[def];
  if (override !== undefined) {
    return `${jsDoc(`${doc}\n\nOverridden (scripts/facade-overrides.ts): ${override.why}.`)}export type ${tsName} = ${override.ts};\n`;
  }
  if (
    schema.type === "object" &&
    schema.properties !== undefined &&
    Object.keys(schema.properties).length > 0
  ) {
    return `${jsDoc(doc)}export interface ${tsName} {\n${r.members(schema, "  ", def)}}\n`;
  }
  return `${jsDoc(doc)}export type ${tsName} = ${r.type(schema, "", def)};\n`;
}

/** Renders one facade module from its registered versions (overrides already applied). */
export function renderFacade(versions: readonly FacadeSchema[], header: string): RenderedFacade {
  const first = versions[0];
  if (first === undefined) throw new Error("renderFacade: no versions");
  const facade = first.Name;
  const names = assignNames(versions);
  const sorted = [...versions].sort((a, b) => a.Version - b.Version);
  const newest = sorted[sorted.length - 1]!;

  // Definitions, once per distinct TS name, from the newest version using it.
  const emitted = new Map<string, { def: string; version: number; versions: number[] }>();
  for (const f of sorted) {
    for (const def of Object.keys(f.Schema.definitions ?? {})) {
      const tsName = names.get(`${f.Version}:${def}`)!;
      const entry = emitted.get(tsName);
      emitted.set(tsName, {
        def,
        version: f.Version,
        versions: [...(entry?.versions ?? []), f.Version],
      });
    }
  }
  const defBlocks = [...emitted]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([tsName, { def, version, versions: used }]) => {
      const schema = sorted.find((f) => f.Version === version)!.Schema.definitions![def]!;
      const doc = `Schema definition \`${def}\` of ${facade} ${versionRanges(used)}.`;
      return renderDefinition(def, tsName, schema, new TypeRenderer(names, version), doc);
    });

  for (const f of sorted) {
    if (emitted.has(methodMapName(facade, f.Version))) {
      throw new Error(`${methodMapName(facade, f.Version)} is both a method map and a definition`);
    }
  }

  // Method maps.
  const methods = new Map<number, Map<string, { params?: string; result?: string }>>();
  const mapBlocks = sorted.map((f) => {
    const r = new TypeRenderer(names, f.Version);
    const table = new Map<string, { params?: string; result?: string }>();
    methods.set(f.Version, table);
    const entries = Object.entries(f.Schema.properties ?? {})
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([method, spec]) => {
        const params = spec.properties?.Params?.$ref;
        const result = spec.properties?.Result?.$ref;
        const row: { params?: string; result?: string } = {};
        if (params !== undefined) row.params = refName(params);
        if (result !== undefined) row.result = refName(result);
        table.set(method, row);
        const p = params === undefined ? "undefined" : r.ref(refName(params));
        const res = result === undefined ? "Record<string, never>" : r.ref(refName(result));
        const pDoc =
          row.params === undefined
            ? "No params: the request may omit `params`."
            : `The request's \`params\`: schema \`${row.params}\`.`;
        const rDoc =
          row.result === undefined
            ? "No result: the reply's `response` is `{}`."
            : `The reply's \`response\`: schema \`${row.result}\`.`;
        const doc =
          spec.description?.trim() ||
          `Wire request \`${method}\` of ${facade} v${f.Version} (no description in Juju's schema).`;
        return `${jsDoc(doc, "  ")}  ${propertyKey(method)}: {\n${jsDoc(pDoc, "    ")}    params: ${p};\n${jsDoc(rDoc, "    ")}    result: ${res};\n  };\n`;
      });
    const doc = `${f.Description?.trim() ? `${f.Description.trim()}\n\n` : ""}Methods of ${facade} v${f.Version}: \`params\` is \`undefined\` when the call takes none; a call without a result answers \`{}\` (\`Record<string, never>\`).`;
    return `${jsDoc(doc)}export interface ${methodMapName(facade, f.Version)} {\n${entries.join("")}}\n`;
  });

  const moduleDoc = `${newest.Description?.trim() ? `${newest.Description.trim()}\n\n` : ""}Types of the Juju \`${facade}\` facade, ${versionRanges(sorted.map((f) => f.Version))}.\n@module`;
  const text = `${header}\n${jsDoc(moduleDoc)}\n${[...mapBlocks, ...defBlocks].join("\n")}`;
  return {
    name: facade,
    fileName: `${facadeFileBase(facade)}.ts`,
    versions: sorted.map((f) => f.Version),
    text,
    methods,
  };
}
