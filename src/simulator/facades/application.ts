/**
 * `Application(15–22)` (`apiserver/facades/client/application`): deploy,
 * units, relations, exposure, config, constraints and charm refresh, on the
 * model's entities, with Juju's errors. `DeployFromRepository` exists from
 * v18, where it only answers `this facade method is under development`.
 * @module
 */
import { parse as parseYaml } from "yaml";
import type { Application as ApplicationFacade, Juju4 } from "../../facades/generated/index.js";
import type { CharmRelationData } from "../../protocol/entity-data.js";
import { assertAssumes } from "../assumes.js";
import type { CharmSpec } from "../charm-source.js";
import { CONSTRAINTS_VALUE, Fields, STORAGE_CONSTRAINTS } from "../decode.js";
import {
  type ApplicationRecord,
  type BaseValue,
  baseWire,
  type CharmOriginValue,
  channelString,
  charmEndpoints,
  charmRelation,
  endpointBindings,
  exposedEndpointsWire,
  portRangeStrings,
  type RelationEndpoint,
  type RelationRecord,
  relationKey,
  seriesOf,
  type UnitRecord,
} from "../entities.js";
import { Errors, ServerError } from "../errors.js";
import { constraintsFrom, machineForPlacement, type PlacementValue } from "../placement.js";
import {
  consumersOf,
  reconcile,
  saasEndpoints,
  setRelationSuspended,
} from "../remote-applications.js";
import { type CharmResourceValue, resourcesOf, storeResource } from "../resources.js";
import {
  attach,
  attachStorageIds,
  createUnitStorage,
  deployDirectives,
  rememberDirectives,
  unitDestroying,
} from "../storage.js";
import type { ModelRecord } from "../store.js";
import { parseTagOfKind } from "../tags.js";
import { consumeMethods } from "./application-consume.js";
import { bulk, bulkResults, type ErrorItem, errorResults, sliced } from "./bulk.js";
import { charmUrl, originOf, readOrigin, resolveRef, wireOrigin } from "./charms.js";
import type { CallContext, MethodSpec } from "./registry.js";
import { resolveStore, storeRevisions } from "./resources.js";
import { networkOf } from "./spaces.js";
import { type ItemOf, method, type Params, type ParamsOfMethod, type Reply } from "./typed.js";

const APP_NAME_RE = /^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$/;

function app(model: ModelRecord, name: string): ApplicationRecord {
  const a = model.state.applications.get(name);
  if (a === undefined) throw Errors.notFound(`application ${JSON.stringify(name)}`);
  return a;
}

function appFromTag(model: ModelRecord, tag: string): ApplicationRecord {
  return app(model, parseTagOfKind(tag, "application"));
}

function unitFromTag(model: ModelRecord, tag: string): UnitRecord {
  const id = parseTagOfKind(tag, "unit");
  const name = id.replace(/-(\d+)$/, "/$1");
  const u = model.state.units.get(name);
  if (u === undefined) throw Errors.notFound(`unit ${JSON.stringify(name)}`);
  return u;
}

function unitTag(name: string): string {
  return `unit-${name.replace("/", "-")}`;
}

// ----- config -----

/** Parses one config string for an option type (`charm.Config.ParseSettingsStrings`). */
function parseOption(charm: CharmSpec, name: string, value: unknown): unknown {
  const opt = charm.config?.[name];
  if (opt === undefined) throw new ServerError(`unknown option ${JSON.stringify(name)}`);
  const bad = (): never => {
    throw new ServerError(
      `option ${JSON.stringify(name)} expected ${opt.type}, got ${JSON.stringify(value)}`,
    );
  };
  switch (opt.type) {
    case "string":
    case "secret":
      if (typeof value !== "string") return bad();
      return value;
    case "int": {
      if (typeof value === "number" && Number.isInteger(value)) return value;
      if (typeof value === "string" && /^[-+]?\d+$/.test(value.trim())) return Number(value);
      return bad();
    }
    case "float": {
      if (typeof value === "number") return value;
      if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
        return Number(value);
      }
      return bad();
    }
    case "boolean": {
      if (typeof value === "boolean") return value;
      if (typeof value === "string") {
        const v = value.trim().toLowerCase();
        if (["true", "t", "1", "yes", "y", "on"].includes(v)) return true;
        if (["false", "f", "0", "no", "n", "off"].includes(v)) return false;
      }
      return bad();
    }
  }
}

// ----- application config -----

/**
 * The application (not charm) settings of an IAAS or CAAS model
 * (`application.ConfigSchema`: only `trust`), with their defaults.
 */
const APP_CONFIG_SCHEMA: Record<string, { type: string; description: string; default: unknown }> = {
  trust: {
    type: "bool",
    description: "Does this application have access to trusted credentials",
    default: false,
  },
};

/** Go's `%T(%#v)` of a decoded value, as `schema` errors print it. */
function goTypedValue(v: unknown): string {
  if (typeof v === "string") return `string(${JSON.stringify(v)})`;
  if (typeof v === "number") return Number.isInteger(v) ? `int(${v})` : `float64(${v})`;
  if (typeof v === "boolean") return `bool(${v})`;
  if (Array.isArray(v)) return "[]interface {}{...}";
  return "map[string]interface {}{...}";
}

/** Coerces application settings by their schema (`schema.Bool` takes a bool or Go's `ParseBool` strings). */
function coerceAppConfig(attrs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) {
    const field = APP_CONFIG_SCHEMA[k];
    if (field === undefined) continue;
    if (field.type === "bool") {
      if (typeof v === "boolean") out[k] = v;
      else if (typeof v === "string" && ["1", "t", "T", "TRUE", "true", "True"].includes(v))
        out[k] = true;
      else if (typeof v === "string" && ["0", "f", "F", "FALSE", "false", "False"].includes(v))
        out[k] = false;
      else if (v === null || v === undefined)
        throw new ServerError(`${k}: expected bool, got nothing`);
      else throw new ServerError(`${k}: expected bool, got ${goTypedValue(v)}`);
    }
  }
  return out;
}

/** Applies coerced application settings (`UpdateApplicationConfig`). */
function applyAppConfig(a: ApplicationRecord, attrs: Record<string, unknown>): void {
  if (Object.keys(attrs).length === 0) return;
  a.appConfig = { ...(a.appConfig ?? {}), ...attrs };
}

