/**
 * Juju's bundle planner (the behaviour of Juju 3.6's `core/bundle/changes`):
 * turns bundle data, and optionally the model it is deployed onto, into the
 * ordered list of changes that deploys it. Pure and synchronous: no Node
 * modules, so it runs in a browser, the simulator and the client alike.
 * @module
 */
import { BundlePlanError, BundlePlanErrorCodes } from "./changes-errors.js";
import {
  type AddMachineChange,
  type AddUnitChange,
  numUnits,
  type PendingChange,
  placeholder,
} from "./changes-internal.js";
import {
  charmIdentity,
  constraintsTerms,
  equalValue,
  ModelState,
  normaliseChannel,
  sameCharm,
} from "./changes-model.js";
import { type UnitChangeHost, UnitProcessor } from "./changes-units.js";
import {
  archFromConstraints,
  baseFromSeries,
  byteCompare,
  naturalSorted,
  normaliseBase,
  parseCharmURL,
  seriesFromBase,
} from "./changes-util.js";
import {
  describeAddCharm,
  describeAddMachine,
  describeAddUnit,
  describeDeploy,
  describeExpose,
  describeSetConstraints,
  describeUpgradeCharm,
  type ExposeSettings,
} from "./describe.js";
import type { BundleModelView, ModelApplicationView } from "./model-view.js";
import type {
  BundleApplication,
  BundleChange,
  BundleChangeMethod,
  BundleData,
  BundlePlan,
} from "./types.js";

/** Options of {@link planBundle}. */
export interface PlanBundleOptions {
  /** Stamped on every application as the `bundleURL` annotation, as Juju does. */
  bundleURL?: string;
  /** The model the bundle is deployed onto: only what is missing or different is planned. */
  model?: BundleModelView;
  /** Allow upgrades across channels, like `juju deploy --force`. */
  force?: boolean;
  /**
   * What the store resolves a charm to (Juju's CharmResolver): the channel
   * and revision an application would get. Without it the bundle's own
   * channel (default `stable`) and revision stand.
   */
  charmResolver?: CharmResolver;
  /**
   * Read each application's architecture from its constraints, as the Juju
   * CLI does (it passes a ConstraintGetter; descriptions then say
   * `with architecture=…`). Bundle.GetChanges on a controller does not.
   */
  archFromConstraints?: boolean;
  /** With archFromConstraints: the architecture when constraints name none (the CLI uses the model's). */
  defaultArch?: string;
  /**
   * Whether an existing application's constraints already say what the
   * bundle asks (Juju's Model.ConstraintsEqual); by default the same terms
   * in any order.
   */
  constraintsEqual?: (existing: string, wanted: string) => boolean;
}

/** Resolves a charm's channel and revision, as the Juju CLI asks Charmhub before planning. */
export type CharmResolver = (
  charm: string,
  base: string,
  channel: string,
  arch: string,
  revision: number,
) => {
  /** The channel the application would get. */
  channel: string;
  /** The revision it would get. */
  revision: number;
};

const KUBERNETES = "kubernetes";

/** Merges two byte-sorted lists. */
function mergeSorted(a: string[], b: string[]): string[] {
  if (a.length === 0) return b.slice();
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && (a[i] as string) < (b[j] as string)))
      out.push(a[i++] as string);
    else out.push(b[j++] as string);
  }
  return out;
}

/** Where `v` goes in a byte-sorted list. */
function lowerBound(list: string[], v: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as string) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Adds `series` beside `base`, as the 3.6 facade does for older clients. */
function withSeries(args: Record<string, unknown>): Record<string, unknown> {
  const base = args.base;
  if (typeof base !== "string" || base === "") return args;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    out[k] = v;
    if (k === "base") out.series = seriesFromBase(base);
  }
  return out;
}

function nonEmpty<T extends object>(v: T | undefined | null): T | undefined {
  return v && Object.keys(v).length > 0 ? v : undefined;
}

/** Drops undefined, "", 0 and false values: Go's `omitempty`. */
function omitEmpty(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    if (v === undefined || v === null || v === "" || v === 0 || v === false) continue;
    out[k] = v;
  }
  return out;
}

