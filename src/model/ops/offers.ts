/**
 * Cross-model relations: offers (`ApplicationOffers` facade) and consumed
 * (SAAS) applications (`Application.Consume` /
 * `DestroyConsumedApplications`), as python-libjuju's `create_offer`,
 * `list_offers`, `remove_offer`, `consume` and `remove_saas`, plus
 * `findOffers` and offer access `grantOffer` / `revokeOffer` as the
 * `juju find-offers`, `grant` and `revoke` commands do them.
 *
 * Endpoint strings follow python-libjuju: an offer endpoint is
 * `[<model>.]<application>:<endpoint>[,<endpoint>…]`; an offer URL is
 * `[<controller>:][<user>/]<model>.<offer>`.
 * @module
 */
import type {
  ApplicationOfferAdminDetailsV5,
  ConsumeOfferDetailsResults,
  OfferConnection,
} from "../../facades/generated/application-offers.js";
import type { ApplicationOffers as ApplicationOffers4 } from "../../facades/generated/juju4/index.js";
import { bulkResultsStrict, rethrowSingleFailure } from "../../rpc/bulk.js";
import type { Connection } from "../../rpc/connection.js";
import { JujuError } from "../../rpc/errors.js";
import * as ac from "../arg-check.js";
import { InvalidArgumentError, NotSupportedError } from "../errors.js";
import type { OpsContext } from "../ops-context.js";
import { callOptions, siteOf } from "./common.js";
import type { WithController } from "./model-admin.js";

/** Per-call options. */
export interface OfferCallOptions {
  /** Aborts the call. */
  signal?: AbortSignal;
  /** Per-call timeout in milliseconds. */
  callTimeout?: number;
}

/** Options of `createOffer`. */
export interface CreateOfferOptions extends OfferCallOptions {
  /** The offer's name; default: the application's name. */
  offerName?: string;
  /**
   * The application; with `offerName` too, `endpoint` is taken as one bare
   * endpoint name (as bundles give it), else it overrides the endpoint's.
   */
  applicationName?: string;
}

/** Options of `removeOffer`. */
export interface RemoveOfferOptions extends OfferCallOptions {
  /** Remove the offer's relations too (Juju refuses an offer with relations otherwise). */
  force?: boolean;
}

/** Options of `consume`. */
export interface ConsumeOptions extends OfferCallOptions {
  /** The local (SAAS) application name; default: the offer's name. */
  applicationAlias?: string;
  /** The controller hosting the offer, when the URL does not name it (deprecated in python-libjuju). */
  controllerName?: string;
  /**
   * A connection to the controller hosting the offer when it is not this
   * model's (a connected `Controller`, as python-libjuju connects one for
   * `controller_name`): the consume details (its addresses, CA and a consume
   * macaroon) come from there, and this model's controller then relates
   * to the offer across controllers.
   */
  controller?: {
    /** The offering controller's `GetConsumeDetails` for the offer URL. */
    getConsumeDetails(url: string): Promise<ConsumeDetails>;
  };
}

/** Filters of `findOffers`; all optional. */
export interface FindOffersOptions extends OfferCallOptions {
  /** A full or partial offer URL: `[<user>/]<model>[.<offer>]`. */
  url?: string;
  /** Offers with an endpoint of this interface. */
  interface?: string;
  /** Offers of this application. */
  application?: string;
}

/** An endpoint of an offer. */
export interface OfferEndpointInfo {
  /** The endpoint name. */
  name: string;
  /** `provider`, `requirer` or `peer`. */
  role: string;
  /** The endpoint's interface. */
  interface: string;
  /** The most relations it takes (0: no limit). */
  limit: number;
}

/** A user's access to an offer. */
export interface OfferUserInfo {
  /** User name. */
  user: string;
  /** The user's display name. */
  displayName: string;
  /** `read`, `consume` or `admin`. */
  access: string;
}

/** A consumer's connection to an offer (offer admins only). */
export interface OfferConnectionInfo {
  /** `model-<uuid>` of the consuming model. */
  sourceModelTag: string;
  /** The relation's id in the offering model. */
  relationId: number;
  /** Who connected. */
  username: string;
  /** The offered endpoint in use. */
  endpoint: string;
  /** The connection's status, e.g. `joined`. */
  status: string;
  /** Subnets the consumer connects from. */
  ingressSubnets: string[];
}

