/**
 * YAML loading for charm files with the semantics of Go's `gopkg.in/yaml.v2`
 * (YAML 1.1: `yes`/`no`/`on`/`off` are booleans, merge keys, duplicate keys
 * rejected), reporting failures as {@link CharmMetadataError}.
 * @module
 */
import { parseAllDocuments } from "yaml";
import { CharmMetadataError } from "./errors.js";

/** A YAML mapping after loading: plain object with string keys. */
export type YamlMap = Record<string, unknown>;

/** True for a YAML mapping (a plain object, not an array or null). */
export function isYamlMap(v: unknown): v is YamlMap {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/**
 * Loads the first YAML document of `text` (yaml.v2's `Unmarshal` reads only
 * the first). An empty document loads as `undefined`.
 */
export function loadYaml(text: string, file: string): unknown {
  const docs = parseAllDocuments(text, {
    version: "1.1",
    merge: true,
    uniqueKeys: true,
    prettyErrors: true,
    // yaml.v2 hands timestamp-looking scalars to interface{} values as strings.
    customTags: (tags) =>
      tags.filter((t) => typeof t === "string" || t.tag !== "tag:yaml.org,2002:timestamp"),
  });
  const list = Array.isArray(docs) ? docs : [docs];
  const doc = list[0];
  if (doc === undefined) return undefined;
  const err = doc.errors[0];
  if (err !== undefined) {
    const line = err.linePos?.[0]?.line;
    const first = (err.message.split("\n")[0] ?? err.message).replace(
      / at line \d+, column \d+:?$/,
      "",
    );
    const where = line === undefined ? "" : `line ${line}: `;
    throw new CharmMetadataError(
      `parsing "${file}" file: yaml: ${where}${first}`,
      file,
      undefined,
      { cause: err, line },
    );
  }
  return doc.toJS({ maxAliasCount: 1000 }) as unknown;
}

/** Go's `%T(%#v)`-like rendering of a value for `expected X, got Y` messages. */
export function describeValue(v: unknown): string {
  if (v === undefined || v === null) return "nothing";
  if (typeof v === "string") return `string(${JSON.stringify(v)})`;
  if (typeof v === "boolean") return `bool(${v})`;
  if (typeof v === "number") return Number.isInteger(v) ? `int(${v})` : `float64(${v})`;
  if (Array.isArray(v)) return "[]interface {}";
  if (v instanceof Date) return `string(${JSON.stringify(v.toISOString())})`;
  return "map[interface {}]interface {}";
}
