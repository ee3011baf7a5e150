/**
 * Matching `app[:endpoint]` specs against a relation's endpoints, on wire
 * data: shared by `Relation.matches` and the `integrate` operation (which
 * looks for the relation it made in the live state).
 * @module
 */
import type { EndpointData } from "../protocol/entity-data.js";

/**
 * True when every spec (`"app"` or `"app:endpoint"`) names a different
 * endpoint of `endpoints` (one spec may match a peer relation).
 */
export function endpointsMatch(
  endpoints: readonly { application: string; name: string }[],
  specs: readonly string[],
): boolean {
  if (specs.length > endpoints.length) return false;
  const used = new Set<number>();
  for (const spec of specs) {
    const [app, name] = spec.split(":");
    const i = endpoints.findIndex(
      (e, j) =>
        !used.has(j) &&
        e.application === app &&
        (name === undefined || name === "" || e.name === name),
    );
    if (i === -1) return false;
    used.add(i);
  }
  return true;
}

/** The `{application, name}` of each endpoint of a relation's wire data. */
export function endpointNames(
  endpoints: readonly EndpointData[] | null | undefined,
): { application: string; name: string }[] {
  return (endpoints ?? []).map((e) => ({
    application: e["application-name"],
    name: e.relation.name,
  }));
}
