/**
 * `Bundle(6)` (`apiserver/facades/client/bundle`): `GetChanges` and
 * `GetChangesMapArgs` plan a bundle with the shared pure planner
 * (`src/bundle`), `ExportBundle` writes the model as a bundle
 * (`bundle-export.ts`).
 * @module
 */
import type { BundleChange } from "../../bundle/types.js";
import type { Bundle as BundleFacade } from "../../facades/generated/index.js";
import { type BundleChangeSet, bundleChanges } from "../bundle-changes.js";
import { exportBundle } from "../bundle-export.js";
import type { CallContext, MethodSpec } from "./registry.js";
import { method, type Params, type ParamsOfMethod } from "./typed.js";

function readChangesParams(p: Params<BundleFacade.BundleChangesParams>): BundleChangeSet {
  // Juju's field is `yaml` (BundleDataYAML) and `bundleURL` (camel case on the wire).
  return bundleChanges(p.string("yaml"), p.string("bundleURL"));
}

function exportModel(
  ctx: CallContext,
  p: Params<ParamsOfMethod<"Bundle", "ExportBundle">>,
): { result: string } {
  const includeCharmDefaults = p.optBool("include-charm-defaults") ?? false;
  // Bundle 8 (Juju 4) has no include-series: bases only.
  const includeSeries = ctx.store.profile.series ? (p.optBool("include-series") ?? false) : false;
  // Failures are call errors: Juju returns an empty StringResult with the error.
  return { result: exportBundle(ctx.model(), { includeCharmDefaults, includeSeries }) };
}

/** One change as both Get methods write it; only the shape of `args` differs between them. */
function changeWire<A>(
  c: BundleChange,
  args: A,
): { id: string; method: string; args: A; requires: string[] } {
  return { id: c.id, method: c.method, args, requires: c.requires };
}

/** The Bundle methods. */
export const bundleMethods: readonly MethodSpec[] = [
  method({
    facade: "Bundle",
    method: "GetChanges",
    // Bundle 8 (Juju 4) dropped GetChanges: only GetChangesMapArgs is left.
    versions: [6],
    params: "params.BundleChangesParams",
    call: (_ctx, p) => {
      const set = readChangesParams(p);
      if ("errors" in set) return { errors: set.errors };
      // GetChanges writes the GUI's positional arguments (deploy with devices, as v6 does).
      return { changes: set.changes.map((c) => changeWire(c, c.positionalArgs)) };
    },
  }),
  method({
    facade: "Bundle",
    method: "GetChangesMapArgs",
    params: "params.BundleChangesParams",
    call: (_ctx, p) => {
      const set = readChangesParams(p);
      if ("errors" in set) return { errors: set.errors };
      return {
        changes: set.changes.map((c) => changeWire(c, c.args)),
        // One entry per change, empty when its arguments could be written: Juju
        // fills the list up front, so a successful plan still carries it.
        errors: set.changes.map(() => ""),
      };
    },
  }),
  method({
    facade: "Bundle",
    method: "ExportBundle",
    params: "params.ExportBundleParams",
    call: (ctx, p) => exportModel(ctx, p),
  }),
];
