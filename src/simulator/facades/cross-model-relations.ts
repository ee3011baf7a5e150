/**
 * `CrossModelRelations(2)` of Juju 3.6 (`apiserver/facades/controller/
 * crossmodelrelations`): what a consuming controller's remote relations
 * worker calls on the offering model's API, logged in anonymously, every
 * call gated by macaroons rather than by the caller's identity.
 *
 * Served: `RegisterRemoteRelations` (the consume macaroon checked as
 * `CheckOfferMacaroons` does; a consumer proxy, the relation and the offer
 * connection made; a relation macaroon minted) and `PublishRelationChanges`
 * (the consuming units joining and departing, the relation's life, its
 * suspension with the reason; each change checked against its relation macaroon), `WatchRelationChanges`
 * with `RemoteRelationWatcher` (the offered units in the relation, as the
 * consuming side's uniters need them) and `WatchOfferStatus` with
 * `OfferStatusWatcher` (the offered application's status for the SAAS).
 * Not served: `WatchRelationsSuspendedStatus`, `WatchEgressAddressesForRelations`,
 * `PublishIngressNetworkChanges`, `WatchConsumedSecretsChanges` (a
 * suspension made on the offering side does not reach a consuming
 * controller; no networks or secrets across controllers in the simulator).
 * @module
 */
import type { Fields } from "../decode.js";
import { Errors, ServerError } from "../errors.js";
import { checkOfferMacaroons, consumeMacaroon, offersOf } from "../offers.js";
import {
  externalRelation,
  publishExternalChange,
  publishExternalSuspended,
  type RemoteEndpointValue,
  reconcile,
  registerExternalRelation,
} from "../remote-applications.js";
import { derivedApplicationStatus } from "../status.js";
import type { ModelRecord } from "../store.js";
import { goTime } from "../store.js";
import { parseTagOfKind } from "../tags.js";
import type { AllWatcherCursor } from "../watcher-hub.js";
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
  const reason = change.string("suspended-reason");
  const found = externalRelation(model, token);
  // An unknown relation token: the relation has gone already (Juju exits early).
  if (found === undefined) return;
  checkOfferMacaroons(ctx.store, macaroonsOf(change), {
    sourceModelUuid: model.uuid,
    offerUuid: found.offerUuid,
    relationKey: found.mirror.key,
  });
  const suspended = change.optBool("suspended");
  if (suspended !== undefined) publishExternalSuspended(model, found, suspended, reason);
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

/** What a CMR watcher (on the model's entity log cursor) follows, and what it last sent. */
interface CmrWatch {
  kind: "relation" | "offer";
  model: ModelRecord;
  token: string;
  last: string;
  sentUnits: Set<number>;
}

const WATCHES = new WeakMap<AllWatcherCursor, CmrWatch>();

/** The relation's current change event as the consuming side sees it, or undefined once it is gone. */
function relationEvent(w: CmrWatch): Record<string, unknown> {
  const found = externalRelation(w.model, w.token);
  const offer = found && [...offersOf(w.model).values()].find((o) => o.uuid === found.offerUuid);
  const units =
    found === undefined || offer === undefined
      ? []
      : w.model.state
          .unitsOf(offer.application)
          .filter((u) => u.life === "alive")
          .map((u) => Number(u.name.split("/")[1]));
  const departed = [...w.sentUnits].filter((id) => !units.includes(id));
  return {
    "relation-token": w.token,
    "application-token": offer?.uuid ?? "",
    life: found === undefined ? "dead" : found.mirror.life,
    "changed-units": units
      .filter((id) => !w.sentUnits.has(id))
      .map((id) => ({ "unit-id": id, settings: {} })),
    "departed-units": departed,
    "unit-count": units.length,
  };
}

function offerStatusChanges(w: CmrWatch): Array<Record<string, unknown>> {
  const offer = [...offersOf(w.model).values()].find((o) => o.uuid === w.token);
  const app = offer === undefined ? undefined : w.model.state.applications.get(offer.application);
  if (offer === undefined || app === undefined) {
    return [
      {
        "offer-name": "",
        status: {
          status: "terminated",
          info: "offer has been removed",
          data: {},
          since: goTime(w.model.state.now()),
        },
      },
    ];
  }
  const st = derivedApplicationStatus(w.model.state, app);
  return [
    {
      "offer-name": offer.name,
      status: { status: st.current, info: st.message, data: {}, since: goTime(st.since) },
    },
  ];
}

