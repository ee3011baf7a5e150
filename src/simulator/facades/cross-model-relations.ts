/**
 * `CrossModelRelations(2)` of Juju 3.6 (`apiserver/facades/controller/
 * crossmodelrelations`): what a consuming controller's remote relations
 * worker calls on the offering model's API, logged in anonymously, every
 * call gated by macaroons rather than by the caller's identity.
 *
 * Served: `RegisterRemoteRelations` (the consume macaroon checked as
 * `CheckOfferMacaroons` does; a consumer proxy, the relation and the offer
 * connection made; a relation macaroon minted) and `PublishRelationChanges`
 * (the consuming units joining and departing, the relation's life; each
 * change checked against its relation macaroon). The watchers the worker
 * also uses (`WatchRelationChanges`, `WatchOfferStatus`, …) are not served
 * yet: they answer `not implemented` as an unregistered method does.
 * @module
 */
import type { Fields } from "../decode.js";
import { Errors, ServerError } from "../errors.js";
import { checkOfferMacaroons, consumeMacaroon, offersOf } from "../offers.js";
import {
  externalRelation,
  publishExternalChange,
  type RemoteEndpointValue,
  reconcile,
  registerExternalRelation,
} from "../remote-applications.js";
import { parseTagOfKind } from "../tags.js";
import type { CallContext, MethodSpec } from "./registry.js";

const ROLES = ["provider", "requirer", "peer"] as const;

const wireErr = (e: unknown) =>
  (e instanceof ServerError ? e : new ServerError(String(e))).toWire();

/** The macaroons of an argument (`[]` when absent). */
function macaroonsOf(arg: Fields): unknown[] {
  const v = arg.raw("macaroons");
  return Array.isArray(v) ? v : [];
}

function remoteEndpoint(arg: Fields): RemoteEndpointValue {
  const e = arg.struct("remote-endpoint", {
    name: "params.RemoteEndpoint",
    fields: { name: "string", role: "string", interface: "string", limit: "int" },
  });
  const role = String(e.role ?? "");
  return {
    name: String(e.name ?? ""),
    role: (ROLES as readonly string[]).includes(role)
      ? (role as RemoteEndpointValue["role"])
      : "requirer",
    interface: String(e.interface ?? ""),
    limit: Number(e.limit ?? 0),
  };
}

function register(ctx: CallContext, arg: Fields): Record<string, unknown> {
  const model = ctx.model();
  const offerUuid = arg.string("offer-uuid");
  const bakery = arg.optInt("bakery-version") ?? 0;
  arg.optInt("consume-version");
  arg.raw("remote-space");
  const offer = [...offersOf(model).values()].find((o) => o.uuid === offerUuid);
  if (offer === undefined) throw Errors.notFound(`offer ${JSON.stringify(offerUuid)}`);
  const attrs = checkOfferMacaroons(ctx.store, macaroonsOf(arg), {
    sourceModelUuid: model.uuid,
    offerUuid: offer.uuid,
  });
  const sourceModelUuid = parseTagOfKind(arg.string("source-model-tag"), "model");
  const mirror = registerExternalRelation(model, offer, {
    applicationToken: arg.string("application-token"),
    relationToken: arg.string("relation-token"),
    sourceModelUuid,
    remoteEndpoint: remoteEndpoint(arg),
    localEndpointName: arg.string("local-endpoint-name"),
    user: attrs.username,
  });
  return {
    // The token the offered application is exported with: its offer's UUID stands in.
    "relation-token": offer.uuid,
    macaroon: consumeMacaroon(ctx.store, model, offer, attrs.username, bakery, mirror.key),
    "bakery-version": bakery,
  };
}

function publish(ctx: CallContext, change: Fields): void {
  const model = ctx.model();
  const token = change.string("relation-token");
  change.string("application-token");
  change.optInt("unit-count");
  change.optBool("force-cleanup");
  change.optInt("bakery-version");
  change.map("application-settings");
  change.string("suspended-reason");
  const found = externalRelation(model, token);
  // An unknown relation token: the relation has gone already (Juju exits early).
  if (found === undefined) return;
  checkOfferMacaroons(ctx.store, macaroonsOf(change), {
    sourceModelUuid: model.uuid,
    offerUuid: found.offerUuid,
    relationKey: found.mirror.key,
  });
  if (change.optBool("suspended") === true) {
    throw new ServerError(
      "suspending a cross-model relation is not supported by the simulator",
      "not supported",
    );
  }
  const changed = change.objects("changed-units", "params.RemoteRelationUnitChange").map((u) => {
    u.map("settings");
    return u.optInt("unit-id") ?? 0;
  });
  const departed = change.raw("departed-units");
  publishExternalChange(model, found, {
    life: change.string("life"),
    changed,
    departed: Array.isArray(departed)
      ? departed.filter((d): d is number => typeof d === "number")
      : [],
  });
}

/** The CrossModelRelations methods served. */
export const crossModelRelationsMethods: readonly MethodSpec[] = [
  {
    facade: "CrossModelRelations",
    versions: [2],
    method: "RegisterRemoteRelations",
    params: "params.RegisterRemoteRelationArgs",
    call: (ctx, p) => {
      const results = p.objects("relations", "params.RegisterRemoteRelationArg").map((arg) => {
        try {
          return { result: register(ctx, arg) };
        } catch (e) {
          return { error: wireErr(e) };
        }
      });
      reconcile(ctx.store);
      return { results };
    },
  },
  {
    facade: "CrossModelRelations",
    versions: [2],
    method: "PublishRelationChanges",
    params: "params.RemoteRelationsChanges",
    call: (ctx, p) => {
      const results = p.objects("changes", "params.RemoteRelationChangeEvent").map((change) => {
        try {
          publish(ctx, change);
          return {};
        } catch (e) {
          return { error: wireErr(e) };
        }
      });
      reconcile(ctx.store);
      return { results };
    },
  },
];
