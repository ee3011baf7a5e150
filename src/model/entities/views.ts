/**
 * Operations return ids (`src/model/ops/` knows no entity class); these
 * turn them into the entity views the public API resolves with.
 * @module
 */
import type { EntityTypes, ModelContext } from "../context.js";
import type { EntityKind } from "../delta.js";

/**
 * The latest view of the entity an operation made, once it resolves with
 * its id (the operation waited for the model to show it).
 */
export async function viewOf<K extends EntityKind>(
  ctx: ModelContext,
  kind: K,
  id: Promise<string>,
): Promise<EntityTypes[K]> {
  return ctx.entity(kind, await id) as EntityTypes[K];
}

/** The latest views of the entities an operation made, in the order of its ids. */
export async function viewsOf<K extends EntityKind>(
  ctx: ModelContext,
  kind: K,
  ids: Promise<readonly string[]>,
): Promise<EntityTypes[K][]> {
  return (await ids).map((id) => ctx.entity(kind, id) as EntityTypes[K]);
}
