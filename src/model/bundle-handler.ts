/**
 * `BundleHandler`: deploys a bundle as the Juju 3.6 CLI does. The bundle is
 * found (file, directory, URL or Charmhub), validated and planned on the
 * client with the pure planner against the model's live state; then each
 * change is sent as the facade call Juju's CLI makes for it, independent
 * changes concurrently. Local charms of a bundle file or directory
 * (`charm: ./path`, an absolute path, or `local:name`; relative to the
 * bundle's directory) are checked before anything is sent and uploaded by
 * their `addCharm` change; an application that already exists keeps the
 * charm it runs, as in Juju. Local resources (`resources: {name: ./file}`)
 * are uploaded with their application's deploy. A local charm or resource
 * in a URL or Charmhub bundle is refused up front with a typed error.
 * @module
 */
import { type PlanBundleOptions, planBundle } from "../bundle/changes.js";
import { type BundleProblem, type ParseBundleOptions, parseBundle } from "../bundle/index.js";
import type { BundleApplication, BundleChange, BundleData, BundlePlan } from "../bundle/types.js";
import { DEFAULT_BASE } from "../charm/series.js";
import type {
  Application as ApplicationFacade,
  ApplicationOffers as ApplicationOffersFacade,
  Charms,
  MachineManager,
} from "../facades/generated/index.js";
import type { Application as Application4 } from "../facades/generated/juju4/index.js";
import { parseConstraints } from "../parse/constraints.js";
import { parseDeviceConstraint } from "../parse/devices.js";
import { parsePlacement } from "../parse/placement.js";
import { bulkResultsStrict } from "../rpc/bulk.js";
import { JujuError } from "../rpc/errors.js";
import {
  BundleLocalCharmError,
  BundleLocalCharmNotFoundError,
  BundlePlaceholderError,
  BundleSourceError,
  BundleTrustError,
} from "./bundle-errors.js";
import { type ExecutePlanOptions, runPlan } from "./bundle-execute.js";
import {
  type BundleFetch,
  type BundleFileSystem,
  isLocalPath,
  isUrl,
  type LoadedBundle,
  loadCharmhubBundle,
  loadLocalBundle,
  loadUrlBundle,
  nodeBundleFileSystem,
} from "./bundle-source.js";
import type { Application } from "./entities/application.js";
import { InvalidArgumentError, NotSupportedError } from "./errors.js";
import type { Model } from "./model.js";
import { setAnnotations as setAnnotationsOp } from "./ops/annotations.js";
import { setApplicationConfig, setApplicationConstraints } from "./ops/applications.js";
import { type Base, parseBase } from "./ops/bases.js";
import {
  charmNameOf,
  formatChannel,
  parseChannel,
  type ResolvedCharm,
  resolveCharm,
} from "./ops/charm-origin.js";
import { single, siteOf, stringifyConfig, toConstraints } from "./ops/common.js";
import {
  type AddLocalCharmOptions,
  addLocalCharm,
  addLocalCharmDir,
  localOrigin,
} from "./ops/local-charm.js";
import { modelArchitecture, modelDefaultBase } from "./ops/model-config.js";
import { planPendingResources, registerPendingResources } from "./ops/resources.js";
import { parseStorageConstraints } from "./ops/storage.js";
import { addPolledBundleFacts } from "./status-poll-bundle.js";
import { applicationTag, machineTag, modelTag } from "./tags.js";

export type { BundleProgressEvent, ExecutePlanOptions } from "./bundle-execute.js";

/** Options of a {@link BundleHandler}. */
export interface BundleHandlerOptions {
  /** Grant cloud credentials to applications that ask for `trust: true` (Juju's `--trust`). */
  trust?: boolean;
  /** Deploy on bases the charms do not declare (Juju's `--force`). */
  force?: boolean;
  /** Local file access; default Node's (loaded only for local bundles). */
  fileSystem?: BundleFileSystem;
  /** Download function for URL and Charmhub bundles; default the global `fetch`. */
  fetch?: BundleFetch;
}

/** Options of {@link BundleHandler.fetchPlan}. */
export interface FetchPlanOptions {
  /** Overlay files applied in order (paths, as `juju deploy --overlay`). */
  overlays?: readonly string[];
  /** The channel of a Charmhub bundle. */
  channel?: string;
  /** Aborts fetching the plan. */
  signal?: AbortSignal;
}

/** A validated bundle and its plan against the model. */
export interface BundlePlanResult extends BundlePlan {
  /** The bundle after overlays. */
  bundle: BundleData;
  /** Where the bundle came from (file, URL or `ch:<name>`). */
  source: string;
  /** Fields Juju ignores (unknown or duplicate keys), which were ignored. */
  warnings: BundleProblem[];
}

/** Named arguments of a change, as `Bundle.GetChangesMapArgs` gives them. */
export type ChangeArgs = Readonly<Record<string, unknown>>;

const UNIT_NAME = /^[a-z][a-z0-9-]*\/\d+$/;

/** The path a local charm reference names: `local:[series/]name[-rev]` → `name`, as `charm.ParseURL` reads it. */
function localCharmPath(charm: string): string {
  if (!charm.startsWith("local:")) return charm;
  const rest = charm.slice("local:".length);
  return rest.slice(rest.lastIndexOf("/") + 1).replace(/-\d+$/, "");
}