/** `Get`'s `application-config`: each schema field with its value, default and source. */
function describeAppConfig(a: ApplicationRecord): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [k, f] of Object.entries(APP_CONFIG_SCHEMA)) {
    const entry: Record<string, unknown> = {
      description: f.description,
      type: f.type,
      source: "unset",
    };
    const v = a.appConfig?.[k];
    const set = v !== undefined && v !== null && v !== f.default;
    if (set) {
      entry.value = v;
      entry.source = "user";
    }
    if (f.default !== undefined) {
      entry.default = f.default;
      if (!set) {
        entry.value = f.default;
        entry.source = "default";
      }
    }
    out[k] = entry;
  }
  return out;
}

/**
 * An application setting's value as Go's yaml.v2 decodes it: YAML 1.1, where a
 * plain `yes`/`on`/`y` is a bool (the charm options keep their own parsing).
 */
function goYamlValue(configYaml: string, appName: string, key: string, parsed: unknown): unknown {
  if (typeof parsed !== "string") return parsed;
  const doc = parseYaml(configYaml, { version: "1.1" }) as Record<string, unknown> | null;
  return (doc?.[appName] as Record<string, unknown> | undefined)?.[key] ?? parsed;
}

/** Charm settings and application settings, split as Juju's `parseCharmSettings` does. */
interface SplitSettings {
  charm: Record<string, unknown>;
  app: Record<string, unknown>;
}

/**
 * Settings from `config` strings and `config-yaml` keyed by the application
 * name; application settings (`trust`) are split from the charm's options.
 */
function settingsFrom(
  appName: string,
  charm: CharmSpec,
  config: Record<string, unknown>,
  configYaml: string,
): SplitSettings {
  const out: Record<string, unknown> = {};
  const appAttrs: Record<string, unknown> = {};
  if (configYaml.trim() !== "") {
    let doc: unknown;
    try {
      doc = parseYaml(configYaml);
    } catch (e) {
      throw new ServerError(`cannot parse settings data: ${(e as Error).message}`);
    }
    const mine = (doc as Record<string, unknown> | null)?.[appName];
    if (mine !== undefined && mine !== null) {
      if (typeof mine !== "object")
        throw new ServerError(`no settings found for ${JSON.stringify(appName)}`);
      for (const [k, v] of Object.entries(mine as Record<string, unknown>)) {
        if (Object.hasOwn(APP_CONFIG_SCHEMA, k))
          appAttrs[k] = goYamlValue(configYaml, appName, k, v);
        else out[k] = v === null ? null : parseOption(charm, k, v);
      }
    } else if (doc !== null && doc !== undefined) {
      throw new ServerError(`no settings found for ${JSON.stringify(appName)}`);
    }
  }
  for (const [k, v] of Object.entries(config)) {
    if (typeof v !== "string") throw new ServerError(`option ${JSON.stringify(k)} is not a string`);
    // The string map overrides the YAML, application settings included.
    if (Object.hasOwn(APP_CONFIG_SCHEMA, k)) appAttrs[k] = v;
    else
      out[k] = v === "" && charm.config?.[k]?.type !== "string" ? null : parseOption(charm, k, v);
  }
  return { charm: out, app: coerceAppConfig(appAttrs) };
}

/** Applies settings: `null` resets an option to its default. */
function applySettings(a: ApplicationRecord, settings: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(settings)) {
    if (v === null) delete a.config[k];
    else a.config[k] = v;
  }
}

/** `Get`/`CharmConfig` view of the options: description, type, source, value, default. */
function describeConfig(a: ApplicationRecord): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [k, o] of Object.entries(a.charm.config ?? {})) {
    const entry: Record<string, unknown> = { description: o.description ?? "", type: o.type };
    if (Object.hasOwn(a.config, k)) {
      entry.source = "user";
      entry.value = a.config[k];
      if (o.default !== undefined) entry.default = o.default;
    } else if (o.default !== undefined) {
      entry.source = "default";
      entry.value = o.default;
      entry.default = o.default;
    } else {
      entry.source = "unset";
    }
    out[k] = entry;
  }
  return out;
}

/** `params.ConfigResult.config` is not omitempty: error results carry `null`. */
function withNullConfig(
  results: Array<{ config: Record<string, unknown> } | ErrorItem>,
): Reply<ApplicationFacade.ConfigResult>[] {
  return results.map((r) => ("error" in r ? { config: null, ...r } : r));
}

/**
 * The origin `SetCharm` was given, over the stored charm's: Juju keeps the
 * client's channel (track, risk, branch) and revision; the base stays the
 * application's when the origin names none.
 */
function givenOrigin(
  charmOrigin: CharmOriginValue,
  appBase: BaseValue,
  f: Fields,
): CharmOriginValue {
  const o = readOrigin(f);
  const out: CharmOriginValue = {
    ...charmOrigin,
    source: o.source || charmOrigin.source,
    type: o.type || charmOrigin.type,
    base: o.base.name !== "" && o.base.channel !== "" ? o.base : appBase,
  };
  if (o.architecture !== "") out.architecture = o.architecture;
  if (o.revision !== undefined) out.revision = o.revision;
  if (o.risk !== "") {
    out.risk = o.risk;
    if (o.track !== "" && o.track !== "latest") out.track = o.track;
    else delete out.track;
  }
  return out;
}

// ----- deploy -----

interface DeployArgs {
  name: string;
  charmUrl: string;
  numUnits: number;
  config: Record<string, unknown>;
  configYaml: string;
  constraints: Record<string, unknown>;
  placement: PlacementValue[];
  bindings: Record<string, string>;
  channel: string;
  base: BaseValue | undefined;
  /** Pending resource ids by resource name (client-side deploys). */
  resources: Record<string, string>;
  /** Server-side deploys take the charm's Charmhub resources directly. */
  storeResources?: boolean;
  /** The resolved resources of a server-side deploy (default: the charm's Charmhub resources). */
  resolvedResources?: CharmResourceValue[];
  /** Storage directives by charm store name (`params.ApplicationDeploy.storage`). */
  storage?: Record<string, unknown>;
  /** Storage tags of existing storage to attach to the (single) unit. */
  attachStorage?: string[];
  /** Deploy even when the charm's `assumes` cannot be met. */
  force?: boolean;
}

function readPlacements(placements: Params<ApplicationFacade.Placement>[]): PlacementValue[] {
  return placements.map((p) => ({
    scope: p.string("scope"),
    directive: p.string("directive"),
  }));
}