/** The next value of a watcher: waits on the entity log until what it follows changed. */
async function nextOf(ctx: CallContext): Promise<Record<string, unknown>> {
  const cursor = ctx.watcher(ctx.id);
  const w = WATCHES.get(cursor);
  if (w === undefined) throw Errors.unknownWatcher();
  for (;;) {
    await cursor.next();
    if (w.kind === "relation") {
      const ev = relationEvent(w);
      const changed = (ev["changed-units"] as unknown[]).length > 0;
      const departed = (ev["departed-units"] as unknown[]).length > 0;
      if (changed || departed || ev.life !== w.last) {
        w.last = String(ev.life);
        for (const u of ev["changed-units"] as Array<{ "unit-id": number }>)
          w.sentUnits.add(u["unit-id"]);
        for (const id of ev["departed-units"] as number[]) w.sentUnits.delete(id);
        return { "watcher-id": ctx.id, changes: ev };
      }
    } else {
      const changes = offerStatusChanges(w);
      const text = JSON.stringify(
        (changes[0] as { status: { status: string; info: string } }).status,
        ["status", "info"],
      );
      if (text !== w.last) {
        w.last = text;
        return { "watcher-id": ctx.id, changes };
      }
    }
  }
}

function watchRelation(ctx: CallContext, arg: Fields): Record<string, unknown> {
  const model = ctx.model();
  const token = arg.string("relation-token");
  arg.optInt("bakery-version");
  const found = externalRelation(model, token);
  if (found === undefined) throw Errors.notFound(`relation for token ${JSON.stringify(token)}`);
  checkOfferMacaroons(ctx.store, macaroonsOf(arg), {
    sourceModelUuid: model.uuid,
    offerUuid: found.offerUuid,
    relationKey: found.mirror.key,
  });
  const cursor = model.entities.watch();
  const w: CmrWatch = { kind: "relation", model, token, last: "", sentUnits: new Set() };
  const ev = relationEvent(w);
  w.last = String(ev.life);
  for (const u of ev["changed-units"] as Array<{ "unit-id": number }>)
    w.sentUnits.add(u["unit-id"]);
  WATCHES.set(cursor, w);
  // The first `next()` of a cursor returns at once (the whole log): consume it now.
  void cursor.next();
  return { "watcher-id": ctx.addWatcher(cursor), changes: ev };
}

function watchOffer(ctx: CallContext, arg: Fields): Record<string, unknown> {
  const model = ctx.model();
  const offerUuid = arg.string("offer-uuid");
  arg.optInt("bakery-version");
  const offer = [...offersOf(model).values()].find((o) => o.uuid === offerUuid);
  if (offer === undefined) throw Errors.notFound(`offer ${JSON.stringify(offerUuid)}`);
  checkOfferMacaroons(ctx.store, macaroonsOf(arg), { sourceModelUuid: model.uuid, offerUuid });
  const cursor = model.entities.watch();
  const w: CmrWatch = { kind: "offer", model, token: offerUuid, last: "", sentUnits: new Set() };
  const changes = offerStatusChanges(w);
  w.last = JSON.stringify((changes[0] as { status: unknown }).status, ["status", "info"]);
  WATCHES.set(cursor, w);
  void cursor.next();
  return { "watcher-id": ctx.addWatcher(cursor), changes };
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
  {
    facade: "CrossModelRelations",
    versions: [2],
    method: "WatchRelationChanges",
    params: "params.RemoteEntityArgs",
    call: (ctx, p) => ({
      results: p.objects("args", "params.RemoteEntityArg").map((arg) => {
        try {
          return watchRelation(ctx, arg);
        } catch (e) {
          return {
            "watcher-id": "",
            changes: { "relation-token": "", "application-token": "", life: "", "unit-count": 0 },
            error: wireErr(e),
          };
        }
      }),
    }),
  },
  {
    facade: "CrossModelRelations",
    versions: [2],
    method: "WatchOfferStatus",
    params: "params.OfferArgs",
    call: (ctx, p) => ({
      results: p.objects("args", "params.OfferArg").map((arg) => {
        try {
          return watchOffer(ctx, arg);
        } catch (e) {
          return { "watcher-id": "", changes: [], error: wireErr(e) };
        }
      }),
    }),
  },
  { facade: "RemoteRelationWatcher", versions: [1], method: "Next", call: nextOf },
  {
    facade: "RemoteRelationWatcher",
    versions: [1],
    method: "Stop",
    call: (ctx) => {
      ctx.stopWatcher(ctx.id);
      return {};
    },
  },
  { facade: "OfferStatusWatcher", versions: [1], method: "Next", call: nextOf },
  {
    facade: "OfferStatusWatcher",
    versions: [1],
    method: "Stop",
    call: (ctx) => {
      ctx.stopWatcher(ctx.id);
      return {};
    },
  },
];
