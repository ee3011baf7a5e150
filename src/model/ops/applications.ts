/**
 * Application-level operations (`Application` facade), shared by `Model`
 * and the `Application` / `Unit` entities.
 * @module
 */
import type { Application as ApplicationFacade } from "../../facades/generated/index.js";
import type { Constraints } from "../../parse/constraints.js";
import { bulkResultsStrict } from "../../rpc/bulk.js";
import { JujuError } from "../../rpc/errors.js";
import * as ac from "../arg-check.js";
import { InvalidArgumentError } from "../errors.js";
import {
  DEFAULT_OPERATION_TIMEOUT,
  type OperationWaitOptions,
  type OpsContext,
} from "../ops-context.js";
import { applicationTag, unitTag } from "../tags.js";
import { maxWaitNs, siteOf, stringifyConfig, toConstraints, toPlacements } from "./common.js";
import { asStorageTag } from "./storage.js";

/** Options of `Application.addUnits`. */
export interface AddUnitsOptions extends OperationWaitOptions {
  /** Number of units (default 1). */
  count?: number;
  /** Placement directives, one per unit (`"3"`, `"lxd:2"`, `"zone=az1"`), as a string (comma separated) or array. */
  to?: string | readonly string[];
  /** Existing storage instances to attach (`storage-tag`s or ids such as `data/0`). */
  attachStorage?: readonly string[];
}

/** Options of removals (units, applications). */
export interface DestroyOptions extends OperationWaitOptions {
  /** Remove even when hooks fail or the agent is gone. */
  force?: boolean;
  /** Destroy the storage instead of detaching it. */
  destroyStorage?: boolean;
  /** With `force`, seconds to wait for each step before forcing it. */
  maxWait?: number;
  /** Only report what would be removed (Application ≥ 16). */
  dryRun?: boolean;
  /** Wait until the entities are gone from the model (default false). */
  blockUntilDone?: boolean;
}

/** What a removal destroyed or detached, per item, as Juju reports it. */
export interface DestroyInfo {
  /** Tags of the units removed with it. */
  destroyedUnits: string[];
  /** Tags of the storage destroyed. */
  destroyedStorage: string[];
  /** Tags of the storage detached (kept). */
  detachedStorage: string[];
}

const tagsOf = (list: readonly { tag: string }[] | undefined): string[] =>
  (list ?? []).map((e) => e.tag);

const DESTROY_SPEC: ac.OptionSpec = {
  ...ac.WAIT_OPTIONS,
  force: ac.bool,
  destroyStorage: ac.bool,
  maxWait: ac.num(0),
  dryRun: ac.bool,
  blockUntilDone: ac.bool,
};

const EXPOSED_ENDPOINT: ac.Check = Object.assign(
  (v: unknown, n: string) =>
    ac.checkOptions(n, v ?? {}, {
      exposeToSpaces: ac.arrayOf(ac.name),
      exposeToCidrs: ac.arrayOf(ac.name),
    }),
  { expected: "{exposeToSpaces, exposeToCidrs}" },
);

/** Adds units to an application (`Application.AddUnits`), waits for them to appear and returns their names. */
export async function addUnits(
  ctx: OpsContext,
  application: string,
  options: AddUnitsOptions = {},
): Promise<string[]> {
  ac.checkArg("application", application, ac.name);
  ac.checkOptions("addUnits", options, {
    ...ac.WAIT_OPTIONS,
    count: ac.int(1),
    to: ac.placement,
    attachStorage: ac.arrayOf(ac.name),
  });
  ctx.requireWatching("addUnits");
  const count = options.count ?? 1;
  if (!Number.isInteger(count) || count < 1)
    throw new InvalidArgumentError("count", `must add at least one unit, got ${count}`);
  const params: ApplicationFacade.AddApplicationUnits = {
    application,
    "num-units": count,
    placement: toPlacements(options.to, ctx.uuid),
  };
  if (options.attachStorage?.length)
    params["attach-storage"] = options.attachStorage.map(asStorageTag);
  const res = await ctx.connection
    .facade("Application")
    .call("AddUnits", params, options.signal ? { signal: options.signal } : {});
  const names = res.units ?? [];
  await ctx.waitFor(
    `units ${names.join(", ")} to appear`,
    () => names.every((n) => ctx.state.entityData("unit", n) !== undefined),
    options,
  );
  return names;
}