/** Adds `spaces=` for the spaces the application's endpoints are bound to (Juju's fixupConstraintsWithBindings). */
function constraintsWithBindings(
  constraints: string,
  bindings: Record<string, string> | undefined,
): string {
  const pos = new Set<string>(Object.values(bindings ?? {}));
  if (pos.size === 0) return constraints;
  const neg = new Set<string>();
  const values = new Map<string, string>();
  const keys: string[] = [];
  if (constraints.length > 0) {
    const terms = constraints.split(" ");
    for (const term of terms) {
      const eq = term.indexOf("=");
      if (eq < 0) {
        throw new BundlePlanError(
          `invalid constraint: "${term}" "${constraints}" ${terms.length}`,
          BundlePlanErrorCodes.invalidConstraints,
        );
      }
      const key = term.slice(0, eq);
      values.set(key, term.slice(eq + 1));
      if (key !== "spaces") keys.push(key);
    }
  }
  const spaces = values.get("spaces");
  for (const space of spaces ? spaces.split(",") : []) {
    if (space.startsWith("^")) {
      neg.add(space.slice(1));
      if (pos.has(space.slice(1))) {
        throw new BundlePlanError(
          `space "${space.slice(1)}" is required but it's forbidden by constraint`,
          BundlePlanErrorCodes.invalidConstraints,
        );
      }
    } else {
      pos.add(space);
    }
  }
  const out = naturalSorted([...pos, ...[...neg].map((s) => `^${s}`)]);
  let result = `spaces=${out.join(",")}`;
  for (const key of naturalSorted(keys)) result += ` ${key}=${values.get(key)}`;
  return result;
}

/** The planner run: one per planBundle call. */
class Planner implements UnitChangeHost {
  private readonly changes: PendingChange[] = [];
  /** Ids of the addMachines changes so far, sorted as requires are. */
  private readonly sortedMachineIds: string[] = [];
  private readonly machineIdSet = new Set<string>();
  private readonly model: ModelState;
  private readonly kubernetes: boolean;
  private readonly defaultBase: string;

  constructor(
    private readonly bundle: BundleData,
    private readonly opts: PlanBundleOptions,
  ) {
    this.model = new ModelState(opts.model ?? {});
    this.kubernetes = bundle.bundle === KUBERNETES;
    const db = bundle["default-base"];
    this.defaultBase = db ? normaliseBase(db) : bundle.series ? baseFromSeries(bundle.series) : "";
  }

  private add<T extends PendingChange>(make: (id: string) => T, method: BundleChangeMethod): T {
    const change = make(`${method}-${this.changes.length}`);
    this.changes.push(change);
    return change;
  }

  /** The architecture the planner sees for a constraints string (none unless asked, as on a controller). */
  private archOf(constraints: string | undefined): string {
    if (!this.opts.archFromConstraints && this.opts.defaultArch === undefined) return "";
    return archFromConstraints(constraints) || (this.opts.defaultArch ?? "");
  }

  /** The application's base: its own, its series', its charm URL's, or the bundle default. */
  private baseOf(app: BundleApplication): string {
    if (app.base) return normaliseBase(app.base);
    if (app.series) return baseFromSeries(app.series);
    const url = parseCharmURL(app.charm);
    if (url?.series) return baseFromSeries(url.series);
    return this.defaultBase;
  }

  run(): BundlePlan {
    this.model.inferMachineMap(this.bundle);
    const addedApps = this.handleApplications();
    const addedMachines = this.kubernetes
      ? new Map<string, AddMachineChange>()
      : this.handleMachines();
    this.handleOffers(addedApps);
    this.handleRelations(addedApps);
    if (!this.kubernetes) this.handleUnits(addedApps, addedMachines);
    return { changes: this.sorted() };
  }

