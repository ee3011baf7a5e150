/**
 * `ApplicationOffers(4, 5, 6)` (`apiserver/facades/client/applicationoffers`
 * of Juju 3.6 and 4.0): offers made, listed, found, shown, shared and removed, and
 * the consume details (offer, controller addresses and CA, macaroon) a
 * consuming model needs. Access follows 3.6: controller superusers and
 * model admins act as offer admins; other users see the offers they hold
 * `read` (or more) on; consuming needs `consume`.
 * @module
 */
import type * as AO3 from "../../facades/generated/application-offers.js";
import type * as AO4 from "../../facades/generated/juju4/application-offers.js";
import { charmEndpoints } from "../entities.js";
import { Errors, ServerError } from "../errors.js";
import {
  consumeMacaroon,
  EVERYONE,
  grantOfferAccess,
  isOfferModelAdmin,
  isValidApplicationName,
  OFFER_ACCESS,
  type OfferAccess,
  type OfferRecord,
  offerAccessAtLeast,
  offerAccessOf,
  offersOf,
  offerUrlOf,
  offerUrlString,
  parseOfferUrl,
  revokeOfferAccess,
} from "../offers.js";
import { modelNamespace } from "../profile.js";
import {
  offerConnections,
  publishOffer,
  reconcile,
  removeOffer,
  suspendRevokedRelations,
  watch,
} from "../remote-applications.js";
import type { ControllerStore, ModelRecord } from "../store.js";
import { localUserName, parseTagOfKind } from "../tags.js";
import { isSuperuser } from "../users.js";
import { errorResults } from "./bulk.js";
import { infoOf } from "./controller.js";
import type { CallContext, MethodSpec } from "./registry.js";
import { type ItemOf, method, type Params, type ParamsOfMethod } from "./typed.js";

/**
 * One offer as ListApplicationOffers and friends send it: v5's shape on 3.6
 * and 4.0 (v4's `ApplicationOfferAdminDetails` adds only optional fields).
 */
type AdminDetails = AO3.ApplicationOfferAdminDetailsV5 | AO4.ApplicationOfferAdminDetailsV5;
/** One ApplicationOffers result: an offer or an error. */
type OfferResult = AO3.ApplicationOfferResult | AO4.ApplicationOfferResult;
/** One offer endpoint (`params.RemoteEndpoint`). */
type RemoteEndpoint = AO3.RemoteEndpoint | AO4.RemoteEndpoint;
/** `params.ErrorResults`, as every version sends it. */
type ErrorResults = AO3.ErrorResults | AO4.ErrorResults;
/** One filter item of ListApplicationOffers/FindApplicationOffers (v4/v5 and v6 shapes). */
type OfferFilterParams = Params<
  ItemOf<ParamsOfMethod<"ApplicationOffers", "FindApplicationOffers">["Filters"]>
>;

const wireErr = (e: unknown) =>
  (e instanceof ServerError ? e : new ServerError(String(e))).toWire();

/** A user tag's local name, or the id as is for external users. */
function userOfTag(tag: string): string {
  const id = parseTagOfKind(tag, "user");
  return localUserName(id) ?? id;
}

/** `modelForName`, with `model "owner/name" not found`. */
function modelForName(store: ControllerStore, owner: string, name: string): ModelRecord {
  const m = store.modelByName(owner, name);
  if (m === undefined || m.life === "dead") {
    throw Errors.notFound(`model ${JSON.stringify(`${owner}/${name}`)}`);
  }
  return m;
}

/** One `params.OfferFilter` as 3.6 and 4.0 read it. */
interface OfferFilter {
  /** The model's owner (3.6 `owner-name`) or qualifier (4.0 `model-qualifier`); the simulator's qualifier is the owner's name. */
  owner: string;
  model: string;
  offerName: string;
  application: string;
  description: string;
  endpoints: Array<{ name: string; interface: string; role: string }>;
  allowed: string[];
  connected: string[];
}