/** The unit assigner's placement of one unit (also AddUnits, synchronously). */
function placeUnit(
  model: ModelRecord,
  a: ApplicationRecord,
  u: UnitRecord,
  p: PlacementValue | undefined,
): void {
  const m = machineForPlacement(model, p, a.base, a.constraints);
  if (m.base.name !== a.base.name || m.base.channel !== a.base.channel) {
    throw new ServerError(
      `cannot assign unit ${JSON.stringify(u.name)} to machine ${m.id}: base does not match: unit has ${JSON.stringify(`${a.base.name}@${a.base.channel}`)}, machine has ${JSON.stringify(`${m.base.name}@${m.base.channel}`)}`,
    );
  }
  model.state.assignUnit(u, m);
}

/**
 * `state.AddApplication` checks only the base's OS against the charm's bases
 * (`corecharm.OSIsCompatibleWithCharm`): picking a supported channel is left
 * to the client, so a charm for ubuntu@22.04 deploys on ubuntu@20.04 too.
 */
function checkCharmOs(appName: string, charm: CharmSpec, base: BaseValue): void {
  const bases = charm.bases ?? [];
  if (bases.length === 0) return;
  const oses = [...new Set(bases.map((b) => b.name))].sort();
  if (oses.includes(base.name)) return;
  // Juju joins the OS names with no separator.
  throw new ServerError(
    `cannot add application ${JSON.stringify(appName)}: OS ${JSON.stringify(base.name)} not supported by charm ${JSON.stringify(charm.name)}, supported OSes are: ${oses.join("")}`,
    "not supported",
  );
}

/**
 * `state.NewBindings`: the values must all be space names (`""` meaning
 * alpha) or all space ids, else `errors.NotFoundf("space")`. Returns names.
 */
function bindingsToNames(
  model: ModelRecord,
  given: Record<string, string>,
): Record<string, string> {
  const spaces = networkOf(model).spaces;
  const values = Object.values(given);
  const allNames = values.every((v) => v === "" || spaces.some((sp) => sp.name === v));
  const allIds = values.every((v) => spaces.some((sp) => sp.id === v));
  if (!allNames && !allIds) throw new ServerError("space not found", "not found");
  const out: Record<string, string> = {};
  for (const [ep, v] of Object.entries(given)) {
    out[ep] = allNames ? (v === "" ? "alpha" : v) : (spaces.find((sp) => sp.id === v)?.name ?? v);
  }
  return out;
}

/** The features a model offers to `assumes` (`supportedFeaturesGetter`). */
function modelFeatures(model: ModelRecord): Array<{ name: string; version?: string }> {
  const features: Array<{ name: string; version?: string }> = [
    { name: "juju", version: model.agentVersion },
  ];
  if (model.type === "caas") features.push({ name: "k8s-api" });
  return features;
}

/**
 * `checkMachinePlacement` (apiserver/facades/client/application): a placement
 * on an existing machine (`#` scope) must name one; a container placement on a
 * missing machine is left to the unit assigner, as in Juju.
 */
function checkMachinePlacement(model: ModelRecord, app: string, placement: PlacementValue[]): void {
  for (const p of placement) {
    if (p.scope !== "#" || model.state.machines.has(p.directive)) continue;
    throw new ServerError(
      `cannot deploy ${JSON.stringify(app)} to machine ${p.directive}: machine ${p.directive} not found`,
      "not found",
    );
  }
}

function deploy(model: ModelRecord, args: DeployArgs): ApplicationRecord {
  checkMachinePlacement(model, args.name, args.placement);
  // state.AddApplication: `defer errors.DeferredAnnotatef(&err, "cannot add application %q", …)`
  // around `errors.Errorf("invalid name")` (the juju CLI's "invalid application name" is client-side).
  if (!APP_NAME_RE.test(args.name)) {
    throw new ServerError(`cannot add application ${JSON.stringify(args.name)}: invalid name`);
  }
  const charm = model.state.findCharm(args.charmUrl);
  if (charm === undefined) throw Errors.notFound(`charm ${JSON.stringify(args.charmUrl)}`);
  if (model.state.applications.has(args.name)) {
    throw new ServerError(
      `cannot add application ${JSON.stringify(args.name)}: application already exists`,
      "already exists",
    );
  }
  // DeployApplication → assertCharmAssumptions; --force lets a NotSupported through.
  if (!(args.force ?? false)) assertAssumes(charm.spec.assumes, modelFeatures(model));
  let bindings: Record<string, string>;
  try {
    bindings = bindingsToNames(model, args.bindings);
  } catch (e) {
    if (e instanceof ServerError)
      throw e.annotate(`cannot add application ${JSON.stringify(args.name)}`);
    throw e;
  }
  const subordinate = charm.spec.subordinate ?? false;
  if (subordinate && args.numUnits > 0) {
    throw new ServerError("subordinate application must be deployed without units", "not valid");
  }
  if (subordinate && Object.keys(args.constraints).length > 0) {
    throw new ServerError(
      "subordinate application must be deployed without constraints",
      "not valid",
    );
  }
  const settings = settingsFrom(args.name, charm.spec, args.config, args.configYaml);
  try {
    resourcesOf(model).checkPending(args.name, args.resources);
  } catch (e) {
    if (e instanceof ServerError)
      throw e.annotate(`cannot add application ${JSON.stringify(args.name)}`);
    throw e;
  }
  const storage = deployDirectives(model, args.name, charm.spec, args.storage ?? {});
  const attachIds = attachStorageIds(model, args.attachStorage ?? [], args.numUnits);
  const base = args.base ?? charm.origin.base;
  checkCharmOs(args.name, charm.spec, base);
  const a = model.state.addApplication({
    name: args.name,
    charmUrl: charm.url,
    charm: charm.spec,
    origin: { ...charm.origin, base },
    channel: args.channel,
    base,
    exposed: false,
    exposedEndpoints: {},
    constraints: constraintsFrom(args.constraints),
    config: {},
    bindings: { "": "alpha", ...bindings },
  });
  applySettings(a, settings.charm);
  applyAppConfig(a, settings.app);
  rememberDirectives(model, a.name, storage);
  if (args.storeResources === true) {
    resourcesOf(model).activateStore(
      a.name,
      args.resolvedResources ??
        Object.entries(charm.spec.resources ?? {}).map(([n, r]) => storeResource(n, r)),
    );
  } else {
    resourcesOf(model).activate(a.name, args.resources);
  }
  model.state.publishApplication(a);
  for (let i = 0; i < args.numUnits; i++) {
    const u = model.state.addUnit(a);
    for (const id of attachIds) attach(model, id, u.name);
    createUnitStorage(model, a.name, charm.spec, u.name);
    const p = args.placement[i];
    a.staged.set(u.name, p);
    model.agents.unitDeployed(a, u, (unit) => placeUnit(model, a, unit, p));
  }
  return a;
}