  private handleApplications(): Map<string, string> {
    const charms = new Map<string, string>();
    const added = new Map<string, string>();
    for (const name of naturalSorted(Object.keys(this.bundle.applications))) {
      const app = this.bundle.applications[name] as BundleApplication;
      const existing = this.model.app(name);
      const base = this.baseOf(app);
      const arch = this.archOf(app.constraints);
      let channel = app.channel ?? "";
      if (!existing?.charm.startsWith("local:")) channel ||= "stable";
      let revision = app.revision ?? -1;
      if (app.revision === undefined && this.opts.charmResolver) {
        revision = this.opts.charmResolver(app.charm, base, channel, arch, revision).revision;
      }
      const key = `${app.charm}:${arch}:${base}:${channel}:${revision}`;
      if (
        !charms.has(key) &&
        !this.matchesExistingCharm(app.charm, arch, base, channel, revision)
      ) {
        const p = {
          charm: app.charm,
          revision: app.revision,
          base,
          channel: app.channel ?? "",
          architecture: arch,
        };
        const change = this.add(
          (id) => ({
            id,
            method: "addCharm" as const,
            requires: [],
            args: () =>
              withSeries({
                charm: p.charm,
                ...(p.revision === undefined ? {} : { revision: p.revision }),
                ...omitEmpty([
                  ["base", p.base],
                  ["channel", p.channel],
                  ["architecture", p.architecture],
                ]),
              }),
            positional: () => [p.charm, seriesFromBase(p.base), p.channel],
            describe: () => [describeAddCharm(p)],
          }),
          "addCharm",
        );
        charms.set(key, change.id);
      }
      const resources: Record<string, number> = {};
      const localResources: Record<string, string> = {};
      for (const [res, v] of Object.entries(app.resources ?? {})) {
        if (typeof v === "number") resources[res] = v;
        else if (typeof v === "string") localResources[res] = v;
      }
      let deployId = "";
      if (!existing) {
        const requires: string[] = [];
        let charmRef = app.charm;
        const charmChange = charms.get(key);
        if (charmChange) {
          requires.push(charmChange);
          charmRef = placeholder(charmChange);
        }
        const units = this.kubernetes ? numUnits(app) : 0;
        const p = {
          charm: charmRef,
          base,
          application: name,
          numUnits: units,
          options: nonEmpty(app.options),
          constraints: app.constraints ?? "",
          storage: nonEmpty(app.storage),
          devices: nonEmpty(app.devices),
          bindings: nonEmpty(app.bindings),
          resources: nonEmpty(resources),
          localResources: nonEmpty(localResources),
          channel: app.channel ?? "",
        };
        const change = this.add(
          (id) => ({
            id,
            method: "deploy" as const,
            requires,
            args: () =>
              withSeries(
                omitEmpty([
                  ["charm", p.charm],
                  ["base", p.base],
                  ["application", p.application],
                  ["num-units", p.numUnits],
                  ["options", p.options],
                  ["constraints", p.constraints],
                  ["storage", p.storage],
                  ["devices", p.devices],
                  ["endpoint-bindings", p.bindings],
                  ["resources", p.resources],
                  ["local-resources", p.localResources],
                  ["channel", p.channel],
                ]),
              ),
            positional: () => [
              p.charm,
              seriesFromBase(p.base),
              p.application,
              p.options ?? {},
              p.constraints,
              p.storage ?? {},
              p.devices ?? {},
              p.bindings ?? {},
              p.resources ?? {},
              p.numUnits,
              p.channel,
            ],
            describe: () => [
              describeDeploy({
                application: name,
                charmURL: app.charm,
                numUnits: units,
                base,
                channel: p.channel,
              }),
            ],
          }),
          "deploy",
        );
        deployId = change.id;
        added.set(name, deployId);
        if (app.expose || nonEmpty(app["exposed-endpoints"])) {
          this.addExpose(placeholder(deployId), name, app, [deployId]);
        }
      } else {
        this.planExistingApplication(name, app, existing, charms.get(key), base);
      }
      let annotations = app.annotations;
      if (this.opts.bundleURL)
        annotations = { ...(annotations ?? {}), bundleURL: this.opts.bundleURL };
      const changed = changedStrings(existing?.annotations, annotations);
      if (changed && Object.keys(changed).length > 0) {
        const idRef = existing ? name : placeholder(deployId);
        this.addSetAnnotations(idRef, "application", changed, name, existing ? [] : [deployId]);
      }
    }
    return added;
  }

  private matchesExistingCharm(
    charm: string,
    arch: string,
    base: string,
    channel: string,
    revision: number,
  ): boolean {
    for (const app of this.existingCharms().get(charmIdentity(charm)) ?? []) {
      if (revision >= 0 && revision !== app.revision) continue;
      if (arch === "" && base === "" && channel === "") return true;
      // An unresolved bundle field (no arch constraint, no base) matches
      // whatever the model runs: Juju's CLI resolves them before planning.
      if (arch !== "" && app.arch !== arch) continue;
      if (base !== "" && app.base !== "" && app.base !== base) continue;
      if (app.channel !== normaliseChannel(channel)) continue;
      return true;
    }
    return false;
  }

  private charmIndex:
    | Map<string, { revision: number; arch: string; base: string; channel: string }[]>
    | undefined;