/** Removes units (`Application.DestroyUnit`); a {@link JujuBulkError} names each unit that failed. */
export async function destroyUnits(
  ctx: OpsContext,
  names: readonly string[],
  options: DestroyOptions = {},
): Promise<DestroyInfo[]> {
  ac.checkArg("names", names, ac.arrayOf(ac.name));
  ac.checkOptions("destroyUnits", options, DESTROY_SPEC);
  if (options.blockUntilDone) ctx.requireWatching("destroyUnits with blockUntilDone");
  const units = names.map((name) => {
    const p: ApplicationFacade.DestroyUnitParams = { "unit-tag": unitTag(name) };
    if (options.destroyStorage !== undefined) p["destroy-storage"] = options.destroyStorage;
    if (options.force !== undefined) p.force = options.force;
    const mw = maxWaitNs(options.maxWait);
    if (mw !== undefined) p["max-wait"] = mw;
    if (options.dryRun !== undefined) p["dry-run"] = options.dryRun;
    return p;
  });
  const app = ctx.connection.facade("Application");
  const res = await app.call("DestroyUnit", { units }, signalOnly(options));
  const items = bulkResultsStrict(res, siteOf(app, "DestroyUnit"));
  if (options.blockUntilDone && !options.dryRun) {
    await ctx.waitFor(
      `units ${names.join(", ")} to be removed`,
      () => names.every((n) => ctx.state.entityData("unit", n) === undefined),
      withDefaultTimeout(options),
    );
  }
  return items.map((r) => ({
    destroyedUnits: [],
    destroyedStorage: tagsOf(r.info?.["destroyed-storage"]),
    detachedStorage: tagsOf(r.info?.["detached-storage"]),
  }));
}

/** Removes applications (`Application.DestroyApplication`); a {@link JujuBulkError} names each failure. */
export async function destroyApplications(
  ctx: OpsContext,
  names: readonly string[],
  options: DestroyOptions = {},
): Promise<DestroyInfo[]> {
  ac.checkArg("names", names, ac.arrayOf(ac.name));
  ac.checkOptions("removeApplication", options, DESTROY_SPEC);
  if (options.blockUntilDone) ctx.requireWatching("removeApplication with blockUntilDone");
  const applications = names.map((name) => {
    const p: ApplicationFacade.DestroyApplicationParams = {
      "application-tag": applicationTag(name),
      force: options.force ?? false,
    };
    if (options.destroyStorage !== undefined) p["destroy-storage"] = options.destroyStorage;
    const mw = maxWaitNs(options.maxWait);
    if (mw !== undefined) p["max-wait"] = mw;
    if (options.dryRun !== undefined) p["dry-run"] = options.dryRun;
    return p;
  });
  const app = ctx.connection.facade("Application");
  const res = await app.call("DestroyApplication", { applications }, signalOnly(options));
  const items = bulkResultsStrict(res, siteOf(app, "DestroyApplication"));
  if (options.blockUntilDone && !options.dryRun) {
    await ctx.waitFor(
      `applications ${names.join(", ")} to be removed`,
      () => names.every((n) => ctx.state.entityData("application", n) === undefined),
      withDefaultTimeout(options),
    );
  }
  return items.map((r) => ({
    destroyedUnits: tagsOf(r.info?.["destroyed-units"]),
    destroyedStorage: tagsOf(r.info?.["destroyed-storage"]),
    detachedStorage: tagsOf(r.info?.["detached-storage"]),
  }));
}

/** Options of `Application.scale`. */
export interface ScaleOptions {
  /** The number of units wanted. */
  scale?: number;
  /** Units to add (positive) or remove (negative) instead. */
  scaleChange?: number;
  /** Scale even when units are in error. */
  force?: boolean;
  /** Aborts the call. */
  signal?: AbortSignal;
}

/**
 * Sets the unit count of a Kubernetes (CAAS) application
 * (`Application.ScaleApplications`). Juju refuses it on machine models.
 * Returns the new scale.
 */
