/**
 * Bundles from `Model.deploy` (recognising a bundle as `juju deploy` does:
 * a YAML file, a directory holding `bundle.yaml`, a URL, or a Charmhub
 * entity of type bundle) and `Model.exportBundle` (`Bundle.ExportBundle`).
 * @module
 */
import { JujuError } from "../../rpc/errors.js";
import * as ac from "../arg-check.js";
import { BundleSourceError, CharmIsBundleError } from "../bundle-errors.js";
import type { ExecutePlanOptions } from "../bundle-execute.js";
import {
  BundleHandler,
  type BundleHandlerOptions,
  type BundlePlanResult,
} from "../bundle-handler.js";
import { isLocalPath, isUrl, nodeBundleFileSystem } from "../bundle-source.js";
import type { Application } from "../entities/application.js";
import { InvalidArgumentError } from "../errors.js";
import type { Model } from "../model.js";
import { DEPLOY_SPEC, type DeployOptions, deploy } from "./deploy.js";

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

/**
 * Deploys a bundle (`source`: file, directory, URL or Charmhub name):
 * plans it against the model, runs the plan and returns the bundle's
 * applications once the model shows them; with `dryRun`, returns the plan.
 */
export async function deployBundle(
  model: Model,
  source: string,
  options: BundleDeployOptions & { channel?: string } = {},
): Promise<Application[] | BundlePlanResult> {
  const handler = new BundleHandler(model, handlerOptions(options));
  const plan = await handler.fetchPlan(source, {
    ...(options.overlays ? { overlays: options.overlays } : {}),
    ...(options.channel !== undefined ? { channel: options.channel } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (options.dryRun) return plan;
  await handler.executePlan(executeOptions(options));
  return handler.applications({
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/**
 * `Model.deploy`: a bundle when `entity` is a URL, a YAML file, a
 * directory with `bundle.yaml`, or a Charmhub bundle; a charm otherwise.
 */
export async function deployEntity(
  model: Model,
  entity: string,
  options: ModelDeployOptions = {},
): Promise<Application | Application[] | BundlePlanResult> {
  ac.checkArg("entity", entity, ac.str);
  if (typeof entity !== "string" || entity === "")
    throw new InvalidArgumentError(
      "entity",
      `deploy needs a charm or bundle (name, path or URL), got ${JSON.stringify(entity)}`,
    );
  ac.checkOptions("deploy", options, {
    ...DEPLOY_SPEC,
    overlays: ac.arrayOf(ac.name),
    dryRun: ac.bool,
    concurrency: ac.int(1),
    onProgress: ac.func,
    fileSystem: ac.check("a BundleFileSystem object", (v) => typeof v === "object" && v !== null),
    fetch: ac.func,
  });
  if (await isBundleSource(entity, options)) return deployBundle(model, entity, options);
  if (options.dryRun || options.overlays?.length) {
    // Only bundles take these: look the name up on Charmhub as a bundle.
    try {
      return await deployBundle(model, entity, options);
    } catch (err) {
      if (!(err instanceof BundleSourceError)) throw err;
      throw new InvalidArgumentError(
        options.dryRun ? "dryRun" : "overlays",
        `${options.dryRun ? "a dry run" : "overlays"} is only supported for bundles: ${err.message}`,
      );
    }
  }
  try {
    return await deploy(model, entity, options);
  } catch (err) {
    if (!(err instanceof CharmIsBundleError)) throw err;
    // ResolveCharms said it is a Charmhub bundle: deploy it as one.
    return deployBundle(model, entity, options);
  }
}

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

function handlerOptions(o: BundleDeployOptions): BundleHandlerOptions {
  const out: BundleHandlerOptions = {};
  if (o.trust !== undefined) out.trust = o.trust;
  if (o.force !== undefined) out.force = o.force;
  if (o.fileSystem) out.fileSystem = o.fileSystem;
  if (o.fetch) out.fetch = o.fetch;
  return out;
}

function executeOptions(o: ExecutePlanOptions): ExecutePlanOptions {
  const out: ExecutePlanOptions = {};
  if (o.concurrency !== undefined) out.concurrency = o.concurrency;
  if (o.signal) out.signal = o.signal;
  if (o.onProgress) out.onProgress = o.onProgress;
  return out;
}

/** Options of `Model.exportBundle`. */
export interface ExportBundleOptions {
  /** Include every charm option, defaults too. */
  includeCharmDefaults?: boolean;
  /** Write `series` beside `base` (for older clients). Juju 3.x only: Juju 4 exports bases only. */
  includeSeries?: boolean;
  signal?: AbortSignal;
}

/** The model as bundle YAML (`Bundle.ExportBundle`). */
export async function exportBundle(
  model: Model,
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