/**
 * Reads a filter at facade version `version`: v6 (Juju 4.0) names the model
 * by `model-qualifier` where v4 and v5 send `owner-name` (4.0 reads an older
 * client's `owner-name` as the qualifier, as its `OfferURL.ModelQualifier`
 * accepts user names).
 */
function readFilter(f: OfferFilterParams, version: number): OfferFilter {
  return {
    owner: f.string(version >= 6 ? "model-qualifier" : "owner-name"),
    model: f.string("model-name"),
    offerName: f.string("offer-name"),
    application: f.string("application-name"),
    description: f.string("application-description"),
    endpoints: f.objects("endpoints", "params.EndpointFilterAttributes").map((e) => ({
      name: e.string("name"),
      interface: e.string("interface"),
      role: e.string("role"),
    })),
    allowed: f.strings("allowed-users").map(userOfTag),
    connected: f.strings("connected-users").map(userOfTag),
  };
}

/** `applicationOffers.ListOffers` for one filter term. */
function matches(model: ModelRecord, offer: OfferRecord, f: OfferFilter): boolean {
  if (f.application !== "" && offer.application !== f.application) return false;
  if (f.offerName !== "" && !offer.name.includes(f.offerName)) return false;
  if (f.description !== "" && !offer.description.includes(f.description)) return false;
  if (f.endpoints.length > 0) {
    const app = model.state.applications.get(offer.application);
    if (app === undefined) return false;
    const eps = charmEndpoints(app.name, app.charm).filter((e) =>
      Object.values(offer.endpoints).includes(e.name),
    );
    const hit = eps.some((ep) =>
      f.endpoints.every(
        (t) =>
          (t.interface !== "" && t.interface === ep.interface) ||
          (t.name !== "" && t.name === ep.name) ||
          (t.role !== "" && t.role === ep.role),
      ),
    );
    if (!hit) return false;
  }
  if (f.connected.length > 0) {
    const users = offerConnections(model, offer).map((c) => c.username);
    if (!f.connected.some((u) => users.includes(u))) return false;
  }
  if (f.allowed.length > 0) {
    if (!f.allowed.some((u) => offerAccessAtLeast(offer.users.get(u), "consume"))) return false;
  }
  return true;
}

/** An offer's endpoints by alias, sorted (`makeOfferParams`). */
function offerEndpoints(model: ModelRecord, offer: OfferRecord): RemoteEndpoint[] {
  const app = model.state.applications.get(offer.application);
  const eps = app === undefined ? [] : charmEndpoints(app.name, app.charm);
  return Object.entries(offer.endpoints)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .flatMap(([alias, name]) => {
      const e = eps.find((x) => x.name === name);
      return e === undefined
        ? []
        : [{ name: alias, role: e.role, interface: e.interface, limit: 0 }];
    });
}

/** `makeOfferParams` plus the admin details: one `ApplicationOfferAdminDetailsV5`. */
function offerDetails(
  store: ControllerStore,
  model: ModelRecord,
  offer: OfferRecord,
  user: string,
  access: OfferAccess,
): AdminDetails {
  const app = model.state.applications.get(offer.application);
  const display = (u: string) => store.users.get(u)?.displayName ?? "";
  const users = [{ user, "display-name": display(user), access }];
  const out: AdminDetails = {
    "source-model-tag": `model-${model.uuid}`,
    "offer-uuid": offer.uuid,
    "offer-url": offerUrlOf(model, offer, modelNamespace(store.profile, model.owner)),
    "offer-name": offer.name,
    "application-description": offer.description,
    endpoints: offerEndpoints(model, offer),
    users,
    "application-name": offer.application,
    "charm-url": "",
  };
  if (access === "admin") {
    out["charm-url"] = app?.charmUrl ?? "";
    const conns = offerConnections(model, offer);
    if (conns.length > 0) out.connections = conns;
    for (const [u, a] of [...offer.users].sort(([x], [y]) => (x < y ? -1 : 1))) {
      if (u !== user) users.push({ user: u, "display-name": display(u), access: a });
    }
  }
  return out;
}