  /** The model's applications by charm identity, normalised once. */
  private existingCharms(): Map<
    string,
    { revision: number; arch: string; base: string; channel: string }[]
  > {
    if (!this.charmIndex) {
      this.charmIndex = new Map();
      for (const app of Object.values(this.model.applications)) {
        const key = charmIdentity(app.charm);
        const list = this.charmIndex.get(key) ?? [];
        list.push({
          revision: app.revision ?? -1,
          arch: this.archOf(app.constraints),
          base: app.base ? normaliseBase(app.base) : "",
          channel: normaliseChannel(app.channel ?? ""),
        });
        this.charmIndex.set(key, list);
      }
    }
    return this.charmIndex;
  }

  private planExistingApplication(
    name: string,
    app: BundleApplication,
    existing: ModelApplicationView,
    charmChange: string | undefined,
    base: string,
  ): void {
    if (this.allowCharmUpgrade(name, existing, app)) {
      const charmRef = charmChange ? placeholder(charmChange) : app.charm;
      const resources: Record<string, number> = {};
      const localResources: Record<string, string> = {};
      for (const [res, v] of Object.entries(app.resources ?? {})) {
        if (typeof v === "number") resources[res] = v;
        else if (typeof v === "string") localResources[res] = v;
      }
      const channel = app.channel ?? "";
      this.add(
        (id) => ({
          id,
          method: "upgradeCharm" as const,
          requires: [],
          args: () => {
            const out: Record<string, unknown> = { charm: charmRef, application: name, base };
            if (base) out.series = seriesFromBase(base);
            if (nonEmpty(resources)) out.resources = resources;
            if (nonEmpty(localResources)) out["local-resources"] = localResources;
            if (channel) out.channel = channel;
            return out;
          },
          positional: () => [charmRef, name, seriesFromBase(base), channel],
          describe: () => [
            describeUpgradeCharm({ application: name, charmURL: app.charm, base, channel }),
          ],
        }),
        "upgradeCharm",
      );
    }
    const options = changedOptions(existing.options, app.options);
    if (options && Object.keys(options).length > 0) {
      this.add(
        (id) => ({
          id,
          method: "setOptions" as const,
          requires: [],
          args: () => ({ application: name, options }),
          positional: () => [name, options],
          describe: () => [`set application options for ${name}`],
        }),
        "setOptions",
      );
    }
    const constraintsEqual =
      this.opts.constraintsEqual ??
      ((a: string, b: string) => constraintsTerms(a) === constraintsTerms(b));
    if (!constraintsEqual(existing.constraints ?? "", app.constraints ?? "")) {
      const constraints = app.constraints ?? "";
      this.add(
        (id) => ({
          id,
          method: "setConstraints" as const,
          requires: [],
          args: () =>
            omitEmpty([
              ["application", name],
              ["constraints", constraints],
            ]),
          positional: () => [name, constraints],
          describe: () => [describeSetConstraints(name, constraints)],
        }),
        "setConstraints",
      );
    }
    if (app.expose || nonEmpty(app["exposed-endpoints"])) {
      if (!existing.exposed || !sameExposure(existing, app)) this.addExpose(name, name, app, []);
    }
    if (this.kubernetes && (existing.scale ?? 0) !== numUnits(app)) {
      const scale = numUnits(app);
      this.add(
        (id) => ({
          id,
          method: "scale" as const,
          requires: [],
          args: () => ({ application: name, scale }),
          positional: () => [name, scale],
          describe: () => [`scale ${name} to ${scale} units`],
        }),
        "scale",
      );
    }
  }

