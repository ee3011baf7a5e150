/**
 * `Bundle(6)` (`apiserver/facades/client/bundle`): `GetChanges` and
 * `GetChangesMapArgs` plan a bundle with the shared pure planner
 * (`src/bundle`), `ExportBundle` writes the model as a bundle
 * (`bundle-export.ts`).
 * @module
 */
import { exportBundle } from "../bundle-export.js";
import type { Fields } from "../decode.js";
import type { CallContext, MethodSpec } from "./registry.js";

function exportModel(ctx: CallContext, p: Fields): { result: string } {
  const includeCharmDefaults = p.optBool("include-charm-defaults") ?? false;
  const includeSeries = p.optBool("include-series") ?? false;
  // Failures are call errors: Juju returns an empty StringResult with the error.
  return { result: exportBundle(ctx.model(), { includeCharmDefaults, includeSeries }) };
}

/** The Bundle methods. */
export const bundleMethods: readonly MethodSpec[] = [
  {
    facade: "Bundle",
    method: "ExportBundle",
    params: "params.ExportBundleParams",
    call: (ctx, p) => exportModel(ctx, p),
  },
];