/** One application of a `Deploy` call, in any version's shape. */
type DeployArg = ItemOf<ParamsOfMethod<"Application", "Deploy">["applications"]>;

function readDeploy(d: Params<DeployArg>): DeployArgs {
  const originRaw = d.raw("charm-origin");
  let base: BaseValue | undefined;
  if (originRaw !== undefined && originRaw !== null) {
    const o = readOrigin(new Fields(originRaw, "params.CharmOrigin"));
    if (o.base.name !== "" && o.base.channel !== "") base = o.base;
  }
  d.string("series");
  d.string("policy");
  const force = d.optBool("Force") ?? false;
  const storage = d.structMap("storage", STORAGE_CONSTRAINTS);
  d.map("devices");
  const attachStorage = d.strings("attach-storage");
  const resources: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.map("resources"))) {
    if (v === null) {
      // Go leaves a null map value at its zero value.
      resources[k] = "";
      continue;
    }
    if (typeof v !== "string") {
      const what =
        typeof v === "number"
          ? `number ${v}`
          : Array.isArray(v)
            ? "array"
            : typeof v === "boolean"
              ? "bool"
              : "object";
      throw new ServerError(
        `json: cannot unmarshal ${what} into Go struct field ApplicationDeploy.applications.resources of type string`,
      );
    }
    resources[k] = v;
  }
  return {
    force,
    resources,
    storage,
    attachStorage,
    name: d.string("application"),
    charmUrl: d.string("charm-url"),
    numUnits: d.optInt("num-units") ?? 0,
    config: d.map("config"),
    configYaml: d.string("config-yaml"),
    constraints: d.struct("constraints", CONSTRAINTS_VALUE),
    placement: readPlacements(d.objects("placement", "params.Placement")),
    bindings: d.map("endpoint-bindings") as Record<string, string>,
    channel: d.string("channel"),
    base,
  };
}

// ----- relations -----

function endpointsFor(model: ModelRecord, spec: string): RelationEndpoint[] {
  const colon = spec.indexOf(":");
  const appName = colon === -1 ? spec : spec.slice(0, colon);
  const epName = colon === -1 ? "" : spec.slice(colon + 1);
  // A SAAS application relates through the endpoints of its offer.
  const saas = model.state.applications.has(appName) ? undefined : saasEndpoints(model, appName);
  const a = saas === undefined ? app(model, appName) : undefined;
  if (a !== undefined && a.life !== "alive")
    throw new ServerError(`application ${JSON.stringify(appName)} is not alive`);
  const eps = saas ?? charmEndpoints(appName, (a as ApplicationRecord).charm);
  if (epName === "") return eps;
  const found = eps.filter((e) => e.name === epName);
  if (found.length === 0) {
    throw new ServerError(
      `application ${JSON.stringify(appName)} has no ${JSON.stringify(epName)} relation`,
    );
  }
  return found;
}

function canRelate(model: ModelRecord, a: RelationEndpoint, b: RelationEndpoint): boolean {
  if (a.interface !== b.interface) return false;
  if (a.application === b.application) return false;
  const counterpart =
    (a.role === "provider" && b.role === "requirer") ||
    (a.role === "requirer" && b.role === "provider");
  if (!counterpart) return false;
  if (a.scope === "container" || b.scope === "container") {
    const subs = [a, b].filter(
      (e) => model.state.applications.get(e.application)?.charm.subordinate === true,
    );
    if (subs.length === 0) return false;
  }
  return true;
}

/** `state.InferEndpoints`: the one relation the names can mean, or Juju's errors. */
export function inferEndpoints(model: ModelRecord, names: string[]): RelationEndpoint[] {
  const candidates: RelationEndpoint[][] = [];
  if (names.length === 1) {
    for (const e of endpointsFor(model, names[0] ?? ""))
      if (e.role === "peer") candidates.push([e]);
  } else if (names.length === 2) {
    const left = endpointsFor(model, names[0] ?? "").filter((e) => e.role !== "peer");
    const right = endpointsFor(model, names[1] ?? "").filter((e) => e.role !== "peer");
    for (const a of left)
      for (const b of right) if (canRelate(model, a, b)) candidates.push([a, b]);
  } else {
    throw new ServerError(`cannot relate ${names.length} endpoints`);
  }
  if (candidates.length === 0) throw new ServerError("no relations found");
  if (candidates.length === 1) return candidates[0] ?? [];
  const explicit = candidates.filter(
    (c) => !c.some((e) => e.name === "juju-info" && e.interface === "juju-info"),
  );
  if (explicit.length === 1) return explicit[0] ?? [];
  const keys = candidates.map((c) => JSON.stringify(relationKey(c))).sort();
  throw new ServerError(
    `ambiguous relation: ${JSON.stringify(names.join(" "))} could refer to ${keys.join("; ")}`,
  );
}

/** `state.InferActiveRelation`: the one existing relation the names match. */
function inferActiveRelation(model: ModelRecord, names: string[]): RelationRecord {
  const specs = names.map((n) => {
    const i = n.indexOf(":");
    return i === -1 ? { app: n, ep: "" } : { app: n.slice(0, i), ep: n.slice(i + 1) };
  });
  const candidates = [...model.state.relations.values()].filter(
    (r) =>
      r.endpoints.length === specs.length &&
      specs.every((s) =>
        r.endpoints.some((e) => e.application === s.app && (s.ep === "" || e.name === s.ep)),
      ),
  );
  const query = names.join(" ");
  if (candidates.length === 0) throw Errors.notFound(`relation matching ${JSON.stringify(query)}`);
  if (candidates.length > 1) {
    const keys = candidates.map((r) => JSON.stringify(r.key));
    throw new ServerError(
      `ambiguous relation: ${JSON.stringify(query)} could refer to ${keys.join("; ")}`,
    );
  }
  return candidates[0] as RelationRecord;
}

