/**
 * YAML read as Juju reads bundles (gopkg.in/yaml.v2): YAML 1.1 plain scalars
 * (`yes`/`no`/`on`/`off`/`y`/`n` booleans, `~` null, `0x1F`, `0777` octal,
 * `1_000`), anchors, aliases and `<<` merge keys, every document of a `---`
 * stream. The `yaml` package only tokenises (failsafe schema: every scalar
 * stays text) so scalars are resolved here exactly as go-yaml v2 does, and
 * each node keeps its line for error messages.
 * @module
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Scalar,
  type Node as YamlNode,
} from "yaml";

/** A scalar after go-yaml v2's resolution. */
export type YScalarValue = string | number | boolean | null;

/** A YAML node with what Juju's decoder needs: resolved value, raw text, tag and line. */
export type YNode =
  | { kind: "map"; line: number; entries: YEntry[] }
  | { kind: "seq"; line: number; items: YNode[] }
  | {
      kind: "scalar";
      line: number;
      /** The resolved value (`yes` → true, `"yes"` → "yes"). */
      value: YScalarValue;
      /** The scalar's text as written (what go-yaml stores into a string field). */
      raw: string;
      /** go-yaml's short tag: `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`. */
      tag: "!!str" | "!!int" | "!!float" | "!!bool" | "!!null";
    };

/** One key of a mapping: its text (as go-yaml decodes a key into a string) and value. */
export interface YEntry {
  key: string;
  keyLine: number;
  value: YNode;
}

/** One document of a YAML stream, or the syntax errors that stopped it. */
export interface YDocument {
  /** The document's root; null when the document is empty. */
  root: YNode | null;
  /** Syntax errors, each `line N: …`; non-empty means `root` is unusable. */
  errors: { line: number; message: string }[];
}

// go-yaml's limit on nesting.
const MAX_DEPTH = 10_000;
const NULLS = new Set(["", "~", "null", "Null", "NULL"]);
const TRUES = new Set(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]);
const FALSES = new Set([
  "n",
  "N",
  "no",
  "No",
  "NO",
  "false",
  "False",
  "FALSE",
  "off",
  "Off",
  "OFF",
]);
// go-yaml v2's yamlStyleFloat.
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** Go's strconv.ParseInt(s, 0, 64) on the text without underscores; undefined when it fails. */
function goParseInt(s: string): number | undefined {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const sign = m[1] === "-" ? -1 : 1;
  const body = m[2] as string;
  let n: number;
  if (/^0[xX]/.test(body)) n = Number.parseInt(body.slice(2), 16);
  else if (/^0[oO]/.test(body)) n = Number.parseInt(body.slice(2), 8);
  else if (/^0[bB]/.test(body)) n = Number.parseInt(body.slice(2), 2);
  else if (body.length > 1 && body.startsWith("0")) n = Number.parseInt(body.slice(1), 8);
  else n = Number.parseInt(body, 10);
  return sign * n;
}

/** Resolves a plain scalar as go-yaml v2's `resolve` does. */
export function resolvePlain(text: string): { value: YScalarValue; tag: YNodeTag } {
  if (NULLS.has(text)) return { value: null, tag: "!!null" };
  if (TRUES.has(text)) return { value: true, tag: "!!bool" };
  if (FALSES.has(text)) return { value: false, tag: "!!bool" };
  switch (text) {
    case ".inf":
    case ".Inf":
    case ".INF":
    case "+.inf":
    case "+.Inf":
    case "+.INF":
      return { value: Number.POSITIVE_INFINITY, tag: "!!float" };
    case "-.inf":
    case "-.Inf":
    case "-.INF":
      return { value: Number.NEGATIVE_INFINITY, tag: "!!float" };
    case ".nan":
    case ".NaN":
    case ".NAN":
      return { value: Number.NaN, tag: "!!float" };
  }
  if (/^[-+0-9.]/.test(text)) {
    const plain = text.replaceAll("_", "");
    const int = goParseInt(plain);
    if (int !== undefined) return { value: int, tag: "!!int" };
    if (YAML_FLOAT.test(plain)) return { value: Number.parseFloat(plain), tag: "!!float" };
  }
  return { value: text, tag: "!!str" };
}