/** An offer as `listOffers` and `findOffers` give it. */
export interface OfferInfo {
  /** The offer's name. */
  offerName: string;
  /** The offer's UUID. */
  offerUuid: string;
  /** `<owner>/<model>.<offer>`. */
  offerUrl: string;
  /** The offered application. */
  applicationName: string;
  /** The application's description. */
  applicationDescription: string;
  /** The offered charm (offer admins only, else `""`). */
  charmUrl: string;
  /** `model-<uuid>` of the offering model. */
  sourceModelTag: string;
  /** The offered endpoints. */
  endpoints: OfferEndpointInfo[];
  /** Users with access to the offer. */
  users: OfferUserInfo[];
  /** Consumers' connections (offer admins only). */
  connections: OfferConnectionInfo[];
}

/** A parsed offer URL (python-libjuju's `OfferURL`). */
export interface OfferUrl {
  /** The controller name, `""` for the model's own. */
  source: string;
  /** The model owner, `""` when not given. */
  user: string;
  /** The model name. */
  model: string;
  /** The offer name, possibly with `:<endpoint>`. */
  application: string;
}

const APP_RE = /^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$/;
const MODEL_RE = /^[a-z0-9]+[a-z0-9-]*$/;
const USER_RE = /^[a-zA-Z0-9][a-zA-Z0-9.+-]*[a-zA-Z0-9](?:@[a-zA-Z0-9][a-zA-Z0-9.-]*)?$/;
const RELATION_RE = /^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$/;

/** `parse_offer_url`: `[<controller>:][<user>/]<model>.<offer>[:<endpoint>]`. */
export function parseOfferUrl(url: string, argument = "url"): OfferUrl {
  if (typeof url !== "string" || url === "") {
    throw new InvalidArgumentError(argument, "an offer URL is required");
  }
  const bad = () =>
    new InvalidArgumentError(
      argument,
      `application offer URL has invalid form, must be [<user/]<model>.<appname>: ${url}`,
    );
  let source = "";
  let rest = url;
  const parts = url.split(":");
  if (parts.length > 2) {
    source = parts[0] ?? "";
    rest = parts.slice(1).join(":");
  } else if (parts.length === 2 && !RELATION_RE.test(parts[1] ?? "")) {
    source = parts[0] ?? "";
    rest = parts[1] ?? "";
  }
  if (url.startsWith(":")) throw bad();
  const m = /^(?:([^/]+)\/)?([^.]*)\.?(.*)$/.exec(rest);
  if (m === null) throw bad();
  const [, user = "", model = "", application = ""] = m;
  if (model.includes("/") || application.includes("/")) throw bad();
  if (model === "")
    throw new InvalidArgumentError(argument, "application offer URL is missing model");
  if (application === "") {
    throw new InvalidArgumentError(argument, "application offer URL is missing application");
  }
  if (user !== "" && !USER_RE.test(user)) {
    throw new InvalidArgumentError(argument, `user name ${user} not valid`);
  }
  if (!MODEL_RE.test(model))
    throw new InvalidArgumentError(argument, `model name ${model} not valid`);
  const app = application.split(":")[0] ?? "";
  if (!APP_RE.test(app)) {
    throw new InvalidArgumentError(argument, `application name ${app} not valid`);
  }
  return { source, user, model, application };
}

/** `OfferURL.string()`. */
export function offerUrlString(u: OfferUrl): string {
  const path = `${[u.user, u.model].filter((p) => p !== "").join("/")}.${u.application}`;
  return u.source === "" ? path : `${u.source}:${path}`;
}

/** `parse_offer_endpoint`: `[<model>.]<application>:<endpoint>[,<endpoint>…]`. */
export function parseOfferEndpoint(endpoint: string): { application: string; endpoints: string[] } {
  const format = 'endpoint must conform to format "<application-name>:<endpoint-name>"';
  if (typeof endpoint !== "string" || !endpoint.includes(":")) {
    throw new InvalidArgumentError("endpoint", format);
  }
  const m = /^(?:([^.:]+)\.)?([^.:]+):([^:]*)$/.exec(endpoint);
  if (m === null) throw new InvalidArgumentError("endpoint", format);
  const [, model, application = "", eps = ""] = m;
  if (model !== undefined) {
    const short = model.includes("/") ? (model.split("/")[1] ?? "") : model;
    if (!MODEL_RE.test(short)) throw new InvalidArgumentError("endpoint", `model name ${model}`);
  }
  if (!APP_RE.test(application)) {
    throw new InvalidArgumentError("endpoint", `application name ${application}`);
  }
  const endpoints = eps.split(",");
  if (eps === "" || endpoints.some((e) => !RELATION_RE.test(e))) {
    throw new InvalidArgumentError("endpoint", `specify endpoints for ${application}`);
  }
  return { application, endpoints };
}