/** `dir` + relative `path`, POSIX-style, `.` and `..` segments folded. */
function joinPath(dir: string, path: string): string {
  const out: string[] = [];
  for (const seg of `${dir}/${path}`.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return `${dir.startsWith("/") ? "/" : ""}${out.join("/")}`;
}

// The ApplicationOffers version Juju 3.6 serves (sent when the controller advertises none).
const OFFERS_VERSION = 5;
const OFFERS_SITE = (method: string) => ({
  facade: "ApplicationOffers",
  version: OFFERS_VERSION,
  method,
});

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const strMap = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) if (typeof x === "string") out[k] = x;
  return out;
};

/**
 * Deploys bundles onto one model. `fetchPlan` finds, validates and plans a
 * bundle; `executePlan` applies the plan, calling the handler method named
 * by each change (`addCharm`, `deploy`, `addUnit`…), which may also be
 * called directly with a change's named arguments.
 *
 * @example
 * ```ts
 * const handler = new BundleHandler(model);
 * const plan = await handler.fetchPlan("./bundle.yaml", { overlays: ["./overlay.yaml"] });
 * for (const c of plan.changes) console.log(c.description);
 * await handler.executePlan({ concurrency: 8, onProgress: (e) => console.log(e.type, e.change.id) });
 * ```
 */
export class BundleHandler {
  readonly #model: Model;
  readonly #options: BundleHandlerOptions;
  /** Change id → what it produced (charm URL, application, machine, unit…). */
  readonly #results = new Map<string, string | undefined>();
  /** Charm URL → the origin `AddCharm` returned. */
  readonly #origins = new Map<string, Charms.CharmOrigin>();
  readonly #charmInfos = new Map<string, Promise<Charms.Charm>>();
  /** A local charm path as the bundle spells it → the path resolved against the bundle's directory. */
  readonly #localPaths = new Map<string, { path: string; kind: "file" | "dir" }>();
  /** The directory of the last planned bundle file (local paths are relative to it). */
  #baseDir: string | undefined;
  #plan: BundlePlanResult | undefined;
  #architecture: Promise<string> | undefined;
  #defaultBase: Promise<ReturnType<typeof parseBase> | undefined> | undefined;

  constructor(model: Model, options: BundleHandlerOptions = {}) {
    this.#model = model;
    this.#options = options;
  }

  /** The plan of the last {@link fetchPlan}, if any. */
  get plan(): BundlePlanResult | undefined {
    return this.#plan;
  }

  /** The bundle of the last {@link fetchPlan}, if any. */
  get bundle(): BundleData | undefined {
    return this.#plan?.bundle;
  }

  /** What each change completed so far produced, by change id. */
  get results(): ReadonlyMap<string, string | undefined> {
    return this.#results;
  }

  /**
   * Finds the bundle (a local file, a directory with `bundle.yaml`, an
   * `http(s)://` URL, or a Charmhub bundle name), applies the overlays,
   * validates it (every problem at once) and plans it against the model's
   * live state as `juju deploy` does. Local charm paths are resolved
   * against the bundle's directory and must exist
   * (`BundleLocalCharmNotFoundError`). Nothing is uploaded nor changed.
   */
  async fetchPlan(source: string, options: FetchPlanOptions = {}): Promise<BundlePlanResult> {
    if (typeof source !== "string" || source === "")
      throw new InvalidArgumentError(
        "source",
        `a bundle source must be a non-empty string (path, URL or Charmhub name), got ${JSON.stringify(source)}`,
      );
    if (options.overlays !== undefined && !Array.isArray(options.overlays))
      throw new InvalidArgumentError("overlays", "overlays must be an array of file paths");
    const loaded = await this.#load(source, options);
    if (loaded === undefined)
      throw new BundleSourceError(source, `${JSON.stringify(source)} is not a bundle`);
    return this.planText(loaded, options);
  }