type YNodeTag = "!!str" | "!!int" | "!!float" | "!!bool" | "!!null";

const LONG_TAGS: Record<string, YNodeTag> = {
  "tag:yaml.org,2002:str": "!!str",
  "tag:yaml.org,2002:int": "!!int",
  "tag:yaml.org,2002:float": "!!float",
  "tag:yaml.org,2002:bool": "!!bool",
  "tag:yaml.org,2002:null": "!!null",
};

/** Reads every document of `text`. Never throws: syntax errors are returned per document. */
export function readYamlStream(text: string): YDocument[] {
  try {
    return readStream(text);
  } catch (e) {
    // The tokenizer or the walk ran out of stack on absurd nesting: a syntax error, not a crash.
    return [
      { root: null, errors: [{ line: 1, message: `cannot parse YAML: ${(e as Error).message}` }] },
    ];
  }
}

function readStream(text: string): YDocument[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, {
    schema: "failsafe",
    uniqueKeys: false,
    lineCounter: lines,
    prettyErrors: false,
    merge: false,
  });
  const list = Array.isArray(docs) ? docs : [];
  // A stream with errors but no document (e.g. a lone `]`) still reports them.
  if (!Array.isArray(docs)) {
    const errs = (docs as { errors?: { message: string; pos: [number, number] }[] }).errors ?? [];
    if (errs.length > 0) {
      return [
        {
          root: null,
          errors: errs.map((e) => ({ line: lines.linePos(e.pos[0]).line, message: e.message })),
        },
      ];
    }
  }
  return list.map((doc) => toYDocument(doc, lines));
}