const CALL: ac.OptionSpec = { signal: ac.signal, callTimeout: ac.num(0) };

function toOffer(o: ApplicationOfferAdminDetailsV5): OfferInfo {
  return {
    offerName: o["offer-name"],
    offerUuid: o["offer-uuid"],
    offerUrl: o["offer-url"],
    applicationName: o["application-name"],
    applicationDescription: o["application-description"],
    charmUrl: o["charm-url"],
    sourceModelTag: o["source-model-tag"],
    endpoints: (o.endpoints ?? []).map((e) => ({
      name: e.name,
      role: e.role,
      interface: e.interface,
      limit: e.limit,
    })),
    users: (o.users ?? []).map((u) => ({
      user: u.user,
      displayName: u["display-name"],
      access: u.access,
    })),
    connections: (o.connections ?? []).map((c: OfferConnection) => ({
      sourceModelTag: c["source-model-tag"],
      relationId: c["relation-id"],
      username: c.username,
      endpoint: c.endpoint,
      status: c.status.status,
      ingressSubnets: c["ingress-subnets"] ?? [],
    })),
  };
}

/**
 * The model's short name and owner: from the watcher's `model` delta, else
 * (Juju 4: status polls carry no owner) its qualifier from
 * `ModelManager.ModelInfo`, else `FullStatus` (the caller's name is assumed).
 */
async function modelNames(
  ctx: OpsContext & OfferHost,
  options: OfferCallOptions,
): Promise<{ name: string; owner: string | undefined }> {
  const data = ctx.state.entityData("model", ctx.uuid) as
    | { name?: unknown; owner?: unknown }
    | undefined;
  if (typeof data?.name === "string" && typeof data.owner === "string") {
    return { name: data.name, owner: data.owner };
  }
  if (ctx.connection.facade("Client").major === 4 && ctx.withControllerConnection) {
    const { f, res } = await ctx.withControllerConnection(async (c: Connection) => {
      const mm = c.facade("ModelManager").juju4();
      const args = { entities: [{ tag: `model-${ctx.uuid}` }] };
      return { f: mm, res: await mm.call("ModelInfo", args, callOptions(options)) };
    });
    const [one] = res.results ?? [];
    if (one?.error) throw JujuError.fromWire(one.error, siteOf(f, "ModelInfo"));
    if (one?.result) return { name: one.result.name, owner: one.result.qualifier };
  }
  const status = await ctx.connection
    .facade("Client")
    .call("FullStatus", { patterns: [] }, callOptions(options));
  return { name: status.model?.name ?? "", owner: undefined };
}

/** The logged-in user's name (`admin` of `user-admin`). */
function loginUser(ctx: OpsContext): string {
  const id = ctx.connection.loginInfo?.userInfo?.identity ?? "";
  return id.replace(/^user-/, "");
}

/**
 * Runs `fn` on a controller connection: Juju 3.6 serves ApplicationOffers
 * on controller connections only (python-libjuju's `ConnectedController`).
 */
function onController<T>(ctx: OfferHost, fn: (f: OffersFacade) => Promise<T>): Promise<T> {
  const w = ctx.withControllerConnection;
  if (typeof w !== "function") {
    throw new NotSupportedError("offers", "the model has no way to reach its controller");
  }
  return w.call(ctx, (c: Connection) => fn(offersFacade(c))) as Promise<T>;
}

/**
 * What offer calls need: the model they are about, and a way to its
 * controller (a `Model`, or a `Controller` naming a model by UUID).
 */
export interface OfferHost {
  readonly uuid: string;
  withControllerConnection?: WithController;
}

const offersFacade = (c: Connection) => c.facade("ApplicationOffers");
type OffersFacade = ReturnType<typeof offersFacade>;

/**
 * Lists or finds offers with one filter naming its model by `owner`. Juju 4
 * (ApplicationOffers 6) replaced the filter's `owner-name` by
 * `model-qualifier`, so a 4.x controller gets the 4.x shape; the results
 * are the same `ApplicationOfferAdminDetailsV5` on both.
 */
