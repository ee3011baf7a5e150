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
): Record<string, unknown> {
  const id = randomBytes(16).toString("hex");
  const location = `juju model ${offerModel.uuid}`;
  const expiry = new Date(store.clock.now().getTime() + 2 * 60 * 1000).toISOString();
  const caveats = [
    `declared source-model-uuid ${offerModel.uuid}`,
    `declared username ${user}`,
    `declared offer-uuid ${offer.uuid}`,
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