  /** Validates and plans a bundle already loaded (see {@link fetchPlan}). */
  async planText(loaded: LoadedBundle, options: FetchPlanOptions = {}): Promise<BundlePlanResult> {
    const overlays = options.overlays ?? [];
    const needsFs = overlays.length > 0 || loaded.kind === "file";
    const fs = needsFs ? await this.#fs() : undefined;
    const warnings: BundleProblem[] = [];
    // As `juju deploy`: unknown fields are reported and ignored, not fatal.
    const parseOptions: ParseBundleOptions = { strict: false, onWarning: (w) => warnings.push(w) };
    if (overlays.length) parseOptions.overlays = [...overlays];
    if (loaded.kind === "file") parseOptions.path = loaded.location;
    if (loaded.baseDir !== undefined) parseOptions.baseDir = loaded.baseDir;
    if (fs) parseOptions.readFile = (p: string) => fs.readFile(p);
    const bundle = await parseBundle(loaded.text, parseOptions);
    // As `juju deploy`: trust must be granted (or forced) before anything else.
    if (!this.#options.trust && !this.#options.force) {
      const untrusted = Object.entries(bundle.applications)
        .filter(([, a]) => requiresTrust(a))
        .map(([n]) => n)
        .sort();
      if (untrusted.length) throw new BundleTrustError(untrusted);
    }
    await this.#checkLocalCharms(bundle, loaded);
    this.#baseDir = loaded.kind === "file" ? loaded.baseDir : undefined;
    const localResources = Object.entries(bundle.applications).flatMap(([name, a]) =>
      Object.entries(a.resources ?? {})
        .filter(([, v]) => typeof v === "string")
        .map(([r, v]) => `${name}.resources.${r}: ${String(v)}`),
    );
    if (localResources.length && this.#baseDir === undefined)
      throw new NotSupportedError(
        `deploying local resources (${localResources.join(", ")}) from a bundle that is not a local file or directory`,
        "resource paths are relative to the bundle's directory",
      );
    // Channels and bases of what is deployed are only in the status, as for the Juju CLI.
    const existing = this.#model.getApplicationNames().length > 0;
    const status = existing
      ? await this.#model.getStatus(options.signal ? { signal: options.signal } : {})
      : undefined;
    const view = this.#model.bundleView(status);
    // Status polls (Juju 4) carry no config, constraints nor annotations: read them.
    if (existing && this.#model.stateSource === "status-poll")
      await addPolledBundleFacts(this.#model, view, options.signal);
    const planOptions: PlanBundleOptions = {
      model: view,
      // Juju's CLI gives its planner a ConstraintsEqual that compares parsed values.
      constraintsEqual: sameConstraints,
    };
    if (loaded.bundleURL !== undefined) planOptions.bundleURL = loaded.bundleURL;
    const plan = planBundle(this.#existingLocalCharms(bundle, planOptions), planOptions);
    // Refreshing an application with new local resources is not done by upgradeCharm: refuse it
    // rather than lose them.
    const upgrades = plan.changes
      .filter((c) => c.method === "upgradeCharm" && c.args["local-resources"] !== undefined)
      .map((c) => str(c.args.application));
    if (upgrades.length)
      throw new NotSupportedError(
        `upgrading ${upgrades.join(", ")} with local resources from a bundle`,
        "a bundle's upgradeCharm change does not upload resources; refresh the application with its resources instead",
      );
    this.#plan = { ...plan, bundle, source: loaded.location, warnings };
    return this.#plan;
  }

  /**
   * Local charms (`./charm`, `/abs/charm.charm`, or `local:name`, which
   * Juju reads as the path `name`), resolved against the bundle's
   * directory as the Juju CLI's `addLocalCharm` does; each must exist.
   * A local charm in a URL or Charmhub bundle is refused. Nothing is sent.
   */
  async #checkLocalCharms(bundle: BundleData, loaded: LoadedBundle): Promise<void> {
    this.#localPaths.clear();
    const local = Object.entries(bundle.applications)
      .filter(([, a]) => isLocalCharm(a.charm))
      .map(([name, a]) => ({ name, charm: a.charm }));
    if (!local.length) return;
    if (loaded.kind !== "file" || loaded.baseDir === undefined)
      throw new BundleLocalCharmError(
        local,
        `local charms are only deployed from a bundle file or directory, not from ${loaded.kind === "url" ? "a URL" : "Charmhub"}`,
      );
    const fs = await this.#fs();
    const missing: { application: string; charm: string; path: string }[] = [];
    for (const { name, charm } of local) {
      const ref = localCharmPath(charm);
      const path = ref.startsWith("/") ? ref : joinPath(loaded.baseDir, ref);
      const kind = await fs.stat(path);
      if (kind === "file" || kind === "dir") this.#localPaths.set(charm, { path, kind });
      else missing.push({ application: name, charm, path });
    }
    if (missing.length) throw new BundleLocalCharmNotFoundError(missing);
  }

  /**
   * The bundle as the planner should see it: an application that already
   * exists and names a local charm keeps the charm the model runs, as the
   * Juju CLI's `resolveCharmsAndEndpoints` does (it does not upgrade local
   * charms on a bundle deploy), so deploying the same bundle again plans
   * no upload and no upgrade. Nothing is read nor sent.
   */
  #existingLocalCharms(bundle: BundleData, planOptions: PlanBundleOptions): BundleData {
    let applications: Record<string, BundleApplication> | undefined;
    for (const [name, app] of Object.entries(bundle.applications)) {
      const running = planOptions.model?.applications?.[name]?.charm;
      if (!running || !this.#localPaths.has(app.charm)) continue;
      applications ??= { ...bundle.applications };
      applications[name] = { ...app, charm: running };
    }
    return applications ? { ...bundle, applications } : bundle;
  }

  /**
   * Applies the plan of the last {@link fetchPlan}: each change starts once
   * the changes it requires are done, up to `concurrency` (default 8) at a
   * time. Throws `BundleChangeError` (naming the failed change, the changes
   * done and those skipped) or `BundleAbortError`. Resolves with the names
   * of the bundle's applications.
   */
  async executePlan(options: ExecutePlanOptions = {}): Promise<string[]> {
    const plan = this.#plan;
    if (!plan) throw new InvalidArgumentError("plan", "no plan: call fetchPlan first");
    this.#model.requireWatching("executePlan");
    await runPlan(
      plan.changes,
      async (change, signal) => {
        const result = await this.#dispatch(change, signal);
        this.#results.set(change.id, result);
        return result;
      },
      options,
    );
    return Object.keys(plan.bundle.applications);
  }

  /** Waits until the model shows the bundle's applications and returns them. */
  async applications(
    options: { timeout?: number; signal?: AbortSignal } = {},
  ): Promise<Application[]> {
    const names = Object.keys(this.#plan?.bundle.applications ?? {});
    await this.#model.waitFor(
      `applications ${names.join(", ")} to appear`,
      () => names.every((n) => this.#model.state.entityData("application", n) !== undefined),
      options,
    );
    return names.map((n) => this.#model.entity("application", n)!);
  }

  #dispatch(change: BundleChange, signal: AbortSignal): Promise<string | undefined> {
    const a = change.args;
    switch (change.method) {
      case "addCharm":
        return this.addCharm(a, { signal });
      case "deploy":
        return this.deploy(a, { signal });
      case "addMachines":
        return this.addMachines(a, { signal });
      case "addUnit":
        return this.addUnit(a, { signal });
      case "addRelation":
        return this.addRelation(a, { signal }).then(() => undefined);
      case "expose":
        return this.expose(a, { signal }).then(() => undefined);
      case "setAnnotations":
        return this.setAnnotations(a, { signal }).then(() => undefined);
      case "scale":
        return this.scale(a, { signal }).then(() => undefined);
      case "setOptions":
        return this.setOptions(a, { signal }).then(() => undefined);
      case "setConstraints":
        return this.setConstraints(a, { signal }).then(() => undefined);
      case "upgradeCharm":
        return this.upgradeCharm(a, { signal }).then(() => undefined);
      case "createOffer":
        return this.createOffer(a, { signal }).then(() => undefined);
      case "consumeOffer":
        return this.consumeOffer(a, { signal });
      case "grantOfferAccess":
        return this.grantOfferAccess(a, { signal }).then(() => undefined);
      default:
        return Promise.reject(
          new InvalidArgumentError(
            "method",
            `unknown bundle change method ${String(change.method)}`,
          ),
        );
    }
  }

  // ---- placeholders --------------------------------------------------------

  /** `$deploy-3` → what change deploy-3 produced; anything else as is. */
  resolve(value: string): string {
    if (!value.startsWith("$")) return value;
    const r = this.#results.get(value.slice(1));
    if (r === undefined) throw new BundlePlaceholderError(value);
    return r;
  }

  /**
   * The charm URL and origin a deploy or upgrade uses: the ones its
   * `addCharm` change produced, or — when the plan added no charm because
   * the model already runs it (Juju's planner then names the charm as the
   * bundle does) — those of an application running that charm, read with
   * `Application.GetCharmURLOrigin` (the Juju CLI knows them from resolving
   * every charm before planning). `origin` is undefined when neither exists.
   */
  async #charmOf(
    ref: string,
    revision: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ url: string; origin: Charms.CharmOrigin | undefined }> {
    const added = this.#origins.get(ref);
    if (added) return { url: ref, origin: added };
    const nameOf = (r: string): string | undefined => {
      try {
        return charmNameOf(r);
      } catch {
        return undefined; // local: and path references are matched by the planner's own rules
      }
    };
    const name = nameOf(ref);
    if (name === undefined) return { url: ref, origin: undefined };
    const running = [...this.#model.applications.values()].filter(
      (a) => nameOf(a.charmUrl) === name,
    );
    const app =
      running.find((a) => revision !== undefined && a.charmUrl.endsWith(`-${revision}`)) ??
      running[0];
    if (!app) return { url: ref, origin: undefined };
    const facade = this.#model.connection.facade("Application");
    const current = await facade.call(
      "GetCharmURLOrigin",
      { application: app.name, branch: "" },
      signal ? { signal } : {},
    );
    if (current.error?.message)
      throw JujuError.fromWire(current.error, siteOf(facade, "GetCharmURLOrigin"));
    const origin = current["charm-origin"] as Charms.CharmOrigin;
    this.#origins.set(current.url, origin);
    return { url: current.url, origin };
  }

  /** `$deploy-3:db` → `mysql:db`. */
  #resolveEndpoint(ep: string): string {
    const colon = ep.indexOf(":");
    return colon < 0 ? this.resolve(ep) : `${this.resolve(ep.slice(0, colon))}${ep.slice(colon)}`;
  }

  /**
   * A machine placeholder's machine id; for a unit placeholder, the
   * machine the unit was assigned to, waiting for the watcher to show it
   * (as the Juju CLI waits on its AllWatcher).
   */
  async #resolveMachine(value: string, signal: AbortSignal): Promise<string> {
    const v = this.resolve(value);
    if (!UNIT_NAME.test(v)) return v;
    const machineOf = () => str(this.#model.state.entityData("unit", v)?.["machine-id"]);
    if (!machineOf())
      await this.#model.waitFor(`unit ${v} to be assigned to a machine`, () => machineOf() !== "", {
        signal,
      });
    return machineOf();
  }

