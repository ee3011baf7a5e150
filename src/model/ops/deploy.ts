/**
 * Deploying a Charmhub charm as python-libjuju 3.5 and the Juju CLI do on
 * every controller version: `Charms.ResolveCharms` → `Charms.AddCharm` →
 * `Charms.CharmInfo` (subordinate? resources?) → `Resources.AddPendingResources`
 * (when the charm has resources) → `Application.Deploy`, then wait for the
 * application in the watcher state. Also refreshing an application to
 * another revision or channel (`Application.SetCharm`).
 * @module
 */
import type { Application as ApplicationFacade, Resources } from "../../facades/generated/index.js";
import type { Constraints } from "../../parse/constraints.js";
import { bulkResultsStrict } from "../../rpc/bulk.js";
import { JujuError } from "../../rpc/errors.js";
import * as ac from "../arg-check.js";
import { InvalidArgumentError, NotSupportedError } from "../errors.js";
import type { UploadProgress } from "../http/edge.js";
import type { OperationWaitOptions, OpsContext } from "../ops-context.js";
import { isApplicationName } from "../tags.js";
import { type Base, type BaseSpec, parseBase } from "./bases.js";
import {
  type Channel,
  charmNameOf,
  formatChannel,
  parseChannel,
  resolveCharm,
} from "./charm-origin.js";
import { single, siteOf, stringifyConfig, toConstraints, toPlacements } from "./common.js";
import { deployLocalCharm, isLocalCharmReference, refreshLocal } from "./local-charm.js";
import { modelArchitecture, modelDefaultBase } from "./model-config.js";
import { planPendingResources, registerPendingResources } from "./resources.js";
import { asStorageTag, parseStorageConstraints, type StorageSpec } from "./storage.js";

/** Options of `Model.deploy`. */
export interface DeployOptions extends OperationWaitOptions {
  /** Application name; default the charm's name. */
  applicationName?: string;
  /** Charmhub channel, e.g. `8.0/stable`, `edge`. */
  channel?: string;
  /** Charm revision (needs `channel`, as in the Juju CLI, so that refreshes know where to go). */
  revision?: number;
  /** Charm config; values are sent as strings, as Juju expects. */
  config?: Readonly<Record<string, unknown>>;
  /** Constraints: a Juju string (`"mem=4G cores=2"`) or the wire object. */
  constraints?: string | Constraints;
  /** Number of units (default 1; 0 for subordinates, which is forced). */
  numUnits?: number;
  /** Base (`ubuntu@22.04`). */
  base?: BaseSpec;
  /** A series (`jammy`); python-libjuju's spelling of `base`. */
  series?: BaseSpec;
  /** Storage constraints by storage name: `"ebs,10G,1"` or `{pool, size (MiB), count}`. */
  storage?: Readonly<Record<string, StorageSpec>>;
  /** Endpoint bindings: `"space ep=space2"` or `{"": space, ep: space2}`. */
  bind?: string | Readonly<Record<string, string>>;
  /**
   * Resources by name: a revision number (Charmhub), or a local file path
   * (or, for `oci-image` resources, an image reference or a JSON/YAML file
   * of `{registrypath, username, password}`) uploaded to the controller.
   */
  resources?: Readonly<Record<string, number | string>>;
  /** Placement directives (`"3"`, `"lxd:2"`, `"zone=az1"`), comma separated or an array. */
  to?: string | readonly string[];
  /** Deploy on a base the charm does not declare; skip some checks. */
  force?: boolean;
  /** Grant the charm access to cloud credentials. */
  trust?: boolean;
  /** Existing storage to attach to the single unit (`storage-tag`s or ids such as `data/0`). */
  attachStorage?: readonly string[];
  /** Local charms: called as the charm archive streams to the controller. */
  onUploadProgress?: (progress: UploadProgress) => void;
}