export async function scaleApplication(
  ctx: OpsContext,
  application: string,
  options: ScaleOptions,
): Promise<number> {
  ac.checkArg("application", application, ac.name);
  ac.checkOptions("scale", options, {
    scale: ac.int(0),
    scaleChange: ac.int(-ac.MAX_SAFE),
    force: ac.bool,
    signal: ac.signal,
  });
  if ((options.scale === undefined) === (options.scaleChange === undefined))
    throw new InvalidArgumentError("scale", "give exactly one of scale and scaleChange");
  const p: ApplicationFacade.ScaleApplicationParamsV2 = {
    "application-tag": applicationTag(application),
    force: options.force ?? false,
    scale: options.scale ?? 0,
  };
  if (options.scaleChange !== undefined) p["scale-change"] = options.scaleChange;
  const app = ctx.connection.facade("Application");
  const res = await app.call("ScaleApplications", { applications: [p] }, signalOnly(options));
  const [r] = bulkResultsStrict(res, siteOf(app, "ScaleApplications"));
  return r?.info?.["num-units"] ?? options.scale ?? 0;
}

/** Exposure of one endpoint (`""` = every endpoint): who may reach it. */
export interface ExposedEndpoint {
  /** Spaces whose subnets may reach the endpoint. */
  exposeToSpaces?: string[];
  /** CIDRs that may reach the endpoint. */
  exposeToCidrs?: string[];
}

/** Exposes an application (`Application.Expose`); without endpoints, all of them to 0.0.0.0/0 and ::/0. */
export async function expose(
  ctx: OpsContext,
  application: string,
  endpoints?: Readonly<Record<string, ExposedEndpoint>>,
): Promise<void> {
  ac.checkArg("application", application, ac.name);
  if (endpoints !== undefined)
    ac.checkArg("endpoints", endpoints, ac.recordOf(EXPOSED_ENDPOINT, ac.str));
  const params: ApplicationFacade.ApplicationExpose = { application };
  if (endpoints && Object.keys(endpoints).length) {
    const wire: Record<string, ApplicationFacade.ExposedEndpoint> = {};
    for (const [ep, e] of Object.entries(endpoints)) {
      const w: ApplicationFacade.ExposedEndpoint = {};
      if (e.exposeToSpaces) w["expose-to-spaces"] = [...e.exposeToSpaces];
      if (e.exposeToCidrs) w["expose-to-cidrs"] = [...e.exposeToCidrs];
      wire[ep] = w;
    }
    params["exposed-endpoints"] = wire;
  }
  await ctx.connection.facade("Application").call("Expose", params);
}

/** Unexposes an application, or only the given endpoints (`Application.Unexpose`). */
export async function unexpose(
  ctx: OpsContext,
  application: string,
  endpoints: readonly string[] = [],
): Promise<void> {
  ac.checkArg("application", application, ac.name);
  ac.checkArg("endpoints", endpoints, ac.arrayOf(ac.str));
  await ctx.connection
    .facade("Application")
    .call("Unexpose", { application, "exposed-endpoints": [...endpoints] });
}

/** One option of an application's config, as `Application.Get` reports it. */
export interface ApplicationConfigOption {
  /** The value in effect, when any. */
  value?: unknown;
  /** The charm's default, when any. */
  default?: unknown;
  /** `default`, `user` or `unset`. */
  source?: string;
  /** The option's type: `string`, `int`, `float`, `boolean` or `secret`. */
  type?: string;
  /** The charm's description of the option. */
  description?: string;
}

/** The application's config (`Application.Get`), charm options and application settings such as `trust`. */
export async function getApplicationConfig(
  ctx: OpsContext,
  application: string,
): Promise<Record<string, ApplicationConfigOption>> {
  ac.checkArg("application", application, ac.name);
  const res = await ctx.connection.facade("Application").call("Get", { application, branch: "" });
  return {
    ...((res["application-config"] ?? {}) as Record<string, ApplicationConfigOption>),
    ...((res.config ?? {}) as Record<string, ApplicationConfigOption>),
  };
}

/** Sets config values (`Application.SetConfigs`); values are sent as strings, as Juju expects. */
export async function setApplicationConfig(
  ctx: OpsContext,
  application: string,
  config: Readonly<Record<string, unknown>>,
): Promise<void> {
  ac.checkArg("application", application, ac.name);
  ac.checkArg("config", config, ac.recordOf(ac.any));
  const app = ctx.connection.facade("Application");
  const res = await app.call("SetConfigs", {
    Args: [{ application, config: stringifyConfig(config), "config-yaml": "", generation: "" }],
  });
  bulkResultsStrict(res, siteOf(app, "SetConfigs"));
}