  // ---- change handlers -----------------------------------------------------

  /**
   * `addCharm`: resolves the charm on Charmhub (channel, revision, base,
   * architecture) and adds it to the model (`Charms.ResolveCharms`,
   * `Charms.AddCharm`); a local charm path of the bundle (see
   * {@link fetchPlan}) is uploaded instead (`addLocalCharmDir` for a
   * directory, `addLocalCharm` for a `.charm` file; an unchanged charm is
   * not uploaded again) for the change's base, or the one the charm's
   * bases give, as `juju deploy` does. Returns the charm URL.
   */
  async addCharm(args: ChangeArgs, options: { signal?: AbortSignal } = {}): Promise<string> {
    const charm = str(args.charm);
    if (isLocalCharm(charm)) return this.#addLocalCharm(charm, args, options.signal);
    const name = charmNameOf(charm);
    const baseSpec = str(args.base) || str(args.series);
    const channel = str(args.channel) ? parseChannel(str(args.channel)) : undefined;
    const revision =
      typeof args.revision === "number" && args.revision >= 0 ? args.revision : undefined;
    const [architecture, defaultBase] = await Promise.all([
      str(args.architecture) || this.#modelArchitecture(options.signal),
      this.#modelDefaultBase(options.signal),
    ]);
    const resolved: ResolvedCharm = await resolveCharm(this.#model, name, {
      ...(channel ? { channel } : {}),
      ...(revision !== undefined ? { revision } : {}),
      ...(baseSpec ? { base: parseBase(baseSpec) } : {}),
      ...(defaultBase ? { modelDefaultBase: defaultBase } : {}),
      architecture,
      force: this.#options.force ?? false,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    this.#origins.set(resolved.url, resolved.origin);
    return resolved.url;
  }

  async #addLocalCharm(
    charm: string,
    args: ChangeArgs,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const local = this.#localPaths.get(charm);
    if (!local)
      throw new BundleLocalCharmError(
        [{ name: charm, charm }],
        "local charm paths are only uploaded for the bundle of the last fetchPlan",
      );
    const baseSpec = str(args.base) || str(args.series);
    const upload: AddLocalCharmOptions = {
      ...(baseSpec ? { base: baseSpec } : {}),
      force: this.#options.force ?? false,
      ...(signal ? { signal } : {}),
    };
    const up =
      local.kind === "dir"
        ? await addLocalCharmDir(this.#model, local.path, upload)
        : await addLocalCharm(this.#model, local.path, upload);
    const [architecture, defaultBase] = await Promise.all([
      str(args.architecture) || this.#modelArchitecture(signal),
      this.#modelDefaultBase(signal),
    ]);
    const base: Base = up.base ?? defaultBase ?? DEFAULT_BASE;
    this.#origins.set(up.url, localOrigin(up.url, base, architecture) as Charms.CharmOrigin);
    return up.url;
  }

  /**
   * `deploy`: deploys the application without units on machine models
   * (units come from `addUnit` changes), with its config, constraints,
   * storage, devices, bindings and resources (`Application.Deploy`).
   * Returns the application name.
   */
  async deploy(args: ChangeArgs, options: { signal?: AbortSignal } = {}): Promise<string> {
    const application = str(args.application);
    const { url: charmUrl, origin } = await this.#charmOf(
      this.resolve(str(args.charm)),
      this.#plan?.bundle.applications[application]?.revision,
      options.signal,
    );
    if (!origin)
      throw new InvalidArgumentError(
        "charm",
        `charm ${charmUrl} of application ${application} was not added by this deployment`,
      );
    const call = options.signal ? { signal: options.signal } : {};
    const info = await this.#charmInfo(charmUrl, options.signal);
    const spec = this.#plan?.bundle.applications[application];
    const config = stringifyConfig((args.options as Record<string, unknown> | undefined) ?? {});
    if (this.#options.trust && spec && requiresTrust(spec)) config.trust = "true";
    const signal = options.signal ? { signal: options.signal } : {};
    const metas = Object.values(info.meta?.resources ?? {});
    const resourcePlan = await planPendingResources(this.#model, {
      metas,
      values: {
        ...((args.resources as Record<string, number> | undefined) ?? {}),
        ...(await this.#localResources(strMap(args["local-resources"]), metas)),
      },
      // As a local charm deployed alone: only the resources the bundle names.
      allMetas: origin.source !== "local",
      ...signal,
    });
    const pending = await registerPendingResources(this.#model, resourcePlan, {
      application,
      url: charmUrl,
      origin: origin as Parameters<typeof registerPendingResources>[2]["origin"],
      ...signal,
    });
    const kubernetes = this.#plan?.bundle.bundle === "kubernetes";
    const channel = str(args.channel);
    const deployArgs: ApplicationFacade.ApplicationDeploy = {
      application,
      "charm-url": charmUrl,
      "charm-origin": origin,
      channel: channel ? formatChannel(parseChannel(channel)) : "",
      "num-units": kubernetes && typeof args["num-units"] === "number" ? args["num-units"] : 0,
      "config-yaml": "",
      constraints: toConstraints(str(args.constraints) || undefined),
      Force: this.#options.force ?? false,
    };
    if (Object.keys(config).length) deployArgs.config = config;
    const storage = strMap(args.storage);
    if (Object.keys(storage).length) deployArgs.storage = parseStorageConstraints(storage);
    const devices = strMap(args.devices);
    const bindings = strMap(args["endpoint-bindings"]);
    if (Object.keys(bindings).length) deployArgs["endpoint-bindings"] = bindings;
    if (pending) deployArgs.resources = pending;
    const app = this.#model.connection.facade("Application");
    await single(`cannot deploy application ${JSON.stringify(application)}`, async () => {
      // devices.Constraints on both majors ({Type, Count, Attributes}): 3.x's
      // schema misnamed it, see NAME_CLASHES in scripts/facade-overrides.ts.
      if (Object.keys(devices).length) deployArgs.devices = parseDeviceConstraints(devices);
      if (app.major === 4) {
        // Juju 4's Application 22 is typed apart (storage directives).
        const args4: Application4.ApplicationDeploy = deployArgs;
        return bulkResultsStrict(
          await app.juju4().call("Deploy", { applications: [args4] }, call),
          siteOf(app, "Deploy"),
        );
      }
      return bulkResultsStrict(
        await app.call("Deploy", { applications: [deployArgs] }, call),
        siteOf(app, "Deploy"),
      );
    });
    return application;
  }

  /**
   * A bundle's local resources as `makeResourceMap` in Juju's CLI reads
   * them: a relative path is taken from the bundle's directory when
   * something is there or the resource is a file; otherwise (an OCI image
   * registry path) the value is kept as written.
   */
  async #localResources(
    values: Readonly<Record<string, string>>,
    metas: readonly Charms.CharmResourceMeta[],
  ): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const dir = this.#baseDir;
    for (const [name, value] of Object.entries(values)) {
      if (dir === undefined || value.startsWith("/")) {
        out[name] = value;
        continue;
      }
      const path = joinPath(dir, value);
      const isFile = metas.find((m) => m.name === name)?.type === "file";
      out[name] = isFile || (await (await this.#fs()).stat(path)) !== undefined ? path : value;
    }
    return out;
  }

  /**
   * `addMachines`: adds a machine, or a container (on a new machine, or on
   * the machine of a placeholder: never nested) (`MachineManager.AddMachines`).
   * Returns the machine id.
   */
  async addMachines(args: ChangeArgs, options: { signal?: AbortSignal } = {}): Promise<string> {
    const signal = options.signal ?? new AbortController().signal;
    const params: MachineManager.AddMachineParams = {
      addresses: [],
      constraints: toConstraints(str(args.constraints) || undefined),
      "container-type": str(args["container-type"]),
      "hardware-characteristics": {},
      "instance-id": "",
      jobs: ["JobHostUnits"],
      nonce: "",
      "parent-id": "",
    };
    const baseSpec = str(args.base) || str(args.series);
    if (baseSpec) params.base = parseBase(baseSpec);
    const parent = str(args["parent-id"]);
    if (params["container-type"] && parent) {
      const id = await this.#resolveMachine(parent, signal);
      params["parent-id"] = id.split("/")[0] ?? id;
    }
    const mm = this.#model.connection.facade("MachineManager");
    const [r] = await single("cannot create machine", async () => {
      const res = await mm.call("AddMachines", { params: [params] }, signal ? { signal } : {});
      return bulkResultsStrict({ results: res.machines }, siteOf(mm, "AddMachines"));
    });
    return r?.machine ?? "";
  }

  /**
   * `addUnit`: adds one unit (`Application.AddUnits`), placed on the
   * machine (or in a container on the machine) its `to` names. Returns the
   * unit name, or the machine it was placed on, as the Juju CLI records.
   */
  async addUnit(args: ChangeArgs, options: { signal?: AbortSignal } = {}): Promise<string> {
    const signal = options.signal ?? new AbortController().signal;
    const application = this.resolve(str(args.application));
    let target = str(args.to);
    const placement: ApplicationFacade.Placement[] = [];
    if (target) {
      let container = "";
      const colon = target.indexOf(":");
      if (colon >= 0) {
        container = target.slice(0, colon);
        target = target.slice(colon + 1);
      }
      target = await this.#resolveMachine(target, signal);
      placement.push(
        parsePlacement(container ? `${container}:${target}` : target, this.#model.uuid),
      );
    }
    const app = this.#model.connection.facade("Application");
    const res = await app.call("AddUnits", { application, "num-units": 1, placement }, { signal });
    const unit = res.units?.[0];
    if (!unit)
      throw new JujuError(
        `AddUnits added no unit to application ${application}`,
        "",
        null,
        siteOf(app, "AddUnits"),
      );
    return target || unit;
  }

  /** `addRelation`: relates two endpoints (`Application.AddRelation`); an existing relation is fine. */
  async addRelation(args: ChangeArgs, options: { signal?: AbortSignal } = {}): Promise<void> {
    const endpoints = [
      this.#resolveEndpoint(str(args.endpoint1)),
      this.#resolveEndpoint(str(args.endpoint2)),
    ];
    try {
      await this.#model.connection
        .facade("Application")
        .call("AddRelation", { endpoints }, options.signal ? { signal: options.signal } : {});
    } catch (err) {
      if (err instanceof JujuError && err.jujuCode === "already exists") return;
      throw err;
    }
  }

  /** `expose`: exposes the application, or some endpoints to spaces/CIDRs (`Application.Expose`). */
  async expose(args: ChangeArgs, options: { signal?: AbortSignal } = {}): Promise<void> {
    const params: ApplicationFacade.ApplicationExpose = {
      application: this.resolve(str(args.application)),
    };
    const eps = args["exposed-endpoints"];
    if (eps && typeof eps === "object" && Object.keys(eps).length)
      params["exposed-endpoints"] = eps as Record<string, ApplicationFacade.ExposedEndpoint>;
    await this.#model.connection
      .facade("Application")
      .call("Expose", params, options.signal ? { signal: options.signal } : {});
  }

  /** `setAnnotations`: annotates an application or machine (`Annotations.Set`). */
  async setAnnotations(args: ChangeArgs, _options: { signal?: AbortSignal } = {}): Promise<void> {
    const id = this.resolve(str(args.id));
    const type = str(args["entity-type"]);
    let tag: string;
    if (type === "application") tag = applicationTag(id);
    else if (type === "machine") tag = machineTag(id);
    else
      throw new InvalidArgumentError(
        "entity-type",
        `unexpected annotation entity type ${JSON.stringify(type)}`,
      );
    await setAnnotationsOp(this.#model, tag, strMap(args.annotations));
  }

  /** `scale`: sets a Kubernetes application's unit count (`Application.ScaleApplications`). */
  async scale(args: ChangeArgs, options: { signal?: AbortSignal } = {}): Promise<void> {
    const application = this.resolve(str(args.application));
    const app = this.#model.connection.facade("Application");
    const res = await app.call(
      "ScaleApplications",
      {
        applications: [
          {
            "application-tag": applicationTag(application),
            scale: typeof args.scale === "number" ? args.scale : 0,
            force: false,
          },
        ],
      },
      options.signal ? { signal: options.signal } : {},
    );
    await single(`cannot scale application ${JSON.stringify(application)}`, async () =>
      bulkResultsStrict(res, siteOf(app, "ScaleApplications")),
    );
  }

  /** `setOptions`: sets an existing application's changed config (`Application.SetConfigs`). */
  async setOptions(args: ChangeArgs, _options: { signal?: AbortSignal } = {}): Promise<void> {
    await setApplicationConfig(
      this.#model,
      this.resolve(str(args.application)),
      (args.options as Record<string, unknown> | undefined) ?? {},
    );
  }

  /** `setConstraints`: sets an existing application's constraints (`Application.SetConstraints`). */
  async setConstraints(args: ChangeArgs, _options: { signal?: AbortSignal } = {}): Promise<void> {
    await setApplicationConstraints(
      this.#model,
      this.resolve(str(args.application)),
      str(args.constraints),
    );
  }

  /** `upgradeCharm`: switches an existing application to the added charm (`Application.SetCharm`). */
  async upgradeCharm(args: ChangeArgs, options: { signal?: AbortSignal } = {}): Promise<void> {
    const application = this.resolve(str(args.application));
    const { url: charmUrl, origin } = await this.#charmOf(
      this.resolve(str(args.charm)),
      typeof args.revision === "number" ? args.revision : undefined,
      options.signal,
    );
    if (!origin)
      throw new InvalidArgumentError(
        "charm",
        `charm ${charmUrl} for upgrading ${application} was not added by this deployment`,
      );
    const channel = str(args.channel);
    await this.#model.connection.facade("Application").call(
      "SetCharm",
      {
        application,
        "charm-url": charmUrl,
        "charm-origin": origin,
        channel: channel ? formatChannel(parseChannel(channel)) : "",
        force: this.#options.force ?? false,
        "force-base": false,
        "force-units": false,
        generation: "",
      },
      options.signal ? { signal: options.signal } : {},
    );
  }

  /** `createOffer`: offers application endpoints (`ApplicationOffers.Offer`). */
  async createOffer(args: ChangeArgs, options: { signal?: AbortSignal } = {}): Promise<void> {
    const application = this.resolve(str(args.application));
    const endpoints: Record<string, string> = {};
    for (const ep of (args.endpoints as unknown[] | undefined) ?? [])
      if (typeof ep === "string") endpoints[ep] = ep;
    const user = this.#model.loginInfo.userInfo?.identity;
    const res = await this.#offersCall<ApplicationOffersFacade.ErrorResults>(
      "Offer",
      {
        Offers: [
          {
            "model-tag": modelTag(this.#model.uuid),
            "application-name": application,
            "application-description": "",
            endpoints,
            "offer-name": str(args["offer-name"]) || application,
            ...(user ? { "owner-tag": user.startsWith("user-") ? user : `user-${user}` } : {}),
          },
        ],
      },
      options.signal,
    );
    bulkResultsStrict(res, OFFERS_SITE("Offer"));
  }

  /**
   * `consumeOffer`: consumes an offer as a remote application
   * (`ApplicationOffers.GetConsumeDetails`, then `Application.Consume`).
   * Returns the local application name.
   */
  async consumeOffer(args: ChangeArgs, options: { signal?: AbortSignal } = {}): Promise<string> {
    const url = str(args.url);
    const call = options.signal ? { signal: options.signal } : {};
    const res = await this.#offersCall<ApplicationOffersFacade.ConsumeOfferDetailsResults>(
      "GetConsumeDetails",
      { "offer-urls": { "offer-urls": [url] } },
      options.signal,
    );
    const [details] = bulkResultsStrict(res, OFFERS_SITE("GetConsumeDetails"));
    const offer = details?.offer;
    if (!offer) throw new JujuError(`no details for offer ${url}`, "not found");
    const alias = str(args["application-name"]) || offer["offer-name"];
    const app = this.#model.connection.facade("Application");
    const consumed = await app.call(
      "Consume",
      {
        args: [
          {
            ...offer,
            "application-alias": alias,
            ...(details?.macaroon ? { macaroon: details.macaroon } : {}),
            ...(details?.["external-controller"]
              ? { "external-controller": details["external-controller"] }
              : {}),
          } as ApplicationFacade.ConsumeApplicationArgV5,
        ],
      },
      call,
    );
    bulkResultsStrict(consumed, siteOf(app, "Consume"));
    return alias;
  }