async function callWithFilter(
  f: OffersFacade,
  method: "ListApplicationOffers" | "FindApplicationOffers",
  owner: string,
  filter: Omit<ApplicationOffers4.OfferFilter, "model-qualifier">,
  options: OfferCallOptions,
): Promise<ApplicationOfferAdminDetailsV5[]> {
  const res =
    f.major === 4
      ? await f
          .juju4()
          .call(
            method,
            { Filters: [{ ...filter, "model-qualifier": owner }] },
            callOptions(options),
          )
      : await f.call(
          method,
          { Filters: [{ ...filter, "owner-name": owner }] },
          callOptions(options),
        );
  return (res.results ?? []) as ApplicationOfferAdminDetailsV5[];
}

/** Offers application endpoints (`ApplicationOffers.Offer`). */
export async function createOffer(
  ctx: OfferHost,
  endpoint: string,
  options: CreateOfferOptions = {},
): Promise<void> {
  ac.checkOptions("createOffer", options, {
    ...CALL,
    offerName: ac.name,
    applicationName: ac.name,
  });
  let application: string;
  let endpoints: Record<string, string>;
  if (options.offerName !== undefined && options.applicationName !== undefined) {
    ac.checkArg("endpoint", endpoint, ac.name);
    application = options.applicationName;
    endpoints = { [endpoint]: endpoint };
  } else {
    const parsed = parseOfferEndpoint(endpoint);
    application = options.applicationName ?? parsed.application;
    endpoints = Object.fromEntries(parsed.endpoints.map((e) => [e, e]));
  }
  const offerName = options.offerName ?? application;
  const { f, res } = await onController(ctx, async (f) => ({
    f,
    res: await f.call(
      "Offer",
      {
        Offers: [
          {
            "model-tag": `model-${ctx.uuid}`,
            "application-name": application,
            "application-description": "",
            endpoints,
            "offer-name": offerName,
          },
        ],
      },
      callOptions(options),
    ),
  }));
  try {
    bulkResultsStrict(res, siteOf(f, "Offer"));
  } catch (e) {
    rethrowSingleFailure(e);
  }
}

/** The model's offers with their connections (`ListApplicationOffers`; model admins). */
export async function listOffers(
  ctx: OpsContext & OfferHost,
  options: OfferCallOptions = {},
): Promise<OfferInfo[]> {
  ac.checkOptions("listOffers", options, CALL);
  const names = await modelNames(ctx, options);
  return listOffersOf(ctx, names.name, names.owner, options);
}

/** The offers of the model named `name` (owned by `owner`, default: the caller). */
export async function listOffersOf(
  ctx: OfferHost,
  name: string,
  owner: string | undefined,
  options: OfferCallOptions = {},
): Promise<OfferInfo[]> {
  ac.checkArg("modelName", name, ac.name);
  ac.checkOptions("listOffers", options, CALL);
  const res = await onController(ctx, (f) =>
    callWithFilter(
      f,
      "ListApplicationOffers",
      owner ?? "",
      {
        "model-name": name,
        "offer-name": "",
        "application-name": "",
        "application-description": "",
        "application-user": "",
        "allowed-users": [],
        "connected-users": [],
        endpoints: [],
      },
      options,
    ),
  );
  return res.map(toOffer);
}

/**
 * Offers the user can see anywhere on the controller
 * (`FindApplicationOffers`), as `juju find-offers`: by URL (full or
 * partial), interface or application.
 */
export async function findOffers(
  ctx: OpsContext,
  options: FindOffersOptions = {},
): Promise<OfferInfo[]> {
  ac.checkOptions("findOffers", options, {
    ...CALL,
    url: ac.name,
    interface: ac.name,
    application: ac.name,
  });
  let owner = "";
  let model = "";
  let offerName = "";
  if (options.url !== undefined) {
    const m = /^(?:([^/:]+)\/)?([^./:]*)(?:\.([^:/]*))?$/.exec(options.url);
    if (m === null) {
      throw new InvalidArgumentError(
        "url",
        `offer URL has invalid form, must be [<user/]<model>.<appname>: ${options.url}`,
      );
    }
    [, owner = "", model = "", offerName = ""] = m;
  }
  const res = await onController(ctx, (f) =>
    callWithFilter(
      f,
      "FindApplicationOffers",
      owner,
      {
        "model-name": model,
        "offer-name": offerName,
        "application-name": options.application ?? "",
        "application-description": "",
        "application-user": "",
        "allowed-users": [],
        "connected-users": [],
        endpoints:
          options.interface === undefined
            ? []
            : [{ interface: options.interface, name: "", role: "" }],
      },
      options,
    ),
  );
  return res.map(toOffer);
}