/** `getApplicationOffersDetails`: the offers matching the filters that the user may see. */
function offersDetails(
  ctx: CallContext,
  filters: OfferFilter[],
  required: "admin" | "read",
): AdminDetails[] {
  if (filters.length === 0) throw new ServerError("at least one offer filter is required");
  const perModel = new Map<string, { model: ModelRecord; filters: OfferFilter[] }>();
  for (const f of filters) {
    if (f.model === "") throw new ServerError("application offer filter must specify a model name");
    const model = modelForName(ctx.store, f.owner === "" ? ctx.user : f.owner, f.model);
    const entry = perModel.get(model.uuid) ?? { model, filters: [] };
    entry.filters.push(f);
    perModel.set(model.uuid, entry);
  }
  const out: AdminDetails[] = [];
  for (const uuid of [...perModel.keys()].sort()) {
    const { model, filters: fs } = perModel.get(uuid) as {
      model: ModelRecord;
      filters: OfferFilter[];
    };
    const admin = isOfferModelAdmin(ctx.store, model, ctx.user);
    if (required === "admin" && !admin) throw Errors.permissionDenied();
    const seen = new Set<string>();
    const offers = [...offersOf(model).values()]
      .filter((o) => fs.some((f) => matches(model, o, f)))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const offer of offers) {
      if (seen.has(offer.name)) continue;
      seen.add(offer.name);
      const access = offerAccessOf(ctx.store, model, offer, ctx.user);
      if (access === undefined) continue;
      out.push(offerDetails(ctx.store, model, offer, ctx.user, access));
    }
  }
  return out;
}

/** `getApplicationOffers`: one result per URL, `application offer "…" not found` when unseen. */
function offersByUrl(ctx: CallContext, urls: string[]): OfferResult[] {
  const results: OfferResult[] = urls.map(() => ({}));
  const wanted: Array<{ index: number; url: string; filter: OfferFilter }> = [];
  urls.forEach((raw, index) => {
    try {
      const url = parseOfferUrl(raw);
      if (url.user === "") url.user = ctx.user;
      if (url.name.includes(":")) {
        throw new ServerError(
          `saas application ${JSON.stringify(offerUrlString(url))} shouldn't include endpoint`,
        );
      }
      if (url.source !== "") {
        throw new ServerError(
          "query for non-local application offers not supported",
          "not supported",
        );
      }
      wanted.push({
        index,
        url: offerUrlString(url),
        filter: {
          owner: url.user,
          model: url.model,
          offerName: url.name,
          application: "",
          description: "",
          endpoints: [],
          allowed: [],
          connected: [],
        },
      });
    } catch (e) {
      results[index] = { error: wireErr(e) };
    }
  });
  if (wanted.length === 0) return results;
  const found = offersDetails(
    ctx,
    wanted.map((w) => w.filter),
    "read",
  );
  const byUrl = new Map(found.map((o) => [o["offer-url"], o]));
  for (const w of wanted) {
    const offer = byUrl.get(w.url);
    results[w.index] =
      offer === undefined
        ? { error: Errors.notFound(`application offer ${JSON.stringify(w.url)}`).toWire() }
        : { result: offer };
  }
  return results;
}

/** The offering model and offer an offer URL names (`getModelsFromOffers` + `ApplicationOffer`). */
function offerOfUrl(ctx: CallContext, raw: string): { model: ModelRecord; offerName: string } {
  const url = parseOfferUrl(raw);
  const model = modelForName(ctx.store, url.user === "" ? ctx.user : url.user, url.model);
  return { model, offerName: url.name };
}

