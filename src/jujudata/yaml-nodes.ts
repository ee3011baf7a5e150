/**
 * Reading Juju's YAML client files with Go yaml semantics: documents are
 * parsed as YAML 1.1 (as Go's yaml.v2/v3 do for `yes`, `on`, `0755`…), and a
 * plain scalar read into a string field keeps its source text, as Go does
 * when it unmarshals an int- or bool-looking scalar into a `string`.
 * @module
 */
import { type Document, isMap, isScalar, isSeq, parseDocument, type YAMLMap } from "yaml";
import { JujuDataError } from "../rpc/errors.js";

/** A parsed YAML file plus what errors need to name it. */
export interface YamlFile {
  /** Absolute path. */
  path: string;
  /** File name for messages, e.g. `controllers.yaml`. */
  name: string;
  doc: Document.Parsed;
}

/** Parses `text` as YAML 1.1; throws {@link JujuDataError} when it is not valid YAML. */
export function parseYamlFile(path: string, name: string, text: string): YamlFile {
  const doc = parseDocument(text, { version: "1.1", prettyErrors: false, uniqueKeys: false });
  const first = doc.errors[0];
  if (first) {
    throw new JujuDataError(`${name} (${path}) is not valid YAML: ${first.message}`, path);
  }
  return { path, name, doc };
}

/** The root mapping of a file; an empty file is an empty mapping. */
export function rootMap(file: YamlFile): YAMLMap | undefined {
  const root = file.doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return undefined;
  if (!isMap(root)) {
    throw new JujuDataError(
      `${file.name} (${file.path}): the document is not a mapping`,
      file.path,
    );
  }
  return root;
}

/** A mapping value at `key` of `map`, or undefined; throws if it is another kind of node. */
export function mapAt(
  file: YamlFile,
  map: YAMLMap | undefined,
  key: string,
  keyPath: string,
): YAMLMap | undefined {
  const node = map?.get(key, true);
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) {
    return undefined;
  }
  if (!isMap(node)) {
    throw new JujuDataError(
      `${file.name} (${file.path}): ${keyPath} must be a mapping`,
      file.path,
      keyPath,
    );
  }
  return node as YAMLMap;
}

/** The keys of a mapping, as strings. */
export function mapKeys(map: YAMLMap | undefined): string[] {
  if (!map) return [];
  return map.items.map((pair) => {
    const k = pair.key;
    if (isScalar(k))
      return k.source !== undefined && k.type === "PLAIN" ? k.source : String(k.value);
    return String(k);
  });
}

/** A string value at `key`, with Go semantics for plain scalars; undefined when absent or null. */
export function stringAt(
  file: YamlFile,
  map: YAMLMap | undefined,
  key: string,
  keyPath: string,
): string | undefined {
  const node = map?.get(key, true);
  if (node === undefined || node === null) return undefined;
  if (!isScalar(node)) {
    throw new JujuDataError(
      `${file.name} (${file.path}): ${keyPath} must be a string`,
      file.path,
      keyPath,
    );
  }
  if (node.value === null) return undefined;
  if (typeof node.value === "string") return node.value;
  if (node.type === "PLAIN" && node.source !== undefined) return node.source;
  return String(node.value);
}

/** Like {@link stringAt}, but the value must be present and non-empty. */
export function requiredStringAt(
  file: YamlFile,
  map: YAMLMap | undefined,
  key: string,
  keyPath: string,
): string {
  const v = stringAt(file, map, key, keyPath);
  if (v === undefined || v === "") {
    throw new JujuDataError(
      `${file.name} (${file.path}): ${keyPath} is missing`,
      file.path,
      keyPath,
    );
  }
  return v;
}

/** A list of strings at `key` (empty when absent). */
export function stringListAt(
  file: YamlFile,
  map: YAMLMap | undefined,
  key: string,
  keyPath: string,
): string[] {
  const node = map?.get(key, true);
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) {
    throw new JujuDataError(
      `${file.name} (${file.path}): ${keyPath} must be a list`,
      file.path,
      keyPath,
    );
  }
  return node.items.map((item, i) => {
    if (!isScalar(item) || item.value === null) {
      throw new JujuDataError(
        `${file.name} (${file.path}): ${keyPath}[${i}] must be a string`,
        file.path,
        `${keyPath}[${i}]`,
      );
    }
    return typeof item.value === "string"
      ? item.value
      : item.type === "PLAIN" && item.source !== undefined
        ? item.source
        : String(item.value);
  });
}

/** A number at `key` (undefined when absent). */
export function numberAt(
  file: YamlFile,
  map: YAMLMap | undefined,
  key: string,
  keyPath: string,
): number | undefined {
  const node = map?.get(key, true);
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) {
    return undefined;
  }
  if (!isScalar(node) || typeof node.value !== "number") {
    throw new JujuDataError(
      `${file.name} (${file.path}): ${keyPath} must be a number`,
      file.path,
      keyPath,
    );
  }
  return node.value;
}