/** Endpoint bindings from a `bind` option. */
export function parseBindings(
  bind: string | Readonly<Record<string, string>>,
): Record<string, string> {
  ac.bindings(bind, "bind");
  if (typeof bind !== "string") return { ...bind };
  const out: Record<string, string> = {};
  for (const tok of bind.trim().split(/\s+/)) {
    if (tok === "") continue;
    const eq = tok.indexOf("=");
    const [ep, space] = eq === -1 ? ["", tok] : [tok.slice(0, eq), tok.slice(eq + 1)];
    if (space === "" || eq === 0)
      throw new InvalidArgumentError("bind", `invalid endpoint binding ${JSON.stringify(tok)}`);
    if (Object.hasOwn(out, ep))
      throw new InvalidArgumentError("bind", `endpoint ${JSON.stringify(ep)} bound twice`);
    out[ep] = space;
  }
  return out;
}

/** The type and range of every option of `deploy` (checked before any request). */
export const DEPLOY_SPEC: ac.OptionSpec = {
  ...ac.WAIT_OPTIONS,
  applicationName: ac.name,
  channel: ac.str,
  revision: ac.int(0),
  config: ac.recordOf(ac.any),
  constraints: ac.constraints,
  numUnits: ac.int(0),
  base: ac.base,
  series: ac.base,
  storage: ac.storage,
  bind: ac.bindings,
  resources: ac.recordOf(ac.anyOf(ac.int(0), ac.name)),
  to: ac.placement,
  force: ac.bool,
  trust: ac.bool,
  attachStorage: ac.arrayOf(ac.name),
  onUploadProgress: ac.func,
};

/** The deploy options that do not depend on the charm, checked and converted. @internal */
export interface PreparedDeploy {
  numUnits: number;
  constraints: Constraints;
  placement: ReturnType<typeof toPlacements>;
  base: Base | undefined;
  storage: ReturnType<typeof parseStorageConstraints> | undefined;
  bindings: Record<string, string> | undefined;
  config: Record<string, string>;
  channel: Channel | undefined;
  call: { signal?: AbortSignal };
}

/** Checks the application name as Juju does. @internal */
export function checkApplicationName(appName: string): void {
  ac.name(appName, "applicationName");
  if (!isApplicationName(appName))
    throw new InvalidArgumentError(
      "applicationName",
      `invalid application name ${JSON.stringify(appName)}`,
    );
}

/**
 * Checks and converts every option that does not depend on the charm, so
 * that bad input fails before the first RPC (or upload). @internal
 */
export function prepareDeploy(ctx: OpsContext, options: DeployOptions): PreparedDeploy {
  ac.checkOptions("deploy", options, DEPLOY_SPEC);
  const channel = options.channel !== undefined ? parseChannel(options.channel) : undefined;
  if (options.revision !== undefined && channel === undefined)
    throw new InvalidArgumentError(
      "revision",
      "specifying a revision requires a channel for future upgrades; pass the channel option too",
    );
  const numUnits = options.numUnits ?? 1;
  if (!Number.isInteger(numUnits) || numUnits < 0)
    throw new InvalidArgumentError(
      "numUnits",
      `numUnits must be a non-negative integer, got ${numUnits}`,
    );
  const constraints = toConstraints(options.constraints);
  const placement = toPlacements(options.to, ctx.uuid);
  const baseSpec = options.base ?? options.series;
  const base =
    baseSpec !== undefined
      ? parseBase(baseSpec, options.base !== undefined ? "base" : "series")
      : undefined;
  const storage = options.storage ? parseStorageConstraints(options.storage) : undefined;
  const bindings = options.bind !== undefined ? parseBindings(options.bind) : undefined;
  const config = stringifyConfig(options.config ?? {});
  if (options.trust) config.trust = "true";
  for (const [name, v] of Object.entries(options.resources ?? {})) {
    if (typeof v === "number" ? !Number.isInteger(v) || v < 0 : typeof v !== "string" || v === "")
      throw new InvalidArgumentError(
        "resources",
        `resource ${JSON.stringify(name)}: expected a revision number or a file path, got ${JSON.stringify(v)}`,
      );
  }
  return {
    numUnits,
    constraints,
    placement,
    base,
    storage,
    bindings,
    config,
    channel,
    call: options.signal ? { signal: options.signal } : {},
  };
}