  /** `grantOfferAccess`: grants a user access to an offer (`ApplicationOffers.ModifyOfferAccess`). */
  async grantOfferAccess(args: ChangeArgs, options: { signal?: AbortSignal } = {}): Promise<void> {
    const model = this.#model.name ?? (await this.#model.getInfo()).qualifiedName ?? "";
    const offerUrl = `${model}.${str(args.offer)}`;
    const user = str(args.user);
    const res = await this.#offersCall<ApplicationOffersFacade.ErrorResults>(
      "ModifyOfferAccess",
      {
        changes: [
          {
            "user-tag": user.startsWith("user-") ? user : `user-${user}`,
            action: "grant",
            access: str(args.access),
            "offer-url": offerUrl,
          },
        ],
      },
      options.signal,
    );
    try {
      bulkResultsStrict(res, OFFERS_SITE("ModifyOfferAccess"));
    } catch (err) {
      // As the Juju CLI: granting access the user already has is not a failure.
      if (/already has/.test(err instanceof Error ? err.message : "")) return;
      throw err;
    }
  }

  // ---- helpers --------------------------------------------------------------

  async #load(source: string, options: FetchPlanOptions): Promise<LoadedBundle | undefined> {
    const fetchFn = this.#fetch();
    if (isUrl(source)) return loadUrlBundle(source, fetchFn, options.signal);
    if (isLocalPath(source)) {
      const loaded = await loadLocalBundle(source, await this.#fs());
      if (!loaded) throw new BundleSourceError(source, `no such file or directory: ${source}`);
      return loaded;
    }
    const charmhub = await this.#model.charmhub();
    return loadCharmhubBundle(source, charmhub, fetchFn, {
      ...(options.channel !== undefined ? { channel: options.channel } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  async #fs(): Promise<BundleFileSystem> {
    return this.#options.fileSystem ?? (await nodeBundleFileSystem());
  }

  #fetch(): BundleFetch {
    if (this.#options.fetch) return this.#options.fetch;
    const f = globalThis.fetch as unknown as BundleFetch | undefined;
    if (!f) throw new TypeError("BundleHandler: no fetch implementation available");
    return f;
  }

  /**
   * An `ApplicationOffers` call. Offers live on the controller; when this
   * model's controller does not advertise the facade, the call is still
   * sent (as Juju's Go client sends it with the version it knows) so that
   * the controller's own error is what surfaces.
   */
  /** An ApplicationOffers call: Juju 3.6 serves the facade on controller connections only. */
  #offersCall<R>(method: string, params: object, signal?: AbortSignal): Promise<R> {
    return this.#model.withControllerConnection((conn) => {
      const version = conn.facadeVersion("ApplicationOffers") ?? OFFERS_VERSION;
      return conn.rpc<R>(
        {
          type: "ApplicationOffers",
          version,
          request: method,
          params: params as Record<string, unknown>,
        },
        signal ? { signal } : {},
      );
    });
  }

  /** `Charms.CharmInfo`, asked once per charm URL (applications of one charm share it). */
  #charmInfo(url: string, signal?: AbortSignal): Promise<Charms.Charm> {
    let info = this.#charmInfos.get(url);
    if (!info) {
      info = this.#model.connection
        .facade("Charms")
        .call("CharmInfo", { url }, signal ? { signal } : {});
      // A failed lookup is not cached: the next change asks again.
      info.catch(() => this.#charmInfos.delete(url));
      this.#charmInfos.set(url, info);
    }
    return info;
  }

  #modelArchitecture(signal?: AbortSignal): Promise<string> {
    this.#architecture ??= modelArchitecture(this.#model, signal);
    return this.#architecture;
  }

  #modelDefaultBase(signal?: AbortSignal): Promise<ReturnType<typeof parseBase> | undefined> {
    this.#defaultBase ??= modelDefaultBase(this.#model, signal);
    return this.#defaultBase;
  }
}