/** `Offer`: makes or updates one offer. */
function offer(
  ctx: CallContext,
  p: Params<ParamsOfMethod<"ApplicationOffers", "Offer">>,
): ErrorResults {
  const all = p.objects("Offers", "params.AddApplicationOffer");
  const one = all[0];
  if (all.length !== 1 || one === undefined) {
    throw new ServerError(`expected exactly one offer, got ${all.length}`);
  }
  try {
    const uuid = parseTagOfKind(one.string("model-tag"), "model");
    const model = ctx.store.models.get(uuid);
    if (model === undefined) throw Errors.notFound(`model ${JSON.stringify(uuid)}`);
    if (!isOfferModelAdmin(ctx.store, model, ctx.user)) throw Errors.permissionDenied();
    const ownerTag = one.string("owner-tag");
    const owner = ownerTag === "" ? ctx.user : userOfTag(ownerTag);
    const appName = one.string("application-name");
    const offerName = one.string("offer-name") || appName;
    const endpoints: Record<string, string> = {};
    for (const [alias, ep] of Object.entries(one.map("endpoints"))) {
      if (typeof ep !== "string") {
        throw new ServerError(
          "json: cannot unmarshal non-string into Go struct field AddApplicationOffer.Offers.endpoints of type string",
        );
      }
      endpoints[alias] = ep;
    }
    let description = one.string("application-description");
    const app = model.state.applications.get(appName);
    if (description === "") {
      if (app === undefined)
        throw Errors.notFound(`getting offered application ${JSON.stringify(appName)}`);
      description = app.charm.description ?? "";
    }
    const existing = offersOf(model).get(offerName);
    const verb = existing === undefined ? "add" : "update";
    const prefix = `cannot ${verb} application offer ${JSON.stringify(offerName)}`;
    if (!isValidApplicationName(offerName)) {
      throw Errors.notValid(`offer name ${JSON.stringify(offerName)}`).annotate(prefix);
    }
    if (app === undefined)
      throw Errors.notFound(`application ${JSON.stringify(appName)}`).annotate(prefix);
    const eps = charmEndpoints(app.name, app.charm);
    for (const name of Object.values(endpoints)) {
      if (!eps.some((e) => e.name === name)) {
        throw new ServerError(
          `getting relation endpoint for relation ${JSON.stringify(name)} and application ${JSON.stringify(appName)}: application ${JSON.stringify(appName)} has no ${JSON.stringify(name)} relation`,
        ).annotate(prefix);
      }
    }
    if (existing !== undefined) {
      existing.application = appName;
      existing.description = description;
      existing.endpoints = endpoints;
      publishOffer(model, existing);
    } else {
      const rec: OfferRecord = {
        uuid: ctx.store.newUuid(),
        name: offerName,
        application: appName,
        description,
        endpoints,
        owner,
        users: new Map<string, OfferAccess>([
          [owner, "admin"],
          [EVERYONE, "read"],
        ]),
      };
      offersOf(model).set(offerName, rec);
      publishOffer(model, rec);
      watch(model);
    }
    return { results: [{}] };
  } catch (e) {
    if (e instanceof ServerError) return { results: [{ error: e.toWire() }] };
    throw e;
  }
}

/** `GetConsumeDetails`: the offer, this controller's addresses and CA, and a consume macaroon. */
function consumeDetails(
  ctx: CallContext,
  p: Params<ParamsOfMethod<"ApplicationOffers", "GetConsumeDetails">>,
): AO3.ConsumeOfferDetailsResults | AO4.ConsumeOfferDetailsResults {
  let user = ctx.user;
  const userTag = p.string("user-tag");
  if (userTag !== "") {
    if (!isSuperuser(ctx.store, ctx.user)) throw Errors.permissionDenied();
    user = userOfTag(userTag);
  }
  const urls = p.struct("offer-urls", {
    name: "params.OfferURLs",
    fields: { "offer-urls": "[]string", "bakery-version": "int" },
  });
  const list = (urls["offer-urls"] as string[] | undefined) ?? [];
  const bakery = (urls["bakery-version"] as number | undefined) ?? 0;
  const asUser: CallContext = { ...ctx, user };
  const found = offersByUrl(asUser, list);
  const info = infoOf(ctx.store);
  const controller = {
    "controller-tag": `controller-${ctx.store.controllerUuid}`,
    "controller-alias": "",
    addrs: info.addresses(),
    "ca-cert": info.caCert,
  };
  return {
    results: found.map((r) => {
      const details = r.result;
      if (r.error !== undefined || details === undefined) return r;
      const { "application-name": _a, "charm-url": _c, connections: _x, ...offerV5 } = details;
      const uuid = parseTagOfKind(details["source-model-tag"], "model");
      const model = ctx.store.models.get(uuid) as ModelRecord;
      const rec = offersOf(model).get(details["offer-name"]) as OfferRecord;
      // Model admins may consume; other users need consume access on the offer.
      const access = offerAccessOf(ctx.store, model, rec, user);
      if (!offerAccessAtLeast(access, "consume") && !isSuperuser(ctx.store, ctx.user)) {
        return { error: Errors.permissionDenied().toWire() };
      }
      return {
        offer: offerV5,
        "external-controller": controller,
        macaroon: consumeMacaroon(ctx.store, model, rec, user, bakery),
      };
    }),
  };
}