/** The unit count for a charm: subordinates get none, and refuse units and placement. @internal */
export function unitsFor(
  subordinate: boolean,
  prepared: PreparedDeploy,
  options: DeployOptions,
): number {
  if (!subordinate) return prepared.numUnits;
  if (options.numUnits !== undefined && options.numUnits > 1)
    throw new InvalidArgumentError(
      "numUnits",
      "cannot use numUnits with a subordinate application",
    );
  if (prepared.placement.length)
    throw new InvalidArgumentError("to", "cannot use placement with a subordinate application");
  return 0;
}

/** `Application.Deploy` of one application, then waits for the model to show it. @internal */
export async function submitDeploy(
  ctx: OpsContext,
  prepared: PreparedDeploy,
  options: DeployOptions,
  what: {
    appName: string;
    url: string;
    origin: ApplicationFacade.CharmOrigin;
    units: number;
    resources: Record<string, string> | undefined;
  },
): Promise<string> {
  const { appName } = what;
  const args: ApplicationFacade.ApplicationDeploy = {
    application: appName,
    "charm-url": what.url,
    "charm-origin": what.origin,
    channel: prepared.channel ? formatChannel(prepared.channel) : "",
    "num-units": what.units,
    "config-yaml": "",
    constraints: prepared.constraints,
    Force: options.force ?? false,
  };
  if (Object.keys(prepared.config).length) args.config = prepared.config;
  if (prepared.placement.length) args.placement = prepared.placement;
  if (prepared.storage) args.storage = prepared.storage;
  if (prepared.bindings) args["endpoint-bindings"] = prepared.bindings;
  if (what.resources && Object.keys(what.resources).length) args.resources = what.resources;
  if (options.attachStorage?.length)
    args["attach-storage"] = options.attachStorage.map(asStorageTag);
  const app = ctx.connection.facade("Application");
  await single(`cannot deploy ${JSON.stringify(appName)}`, async () =>
    bulkResultsStrict(
      await app.call("Deploy", { applications: [args] }, prepared.call),
      siteOf(app, "Deploy"),
    ),
  );

  await ctx.waitFor(
    `application ${appName} to appear`,
    () => ctx.state.entityData("application", appName) !== undefined,
    options,
  );
  return appName;
}

/**
 * Deploys a charm and returns the application's name once the model shows it: a
 * Charmhub charm, or a local charm (a directory, a `.charm` file, or
 * `local:` followed by either; see `deployLocalCharm`).
 */
