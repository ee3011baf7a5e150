/**
 * `Model.deploy` of a charm or a bundle: a bundle when the entity is a URL,
 * a YAML file, a directory with `bundle.yaml`, or a Charmhub bundle (planned
 * and run with a {@link BundleHandler}); a charm otherwise. Resolves with
 * the application views the model then shows.
 * @module
 */
import * as ac from "./arg-check.js";
import { BundleSourceError, CharmIsBundleError } from "./bundle-errors.js";
import type { ExecutePlanOptions } from "./bundle-execute.js";
import {
  BundleHandler,
  type BundleHandlerOptions,
  type BundlePlanResult,
} from "./bundle-handler.js";
import type { Application } from "./entities/application.js";
import { InvalidArgumentError } from "./errors.js";
import type { Model } from "./model.js";
import { type BundleDeployOptions, isBundleSource, type ModelDeployOptions } from "./ops/bundle.js";
import { DEPLOY_SPEC, deploy } from "./ops/deploy.js";

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
  options: ModelDeployOptions & { bundle?: boolean } = {},
): Promise<Application | Application[] | BundlePlanResult> {
  // `bundle` only types the result (see `Model.deploy`): checked, then dropped.
  ac.checkOptions("deploy", options, { bundle: ac.bool });
  const { bundle: _hint, ...rest } = options;
  return deployCharmOrBundle(model, entity, rest);
}

async function deployCharmOrBundle(
  model: Model,
  entity: string,
  options: ModelDeployOptions,
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
    return model.entity("application", await deploy(model, entity, options))!;
  } catch (err) {
    if (!(err instanceof CharmIsBundleError)) throw err;
    // ResolveCharms said it is a Charmhub bundle: deploy it as one.
    return deployBundle(model, entity, options);
  }
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
