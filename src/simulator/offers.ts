/**
 * Application offers of a simulated model, kept as a Juju 3.6 controller
 * keeps them (`state/applicationoffers.go`): an offer names an application
 * and a map of endpoint aliases to its endpoints, has a UUID, and carries
 * per-user offer access (`read`, `consume`, `admin`). A new offer gives its
 * owner `admin` and `everyone@external` `read`, as 3.6's `Offer` does.
 *
 * Offer URLs are parsed as 3.6's `crossmodel.ParseOfferURL`
 * (`[<source>:][<user>/]<model>.<offer>[:<endpoint>]`) with its messages.
 * @module
 */
import { createHmac, randomBytes } from "node:crypto";
import { Errors, ServerError } from "./errors.js";
import type { ControllerStore, ModelRecord } from "./store.js";
import { effectiveModelAccess } from "./users.js";

/** Offer access levels (`permission.ValidateOfferAccess`), lowest first. */
export const OFFER_ACCESS = ["read", "consume", "admin"] as const;
/** One offer access level. */
export type OfferAccess = (typeof OFFER_ACCESS)[number];

/** The group every external user belongs to; offers grant it `read`. */
export const EVERYONE = "everyone@external";

/** One offer of a model. */
export interface OfferRecord {
  uuid: string;
  name: string;
  application: string;
  description: string;
  /** Endpoint alias → the application's endpoint name. */
  endpoints: Record<string, string>;
  owner: string;
  /** Offer access grants by user name. */
  users: Map<string, OfferAccess>;
}

const OFFERS = new WeakMap<ModelRecord, Map<string, OfferRecord>>();

/** @internal Saved and restored by `snapshot.ts`. */
export { OFFERS as offerStates };

/** The model's offers by offer name, created on first use. */
export function offersOf(model: ModelRecord): Map<string, OfferRecord> {
  let m = OFFERS.get(model);
  if (m === undefined) {
    m = new Map();
    OFFERS.set(model, m);
  }
  return m;
}

/** An offer anywhere on the controller, by UUID. */
export function offerByUuid(
  store: ControllerStore,
  uuid: string,
): { model: ModelRecord; offer: OfferRecord } | undefined {
  for (const model of store.models.values()) {
    for (const offer of offersOf(model).values()) if (offer.uuid === uuid) return { model, offer };
  }
  return undefined;
}

/** A parsed offer URL (`crossmodel.OfferURL` of 3.6). */
export interface OfferUrl {
  /** The controller name, `""` for this controller. */
  source: string;
  user: string;
  model: string;
  /** The offer name, possibly with `:<endpoint>`. */
  name: string;
}

const MODEL_NAME_RE = /^[a-z0-9]+[a-z0-9-]*$/;
const APP_NAME_RE = /^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$/;
const USER_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9.+-]*[a-zA-Z0-9](?:@[a-zA-Z0-9][a-zA-Z0-9.-]*)?$/;
const URL_RE = /^(?:\/?(?:([^/]+)\/)?([^.]*)(?:\.([^:]*(?::.*)?))?)?$/;

/** `names.IsValidModelName`. */
export const isValidModelName = (s: string): boolean => MODEL_NAME_RE.test(s);
/** `names.IsValidApplication` (offer names follow the same rule). */
export const isValidApplicationName = (s: string): boolean => APP_NAME_RE.test(s);