function addRelation(model: ModelRecord, names: string[]): ApplicationFacade.AddRelationResults {
  let eps = inferEndpoints(model, names);
  if (eps.some((e) => e.scope === "container"))
    eps = eps.map((e) => ({ ...e, scope: "container" as const }));
  const key = relationKey(eps);
  const prefix = `cannot add relation ${JSON.stringify(key)}`;
  for (const r of model.state.relations.values()) {
    if (r.key === key) {
      throw new ServerError(`${prefix}: relation ${key} already exists`, "already exists");
    }
  }
  for (const e of eps) {
    if (e.limit <= 0) continue;
    const count = [...model.state.relations.values()].filter((r) =>
      r.endpoints.some((x) => x.application === e.application && x.name === e.name),
    ).length;
    if (count >= e.limit) {
      throw new ServerError(
        `establishing a new relation for ${e.application}:${e.name} would exceed its maximum relation limit of ${e.limit}`,
        "quota limit exceeded",
      );
    }
  }
  const r = model.state.addRelation(eps);
  model.agents.relationAdded(r);
  // A relation to a SAAS application is registered in the offering model.
  reconcile(model.controller);
  const out: Record<string, CharmRelationData> = {};
  for (const e of r.endpoints) out[e.application] = charmRelation(e);
  return { endpoints: out };
}

// ----- results -----

/** `params.ApplicationResult` of every version (v15 adds `series`). */
type ApplicationResult =
  | ApplicationFacade.ApplicationResult
  | ApplicationFacade.ApplicationResultV15
  | Juju4.Application.ApplicationResult;

function applicationResult(ctx: CallContext, a: ApplicationRecord): ApplicationResult {
  const out: ApplicationFacade.ApplicationResultV15 = {
    tag: `application-${a.name}`,
    charm: a.charm.name,
    base: baseWire(a.base),
    channel: channelString(a),
    constraints: { ...a.constraints },
    principal: !(a.charm.subordinate ?? false),
    exposed: a.exposed,
    remote: false,
    life: a.life,
    "endpoint-bindings": endpointBindings(a),
  };
  if (ctx.version === 15) out.series = seriesOf(a.base);
  if (a.exposed) out["exposed-endpoints"] = exposedEndpointsWire(a);
  return out;
}

function unitResult(model: ModelRecord, u: UnitRecord): ApplicationFacade.UnitResult {
  const a = model.state.applications.get(u.application);
  const m = model.state.machines.get(u.machineId);
  const out: ApplicationFacade.UnitResult = {
    tag: unitTag(u.name),
    "workload-version": u.workloadVersion,
    charm: a?.charmUrl ?? "",
    life: u.life,
    "opened-ports": portRangeStrings(u),
  };
  if (a?.leader === u.name) out.leader = true;
  if (u.machineId !== "") out.machine = u.machineId;
  const addr = m?.addresses[0];
  if (addr !== undefined) {
    out.address = addr;
    out["public-address"] = addr;
  }
  return out;
}

function checkIaas(model: ModelRecord): void {
  if (model.type !== "caas") {
    throw new ServerError(
      "scaling applications on a non-container model not supported",
      "not supported",
    );
  }
}

