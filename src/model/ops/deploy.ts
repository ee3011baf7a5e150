/**
 * Deploying a Charmhub charm as python-libjuju 3.5 and the Juju CLI do on
 * every controller version: `Charms.ResolveCharms` → `Charms.AddCharm` →
 * `Charms.CharmInfo` (subordinate? resources?) → `Resources.AddPendingResources`
 * (when the charm has resources) → `Application.Deploy`, then wait for the
 * application in the watcher state. Also refreshing an application to
 * another revision or channel (`Application.SetCharm`).
 * @module
 */
import type {
  Application as ApplicationFacade,
  Charms,
  Resources,
} from "../../facades/generated/index.js";
import type { Constraints } from "../../parse/constraints.js";
import { bulkResultsStrict } from "../../rpc/bulk.js";
import { JujuError } from "../../rpc/errors.js";
import type { ModelContext, OperationWaitOptions } from "../context.js";
import type { Application } from "../entities/application.js";
import { InvalidArgumentError, NotSupportedError } from "../errors.js";
import { applicationTag, isApplicationName } from "../tags.js";
import { type BaseSpec, parseBase } from "./bases.js";
import { charmNameOf, formatChannel, parseChannel, resolveCharm } from "./charm-origin.js";
import { single, siteOf, stringifyConfig, toConstraints, toPlacements } from "./common.js";
import { modelArchitecture, modelDefaultBase } from "./model-config.js";
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
  /** Resource revisions to use instead of the channel's (local files are not supported yet). */
  resources?: Readonly<Record<string, number | string>>;
  /** Placement directives (`"3"`, `"lxd:2"`, `"zone=az1"`), comma separated or an array. */
  to?: string | readonly string[];
  /** Deploy on a base the charm does not declare; skip some checks. */
  force?: boolean;
  /** Grant the charm access to cloud credentials. */
  trust?: boolean;
  /** Existing storage to attach to the single unit (`storage-tag`s or ids such as `data/0`). */
  attachStorage?: readonly string[];
}

/** Endpoint bindings from a `bind` option. */
export function parseBindings(
  bind: string | Readonly<Record<string, string>>,
): Record<string, string> {
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

/** Deploys a Charmhub charm and returns the application once the model shows it. */
export async function deploy(
  ctx: ModelContext,
  charm: string,
  options: DeployOptions = {},
): Promise<Application> {
  ctx.requireWatching("deploy");
  // Every local check happens before the first RPC.
  const charmName = charmNameOf(charm);
  const appName = options.applicationName ?? charmName;
  if (!isApplicationName(appName))
    throw new InvalidArgumentError(
      "applicationName",
      `invalid application name ${JSON.stringify(appName)}`,
    );
  const channel = options.channel !== undefined ? parseChannel(options.channel) : undefined;
  if (options.revision !== undefined && channel === undefined)
    throw new InvalidArgumentError(
      "revision",
      "specifying a revision requires a channel for future upgrades; give {channel}",
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
  const base = baseSpec !== undefined ? parseBase(baseSpec) : undefined;
  const storage = options.storage ? parseStorageConstraints(options.storage) : undefined;
  const bindings = options.bind !== undefined ? parseBindings(options.bind) : undefined;
  const config = stringifyConfig(options.config ?? {});
  if (options.trust) config.trust = "true";
  for (const [name, v] of Object.entries(options.resources ?? {})) {
    if (typeof v === "string")
      throw new NotSupportedError(
        `deploy(${JSON.stringify(charm)}, {resources: {${name}: ${JSON.stringify(v)}}})`,
        "uploading a local resource needs an HTTPS PUT to the controller, which this version does not do; give a revision number",
      );
  }
  const call = options.signal ? { signal: options.signal } : {};

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
  let units = numUnits;
  if (info.meta?.subordinate) {
    if (options.numUnits !== undefined && options.numUnits > 1)
      throw new InvalidArgumentError(
        "numUnits",
        "cannot use numUnits with a subordinate application",
      );
    if (placement.length)
      throw new InvalidArgumentError("to", "cannot use placement with a subordinate application");
    units = 0;
  }
  const pending = await addPendingResources(
    ctx,
    appName,
    resolved.url,
    resolved.origin,
    info,
    options,
  );

  const args: ApplicationFacade.ApplicationDeploy = {
    application: appName,
    "charm-url": resolved.url,
    "charm-origin": resolved.origin,
    channel: channel ? formatChannel(channel) : "",
    "num-units": units,
    "config-yaml": "",
    constraints,
    Force: options.force ?? false,
  };
  if (Object.keys(config).length) args.config = config;
  if (placement.length) args.placement = placement;
  if (storage) args.storage = storage;
  if (bindings) args["endpoint-bindings"] = bindings;
  if (pending) args.resources = pending;
  if (options.attachStorage?.length)
    args["attach-storage"] = options.attachStorage.map(asStorageTag);
  const app = ctx.connection.facade("Application");
  await single(`cannot deploy ${JSON.stringify(appName)}`, async () =>
    bulkResultsStrict(
      await app.call("Deploy", { applications: [args] }, call),
      siteOf(app, "Deploy"),
    ),
  );

  await ctx.waitFor(
    `application ${appName} to appear`,
    () => ctx.state.entityData("application", appName) !== undefined,
    options,
  );
  return ctx.entity("application", appName)!;
}

/**
 * Registers the charm's store resources as pending for the new application
 * (`Resources.AddPendingResources`), with the requested revisions; returns
 * name → pending id, or undefined when the charm has no resources.
 */
async function addPendingResources(
  ctx: ModelContext,
  appName: string,
  url: string,
  origin: Charms.CharmOrigin,
  info: Charms.Charm,
  options: { resources?: Readonly<Record<string, number | string>>; signal?: AbortSignal },
): Promise<Record<string, string> | undefined> {
  const metas = Object.values(info.meta?.resources ?? {});
  const overrides = options.resources ?? {};
  const unknown = Object.keys(overrides).filter((n) => !metas.some((m) => m.name === n));
  if (unknown.length)
    throw new InvalidArgumentError("resources", `unrecognized resources: ${unknown.join(", ")}`);
  if (metas.length === 0) return undefined;
  const resources: Resources.CharmResource[] = metas.map((m) => {
    const rev = overrides[m.name];
    return {
      name: m.name,
      type: m.type,
      path: m.path,
      description: m.description,
      origin: "store",
      revision: typeof rev === "number" ? rev : -1,
      fingerprint: "",
      size: 0,
    };
  });
  const rf = ctx.connection.facade("Resources");
  const res = await rf.call(
    "AddPendingResources",
    {
      tag: applicationTag(appName),
      url,
      "charm-origin": origin as Resources.CharmOrigin,
      resources,
    } as Resources.AddPendingResourcesArgsV2,
    options.signal ? { signal: options.signal } : {},
  );
  if (res.error?.message) throw JujuError.fromWire(res.error, siteOf(rf, "AddPendingResources"));
  const ids = res["pending-ids"] ?? [];
  const out: Record<string, string> = {};
  resources.forEach((r, i) => {
    const id = ids[i];
    if (id) out[r.name] = id;
  });
  return out;
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
  signal?: AbortSignal;
}

/**
 * Refreshes (upgrades) an application's charm as `juju refresh` does for
 * Charmhub charms: the current charm and origin (`Application.GetCharmURLOrigin`),
 * `ResolveCharms` for the new channel/revision, `AddCharm`, then
 * `Application.SetCharm`. Returns the new charm URL.
 */
export async function refresh(
  ctx: ModelContext,
  application: string,
  options: RefreshOptions = {},
): Promise<string> {
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