/** `crossmodel.ParseOfferURL` of Juju 3.6, with its error texts. */
export function parseOfferUrl(url: string): OfferUrl {
  let source = "";
  let rest = url;
  const parts = url.split(":");
  if (parts.length === 3) {
    source = parts[0] ?? "";
    rest = `${parts[1]}:${parts[2]}`;
  } else if (parts.length === 2 && !/^[a-zA-Z0-9]+$/.test(parts[1] ?? "")) {
    source = parts[0] ?? "";
    rest = parts[1] ?? "";
  }
  const m = url.startsWith(":") ? null : URL_RE.exec(rest);
  const out: OfferUrl = {
    source,
    user: m?.[1] ?? "",
    model: m?.[2] ?? "",
    name: m?.[3] ?? "",
  };
  if (m === null || out.model.includes("/") || out.name.includes("/")) {
    throw new ServerError(
      `application offer URL has invalid form, must be [<user/]<model>.<appname>: ${JSON.stringify(url)}`,
    );
  }
  if (out.model === "") throw new ServerError("application offer URL is missing model");
  if (out.name === "") throw new ServerError("application offer URL is missing application");
  if (out.user !== "" && !USER_NAME_RE.test(out.user))
    throw Errors.notValid(`user name ${JSON.stringify(out.user)}`);
  if (!isValidModelName(out.model))
    throw Errors.notValid(`model name ${JSON.stringify(out.model)}`);
  const app = out.name.split(":")[0] ?? "";
  if (!isValidApplicationName(app))
    throw Errors.notValid(`application name ${JSON.stringify(app)}`);
  return out;
}

/** `OfferURL.String()`. */
export function offerUrlString(u: OfferUrl): string {
  const path = `${[u.user, u.model].filter((p) => p !== "").join("/")}.${u.name}`;
  return u.source === "" ? path : `${u.source}:${path}`;
}

/**
 * `crossmodel.MakeURL`: the URL an offer lists under. `namespace` is the
 * model's owner (3.x) or qualifier (4.x, `bob-external` for `bob@external`).
 */
export function offerUrlOf(
  model: ModelRecord,
  offer: OfferRecord,
  namespace: string = model.owner,
): string {
  return `${namespace}/${model.name}.${offer.name}`;
}

const RANK: Record<OfferAccess, number> = { read: 1, consume: 2, admin: 3 };

/** Whether `have` is at least `need`. */
export function offerAccessAtLeast(have: OfferAccess | undefined, need: OfferAccess): boolean {
  return have !== undefined && RANK[have] >= RANK[need];
}

/** Whether the user is a controller superuser or an admin of the offer's model (`checkAdmin`). */
export function isOfferModelAdmin(
  store: ControllerStore,
  model: ModelRecord,
  user: string,
): boolean {
  return effectiveModelAccess(store, model, user) === "admin";
}

/**
 * `checkOfferAccess`: admin for superusers and model admins, else the
 * user's own grant (`everyone@external` counts for external users only).
 */
export function offerAccessOf(
  store: ControllerStore,
  model: ModelRecord,
  offer: OfferRecord,
  user: string,
): OfferAccess | undefined {
  if (isOfferModelAdmin(store, model, user)) return "admin";
  const own = offer.users.get(user);
  const everyone = user.includes("@") ? offer.users.get(EVERYONE) : undefined;
  if (own === undefined) return everyone;
  if (everyone === undefined) return own;
  return RANK[own] >= RANK[everyone] ? own : everyone;
}

/** `grantOfferAccess`: only a higher level replaces an existing grant. */
export function grantOfferAccess(offer: OfferRecord, user: string, access: OfferAccess): void {
  const have = offer.users.get(user);
  if (have !== undefined && RANK[have] >= RANK[access]) {
    throw new ServerError(`user already has ${JSON.stringify(access)} access or greater`);
  }
  offer.users.set(user, access);
}

/**
 * `revokeOfferAccess`: revoking `read` removes the user; revoking a higher
 * level leaves the one below it (as `state.RemoveOfferAccess` /
 * `UpdateOfferAccess` are driven by 3.6's facade).
 */
export function revokeOfferAccess(offer: OfferRecord, user: string, access: OfferAccess): void {
  const have = offer.users.get(user);
  if (have === undefined) {
    throw Errors.notFound(`offer user ${JSON.stringify(user)}`).annotate(
      "could not revoke offer access",
    );
  }
  if (access === "read") offer.users.delete(user);
  else if (access === "consume") offer.users.set(user, "read");
  else offer.users.set(user, "consume");
}

