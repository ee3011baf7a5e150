/**
 * Charmhub's `fields` projection: a comma-separated list of dotted paths
 * (`default-release.revision.bases.architecture`) selects what a response
 * carries. A path that stops at an object selects all of it
 * (`default-release.resources`), a path through an array applies to each
 * element (`channel-map.revision.revision`), and `type`, `id` and `name`
 * are always returned (the store's API documentation).
 * @module
 */

/** A parsed field selection: `true` selects a whole subtree. */
export type FieldTree = { [key: string]: FieldTree | true };

/** Parses `fields` (a query value or a list); empty entries are ignored. */
export function parseFields(fields: string | readonly string[]): FieldTree {
  const tree: FieldTree = {};
  const list = typeof fields === "string" ? fields.split(",") : fields;
  for (const raw of list) {
    const path = raw
      .trim()
      .split(".")
      .filter((p) => p !== "");
    if (path.length === 0) continue;
    let node = tree;
    for (let i = 0; i < path.length; i++) {
      const key = path[i] as string;
      if (i === path.length - 1) {
        node[key] = true;
        break;
      }
      const next = node[key];
      if (next === true) break; // A shorter path already selects the whole subtree.
      if (next === undefined) {
        const child: FieldTree = {};
        node[key] = child;
        node = child;
      } else {
        node = next;
      }
    }
  }
  return tree;
}

function project(value: unknown, tree: FieldTree): unknown {
  if (Array.isArray(value)) return value.map((v) => project(v, tree));
  if (typeof value !== "object" || value === null) return value;
  const src = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, sel] of Object.entries(tree)) {
    if (!(key in src) || src[key] === undefined) continue;
    out[key] = sel === true ? src[key] : project(src[key], sel);
  }
  return out;
}

/**
 * Projects a document onto a field selection. `always` names the top-level
 * keys kept whatever was asked (`type`, `id`, `name` for info and find).
 */
export function selectFields<T extends Record<string, unknown>>(
  doc: T,
  tree: FieldTree,
  always: readonly string[] = [],
): Record<string, unknown> {
  const out = project(doc, tree) as Record<string, unknown>;
  const withAlways: Record<string, unknown> = {};
  for (const k of always) if (doc[k] !== undefined) withAlways[k] = doc[k];
  return { ...withAlways, ...out };
}