/** Resets config options to their defaults (`Application.UnsetApplicationsConfig`). */
export async function resetApplicationConfig(
  ctx: OpsContext,
  application: string,
  keys: readonly string[],
): Promise<void> {
  ac.checkArg("application", application, ac.name);
  ac.checkArg("keys", keys, ac.arrayOf(ac.name));
  const app = ctx.connection.facade("Application");
  const res = await app.call("UnsetApplicationsConfig", {
    Args: [{ application, branch: "", options: [...keys] }],
  });
  bulkResultsStrict(res, siteOf(app, "UnsetApplicationsConfig"));
}

/** An application's constraints (`Application.GetConstraints`). */
export async function getApplicationConstraints(
  ctx: OpsContext,
  application: string,
): Promise<Constraints> {
  ac.checkArg("application", application, ac.name);
  const app = ctx.connection.facade("Application");
  const res = await app.call("GetConstraints", {
    entities: [{ tag: applicationTag(application) }],
  });
  const [r] = bulkResultsStrict(res, siteOf(app, "GetConstraints"));
  return (r?.constraints ?? {}) as Constraints;
}

/** Sets an application's constraints (`Application.SetConstraints`); a string is parsed first. */
export async function setApplicationConstraints(
  ctx: OpsContext,
  application: string,
  constraints: string | Constraints,
): Promise<void> {
  ac.checkArg("application", application, ac.name);
  ac.checkArg("constraints", constraints, ac.constraints);
  const value = toConstraints(constraints);
  await ctx.connection.facade("Application").call("SetConstraints", {
    application,
    constraints: value,
  });
}

/** The name of the leader unit (`Application.Leader`). */
export async function getLeader(ctx: OpsContext, application: string): Promise<string> {
  ac.checkArg("application", application, ac.name);
  const app = ctx.connection.facade("Application");
  const res = await app.call("Leader", { tag: applicationTag(application) });
  if (res.error?.message) throw JujuError.fromWire(res.error, siteOf(app, "Leader"));
  return res.result;
}

/** An action a charm defines. */
export interface ActionSpec {
  /** What the action does, from `actions.yaml`. */
  description: string;
  /** JSON schema of the parameters. */
  params: Record<string, unknown>;
}

/** The actions the application's charm defines (`Action.ApplicationsCharmsActions`). */
export async function getActions(
  ctx: OpsContext,
  application: string,
): Promise<Record<string, ActionSpec>> {
  ac.checkArg("application", application, ac.name);
  const action = ctx.connection.facade("Action");
  const res = await action.call("ApplicationsCharmsActions", {
    entities: [{ tag: applicationTag(application) }],
  });
  const [r] = bulkResultsStrict(res, siteOf(action, "ApplicationsCharmsActions"));
  const out: Record<string, ActionSpec> = {};
  for (const [name, spec] of Object.entries(r?.actions ?? {})) {
    out[name] = { description: spec.description ?? "", params: spec.params ?? {} };
  }
  return out;
}

function signalOnly(o: { signal?: AbortSignal }): { signal?: AbortSignal } {
  return o.signal ? { signal: o.signal } : {};
}

function withDefaultTimeout(o: OperationWaitOptions): OperationWaitOptions {
  return { ...o, timeout: o.timeout ?? DEFAULT_OPERATION_TIMEOUT };
}

/**
 * Whether the application is trusted with the cloud credential: Juju keeps
 * `trust` as application config (`Application.Get`'s `application-config`),
 * unless the charm has an option of that name, which python-libjuju reads first.
 */
export async function getTrusted(ctx: OpsContext, application: string): Promise<boolean> {
  const res = await ctx.connection.facade("Application").call("Get", { application, branch: "" });
  const charmOption = (res.config as Record<string, ApplicationConfigOption> | undefined)?.trust;
  if (charmOption !== undefined) return charmOption.value === true;
  const appOption = (res["application-config"] as Record<string, ApplicationConfigOption> | null)
    ?.trust;
  return appOption?.value === true;
}

/**
 * Trusts (or stops trusting) the application with the cloud credential, as
 * `juju trust` does: the application config key `trust` set through
 * `Application.SetConfigs` to `"true"` or `"false"`.
 */
export async function setTrusted(
  ctx: OpsContext,
  application: string,
  trust: boolean,
): Promise<void> {
  if (typeof trust !== "boolean") throw new InvalidArgumentError("trust", "must be a boolean");
  await setApplicationConfig(ctx, application, { trust: trust ? "true" : "false" });
}