/** The root key macaroons of a controller are signed with (never leaves the simulator). */
const ROOT_KEYS = new WeakMap<ControllerStore, Buffer>();

/** @internal Saved and restored by `snapshot.ts`, so consume macaroons stay valid. */
export { ROOT_KEYS as offerRootKeys };

function rootKey(store: ControllerStore): Buffer {
  let k = ROOT_KEYS.get(store);
  if (k === undefined) {
    k = randomBytes(24);
    ROOT_KEYS.set(store, k);
  }
  return k;
}

/**
 * `CreateConsumeOfferMacaroon`: a macaroon with the first-party caveats
 * 3.6 declares (source model, user, offer uuid, expiry), signed as
 * macaroons are (HMAC-SHA256 chain). Bakery versions below 3 get the v1
 * JSON form (`caveats`/`location`/`identifier`/`signature`, as python-libjuju
 * reads it), version 3 the v2 form (`c`/`l`/`i`/`s64`).
 */
export function consumeMacaroon(
  store: ControllerStore,
  offerModel: ModelRecord,
  offer: OfferRecord,
  user: string,
  bakeryVersion: number,
  relationKey?: string,
): Record<string, unknown> {
  const id = randomBytes(16).toString("hex");
  const location = `juju model ${offerModel.uuid}`;
  const expiry = new Date(store.clock.now().getTime() + 2 * 60 * 1000).toISOString();
  const caveats = [
    `declared source-model-uuid ${offerModel.uuid}`,
    `declared username ${user}`,
    `declared offer-uuid ${offer.uuid}`,
    // `CreateRemoteRelationMacaroon`: the same, attenuated to one relation.
    ...(relationKey === undefined ? [] : [`declared relation-key ${relationKey}`]),
    `time-before ${expiry}`,
  ];
  const derived = createHmac("sha256", "macaroons-key-generator").update(rootKey(store)).digest();
  let sig = createHmac("sha256", derived).update(id).digest();
  for (const c of caveats) sig = createHmac("sha256", sig).update(c).digest();
  if (bakeryVersion >= 3) {
    return {
      c: caveats.map((i) => ({ i })),
      l: location,
      i: id,
      s64: sig.toString("base64url"),
    };
  }
  return {
    caveats: caveats.map((cid) => ({ cid })),
    location,
    identifier: id,
    signature: sig.toString("hex"),
  };
}

/** `params.CodeDischargeRequired`: the macaroon needs a (new) discharge before the call can proceed. */
export const DISCHARGE_REQUIRED = "macaroon discharge required";

/** The declared attributes of a consume or relation macaroon, once verified. */
export interface MacaroonAttrs {
  username: string;
  sourceModelUuid: string;
  offerUuid: string;
  /** The relation key a relation macaroon is attenuated to, `""` for a consume macaroon. */
  relationKey: string;
}

/** The caveats, identifier and signature of a macaroon in either JSON form (v1 or v2). */
function macaroonParts(
  mac: unknown,
): { id: string; caveats: string[]; sig: Buffer | undefined } | undefined {
  if (mac === null || typeof mac !== "object" || Array.isArray(mac)) return undefined;
  const m = mac as Record<string, unknown>;
  const list = (m.caveats ?? m.c) as unknown;
  const caveats: string[] = [];
  if (Array.isArray(list)) {
    for (const c of list) {
      const text =
        (c as Record<string, unknown> | null)?.cid ?? (c as Record<string, unknown> | null)?.i;
      if (typeof text === "string") caveats.push(text);
    }
  }
  const id = typeof m.identifier === "string" ? m.identifier : typeof m.i === "string" ? m.i : "";
  let sig: Buffer | undefined;
  if (typeof m.signature === "string" && /^[0-9a-f]{64}$/.test(m.signature)) {
    sig = Buffer.from(m.signature, "hex");
  } else if (typeof m.s64 === "string") {
    sig = Buffer.from(m.s64, "base64url");
  }
  return { id, caveats, sig };
}