/**
 * `RemoteApplicationInfo` (3.6 `oneRemoteApplicationInfo`, "only there for
 * the Dashboard"): per URL, the offer as a remote application, for users
 * with `consume` access (offers the user may not consume are not found);
 * the name and model label are the URL's, the icon path the Dashboard's.
 */
function remoteApplicationInfo(
  ctx: CallContext,
  p: Params<ParamsOfMethod<"ApplicationOffers", "RemoteApplicationInfo">>,
): AO3.RemoteApplicationInfoResults | AO4.RemoteApplicationInfoResults {
  const urls = p.strings("offer-urls");
  p.optInt("bakery-version");
  return {
    results: urls.map((raw) => {
      try {
        const url = parseOfferUrl(raw);
        const model = modelForName(ctx.store, url.user === "" ? ctx.user : url.user, url.model);
        const offer = offersOf(model).get(url.name);
        const access =
          offer === undefined ? undefined : offerAccessOf(ctx.store, model, offer, ctx.user);
        if (offer === undefined || !offerAccessAtLeast(access, "consume")) {
          throw Errors.notFound(`application offer ${JSON.stringify(url.name)}`);
        }
        return {
          result: {
            "model-tag": `model-${model.uuid}`,
            name: url.name,
            description: offer.description,
            "offer-url": offerUrlString(url),
            "source-model-label": url.model,
            endpoints: offerEndpoints(model, offer),
            "icon-url-path": `rest/1.0/remote-application/${url.name}/icon`,
          },
        };
      } catch (e) {
        return { error: wireErr(e) };
      }
    }),
  };
}

/** `ModifyOfferAccess`: grants and revokes, by offer admins. */
function modifyAccess(
  ctx: CallContext,
  p: Params<ParamsOfMethod<"ApplicationOffers", "ModifyOfferAccess">>,
): ErrorResults {
  return errorResults(p.objects("changes", "params.ModifyOfferAccess"), (c) => {
    const { model, offerName } = offerOfUrl(ctx, c.string("offer-url"));
    const access = c.string("access");
    if (!(OFFER_ACCESS as readonly string[]).includes(access)) {
      throw new ServerError(
        `invalid offer access permission ${JSON.stringify(access)}`,
        "not valid",
      ).annotate("could not modify offer access");
    }
    const offer = offersOf(model).get(offerName);
    const canModify =
      isOfferModelAdmin(ctx.store, model, ctx.user) ||
      (offer !== undefined && offer.users.get(ctx.user) === "admin");
    if (!canModify) throw Errors.permissionDenied();
    const target = userOfTag(c.string("user-tag"));
    if (offer === undefined)
      throw Errors.notFound(`application offer ${JSON.stringify(offerName)}`);
    const action = c.string("action");
    if (action === "grant") {
      try {
        // `CreateOfferAccess`: local users must exist.
        if (!target.includes("@") && !ctx.store.users.has(target)) {
          throw Errors.notFound(`user ${JSON.stringify(target)}`).annotate(
            `user ${JSON.stringify(target)} does not exist locally`,
          );
        }
        grantOfferAccess(offer, target, access as OfferAccess);
      } catch (e) {
        throw e instanceof ServerError ? e.annotate("could not grant offer access") : e;
      }
    } else if (action === "revoke") {
      revokeOfferAccess(offer, target, access as OfferAccess);
      suspendRevokedRelations(model, offer, target);
    } else {
      throw new ServerError(`unknown action ${JSON.stringify(action)}`);
    }
  });
}