function toYDocument(doc: Document.Parsed, lines: LineCounter): YDocument {
  const errors: { line: number; message: string }[] = [];
  const seenErrors = new Set<string>();
  for (const e of doc.errors) {
    const line = lines.linePos(e.pos[0]).line;
    const message =
      e.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? e.message;
    if (seenErrors.has(`${line}\0${message}`)) continue;
    seenErrors.add(`${line}\0${message}`);
    errors.push({ line, message });
  }
  if (errors.length > 0) return { root: null, errors };
  const lineOf = (n: { range?: [number, number, number] | null } | null | undefined) =>
    n?.range ? lines.linePos(n.range[0]).line : 0;
  const seen = new Set<YamlNode>();
  // go-yaml v2's guard against alias bombs ("billion laughs"): too large a
  // share of nodes coming from aliases stops the decoding.
  let decodeCount = 0;
  let aliasCount = 0;
  let aliasDepth = 0;
  let excessive = false;
  let depth = 0;
  const convert = (node: unknown, fallbackLine: number): YNode => {
    depth++;
    try {
      return convertNode(node, fallbackLine);
    } finally {
      depth--;
    }
  };
  const convertNode = (node: unknown, fallbackLine: number): YNode => {
    decodeCount++;
    if (depth > MAX_DEPTH) {
      if (!excessive)
        errors.push({ line: fallbackLine, message: `exceeded max depth of ${MAX_DEPTH}` });
      excessive = true;
    }
    if (aliasDepth > 0) aliasCount++;
    if (
      excessive ||
      (aliasCount > 100 &&
        decodeCount > 1000 &&
        aliasCount / decodeCount > allowedAliasRatio(decodeCount))
    ) {
      if (!excessive)
        errors.push({ line: fallbackLine, message: "document contains excessive aliasing" });
      excessive = true;
      return { kind: "scalar", line: fallbackLine, value: null, raw: "", tag: "!!null" };
    }
    if (node === null || node === undefined) {
      return { kind: "scalar", line: fallbackLine, value: null, raw: "", tag: "!!null" };
    }
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target || seen.has(target as YamlNode)) {
        errors.push({ line: lineOf(node), message: `unknown or recursive anchor ${node.source}` });
        return { kind: "scalar", line: lineOf(node), value: null, raw: "", tag: "!!null" };
      }
      seen.add(target as YamlNode);
      aliasDepth++;
      try {
        return convert(target, lineOf(node));
      } finally {
        aliasDepth--;
        seen.delete(target as YamlNode);
      }
    }
    if (isMap(node)) {
      const line = lineOf(node);
      const entries: YEntry[] = [];
      const merged: YEntry[] = [];
      for (const pair of node.items) {
        const keyNode = pair.key as unknown;
        const keyLine = lineOf(keyNode as Scalar) || line;
        const value = convert(pair.value, keyLine);
        if (
          isScalar(keyNode) &&
          keyNode.type === "PLAIN" &&
          keyNode.value === "<<" &&
          !keyNode.tag
        ) {
          // A merge key: its mapping (or list of mappings) supplies keys the map lacks.
          const sources = value.kind === "seq" ? value.items : [value];
          for (const src of sources) {
            if (src.kind !== "map") {
              errors.push({
                line: keyLine,
                message: "map merge requires map or sequence of maps as the value",
              });
              continue;
            }
            merged.push(...src.entries);
          }
          continue;
        }
        let key: string;
        if (keyNode === null || keyNode === undefined) key = "";
        else if (isScalar(keyNode)) key = scalarText(keyNode);
        else if (isAlias(keyNode)) {
          const k = convert(keyNode, keyLine);
          if (k.kind !== "scalar") {
            errors.push({ line: keyLine, message: "invalid map key: a key must be a scalar" });
            continue;
          }
          key = k.value === null ? "" : k.raw;
        } else {
          errors.push({ line: keyLine, message: "invalid map key: a key must be a scalar" });
          continue;
        }
        entries.push({ key, keyLine, value });
      }
      // Keys from merged maps never override keys written in the map itself.
      const own = new Set(entries.map((e) => e.key));
      for (const e of merged) {
        if (own.has(e.key)) continue;
        own.add(e.key);
        entries.push(e);
      }
      return { kind: "map", line, entries };
    }
    if (isSeq(node)) {
      const line = lineOf(node);
      return { kind: "seq", line, items: node.items.map((i) => convert(i, line)) };
    }
    if (isScalar(node)) {
      const line = lineOf(node) || fallbackLine;
      const text = scalarText(node);
      const explicit = node.tag ? LONG_TAGS[node.tag] : undefined;
      if (node.type !== "PLAIN" && !explicit) {
        return { kind: "scalar", line, value: text, raw: text, tag: "!!str" };
      }
      if (explicit === "!!str")
        return { kind: "scalar", line, value: text, raw: text, tag: "!!str" };
      const resolved = resolvePlain(text);
      if (explicit && explicit !== resolved.tag) {
        // `!!int "3"`-style explicit tags: honoured when the text fits the tag.
        if (explicit === "!!float" && resolved.tag === "!!int") {
          return { kind: "scalar", line, value: resolved.value, raw: text, tag: "!!float" };
        }
        errors.push({ line, message: `cannot decode ${JSON.stringify(text)} as ${explicit}` });
      }
      return { kind: "scalar", line, value: resolved.value, raw: text, tag: resolved.tag };
    }
    errors.push({ line: fallbackLine, message: "unsupported YAML node" });
    return { kind: "scalar", line: fallbackLine, value: null, raw: "", tag: "!!null" };
  };
  const contents = doc.contents as unknown;
  const root = contents === null || contents === undefined ? null : convert(contents, 1);
  if (errors.length > 0) return { root: null, errors };
  if (root && root.kind === "scalar" && root.value === null) return { root: null, errors };
  return { root, errors };
}

/** go-yaml v2's allowedAliasRatio: generous for small documents, strict for huge ones. */
function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= 400_000) return 0.99;
  if (decodeCount >= 4_000_000) return 0.1;
  return 0.99 - (0.89 * (decodeCount - 400_000)) / 3_600_000;
}

function scalarText(s: Scalar): string {
  const v = s.value as unknown;
  if (v === null || v === undefined) return "";
  return String(v);
}

/** go-yaml v2's name of a node kind in "cannot unmarshal" messages. */
export function yamlKindName(n: YNode): string {
  if (n.kind === "map") return "!!map";
  if (n.kind === "seq") return "!!seq";
  return n.tag;
}