/** The Application methods. */
export const applicationMethods: readonly MethodSpec[] = [
  method({
    facade: "Application",
    method: "Deploy",
    params: "params.ApplicationsDeploy",
    call: (ctx, p) =>
      errorResults(p.objects("applications", "params.ApplicationDeploy"), (d) => {
        deploy(ctx.model(), readDeploy(d));
      }),
  }),
  method({
    facade: "Application",
    method: "DeployFromRepository",
    versions: [18, 19, 20, 21, 22],
    params: "params.DeployFromRepositoryArgs",
    call: (ctx, p) => {
      if (ctx.version < 19) {
        throw new ServerError("this facade method is under development", "not implemented");
      }
      const model = ctx.model();
      return {
        Results: p.objects("Args", "params.DeployFromRepositoryArg").map((d) => {
          const charmName = d.string("CharmName");
          const name = d.string("ApplicationName") || charmName;
          const channel = d.string("channel");
          const revision = d.optInt("revision");
          const rawBase = d.raw("base");
          const base =
            rawBase === undefined || rawBase === null
              ? undefined
              : (() => {
                  const b: Params<ApplicationFacade.Base> = new Fields(rawBase, "params.Base");
                  return {
                    name: b.string("name"),
                    channel: b.string("channel").replace(/\/.*$/, ""),
                  };
                })();
          const dryRun = d.optBool("DryRun") ?? false;
          const trust = d.optBool("Trust") ?? false;
          const placement = readPlacements(d.objects("Placement", "params.Placement"));
          // deployFromRepositoryValidator.validate: checkMachinePlacement's error, then
          // platformFromPlacement's while resolving the charm (which ends validation).
          const missing = placement.find(
            (pl) => pl.scope === "#" && !model.state.machines.has(pl.directive),
          );
          if (missing !== undefined) {
            const notFound = `machine ${missing.directive} not found`;
            return {
              Errors: [
                new ServerError(
                  `cannot deploy ${JSON.stringify(d.string("ApplicationName"))} to machine ${missing.directive}: ${notFound}`,
                  "not found",
                ).toWire(),
                new ServerError(
                  `verifying machine for placement: ${notFound}`,
                  "not found",
                ).toWire(),
              ],
              Info: { name, architecture: "", channel: "", revision: 0 },
              PendingResourceUploads: null,
            };
          }
          try {
            const [track, risk] = channel.includes("/") ? channel.split("/") : ["", channel];
            const r = resolveRef(model, charmName, {
              source: "charm-hub",
              type: "charm",
              risk: risk || "stable",
              track: track ?? "",
              revision,
              architecture: String(d.struct("Cons", CONSTRAINTS_VALUE).arch ?? "amd64"),
              base: base ?? { name: "", channel: "" },
            });
            const info: ApplicationFacade.DeployFromRepositoryInfo = {
              name,
              architecture: r.architecture,
              base: baseWire(r.base),
              channel: r.track === "latest" ? r.risk : `${r.track}/${r.risk}`,
              "effective-channel": r.track === "latest" ? r.risk : `${r.track}/${r.risk}`,
              revision: r.charm.revision,
            };
            // `resolveResources`: a number picks a Charmhub revision, anything
            // else is a file the client uploads once the application exists.
            const requested = d.map("resources");
            const uploads: Array<{ Name: string; Type: string; Filename: string }> = [];
            const resolved = Object.entries(r.charm.resources ?? {}).map(([n, spec]) => {
              const known = storeResource(n, spec);
              const v = requested[n];
              if (typeof v !== "string") return known;
              if (/^[-+]?\d+$/.test(v)) {
                const asked = {
                  ...known,
                  revision: Number(v),
                  fingerprint: Buffer.alloc(0),
                  size: 0,
                };
                return resolveStore(asked, new Map([[n, storeRevisions(n, spec)]]));
              }
              uploads.push({ Name: n, Type: spec.type, Filename: v });
              return {
                ...known,
                origin: "upload" as const,
                revision: 0,
                fingerprint: Buffer.alloc(0),
                size: 0,
              };
            });
            // deployFromRepositoryValidator: the resolved charm's `assumes`
            // (skipped with force) and the endpoint bindings, errors collected.
            const force = d.optBool("force") ?? false;
            const invalid: ServerError[] = [];
            let bindings: Record<string, string> = {};
            try {
              if (!force) assertAssumes(r.charm.assumes, modelFeatures(model));
            } catch (e) {
              if (!(e instanceof ServerError)) throw e;
              invalid.push(e);
            }
            try {
              bindings = bindingsToNames(
                model,
                d.map("endpoint-bindings") as Record<string, string>,
              );
            } catch (e) {
              if (!(e instanceof ServerError)) throw e;
              invalid.push(e);
            }
            if (invalid.length > 0) {
              return {
                Errors: invalid.map((e) => e.toWire()),
                Info: { name, architecture: "", channel: "", revision: 0 },
                PendingResourceUploads: null,
              };
            }
            if (!dryRun) {
              if (model.state.applications.has(name)) {
                throw new ServerError(
                  `cannot add application ${JSON.stringify(name)}: application already exists`,
                  "already exists",
                );
              }
              const url = charmUrl(r, 7);
              model.state.addCharm(url, r.charm, originOf(r, true));
              deploy(model, {
                name,
                charmUrl: url,
                numUnits: d.optInt("num-units") ?? (r.charm.subordinate ? 0 : 1),
                // `Trust` is application config, passed on as `deploy --trust` does.
                config: trust ? { trust: "true" } : {},
                configYaml: d.string("ConfigYAML"),
                constraints: d.struct("Cons", CONSTRAINTS_VALUE),
                placement,
                bindings,
                channel: channel || "stable",
                storage: d.structMap("Storage", STORAGE_CONSTRAINTS),
                attachStorage: d.strings("AttachStorage"),
                force: true,
                base: r.base,
                resources: {},
                storeResources: true,
                resolvedResources: resolved,
              });
            }
            return {
              Errors: null,
              Info: info,
              PendingResourceUploads: dryRun || uploads.length === 0 ? null : uploads,
            };
          } catch (e) {
            if (!(e instanceof ServerError)) throw e;
            return {
              Errors: [e.toWire()],
              Info: { name, architecture: "", channel: "", revision: 0 },
              PendingResourceUploads: null,
            };
          }
        }),
      };
    },
  }),
  method({
    facade: "Application",
    method: "AddUnits",
    params: "params.AddApplicationUnits",
    call: (ctx, p) => {
      const model = ctx.model();
      // Go decodes every param before the method looks anything up.
      const n = p.optInt("num-units") ?? 0;
      const a = app(model, p.string("application"));
      const placement = readPlacements(p.objects("placement", "params.Placement"));
      p.string("policy");
      if (n < 1) throw new ServerError("must add at least one unit");
      const attachIds = attachStorageIds(model, p.strings("attach-storage"), n);
      if (a.charm.subordinate === true) {
        throw new ServerError(
          `cannot add unit to application ${JSON.stringify(a.name)}: application is a subordinate`,
        );
      }
      if (a.life !== "alive")
        throw new ServerError(`application ${JSON.stringify(a.name)} is not alive`);
      const units: string[] = [];
      // Many units in one call are added in slices so other clients keep being served.
      return sliced(n, (i) => {
        const u = model.state.addUnit(a);
        try {
          placeUnit(model, a, u, placement[i]);
          for (const id of attachIds) attach(model, id, u.name);
          createUnitStorage(model, a.name, a.charm, u.name);
        } catch (e) {
          model.state.removeUnit(u);
          throw e;
        }
        model.agents.unitAssigned(u);
        units.push(u.name);
      }).then(() => ({ units }));
    },
  }),
  method({
    facade: "Application",
    method: "DestroyUnit",
    params: "params.DestroyUnitsParams",
    call: (ctx, p) => {
      const model = ctx.model();
      const items = p.objects("units", "params.DestroyUnitParams");
      return bulkResults(items, (d) => {
        const u = unitFromTag(model, d.string("unit-tag"));
        d.optBool("force");
        const destroyStorage = d.optBool("destroy-storage") === true;
        d.optInt("max-wait", "time.Duration");
        if (u.principal !== "") {
          throw new ServerError(
            `unit ${JSON.stringify(u.name)} is a subordinate, to remove use remove-relation. Note: this will remove all units of ${JSON.stringify(u.application)}`,
          );
        }
        const dryRun = d.optBool("dry-run") ?? false;
        const info = dryRun ? {} : unitDestroying(model, u.name, destroyStorage);
        if (!dryRun) model.agents.destroyUnit(u);
        return { info };
      });
    },
  }),
  method({
    facade: "Application",
    method: "DestroyApplication",
    params: "params.DestroyApplicationsParams",
    call: (ctx, p) => {
      const model = ctx.model();
      const items = p.objects("applications", "params.DestroyApplicationParams");
      return bulkResults(items, (d) => {
        const a = appFromTag(model, d.string("application-tag"));
        const force = d.optBool("force") === true;
        const destroyStorage = d.optBool("destroy-storage") === true;
        d.optInt("max-wait", "time.Duration");
        // 3.6 refuses an offered application while consumers are related, unless forced.
        const consumers = force ? 0 : consumersOf(model, a.name);
        if (consumers > 0) {
          throw new ServerError(
            `application is used by ${consumers} consumer${consumers === 1 ? "" : "s"}`,
          ).annotate(`cannot destroy application ${JSON.stringify(a.name)}`);
        }
        const units = model.state.unitsOf(a.name).map((u) => ({ tag: unitTag(u.name) }));
        if (!(d.optBool("dry-run") ?? false)) {
          for (const u of model.state.unitsOf(a.name))
            unitDestroying(model, u.name, destroyStorage);
          model.agents.destroyApplication(a);
        }
        return { info: units.length > 0 ? { "destroyed-units": units } : {} };
      });
    },
  }),
  method({
    facade: "Application",
    method: "AddRelation",
    params: "params.AddRelation",
    call: (ctx, p) => {
      p.strings("via-cidrs");
      return addRelation(ctx.model(), p.strings("endpoints"));
    },
  }),
  method({
    facade: "Application",
    method: "DestroyRelation",
    params: "params.DestroyRelation",
    call: (ctx, p) => {
      const model = ctx.model();
      const endpoints = p.strings("endpoints");
      p.optBool("force");
      p.optInt("max-wait", "time.Duration");
      let rel: ReturnType<typeof model.state.relations.get>;
      if (endpoints.length > 0) {
        rel = inferActiveRelation(model, endpoints);
      } else {
        const id = p.optInt("relation-id") ?? 0;
        rel = model.state.relations.get(id);
        if (rel === undefined) throw Errors.notFound(`relation ${id}`);
      }
      model.agents.destroyRelation(rel);
      reconcile(model.controller);
      return undefined;
    },
  }),
  method({
    facade: "Application",
    method: "SetRelationsSuspended",
    params: "params.RelationSuspendedArgs",
    call: (ctx, p) => {
      const model = ctx.model();
      const out = errorResults(p.objects("args", "params.RelationSuspendedArg"), (a) => {
        const id = a.optInt("relation-id") ?? 0;
        setRelationSuspended(model, id, a.optBool("suspended") ?? false, a.string("message"));
      });
      reconcile(model.controller);
      return out;
    },
  }),
  method({
    facade: "Application",
    method: "Expose",
    params: "params.ApplicationExpose",
    call: (ctx, p) => {
      const model = ctx.model();
      const a = app(model, p.string("application"));
      const raw = p.map("exposed-endpoints");
      const eps = new Set(charmEndpoints(a.name, a.charm).map((e) => e.name));
      for (const [ep, v] of Object.entries(raw)) {
        if (ep !== "" && !eps.has(ep)) {
          throw new ServerError(`endpoint ${JSON.stringify(ep)} not found`, "not found");
        }
        const f: Params<ApplicationFacade.ExposedEndpoint> = new Fields(
          v,
          "params.ExposedEndpoint",
        );
        const spaces = f.strings("expose-to-spaces");
        const cidrs = f.strings("expose-to-cidrs");
        a.exposedEndpoints[ep] = {
          ...(spaces.length > 0 ? { "expose-to-spaces": spaces } : {}),
          ...(cidrs.length > 0 || spaces.length === 0
            ? { "expose-to-cidrs": cidrs.length > 0 ? cidrs : ["0.0.0.0/0", "::/0"] }
            : {}),
        };
      }
      a.exposed = true;
      model.state.publishApplication(a);
      return undefined;
    },
  }),
  method({
    facade: "Application",
    method: "Unexpose",
    params: "params.ApplicationUnexpose",
    call: (ctx, p) => {
      const model = ctx.model();
      const a = app(model, p.string("application"));
      const eps = p.strings("exposed-endpoints");
      if (eps.length === 0) {
        a.exposed = false;
        a.exposedEndpoints = {};
      } else {
        for (const e of eps) {
          if (!Object.hasOwn(a.exposedEndpoints, e)) {
            throw new ServerError(`endpoint ${JSON.stringify(e)} is not exposed`, "not valid");
          }
          delete a.exposedEndpoints[e];
        }
        a.exposed = Object.keys(a.exposedEndpoints).length > 0;
      }
      model.state.publishApplication(a);
      return undefined;
    },
  }),
  method({
    facade: "Application",
    method: "SetConfigs",
    params: "params.ConfigSetArgs",
    call: (ctx, p) =>
      errorResults(p.objects("Args", "params.ConfigSet"), (c) => {
        const model = ctx.model();
        const a = app(model, c.string("application"));
        c.string("generation");
        // APIBase.setConfig: `errors.Annotate(err, "parsing settings for application")`.
        let settings: SplitSettings;
        try {
          settings = settingsFrom(a.name, a.charm, c.map("config"), c.string("config-yaml"));
        } catch (e) {
          if (e instanceof ServerError) throw e.annotate("parsing settings for application");
          throw e;
        }
        applyAppConfig(a, settings.app);
        applySettings(a, settings.charm);
        model.state.publishApplication(a);
        model.agents.configChanged(a);
      }),
  }),
  method({
    facade: "Application",
    method: "UnsetApplicationsConfig",
    params: "params.ApplicationConfigUnsetArgs",
    call: (ctx, p) =>
      errorResults(p.objects("Args", "params.ApplicationUnset"), (c) => {
        const model = ctx.model();
        const a = app(model, c.string("application"));
        c.string("branch");
        for (const k of c.strings("options")) {
          if (Object.hasOwn(APP_CONFIG_SCHEMA, k)) {
            if (a.appConfig !== undefined) delete a.appConfig[k];
            continue;
          }
          if (a.charm.config?.[k] === undefined) {
            throw new ServerError(`unknown option ${JSON.stringify(k)}`);
          }
          delete a.config[k];
        }
        model.state.publishApplication(a);
        model.agents.configChanged(a);
      }),
  }),
  method({
    facade: "Application",
    method: "CharmConfig",
    params: "params.ApplicationGetArgs",
    call: (ctx, p) => ({
      Results: withNullConfig(
        bulk(p.objects("args", "params.ApplicationGet"), (g) => {
          g.string("branch");
          return { config: describeConfig(app(ctx.model(), g.string("application"))) };
        }),
      ),
    }),
  }),
  method({
    facade: "Application",
    method: "GetConfig",
    params: "params.Entities",
    call: (ctx, p) => ({
      Results: withNullConfig(
        bulk(p.objects("entities", "params.Entity"), (e) => ({
          config: describeConfig(appFromTag(ctx.model(), e.string("tag"))),
        })),
      ),
    }),
  }),
  method({
    facade: "Application",
    method: "Get",
    params: "params.ApplicationGet",
    call: (ctx, p) => {
      const a = app(ctx.model(), p.string("application"));
      p.string("branch");
      const out: ApplicationFacade.ApplicationGetResults = {
        application: a.name,
        charm: a.charm.name,
        config: describeConfig(a),
        "application-config": describeAppConfig(a),
        constraints: { ...a.constraints },
        base: baseWire(a.base),
        channel: channelString(a),
        "endpoint-bindings": endpointBindings(a),
      };
      return ctx.version === 15 ? { ...out, series: seriesOf(a.base) } : out;
    },
  }),
  method({
    facade: "Application",
    method: "SetConstraints",
    params: "params.SetConstraints",
    call: (ctx, p) => {
      const model = ctx.model();
      const a = app(model, p.string("application"));
      if (a.charm.subordinate === true) {
        throw new ServerError(
          `cannot set constraints on subordinate application ${JSON.stringify(a.name)}`,
        );
      }
      a.constraints = constraintsFrom(p.struct("constraints", CONSTRAINTS_VALUE));
      model.state.publishApplication(a);
      return undefined;
    },
  }),
  method({
    facade: "Application",
    method: "GetConstraints",
    params: "params.Entities",
    call: (ctx, p) => ({
      // `constraints` is not omitempty: an error result still carries `{}`.
      results: bulk(p.objects("entities", "params.Entity"), (e) => ({
        constraints: { ...appFromTag(ctx.model(), e.string("tag")).constraints },
      })).map((r) => ("error" in r ? { constraints: {}, ...r } : r)),
    }),
  }),
  method({
    facade: "Application",
    method: "ScaleApplications",
    params: "params.ScaleApplicationsParams",
    call: (ctx, p) => {
      checkIaas(ctx.model());
      p.objects("applications", "params.ScaleApplicationParams");
      return { results: [] };
    },
  }),
  method({
    facade: "Application",
    method: "SetCharm",
    params: "params.ApplicationSetCharmV2",
    call: (ctx, p) => {
      const model = ctx.model();
      const a = app(model, p.string("application"));
      const url = p.string("charm-url");
      const charm = model.state.findCharm(url);
      if (charm === undefined) throw Errors.notFound(`charm ${JSON.stringify(url)}`);
      if (charm.spec.name !== a.charm.name && !(p.optBool("force") ?? false)) {
        throw new ServerError(
          `cannot upgrade application ${JSON.stringify(a.name)} to charm ${JSON.stringify(url)}: cannot change an application's charm`,
        );
      }
      const settings = settingsFrom(
        a.name,
        charm.spec,
        p.map("config-settings"),
        p.string("config-settings-yaml"),
      );
      const resourceIds: Record<string, string> = {};
      for (const [k, v] of Object.entries(p.map("resource-ids"))) {
        if (typeof v === "string") resourceIds[k] = v;
      }
      // Checked before anything changes; the new pending resources replace the old ones.
      resourcesOf(model).checkPending(a.name, resourceIds);
      a.charm = charm.spec;
      a.charmUrl = charm.url;
      // Juju stores the origin it is given (`applicationSetCharm` →
      // `state.SetCharmConfig{CharmOrigin: newOrigin}`): the channel the
      // application follows changes with it; `channel` itself is unused.
      const originRaw = p.raw("charm-origin");
      a.origin =
        originRaw === undefined || originRaw === null
          ? { ...charm.origin, base: a.base }
          : givenOrigin(charm.origin, a.base, new Fields(originRaw, "params.CharmOrigin"));
      const ch = p.string("channel");
      if (a.origin.source === "charm-hub" && a.origin.risk)
        a.channel = `${a.origin.track ?? "latest"}/${a.origin.risk}`;
      else if (ch !== "") a.channel = ch;
      for (const k of Object.keys(a.config))
        if (charm.spec.config?.[k] === undefined) delete a.config[k];
      applySettings(a, settings.charm);
      applyAppConfig(a, settings.app);
      resourcesOf(model).activateSome(a.name, resourceIds);
      model.state.publishApplication(a);
      model.agents.charmUpgraded(a);
      return undefined;
    },
  }),
  method({
    facade: "Application",
    method: "GetCharmURLOrigin",
    params: "params.ApplicationGet",
    call: (ctx, p) => {
      const a = app(ctx.model(), p.string("application"));
      return { url: a.charmUrl, "charm-origin": wireOrigin(a.origin) };
    },
  }),
  method({
    facade: "Application",
    method: "ApplicationsInfo",
    params: "params.Entities",
    call: (ctx, p) => ({
      results: bulk(p.objects("entities", "params.Entity"), (e) => ({
        result: applicationResult(ctx, appFromTag(ctx.model(), e.string("tag"))),
      })),
    }),
  }),
  method({
    facade: "Application",
    method: "UnitsInfo",
    params: "params.Entities",
    call: (ctx, p) => ({
      results: bulk(p.objects("entities", "params.Entity"), (e) => ({
        result: unitResult(ctx.model(), unitFromTag(ctx.model(), e.string("tag"))),
      })),
    }),
  }),
  method({
    facade: "Application",
    method: "Leader",
    params: "params.Entity",
    call: (ctx, p) => {
      const a = appFromTag(ctx.model(), p.string("tag"));
      if (a.leader === "") {
        return {
          result: "",
          error: {
            message: `application ${JSON.stringify(a.name)} has no leader`,
            code: "not found",
          },
        };
      }
      return { result: a.leader };
    },
  }),
  method({
    facade: "Application",
    method: "ResolveUnitErrors",
    params: "params.UnitsResolved",
    call: (ctx, p) => {
      const model = ctx.model();
      // Juju: retry → ResolvedRetryHooks (the failed hook runs again), else ResolvedNoHooks.
      const retry = p.optBool("retry") ?? false;
      if (p.optBool("all") ?? false) {
        for (const u of model.state.units.values()) model.agents.resolved(u, retry);
        return { results: [] };
      }
      const tagList: Params<ApplicationFacade.Entities> = new Fields(
        p.raw("tags"),
        "params.Entities",
      );
      const tags = tagList.objects("entities", "params.Entity");
      return errorResults(tags, (e) => {
        const u = unitFromTag(model, e.string("tag"));
        if (u.workloadStatus.current !== "error") {
          throw new ServerError(
            `unit ${JSON.stringify(u.name)} is not in an error state`,
            "not valid",
          );
        }
        model.agents.resolved(u, retry);
      });
    },
  }),
  method({
    facade: "Application",
    method: "MergeBindings",
    params: "params.ApplicationMergeBindingsArgs",
    call: (ctx, p) =>
      errorResults(p.objects("args", "params.ApplicationMergeBindings"), (b) => {
        const model = ctx.model();
        const a = appFromTag(model, b.string("application-tag"));
        b.optBool("force");
        const eps = new Set(charmEndpoints(a.name, a.charm).map((e) => e.name));
        for (const [ep, space] of Object.entries(b.map("bindings"))) {
          if (ep !== "" && !eps.has(ep)) {
            throw new ServerError(
              `merging bindings: endpoint ${JSON.stringify(ep)} not found`,
              "not found",
            );
          }
          if (space !== "alpha") throw Errors.notFound(`space ${JSON.stringify(space)}`);
          a.bindings[ep] = space;
        }
      }),
  }),
  ...consumeMethods,
];