/** `DestroyOffers`: by model admins; refused while connected unless forced. */
function destroyOffers(
  ctx: CallContext,
  p: Params<ParamsOfMethod<"ApplicationOffers", "DestroyOffers">>,
): ErrorResults {
  const force = p.optBool("force") ?? false;
  const urls = p.strings("offer-urls");
  return {
    results: urls.map((raw) => {
      try {
        const { model, offerName } = offerOfUrl(ctx, raw);
        if (!isOfferModelAdmin(ctx.store, model, ctx.user)) throw Errors.permissionDenied();
        const offer = offersOf(model).get(offerName);
        if (offer === undefined) throw Errors.notFound(`offer ${JSON.stringify(offerName)}`);
        removeOffer(model, offer, force);
        return {};
      } catch (e) {
        if (e instanceof ServerError) return { error: e.toWire() };
        throw e;
      }
    }),
  };
}

/**
 * The versions served: 3.6 registers 4 and 5, 4.0 registers 5 and 6. v6
 * differs from v5 only in `OfferFilter` (`model-qualifier` for `owner-name`).
 */
const V = [4, 5, 6] as const;

/** The ApplicationOffers methods. */
export const applicationOffersMethods: readonly MethodSpec[] = [
  method({
    facade: "ApplicationOffers",
    versions: V,
    method: "Offer",
    params: "params.AddApplicationOffers",
    call: offer,
  }),
  method({
    facade: "ApplicationOffers",
    versions: V,
    method: "ListApplicationOffers",
    params: "params.OfferFilters",
    call: (ctx, p) => ({
      results: offersDetails(
        ctx,
        p.objects("Filters", "params.OfferFilter").map((f) => readFilter(f, ctx.version)),
        "admin",
      ),
    }),
  }),
  method({
    facade: "ApplicationOffers",
    versions: V,
    method: "FindApplicationOffers",
    params: "params.OfferFilters",
    call: (ctx, p) => {
      let filters = p
        .objects("Filters", "params.OfferFilter")
        .map((f) => readFilter(f, ctx.version));
      // One filter without a model searches every model the controller hosts.
      const first = filters[0];
      if (filters.length === 1 && first !== undefined && first.model === "") {
        filters = [...ctx.store.models.values()]
          .filter((m) => m.life !== "dead")
          .map((m) => ({ ...first, model: m.name, owner: m.owner }));
        if (filters.length === 0) return { results: [] };
      }
      return { results: offersDetails(ctx, filters, "read") };
    },
  }),
  method({
    facade: "ApplicationOffers",
    versions: V,
    method: "ApplicationOffers",
    params: "params.OfferURLs",
    call: (ctx, p) => ({ results: offersByUrl(ctx, p.strings("offer-urls")) }),
  }),
  method({
    facade: "ApplicationOffers",
    versions: V,
    method: "GetConsumeDetails",
    params: "params.ConsumeOfferDetailsArg",
    call: consumeDetails,
  }),
  method({
    facade: "ApplicationOffers",
    versions: V,
    method: "RemoteApplicationInfo",
    params: "params.OfferURLs",
    call: remoteApplicationInfo,
  }),
  method({
    facade: "ApplicationOffers",
    versions: V,
    method: "ModifyOfferAccess",
    params: "params.ModifyOfferAccessRequest",
    call: modifyAccess,
  }),
  method({
    facade: "ApplicationOffers",
    versions: V,
    method: "DestroyOffers",
    params: "params.DestroyApplicationOffers",
    call: (ctx, p) => {
      const out = destroyOffers(ctx, p);
      reconcile(ctx.store);
      return out;
    },
  }),
];