function declared(caveats: string[], key: string): string | undefined {
  const prefix = `declared ${key} `;
  const c = caveats.find((x) => x.startsWith(prefix));
  return c === undefined ? undefined : c.slice(prefix.length);
}

/**
 * `authenticator.CheckOfferMacaroons` (and `CheckRelationMacaroons` with a
 * relation key) of 3.6's `apiserver/common/crossmodel/auth.go`: the
 * macaroons must declare a user (else `permission denied`), verify against
 * this controller's root key, carry the offering model and offer UUID
 * asked for (and the relation for a relation macaroon) and not have
 * expired; otherwise a discharge is required (`macaroon discharge
 * required`, its message the reason), which the consuming side's remote
 * relations worker answers by asking the offer access discharger again.
 */
export function checkOfferMacaroons(
  store: ControllerStore,
  macaroons: readonly unknown[],
  required: { sourceModelUuid: string; offerUuid: string; relationKey?: string },
): MacaroonAttrs {
  const parsed = macaroons.map(macaroonParts).filter((p) => p !== undefined);
  const username = parsed.map((p) => declared(p.caveats, "username")).find((u) => u !== undefined);
  if (username === undefined || username === "") throw Errors.permissionDenied();
  let reason = "verification failed: no macaroon for this offer";
  const derived = createHmac("sha256", "macaroons-key-generator").update(rootKey(store)).digest();
  for (const p of parsed) {
    let sig = createHmac("sha256", derived).update(p.id).digest();
    for (const c of p.caveats) sig = createHmac("sha256", sig).update(c).digest();
    if (p.sig === undefined || !sig.equals(p.sig)) {
      reason = "verification failed: signature mismatch after caveat verification";
      continue;
    }
    const attrs: MacaroonAttrs = {
      username: declared(p.caveats, "username") ?? "",
      sourceModelUuid: declared(p.caveats, "source-model-uuid") ?? "",
      offerUuid: declared(p.caveats, "offer-uuid") ?? "",
      relationKey: declared(p.caveats, "relation-key") ?? "",
    };
    const expiry = p.caveats.find((c) => c.startsWith("time-before "))?.slice(12);
    if (expiry !== undefined && !(Date.parse(expiry) > store.clock.now().getTime())) {
      reason = `caveat ${JSON.stringify(`time-before ${expiry}`)} not satisfied: macaroon has expired`;
      continue;
    }
    if (attrs.sourceModelUuid !== required.sourceModelUuid) {
      reason = `caveat "declared source-model-uuid ${attrs.sourceModelUuid}" not satisfied: got source-model-uuid=${JSON.stringify(attrs.sourceModelUuid)}, expected ${JSON.stringify(required.sourceModelUuid)}`;
      continue;
    }
    if (attrs.offerUuid !== required.offerUuid) {
      reason = `caveat "declared offer-uuid ${attrs.offerUuid}" not satisfied: got offer-uuid=${JSON.stringify(attrs.offerUuid)}, expected ${JSON.stringify(required.offerUuid)}`;
      continue;
    }
    if (required.relationKey !== undefined && attrs.relationKey !== required.relationKey) {
      reason = `cmr operation relate not allowed for ${required.relationKey}`;
      continue;
    }
    return attrs;
  }
  throw new ServerError(reason, DISCHARGE_REQUIRED);
}

/**
 * The offer access discharger's answer (`has-offer-permission`): a fresh
 * consume macaroon for `user` when they still have `consume` access to the
 * offer, else the refusal the consuming side reports.
 */
export function dischargeOfferAccess(
  store: ControllerStore,
  offerModel: ModelRecord,
  offer: OfferRecord,
  user: string,
  bakeryVersion: number,
): Record<string, unknown> {
  if (!offerAccessAtLeast(offerAccessOf(store, offerModel, offer, user), "consume")) {
    throw new ServerError(
      "third party refused discharge: cannot discharge: permission denied",
      DISCHARGE_REQUIRED,
    );
  }
  return consumeMacaroon(store, offerModel, offer, user, bakeryVersion);
}