/** Removes an offer (`DestroyOffers`); with connections only with `force`. */
export async function removeOffer(
  ctx: OfferHost,
  url: string,
  options: RemoveOfferOptions = {},
): Promise<void> {
  ac.checkOptions("removeOffer", options, { ...CALL, force: ac.bool });
  // The controller part names where the offer is; Juju resolves the rest.
  const parsed = { ...parseOfferUrl(url), source: "" };
  const { f, res } = await onController(ctx, async (f) => ({
    f,
    res: await f.call(
      "DestroyOffers",
      { "offer-urls": [offerUrlString(parsed)], force: options.force ?? false },
      callOptions(options),
    ),
  }));
  try {
    bulkResultsStrict(res, siteOf(f, "DestroyOffers"));
  } catch (e) {
    rethrowSingleFailure(e);
  }
}

/** `ConsumeOfferDetailsResult` of `GetConsumeDetails`. */
export type ConsumeDetails = NonNullable<ConsumeOfferDetailsResults["results"]>[number];

/** The signal and timeout of an options object. */
function callOnly(o: OfferCallOptions): OfferCallOptions {
  const out: OfferCallOptions = {};
  if (o.signal !== undefined) out.signal = o.signal;
  if (o.callTimeout !== undefined) out.callTimeout = o.callTimeout;
  return out;
}

/**
 * What a model needs to consume an offer (`GetConsumeDetails`): the offer,
 * the offering controller's addresses and CA, and a consume macaroon.
 */
export async function getConsumeDetails(
  ctx: OfferHost,
  url: string,
  options: OfferCallOptions = {},
): Promise<ConsumeDetails> {
  ac.checkOptions("getConsumeDetails", options, CALL);
  const parsed = parseOfferUrl(url);
  const { f, res } = await onController(ctx, async (f) => ({
    f,
    res: await f.call(
      "GetConsumeDetails",
      { "offer-urls": { "offer-urls": [offerUrlString({ ...parsed, source: "" })] } },
      callOptions(options),
    ),
  }));
  try {
    const [details] = bulkResultsStrict(res, siteOf(f, "GetConsumeDetails"));
    if (details === undefined) throw new JujuError("expected one consume details result", "");
    return details;
  } catch (e) {
    rethrowSingleFailure(e);
  }
}

/**
 * Adds an offer to the model as a SAAS application
 * (`GetConsumeDetails`, then `Application.Consume`); resolves with the
 * local application name.
 */
export async function consume(
  ctx: OpsContext,
  url: string,
  options: ConsumeOptions = {},
  controllerName?: string,
): Promise<string> {
  ac.checkOptions("consume", options, {
    ...CALL,
    applicationAlias: ac.text,
    controllerName: ac.name,
    controller: ac.check(
      "a connected Controller (an object with getConsumeDetails)",
      (v) =>
        v !== null &&
        typeof v === "object" &&
        typeof (v as { getConsumeDetails?: unknown }).getConsumeDetails === "function",
    ),
  });
  const offer = parseOfferUrl(url);
  if (offer.application.includes(":")) {
    throw new InvalidArgumentError("url", `remote offer ${url} should not include an endpoint`);
  }
  if (offer.user === "") offer.user = loginUser(ctx);
  if (offer.source === "" && options.controllerName !== undefined) {
    offer.source = options.controllerName;
  }
  const elsewhere = options.controller;
  if (elsewhere === undefined && offer.source !== "" && offer.source !== controllerName) {
    throw new NotSupportedError(
      `consume(${JSON.stringify(url)})`,
      `the offer is on controller ${JSON.stringify(offer.source)}, not this model's; consume it through a model of that controller's client files`,
    );
  }
  const local = offerUrlString({ ...offer, source: "" });
  const details =
    elsewhere === undefined
      ? await getConsumeDetails(ctx, local, callOnly(options))
      : await elsewhere.getConsumeDetails(local);
  const o = details?.offer;
  if (o === undefined) {
    throw new JujuError(`missing consuming offer url for ${offerUrlString(offer)}`, "not found");
  }
  const offerUrl = parseOfferUrl(o["offer-url"], "offer-url");
  offerUrl.source = offer.source;
  const alias = options.applicationAlias ?? "";
  const app = ctx.connection.facade("Application");
  const consumed = await app.call(
    "Consume",
    {
      args: [
        {
          "source-model-tag": o["source-model-tag"],
          "offer-uuid": o["offer-uuid"],
          "offer-url": offerUrlString(offerUrl),
          "offer-name": o["offer-name"],
          "application-description": o["application-description"],
          "application-alias": alias,
          endpoints: o.endpoints ?? [],
          users: o.users ?? [],
          ...(details?.macaroon ? { macaroon: details.macaroon } : {}),
          ...(details?.["external-controller"]
            ? { "external-controller": details["external-controller"] }
            : {}),
        },
      ],
    },
    callOptions(options),
  );
  try {
    bulkResultsStrict(consumed, siteOf(app, "Consume"));
  } catch (e) {
    rethrowSingleFailure(e);
  }
  return alias !== "" ? alias : offerUrl.application;
}

