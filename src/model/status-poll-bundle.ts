/**
 * What the bundle planner needs of a status-polled model beyond its state.
 * Status polls (Juju 4) carry no application config, constraints or
 * annotations (docs/status-poll.md), which the AllWatcher gives the planner
 * for free; without them every re-deploy of a bundle would plan its options,
 * constraints and annotations again. They are read here, once per plan.
 * @module
 */
import type { BundleModelView } from "../bundle/model-view.js";
import { type Constraints, formatConstraints } from "../parse/constraints.js";
import { JujuError } from "../rpc/errors.js";
import type { ModelContext } from "./context.js";
import { siteOf } from "./ops/common.js";

/**
 * Completes `view` (built from a polled state) with each application's
 * user-set options and constraints (`Application.Get`) and the annotations
 * of its applications and machines (one `Annotations.Get`), in place, as the
 * AllWatcher's entities would have given them.
 */
export async function addPolledBundleFacts(
  ctx: ModelContext,
  view: BundleModelView,
  signal?: AbortSignal,
): Promise<void> {
  const call = signal ? { signal } : {};
  const app = ctx.connection.facade("Application");
  const apps = Object.entries(view.applications ?? {});
  await Promise.all(
    apps.map(async ([name, a]) => {
      const res = await app.call("Get", { application: name, branch: "" }, call);
      const options: Record<string, unknown> = {};
      for (const [key, o] of Object.entries((res.config ?? {}) as Record<string, unknown>)) {
        const opt = o as { source?: unknown; value?: unknown };
        // The AllWatcher's config is what the user set, not the charm's defaults.
        if (opt?.source === "user" && opt.value !== undefined) options[key] = opt.value;
      }
      if (Object.keys(options).length > 0) a.options = options;
      const cons = (res.constraints ?? {}) as Constraints;
      if (Object.keys(cons).length > 0) a.constraints = formatConstraints(cons);
    }),
  );
  const machines = Object.keys(view.machines ?? {});
  const tags = [
    ...apps.map(([name]) => `application-${name}`),
    ...machines.map((id) => `machine-${id.replaceAll("/", "-")}`),
  ];
  if (tags.length === 0) return;
  const ann = ctx.connection.facade("Annotations");
  const res = await ann.call("Get", { entities: tags.map((tag) => ({ tag })) }, call);
  for (const r of res.results ?? []) {
    // The error of Annotations.Get is nested one level deeper than usual.
    const err = r.error?.error;
    if (err?.message) throw JujuError.fromWire(err, siteOf(ann, "Get"));
    const values = { ...(r.annotations ?? {}) };
    if (Object.keys(values).length === 0) continue;
    const [kind, ...rest] = r.entity.split("-");
    const id = rest.join("-");
    if (kind === "application" && view.applications?.[id])
      view.applications[id].annotations = values;
    if (kind === "machine") {
      const mid = id.replaceAll("-", "/");
      const m = view.machines?.[mid];
      if (m) m.annotations = values;
    }
  }
}