  /** Juju's allowCharmUpgrade, with the CLI's resolver reduced to the bundle's own channel and revision. */
  private allowCharmUpgrade(
    name: string,
    existing: ModelApplicationView,
    app: BundleApplication,
  ): boolean {
    if (!sameCharm(existing.charm, app.charm)) return true;
    const existingRev = existing.revision ?? -1;
    if (existingRev === -1) return false;
    const existingChannel = existing.channel ?? "";
    if (existingChannel === "") {
      if (!app.channel) return false;
      if (!this.opts.force) {
        throw new BundlePlanError(
          `upgrades not supported when the channel for "${name}" is unknown; use --force to override`,
          BundlePlanErrorCodes.upgradeNotSupported,
        );
      }
      return true;
    }
    let resolvedChannel = app.channel || "stable";
    let resolvedRev = app.revision ?? -1;
    if (this.opts.charmResolver) {
      const r = this.opts.charmResolver(
        app.charm,
        this.baseOf(app),
        app.channel ?? "",
        this.archOf(app.constraints),
        resolvedRev,
      );
      resolvedChannel = r.channel;
      resolvedRev = r.revision;
    }
    if (
      !this.opts.force &&
      normaliseChannel(existingChannel) !== normaliseChannel(resolvedChannel)
    ) {
      const verb = app.channel ? "requested" : "resolved";
      throw new BundlePlanError(
        `application "${name}": upgrades not supported across channels (existing: "${existingChannel}", ${verb}: "${resolvedChannel}"); use --force to override`,
        BundlePlanErrorCodes.upgradeNotSupported,
      );
    }
    if (resolvedRev > existingRev) return true;
    if (resolvedRev !== -1 && resolvedRev < existingRev) {
      throw new BundlePlanError(
        `application "${name}": downgrades are not currently supported: deployed revision ${existingRev} is newer than requested revision ${resolvedRev}`,
        BundlePlanErrorCodes.upgradeNotSupported,
      );
    }
    return false;
  }

  private addExpose(
    appRef: string,
    appName: string,
    app: BundleApplication,
    requires: string[],
  ): void {
    const spec = nonEmpty(app["exposed-endpoints"]);
    let wire: Record<string, Record<string, string[]>> | undefined;
    let settings: Record<string, ExposeSettings> | undefined;
    if (spec) {
      wire = {};
      settings = {};
      for (const [ep, s] of Object.entries(spec)) {
        const spaces = s["expose-to-spaces"] ?? [];
        const cidrs = s["expose-to-cidrs"] ?? [];
        const w: Record<string, string[]> = {};
        if (spaces.length) w["expose-to-spaces"] = [...spaces];
        if (cidrs.length) w["expose-to-cidrs"] = [...cidrs];
        wire[ep] = w;
        settings[ep] = { spaces: [...spaces], cidrs: [...cidrs] };
      }
    }
    this.add(
      (id) => ({
        id,
        method: "expose" as const,
        requires,
        args: () =>
          wire ? { application: appRef, "exposed-endpoints": wire } : { application: appRef },
        positional: () => [appRef, wire ?? null],
        describe: () => describeExpose(appName, settings),
      }),
      "expose",
    );
  }

  private addSetAnnotations(
    idRef: string,
    entityType: "application" | "machine",
    annotations: Record<string, string>,
    target: string,
    requires: string[],
  ): void {
    this.add(
      (id) => ({
        id,
        method: "setAnnotations" as const,
        requires,
        args: () => ({ id: idRef, "entity-type": entityType, annotations }),
        positional: () => [idRef, entityType, annotations],
        describe: () => [`set annotations for ${target}`],
      }),
      "setAnnotations",
    );
  }

  private newAddMachine(p: {
    base: string;
    constraints: string;
    containerType: string;
    parentId: string;
    existing: boolean;
    machineID: string;
    bundleMachineID: string;
    containerMachineID: string;
    requires: string[];
  }): AddMachineChange {
    // Machines are created one after another, so their numbers come out as
    // planned: each requires every machine change before it.
    const extra = p.requires.filter((r) => !this.machineIdSet.has(r)).sort(byteCompare);
    const requires = mergeSorted(extra, this.sortedMachineIds);
    const change = this.add<AddMachineChange>(
      (id) => ({
        id,
        method: "addMachines" as const,
        requires,
        machineID: p.machineID,
        bundleMachineID: p.bundleMachineID,
        args: () =>
          withSeries(
            omitEmpty([
              ["base", p.base],
              ["constraints", p.constraints],
              ["container-type", p.containerType],
              ["parent-id", p.parentId],
            ]),
          ),
        positional: () => [
          withSeries(
            omitEmpty([
              ["base", p.base],
              ["constraints", p.constraints],
              ["containerType", p.containerType],
              ["parentId", p.parentId],
            ]),
          ),
        ],
        describe: () => [describeAddMachine(p)],
      }),
      "addMachines",
    );
    change.presorted = true;
    this.machineIdSet.add(change.id);
    const at = lowerBound(this.sortedMachineIds, change.id);
    this.sortedMachineIds.splice(at, 0, change.id);
    return change;
  }

