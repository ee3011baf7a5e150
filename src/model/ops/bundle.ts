/**
 * Bundles and `Model.deploy`: its options, recognising a bundle as `juju
 * deploy` does (a YAML file, a directory holding `bundle.yaml`, a URL),
 * and `Model.exportBundle` (`Bundle.ExportBundle`). Deploying one is
 * `deploy-entity.ts`'s (it needs the `Model` for the `BundleHandler`).
 * @module
 */
import { JujuError } from "../../rpc/errors.js";
import * as ac from "../arg-check.js";
import type { ExecutePlanOptions } from "../bundle-execute.js";
import type { BundleHandlerOptions } from "../bundle-handler.js";
import { isLocalPath, isUrl, nodeBundleFileSystem } from "../bundle-source.js";
import { InvalidArgumentError } from "../errors.js";
import type { OpsContext } from "../ops-context.js";
import type { DeployOptions } from "./deploy.js";

/** Options of deploying a bundle (with `Model.deploy` or a {@link BundleHandler}). */
export interface BundleDeployOptions extends ExecutePlanOptions, BundleHandlerOptions {
  /** Overlay files applied in order, as `juju deploy --overlay`. */
  overlays?: readonly string[];
  /** Only plan: return the plan (each change's `description`) and change nothing. */
  dryRun?: boolean;
  /** Milliseconds to wait for the applications to show in the model afterwards. */
  timeout?: number;
}

/** Options of `Model.deploy`: a charm's, and a bundle's. */
export type ModelDeployOptions = DeployOptions & BundleDeployOptions;

/** True when `entity` names a local or remote bundle (not a store name, not a charm directory). */
export async function isBundleSource(
  entity: string,
  options: BundleHandlerOptions = {},
): Promise<boolean> {
  if (isUrl(entity)) return true;
  if (!isLocalPath(entity)) return false;
  if (entity.endsWith(".yaml") || entity.endsWith(".yml")) return true;
  const fs = options.fileSystem ?? (await nodeBundleFileSystem());
  if ((await fs.stat(entity)) !== "dir") return false;
  return (await fs.stat(`${entity.replace(/\/+$/, "")}/bundle.yaml`)) === "file";
}

/** Options of `Model.exportBundle`. */
export interface ExportBundleOptions {
  /** Include every charm option, defaults too. */
  includeCharmDefaults?: boolean;
  /** Write `series` beside `base` (for older clients). Juju 3.x only: Juju 4 exports bases only. */
  includeSeries?: boolean;
  /** Aborts the call. */
  signal?: AbortSignal;
}

/** The model as bundle YAML (`Bundle.ExportBundle`). */
export async function exportBundle(
  model: OpsContext,
  options: ExportBundleOptions = {},
): Promise<string> {
  ac.checkOptions("exportBundle", options, {
    includeCharmDefaults: ac.bool,
    includeSeries: ac.bool,
    signal: ac.signal,
  });
  const f = model.connection.facade("Bundle");
  // Bundle 8 (Juju 4) has no include-series: Juju 4 knows bases only.
  if (f.major === 4 && options.includeSeries === true)
    throw new InvalidArgumentError("includeSeries", "a Juju 4 controller exports bases only");
  const res = await f.call(
    "ExportBundle",
    {
      ...(options.includeCharmDefaults !== undefined
        ? { "include-charm-defaults": options.includeCharmDefaults }
        : {}),
      ...(options.includeSeries !== undefined && f.major === 3
        ? { "include-series": options.includeSeries }
        : {}),
    },
    options.signal ? { signal: options.signal } : {},
  );
  if (res.error?.message)
    throw JujuError.fromWire(res.error, {
      facade: f.name,
      version: f.version,
      method: "ExportBundle",
    });
  return res.result;
}