/**
 * Juju's `ConstraintsEqual` for the planner: two constraint strings are
 * equal when they parse to the same values (`mem=4G` is `mem=4096M`).
 * Unparseable ones are compared as text.
 */
export function sameConstraints(existing: string, wanted: string): boolean {
  try {
    return (
      JSON.stringify(sortKeys(parseConstraints(existing))) ===
      JSON.stringify(sortKeys(parseConstraints(wanted)))
    );
  } catch {
    return existing === wanted;
  }
}

function sortKeys(o: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) {
    const v = (o as Record<string, unknown>)[k];
    out[k] = Array.isArray(v) ? [...v].sort() : v;
  }
  return out;
}

/** True when the application asks for trust: `trust: true`, or a `trust` option that is true. */
function requiresTrust(app: BundleApplication): boolean {
  const opt = app.options?.trust;
  return app.trust === true || opt === true || opt === "true";
}

/** A charm reference `juju deploy` reads as a local charm. */
export function isLocalCharm(charm: string): boolean {
  return charm.startsWith(".") || charm.startsWith("/") || charm.startsWith("local:");
}

/**
 * Device constraints as Juju's `devices.ParseConstraints` reads them
 * (`<type>`, or `<count>,<type>[,<key>=<value>;...]`), in its wire shape on
 * Juju 3.x and 4.x: `devices.Constraints` has no json tags, so its fields go
 * as `Type`, `Count` and `Attributes`. Throws {@link InvalidArgumentError}
 * with Juju's message on a malformed one.
 */
export function parseDeviceConstraints(
  devices: Readonly<Record<string, string>>,
): Record<string, Application4.Constraints> {
  const out: Record<string, Application4.Constraints> = {};
  const bad = (name: string, why: string) =>
    new InvalidArgumentError("devices", `invalid device constraints for ${name}: ${why}`);
  for (const [name, spec] of Object.entries(devices)) {
    const parsed = parseDeviceConstraint(spec);
    if ("error" in parsed) throw bad(name, parsed.error);
    const { type, count, attributes } = parsed.constraint;
    out[name] = { Type: type, Count: count, Attributes: attributes };
  }
  return out;
}