  private handleMachines(): Map<string, AddMachineChange> {
    const added = new Map<string, AddMachineChange>();
    const machines = this.bundle.machines ?? {};
    for (const name of naturalSorted(Object.keys(machines))) {
      const machine = machines[name] ?? {};
      const base = machine.base
        ? normaliseBase(machine.base)
        : machine.series
          ? baseFromSeries(machine.series)
          : this.defaultBase;
      const existingId = this.model.bundleMachine(name);
      let idRef: string;
      let target: string;
      const requires: string[] = [];
      let existingAnnotations: Record<string, string> | undefined;
      if (existingId === undefined) {
        const machineID = this.model.nextMachine();
        const change = this.newAddMachine({
          base,
          constraints: machine.constraints ?? "",
          containerType: "",
          parentId: "",
          existing: false,
          machineID,
          bundleMachineID: name,
          containerMachineID: "",
          requires: [],
        });
        added.set(name, change);
        idRef = placeholder(change.id);
        target = `new machine ${machineID}`;
        requires.push(change.id);
      } else {
        idRef = existingId;
        target = `existing machine ${existingId}`;
        existingAnnotations = this.model.machines[existingId]?.annotations;
      }
      const changed = changedStrings(existingAnnotations, machine.annotations);
      if (changed && Object.keys(changed).length > 0) {
        this.addSetAnnotations(idRef, "machine", changed, target, requires);
      }
    }
    return added;
  }

  private handleOffers(added: Map<string, string>): void {
    const saas = this.bundle.saas ?? {};
    const remote = this.opts.model?.remoteApplications ?? {};
    for (const name of naturalSorted(Object.keys(saas))) {
      const url = saas[name]?.url ?? "";
      // Juju 3.6 consumes every saas entry again on each deploy; a model
      // view that lists the remote application already skips it, so a
      // second deploy plans nothing.
      if (Object.hasOwn(remote, name) && (remote[name]?.url ?? url) === url) continue;
      const change = this.add(
        (id) => ({
          id,
          method: "consumeOffer" as const,
          requires: [],
          args: () =>
            omitEmpty([
              ["url", url],
              ["application-name", name],
            ]),
          positional: () => [url, name],
          describe: () => [`consume offer ${name} at ${url}`],
        }),
        "consumeOffer",
      );
      added.set(name, change.id);
    }
    for (const appName of naturalSorted(Object.keys(this.bundle.applications))) {
      const app = this.bundle.applications[appName] as BundleApplication;
      const offers = app.offers ?? {};
      for (const offerName of Object.keys(offers).sort(byteCompare)) {
        const offer = offers[offerName] as { endpoints: string[]; acl?: Record<string, string> };
        let requires: string[] = [];
        const deployId = added.get(appName);
        if (deployId) requires.push(deployId);
        else if (!this.model.app(appName)) {
          throw new BundlePlanError(
            `cannot create offer ${offerName}: application ${appName} not found`,
            BundlePlanErrorCodes.offerApplicationNotFound,
          );
        }
        const update = (this.model.app(appName)?.offers ?? []).includes(offerName);
        if (update) requires = [];
        const endpoints = [...offer.endpoints];
        // Juju 3.6 updates every existing offer and grants its ACL again;
        // when the model view knows an offer's details, what is unchanged
        // is left out, so a second deploy plans nothing.
        const known = update ? this.model.app(appName)?.offerDetails?.[offerName] : undefined;
        const unchanged = known !== undefined && sameStrings(known.endpoints, endpoints);
        let offerChange = "";
        if (!unchanged) {
          offerChange = this.add(
            (id) => ({
              id,
              method: "createOffer" as const,
              requires,
              args: () =>
                omitEmpty([
                  ["application", appName],
                  ["endpoints", endpoints],
                  ["offer-name", offerName],
                  ["update", update],
                ]),
              positional: () => [appName, endpoints, offerName],
              describe: () => [
                `${update ? "update" : "create"} offer ${offerName} using ${appName}:${endpoints.join(",")}`,
              ],
            }),
            "createOffer",
          ).id;
        }
        const acl = offer.acl ?? {};
        for (const user of Object.keys(acl).sort(byteCompare)) {
          const access = acl[user] as string;
          if (known?.acl?.[user] === access) continue;
          this.add(
            (id) => ({
              id,
              method: "grantOfferAccess" as const,
              requires: offerChange ? [offerChange] : [],
              args: () => ({ user, access, offer: offerName }),
              positional: () => [user, access, offerName],
              describe: () => [`grant user ${user} ${access} access to offer ${offerName}`],
            }),
            "grantOfferAccess",
          );
        }
      }
    }
  }