export async function deploy(
  ctx: OpsContext,
  charm: string,
  options: DeployOptions = {},
): Promise<string> {
  ctx.requireWatching("deploy");
  if (isLocalCharmReference(charm)) return deployLocalCharm(ctx, charm, options);
  // Every local check happens before the first RPC.
  const charmName = charmNameOf(charm);
  const appName = options.applicationName ?? charmName;
  checkApplicationName(appName);
  const prepared = prepareDeploy(ctx, options);
  const { constraints, base, channel, call } = prepared;

  const [architecture, defaultBase] = await Promise.all([
    constraints.arch ?? modelArchitecture(ctx, options.signal),
    modelDefaultBase(ctx, options.signal),
  ]);
  const resolved = await resolveCharm(ctx, charmName, {
    ...(channel ? { channel } : {}),
    ...(options.revision !== undefined ? { revision: options.revision } : {}),
    ...(base ? { base } : {}),
    ...(defaultBase ? { modelDefaultBase: defaultBase } : {}),
    architecture,
    force: options.force ?? false,
    ...(options.signal ? { signal: options.signal } : {}),
  });

  const charms = ctx.connection.facade("Charms");
  const info = await charms.call("CharmInfo", { url: resolved.url }, call);
  const units = unitsFor(info.meta?.subordinate ?? false, prepared, options);
  const plan = await planPendingResources(ctx, {
    metas: Object.values(info.meta?.resources ?? {}),
    values: options.resources ?? {},
    allMetas: true,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const pending = await registerPendingResources(ctx, plan, {
    application: appName,
    url: resolved.url,
    origin: resolved.origin as Resources.CharmOrigin,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return submitDeploy(ctx, prepared, options, {
    appName,
    url: resolved.url,
    origin: resolved.origin,
    units,
    resources: pending,
  });
}

/** Options of `Application.refresh`. */
export interface RefreshOptions {
  /** Channel to follow from now on; default the application's. */
  channel?: string;
  /** Revision to refresh to; default the channel's latest. */
  revision?: number;
  /** Refresh to another charm (`switch`), by Charmhub name. */
  switchTo?: string;
  /** Refresh even when units are in error. */
  forceUnits?: boolean;
  /** Refresh even when the charm does not support the application's base. */
  forceBase?: boolean;
  /** Skip compatibility checks. */
  force?: boolean;
  /**
   * Refresh to a local charm: a charm directory or `.charm` file, uploaded
   * first (python-libjuju's `local_refresh`); an unchanged charm is not
   * uploaded again.
   */
  path?: string;
  /** With `path`: resources to upload (paths) or pin (revisions). */
  resources?: Readonly<Record<string, number | string>>;
  /** With `path`: how long to wait for the model to show the new charm (ms). */
  timeout?: number;
  /** Aborts the refresh. */
  signal?: AbortSignal;
}

/**
 * Refreshes (upgrades) an application's charm as `juju refresh` does for
 * Charmhub charms: the current charm and origin (`Application.GetCharmURLOrigin`),
 * `ResolveCharms` for the new channel/revision, `AddCharm`, then
 * `Application.SetCharm`. With `path`, refreshes to a local charm instead
 * (see `refreshLocal`). Returns the new charm URL.
 */
export async function refresh(
  ctx: OpsContext,
  application: string,
  options: RefreshOptions = {},
): Promise<string> {
  ac.checkArg("application", application, ac.name);
  ac.checkOptions("refresh", options, {
    channel: ac.str,
    revision: ac.int(0),
    switchTo: ac.name,
    forceUnits: ac.bool,
    forceBase: ac.bool,
    force: ac.bool,
    path: ac.name,
    resources: ac.recordOf(ac.anyOf(ac.int(0), ac.name)),
    timeout: ac.num(0),
    signal: ac.signal,
  });
  if (options.path !== undefined) {
    if (
      options.channel !== undefined ||
      options.revision !== undefined ||
      options.switchTo !== undefined
    )
      throw new InvalidArgumentError(
        "path",
        "path cannot be combined with channel, revision or switchTo",
      );
    const { path, channel: _c, revision: _r, switchTo: _s, ...rest } = options;
    return refreshLocal(ctx, application, path, rest);
  }
  const app = ctx.connection.facade("Application");
  const call = options.signal ? { signal: options.signal } : {};
  const current = await app.call("GetCharmURLOrigin", { application, branch: "" }, call);
  if (current.error?.message)
    throw JujuError.fromWire(current.error, siteOf(app, "GetCharmURLOrigin"));
  const origin = current["charm-origin"];
  if (origin.source !== "charm-hub")
    throw new NotSupportedError(
      `refresh(${JSON.stringify(application)})`,
      `the application's charm comes from ${JSON.stringify(origin.source)}; only Charmhub charms can be refreshed`,
    );
  const charmName = options.switchTo ? charmNameOf(options.switchTo) : charmNameOf(current.url);
  const channel =
    options.channel !== undefined
      ? parseChannel(options.channel)
      : { risk: origin.risk ?? "stable", ...(origin.track ? { track: origin.track } : {}) };
  const resolved = await resolveCharm(ctx, charmName, {
    channel,
    ...(options.revision !== undefined ? { revision: options.revision } : {}),
    ...(origin.base ? { base: origin.base } : {}),
    architecture: origin.architecture ?? "amd64",
    force: options.forceBase ?? false,
    switchCharm: options.switchTo !== undefined,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (resolved.url === current.url && options.switchTo === undefined)
    throw new JujuError(`already running charm ${JSON.stringify(current.url)}`, "already exists");
  await app.call(
    "SetCharm",
    {
      application,
      "charm-url": resolved.url,
      "charm-origin": resolved.origin,
      channel: formatChannel(channel),
      force: options.force ?? false,
      "force-base": options.forceBase ?? false,
      "force-units": options.forceUnits ?? false,
      generation: "",
    },
    call,
  );
  return resolved.url;
}
