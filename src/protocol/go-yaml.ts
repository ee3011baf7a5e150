/**
 * YAML written the way Go's `gopkg.in/yaml.v2` encoder writes it, for the
 * documents Juju returns as text (`Bundle.ExportBundle`): map keys in
 * yaml.v2's natural order, sequences not indented under their key, strings
 * that would read back as another type (YAML 1.1: `yes`, `0`, `1.5`, `~`)
 * double-quoted, strings that cannot be plain single-quoted, multi-line
 * strings as literal blocks, and `{}` / `[]` for empty collections.
 * @module
 */
import { Document, Scalar, YAMLMap, YAMLSeq } from "yaml";

/** A value to encode: field order of plain objects is kept (they stand for Go structs); `Map`s are sorted like Go maps. */
export type GoYamlValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | GoYamlValue[]
  | ReadonlyMap<string, GoYamlValue>
  | { readonly [k: string]: GoYamlValue };

const isLetter = (c: string) => /\p{L}/u.test(c);
const isDigit = (c: string) => c >= "0" && c <= "9";

/** yaml.v2's `keyList.Less` for string keys: letters after other characters, digit runs by value. */
export function goYamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ca = ar[i] as string;
    const cb = br[i] as string;
    if (ca === cb) continue;
    const al = isLetter(ca);
    const bl = isLetter(cb);
    if (al && bl) return ca < cb;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ca === "0" || cb === "0") {
      for (let j = i - 1; j >= 0 && isDigit(ar[j] as string); j--) {
        if (ar[j] !== "0") {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai] as string); ai++) an = an * 10 + Number(ar[ai]);
    for (; bi < br.length && isDigit(br[bi] as string); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ca < cb;
  }
  return ar.length < br.length;
}

/** Sorts keys as yaml.v2 sorts a Go map's keys. */
export function goYamlSortKeys(keys: readonly string[]): string[] {
  return [...keys].sort((a, b) => (goYamlKeyLess(a, b) ? -1 : goYamlKeyLess(b, a) ? 1 : 0));
}

// YAML 1.1 plain scalars yaml.v2's resolver reads as something other than a string.
const NON_STRING = [
  /^(?:~|null|Null|NULL)$/,
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^[-+]?(?:0|[1-9][0-9_]*)$/,
  /^[-+]?0[0-7_]+$/,
  /^[-+]?0x[0-9a-fA-F_]+$/,
  /^[-+]?0b[01_]+$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?$/,
  /^[-+]?[0-9][0-9_]*(?:[eE][-+]?[0-9]+)$/,
  /^[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/,
  /^[-+]?\.(?:inf|Inf|INF)$/,
  /^\.(?:nan|NaN|NAN)$/,
  /^\d{4}-\d\d?-\d\d?(?:(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?)?$/,
  /^<<$/,
];

function stringNode(s: string): Scalar {
  const node = new Scalar(s);
  if (s === "" || NON_STRING.some((re) => re.test(s))) node.type = Scalar.QUOTE_DOUBLE;
  else if (s.includes("\n")) node.type = Scalar.BLOCK_LITERAL;
  // Otherwise plain, and the emitter falls back to single quotes when plain is impossible.
  return node;
}

function node(doc: Document, v: GoYamlValue): unknown {
  if (v === null || v === undefined) return doc.createNode(null);
  if (typeof v === "string") return stringNode(v);
  if (typeof v === "number" || typeof v === "boolean") return new Scalar(v);
  if (Array.isArray(v)) {
    const seq = new YAMLSeq();
    for (const x of v) seq.items.push(node(doc, x));
    seq.flow = v.length === 0;
    return seq;
  }
  const map = new YAMLMap();
  const entries: Array<[string, GoYamlValue]> =
    v instanceof Map
      ? goYamlSortKeys([...v.keys()]).map((k) => [k, v.get(k)])
      : Object.entries(v as Record<string, GoYamlValue>);
  for (const [k, x] of entries) {
    if (x === undefined) continue;
    map.items.push(doc.createPair(stringNode(k), node(doc, x)));
  }
  map.flow = map.items.length === 0;
  return map;
}

/** One YAML document as yaml.v2's `Encoder.Encode` writes it (no `---` line). */
export function goYamlDocument(v: GoYamlValue): string {
  const doc = new Document(null, { version: "1.1" });
  doc.contents = node(doc, v) as Document["contents"];
  return doc.toString({
    indentSeq: false,
    singleQuote: true,
    lineWidth: 80,
    flowCollectionPadding: false,
  });
}