/** Removes a SAAS application and its relations (`DestroyConsumedApplications`). */
export async function removeSaas(
  ctx: OpsContext,
  name: string,
  options: OfferCallOptions = {},
): Promise<void> {
  ac.checkOptions("removeSaas", options, CALL);
  if (typeof name !== "string" || !APP_RE.test(name)) {
    throw new InvalidArgumentError("name", `invalid SAAS application name ${String(name)}`);
  }
  const app = ctx.connection.facade("Application");
  const res = await app.call(
    "DestroyConsumedApplications",
    { applications: [{ "application-tag": `application-${name}` }] },
    callOptions(options),
  );
  try {
    bulkResultsStrict(res, siteOf(app, "DestroyConsumedApplications"));
  } catch (e) {
    rethrowSingleFailure(e);
  }
}

const OFFER_ACCESS = ["read", "consume", "admin"] as const;

/** Grants or revokes a user's access to an offer (`ModifyOfferAccess`). */
export async function modifyOfferAccess(
  ctx: OpsContext,
  action: "grant" | "revoke",
  url: string,
  user: string,
  access: string,
  options: OfferCallOptions = {},
): Promise<void> {
  ac.checkArg("user", user, ac.name);
  ac.checkArg("access", access, ac.oneOf(...OFFER_ACCESS));
  ac.checkOptions(action === "grant" ? "grantOffer" : "revokeOffer", options, CALL);
  const parsed = parseOfferUrl(url);
  if (parsed.user === "") parsed.user = loginUser(ctx);
  const { f, res } = await onController(ctx, async (f) => ({
    f,
    res: await f.call(
      "ModifyOfferAccess",
      {
        changes: [
          {
            "user-tag": `user-${user}`,
            action,
            access,
            "offer-url": offerUrlString({ ...parsed, source: "" }),
          },
        ],
      },
      callOptions(options),
    ),
  }));
  try {
    bulkResultsStrict(res, siteOf(f, "ModifyOfferAccess"));
  } catch (e) {
    rethrowSingleFailure(e);
  }
}

/**
 * python-libjuju's `integrate` with an offer URL: at most one endpoint may
 * be an offer URL (`[<controller>:][<user>/]<model>.<offer>`); it is
 * consumed under its offer name and replaced by that name.
 */
export async function consumeOfferEndpoints(
  ctx: OpsContext,
  specs: [string, string],
  options: OfferCallOptions = {},
): Promise<[string, string]> {
  const isUrl = (s: unknown) => typeof s === "string" && (s.includes(".") || s.includes("/"));
  const urls = specs.filter(isUrl);
  if (urls.length === 0) return specs;
  if (urls.length > 1) {
    throw new InvalidArgumentError("endpoint", "more than one remote endpoint is not supported");
  }
  const out: [string, string] = [...specs];
  for (const i of [0, 1] as const) {
    const spec = specs[i];
    if (!isUrl(spec)) continue;
    const url = parseOfferUrl(spec, "endpoint");
    const [offerName = "", endpoint] = url.application.split(":");
    const local = { ...url, application: offerName };
    const call: ConsumeOptions = { applicationAlias: offerName };
    if (options.signal !== undefined) call.signal = options.signal;
    const name = await consume(ctx, offerUrlString(local), call);
    out[i] = endpoint === undefined ? name : `${name}:${endpoint}`;
  }
  return out;
}