  private handleRelations(added: Map<string, string>): void {
    for (const relation of this.bundle.relations ?? []) {
      const [e1, e2] = relation.map(parseEndpoint) as [Endpoint, Endpoint];
      if (this.model.hasRelation(e1.app, e1.rel, e2.app, e2.rel)) continue;
      const requires: string[] = [];
      const names = (ep: Endpoint): [string, string] => {
        const nice = endpointString(ep.app, ep.rel);
        if (this.model.app(ep.app) || (!added.has(ep.app) && this.model.isRemote(ep.app)))
          return [nice, nice];
        const pending = added.get(ep.app) ?? "";
        requires.push(pending);
        return [placeholder(endpointString(pending, ep.rel)), nice];
      };
      const [arg1, nice1] = names(e1);
      const [arg2, nice2] = names(e2);
      this.add(
        (id) => ({
          id,
          method: "addRelation" as const,
          requires,
          args: () => ({ endpoint1: arg1, endpoint2: arg2 }),
          positional: () => [arg1, arg2],
          describe: () => [`add relation ${nice1} - ${nice2}`],
        }),
        "addRelation",
      );
    }
  }

  private handleUnits(
    addedApps: Map<string, string>,
    addedMachines: Map<string, AddMachineChange>,
  ): void {
    new UnitProcessor(this, this.bundle, this.model, addedApps, addedMachines).run();
    // Juju's checkAllMachinesUsed: a bundle machine nothing lands on means
    // the machine map does not fit the model.
    const unused = new Map([...addedMachines].map(([bundleId, change]) => [change.id, bundleId]));
    for (const c of this.changes) {
      if (unused.size === 0) break;
      for (const r of c.requires) unused.delete(r);
    }
    for (const bundleId of unused.values()) throw this.machineMapError(bundleId);
  }

  private machineMapError(bundleMachine: string): BundlePlanError {
    const modelMachines = new Set(Object.keys(this.model.machines));
    for (const id of Object.keys(this.bundle.machines ?? {})) {
      const mapped = this.model.machineMap[id];
      if (mapped !== undefined) modelMachines.delete(mapped);
    }
    const targets = naturalSorted(modelMachines).map((m) => JSON.stringify(m));
    const apps: string[] = [];
    for (const [name, app] of Object.entries(this.bundle.applications)) {
      for (const to of app.to ?? []) if (to === bundleMachine) apps.push(name);
    }
    let machines = "";
    if (targets.length === 1) machines = `, perhaps to unreferenced model machine ${targets[0]}`;
    else if (targets.length > 1)
      machines = `, perhaps to one of model machines [${targets.join(", ")}]`;
    const hosts = apps.length
      ? ` - the target should host [${naturalSorted(apps).join(", ")}]`
      : "";
    return new BundlePlanError(
      `bundle and machine mapping are inconsistent: need an explicit entry mapping bundle machine "${bundleMachine}"${machines}${hosts}`,
      BundlePlanErrorCodes.inconsistentMachineMap,
    );
  }

  /** Used by the unit processor. */
  addUnitChange(application: string, unitName: string, requires: string[]): AddUnitChange {
    return this.add((id) => {
      const change: AddUnitChange = {
        id,
        method: "addUnit",
        requires,
        unitName,
        to: "",
        placementDescription: "",
        baseMachine: "",
        directive: "",
        args: () => (change.to ? { application, to: change.to } : { application }),
        positional: () => [application, change.to === "" ? null : change.to],
        describe: () => [describeAddUnit(change)],
      };
      return change;
    }, "addUnit");
  }

  /** Used by the unit processor: a machine or container for a unit. */
  addMachineFor(
    app: BundleApplication,
    p: {
      containerType: string;
      parentId: string;
      existing: boolean;
      machineID: string;
      containerMachineID: string;
      requires: string[];
    },
  ): AddMachineChange {
    return this.newAddMachine({
      ...p,
      base: this.baseOf(app),
      constraints: constraintsWithBindings(app.constraints ?? "", app.bindings),
      bundleMachineID: "",
    });
  }

  /** Juju's stable topological sort, requirements sorted first. */
  private sorted(): BundleChange[] {
    const n = this.changes.length;
    if (n === 0) return [];
    for (const c of this.changes) if (!c.presorted) c.requires.sort(byteCompare);
    // Juju sorts in passes over the creation order, emitting every change
    // whose requirements are met (a change emitted earlier in the same pass
    // counts). Equivalently each change gets a pass number: the largest of
    // its requirements' passes, plus one for a requirement created after
    // it; the order is by pass, then creation. Computed in one depth-first
    // walk instead of one scan per pass.
    const sortFailed = () =>
      new BundlePlanError("sort failed", BundlePlanErrorCodes.placementCycle);
    const index = new Map<string, number>();
    for (const [i, c] of this.changes.entries()) index.set(c.id, i);
    const indexOf = (id: string): number => {
      const j = index.get(id);
      // A requirement outside the change set is never met.
      if (j === undefined) throw sortFailed();
      return j;
    };
    const pass = new Int32Array(n);
    const state = new Uint8Array(n); // 0 new, 1 waiting for its requirements, 2 placed
    const stack: number[] = [];
    for (let start = 0; start < n; start++) {
      if (state[start] === 2) continue;
      stack.push(start);
      while (stack.length > 0) {
        const i = stack[stack.length - 1] as number;
        const requires = (this.changes[i] as PendingChange).requires;
        if (state[i] === 2) {
          stack.pop();
        } else if (state[i] === 0) {
          state[i] = 1;
          for (const r of requires) {
            const j = indexOf(r);
            if (state[j] === 1) throw sortFailed();
            if (state[j] === 0) stack.push(j);
          }
        } else {
          let p = 0;
          for (const r of requires) {
            const j = indexOf(r);
            const q = (pass[j] as number) + (j > i ? 1 : 0);
            if (q > p) p = q;
          }
          pass[i] = p;
          state[i] = 2;
          stack.pop();
        }
      }
    }
    const order = Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => (pass[a] as number) - (pass[b] as number) || a - b,
    );
    return order.map((i) => {
      const c = this.changes[i] as PendingChange;
      return {
        id: c.id,
        method: c.method,
        requires: c.requires,
        args: c.args(),
        positionalArgs: c.positional(),
        description: c.describe().join("\n"),
      };
    });
  }
}

interface Endpoint {
  app: string;
  rel: string;
}

function parseEndpoint(e: string): Endpoint {
  const i = e.indexOf(":");
  return i < 0 ? { app: e, rel: "" } : { app: e.slice(0, i), rel: e.slice(i + 1) };
}

function endpointString(app: string, rel: string): string {
  return rel === "" ? app : `${app}:${rel}`;
}

/** Annotations to set: all of them when none exist, otherwise the new or different ones. */
function changedStrings(
  current: Record<string, string> | undefined,
  wanted: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (!current || Object.keys(current).length === 0) return wanted;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(wanted ?? {})) if (current[k] !== v) out[k] = v;
  return out;
}

/** Options to set: all of them when none are known, otherwise the new or different ones. */
function changedOptions(
  current: Record<string, unknown> | undefined,
  wanted: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (!current || Object.keys(current).length === 0) return wanted;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(wanted ?? {})) {
    if (!Object.hasOwn(current, k) || !equalValue(current[k], v)) out[k] = v;
  }
  return out;
}

function sameStrings(a: string[], b: string[]): boolean {
  const x = [...a].sort(byteCompare);
  const y = [...b].sort(byteCompare);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function sameExposure(existing: ModelApplicationView, app: BundleApplication): boolean {
  const cur = existing.exposedEndpoints ?? {};
  const inc = app["exposed-endpoints"] ?? {};
  if (Object.keys(cur).length !== Object.keys(inc).length) return false;
  const same = (a: string[] | undefined, b: string[] | undefined) => {
    const x = [...(a ?? [])].sort();
    const y = [...(b ?? [])].sort();
    return x.length === y.length && x.every((v, i) => v === y[i]);
  };
  for (const [ep, c] of Object.entries(cur)) {
    const i = inc[ep];
    if (!i) return false;
    if (
      !same(c.exposeToSpaces, i["expose-to-spaces"]) ||
      !same(c.exposeToCidrs, i["expose-to-cidrs"])
    )
      return false;
  }
  return true;
}

/**
 * Plans the changes that deploy `bundle` (already validated, overlays
 * applied), as Juju 3.6's bundle planner does: onto an empty model, or onto
 * `opts.model` reusing what exists. Throws {@link BundlePlanError} for
 * problems only planning reveals, such as placement cycles.
 */
export function planBundle(bundle: BundleData, opts: PlanBundleOptions = {}): BundlePlan {
  return new Planner(bundle, opts).run();
}
