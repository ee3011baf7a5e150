/**
 * Cross-model relations on one simulated controller, as Juju 3.6 plays them.
 *
 * - The consuming model holds SAAS applications (`state.RemoteApplication`
 *   made by `Application.Consume`): offer URL and UUID, the offer's
 *   endpoints, the consume macaroon; AllWatchers see `remoteApplication`
 *   deltas, FullStatus lists them under `remote-applications`.
 * - A relation to a SAAS application is mirrored in the offering model, as
 *   Juju's remote relations worker registers it there
 *   (`CrossModelRelations.RegisterRemoteRelations`): a consumer proxy
 *   application `remote-<token>` (never in deltas or status applications,
 *   only in relation keys) related to the offered application, and an offer
 *   connection that the `applicationOffer` delta and FullStatus `offers`
 *   count (total, and active for live relations).
 * - Units on each side run relation hooks for the units on the other side
 *   (`remote-units.ts`).
 * - Teardown in any order keeps both models consistent: a consuming
 *   relation that goes takes its mirror with it; a mirror that goes
 *   (offer removed with force, offered application removed) takes the
 *   consuming relation; a removed offer leaves its SAAS applications
 *   `terminated` ("offer has been removed") until `remove-saas`.
 *
 * Juju does this asynchronously in its remote relations workers; here a
 * reconcile pass runs right after each facade call that changes CMR state
 * and whenever a model involved changes (a watcher on its entity log), so
 * changes made through ordinary calls (DestroyRelation, DestroyApplication)
 * reach the other model too.
 * @module
 */
import type { ApplicationOffers, Client } from "../facades/generated/index.js";
import type { RemoteApplicationData } from "../protocol/entity-data.js";
import {
  type ExternalOffer,
  externalStatus,
  externalUnitsKnown,
  stopAllExternal,
  stopExternal,
  syncExternal,
} from "./cross-model-worker.js";
import {
  charmEndpoints,
  type RelationEndpoint,
  type RelationRecord,
  relationStatus,
  wireStatus,
} from "./entities.js";
import { Errors, ServerError } from "./errors.js";
import { agentLog } from "./logs.js";
import {
  checkOfferMacaroons,
  DISCHARGE_REQUIRED,
  dischargeOfferAccess,
  isOfferModelAdmin,
  type OfferRecord,
  offerByUuid,
  offersOf,
} from "./offers.js";
import {
  clearRemoteUnits,
  type RemoteUnit,
  remoteUnitsOf,
  setRemoteUnits,
} from "./remote-units.js";
import { derivedApplicationStatus } from "./status.js";
import { type ControllerStore, goTime, type ModelRecord, type StatusValue } from "./store.js";

/** An endpoint of an offer as consumers see it (`params.RemoteEndpoint`). */
export interface RemoteEndpointValue {
  name: string;
  role: "provider" | "requirer" | "peer";
  interface: string;
  limit: number;
}

/** A SAAS application in a consuming model. */
export interface SaasRecord {
  name: string;
  offerUuid: string;
  offerName: string;
  offerUrl: string;
  sourceModelUuid: string;
  description: string;
  endpoints: RemoteEndpointValue[];
  life: "alive" | "dying";
  /** The controller hosting the offer when it is another one (`external-controller`). */
  externalControllerUuid: string;
  /** That controller's addresses and CA, and the offer (set with `externalControllerUuid`). */
  external?: ExternalOffer;
  macaroon: Record<string, unknown> | undefined;
  /** When it was consumed (the `since` of its status until the offered application has one). */
  since: Date;
  /** Set once the offer is gone. */
  terminated?: StatusValue;
  /**
   * Set when registering a relation with the offering side needed a new
   * discharge and the offer access discharger refused it
   * (`checkOfferPermissionDenied`); cleared by a later registration.
   */
  error?: StatusValue;
  /** The relation ids whose registration failed without a status (logged once each). */
  failedRegistrations?: number[];
}

/** A consumer proxy (`remote-<token>`) in an offering model. */
interface ProxyRecord {
  name: string;
  sourceModelUuid: string;
  /** The consuming application. */
  consumerApp: string;
  offerUuid: string;
  /** The consuming user (offer connection `username`). */
  user: string;
  /** Consuming relation id → mirror relation id in the offering model. */
  links: Map<number, number>;
  /**
   * Set when the consumer is on another controller and registered through
   * `CrossModelRelations`: its relation tokens (the keys of `links` are
   * then registration numbers), the consuming units it published, and the
   * offered application's token it was given.
   */
  external?: {
    relationTokens: Map<string, number>;
    units: RemoteUnit[];
  };
}

/** A model's cross-model relation state: its SAAS applications and consumer proxies. */
export interface CmrState {
  saas: Map<string, SaasRecord>;
  proxies: Map<string, ProxyRecord>;
}

const STATES = new WeakMap<ModelRecord, CmrState>();

function cmrOf(model: ModelRecord): CmrState {
  let s = STATES.get(model);
  if (s === undefined) {
    s = { saas: new Map(), proxies: new Map() };
    STATES.set(model, s);
  }
  return s;
}

/** @internal For `snapshot.ts`: the model's CMR state, undefined when it never had any. */
export function cmrStateOf(model: ModelRecord): CmrState | undefined {
  return STATES.get(model);
}

/**
 * @internal For `snapshot.ts`: installs a restored model's CMR state and
 * starts its remote relations worker again. Remote units are looked up by
 * model UUID, since a restore replaces every model record.
 */
export function restoreCmrState(model: ModelRecord, state: CmrState): void {
  STATES.set(model, state);
  const store = model.controller;
  for (const s of state.saas.values()) {
    // Another controller's offer: the worker sets its remote units once it runs again.
    if (s.external !== undefined) continue;
    setRemoteUnits(model.state, s.name, () => {
      const found = offerByUuid(store, s.offerUuid);
      return found === undefined ? [] : found.model.state.unitsOf(found.offer.application);
    });
  }
  for (const p of state.proxies.values()) {
    const ext = p.external;
    setRemoteUnits(model.state, p.name, () =>
      ext !== undefined
        ? ext.units
        : (store.models.get(p.sourceModelUuid)?.state.unitsOf(p.consumerApp) ?? []),
    );
  }
  if (state.saas.size > 0 || state.proxies.size > 0) watch(model);
}

/** A SAAS application's endpoints as relation endpoints, or undefined when `name` is no SAAS. */
export function saasEndpoints(model: ModelRecord, name: string): RelationEndpoint[] | undefined {
  const s = cmrOf(model).saas.get(name);
  if (s === undefined) return undefined;
  if (s.life !== "alive" || s.terminated !== undefined) {
    throw new ServerError(`application ${JSON.stringify(name)} is not alive`);
  }
  return s.endpoints.map((e) => ({
    application: name,
    name: e.name,
    role: e.role,
    interface: e.interface,
    optional: false,
    limit: e.limit,
    scope: "global" as const,
  }));
}

/** Arguments of {@link consume} (`params.ConsumeApplicationArgV5`). */
export interface ConsumeArgs {
  name: string;
  offerUuid: string;
  offerName: string;
  offerUrl: string;
  sourceModelUuid: string;
  description: string;
  endpoints: RemoteEndpointValue[];
  externalControllerUuid: string;
  external?: ExternalOffer;
  macaroon: Record<string, unknown> | undefined;
}

/** `saveRemoteApplication`: adds (or reuses) a SAAS application, with 3.6's refusals. */
export function consume(model: ModelRecord, args: ConsumeArgs): void {
  const prefix = `cannot add saas application ${JSON.stringify(args.name)}`;
  const st = cmrOf(model);
  const existing = st.saas.get(args.name);
  if (existing !== undefined) {
    if (existing.sourceModelUuid !== args.sourceModelUuid) {
      throw Errors.alreadyExists(
        `saas application called ${JSON.stringify(args.name)} from a different model`,
      );
    }
    if (existing.life !== "alive") {
      throw new ServerError(
        `saas application called ${JSON.stringify(args.name)} exists but is terminating`,
        "already exists",
      );
    }
    if (existing.terminated === undefined) return;
    removeSaas(model, existing);
  }
  if (model.state.applications.has(args.name)) {
    throw Errors.alreadyExists("local application with same name").annotate(prefix);
  }
  const rec: SaasRecord = {
    name: args.name,
    offerUuid: args.offerUuid,
    offerName: args.offerName,
    offerUrl: args.offerUrl,
    sourceModelUuid: args.sourceModelUuid,
    description: args.description,
    endpoints: args.endpoints,
    life: "alive",
    externalControllerUuid: args.externalControllerUuid,
    ...(args.external === undefined ? {} : { external: args.external }),
    macaroon: args.macaroon,
    since: model.state.now(),
  };
  st.saas.set(rec.name, rec);
  const ents = model.state;
  // Another controller's offer: its worker (cross-model-worker.ts) knows the remote units.
  if (rec.external === undefined) {
    setRemoteUnits(ents, rec.name, () => {
      const found = offerByUuid(model.controller, rec.offerUuid);
      return found === undefined ? [] : found.model.state.unitsOf(found.offer.application);
    });
  }
  publishSaas(model, rec);
  watch(model);
}

/** `DestroyConsumedApplications`: dying, its relations go; removed once they have. */
export function destroySaas(model: ModelRecord, name: string): void {
  const s = cmrOf(model).saas.get(name);
  if (s === undefined) throw Errors.notFound(`saas application ${JSON.stringify(name)}`);
  if (s.life === "alive") {
    s.life = "dying";
    publishSaas(model, s);
    for (const r of model.state.relationsOf(name)) model.agents.destroyRelation(r);
  }
  reconcile(model.controller);
}

function removeSaas(model: ModelRecord, s: SaasRecord): void {
  cmrOf(model).saas.delete(s.name);
  stopExternal(model, s.name);
  clearRemoteUnits(model.state, s.name);
  model.entities.remove("remoteApplication", s.name);
}

/** The status a SAAS application shows: the offered application's, or `terminated`. */
function saasStatus(model: ModelRecord, s: SaasRecord): StatusValue {
  if (s.terminated !== undefined) return s.terminated;
  if (s.error !== undefined) return s.error;
  if (s.external !== undefined) {
    return externalStatus(model, s.name) ?? { current: "unknown", message: "", since: s.since };
  }
  const found = offerByUuid(model.controller, s.offerUuid);
  const app = found?.model.state.applications.get(found.offer.application);
  if (found === undefined || app === undefined) {
    return { current: "unknown", message: "", since: s.since };
  }
  return derivedApplicationStatus(found.model.state, app);
}

function publishSaas(model: ModelRecord, s: SaasRecord): void {
  model.entities.set("remoteApplication", s.name, {
    "model-uuid": model.uuid,
    name: s.name,
    "offer-uuid": "",
    "offer-url": s.offerUrl,
    life: s.life,
    status: wireStatus(saasStatus(model, s)),
  } satisfies RemoteApplicationData);
}

/** The offer connections of an offer: proxies' links whose mirror relation still exists. */
function connectionsOf(
  offerModel: ModelRecord,
  offer: OfferRecord,
): Array<{ proxy: ProxyRecord; sourceRelation: number; mirror: RelationRecord }> {
  const out: Array<{ proxy: ProxyRecord; sourceRelation: number; mirror: RelationRecord }> = [];
  for (const p of cmrOf(offerModel).proxies.values()) {
    if (p.offerUuid !== offer.uuid) continue;
    for (const [src, id] of p.links) {
      const mirror = offerModel.state.relations.get(id);
      if (mirror !== undefined) out.push({ proxy: p, sourceRelation: src, mirror });
    }
  }
  return out.sort((a, b) => a.mirror.id - b.mirror.id);
}

/** Offer connection counts: every connection, and those whose relation is alive. */
export function connectionCounts(
  offerModel: ModelRecord,
  offer: OfferRecord,
): { total: number; active: number } {
  const conns = connectionsOf(offerModel, offer);
  const active = conns.filter(
    (c) => c.mirror.life === "alive" && !isSuspended(offerModel, c.mirror),
  );
  return { total: conns.length, active: active.length };
}

/** How many consumers are related to the offers of an application (`applicationHasConnectedOffers`). */
export function consumersOf(offerModel: ModelRecord, application: string): number {
  let n = 0;
  for (const offer of offersOf(offerModel).values()) {
    if (offer.application === application) n += connectionsOf(offerModel, offer).length;
  }
  return n;
}

/** `params.OfferConnection`s of an offer (ListApplicationOffers for admins). */
export function offerConnections(
  offerModel: ModelRecord,
  offer: OfferRecord,
): ApplicationOffers.OfferConnection[] {
  return connectionsOf(offerModel, offer).map(({ proxy, mirror }) => ({
    "source-model-tag": `model-${proxy.sourceModelUuid}`,
    "relation-id": mirror.id,
    username: proxy.user,
    endpoint: mirror.endpoints.find((e) => e.application === offer.application)?.name ?? "",
    status: offerConnectionStatus(offerModel, mirror),
    "ingress-subnets": [],
  }));
}

/**
 * An offer connection's status: its relation's status document (so a
 * suspended relation shows `suspended` with the reason given).
 */
function offerConnectionStatus(offerModel: ModelRecord, mirror: RelationRecord) {
  const st =
    mirror.life === "alive"
      ? relationStatus(mirror, offerModel.state.now())
      : { current: "broken", message: "", since: offerModel.state.now() };
  return { status: st.current, info: st.message, data: {}, since: goTime(st.since) };
}

/** Whether a relation is suspended (or on its way there): its status says so. */
export function isSuspended(model: ModelRecord, r: RelationRecord): boolean {
  const current = relationStatus(r, model.state.now()).current;
  return current === "suspending" || current === "suspended";
}

/**
 * `Application.SetRelationsSuspended` for one relation (3.6's facade): a
 * no-op when already so; refused unless the relation has an offer
 * connection (it is in the offering model, with a consumer); otherwise both
 * sides change. Suspending: status `suspending` with the reason, every
 * started unit of both sides runs `-relation-departed` (when the other side
 * has units) and `-relation-broken`, then `suspended` with the reason.
 * Resuming: status `joining`, then the units join again as for a new relation.
 * Resuming is refused (`permission denied`) when the connection's user can
 * no longer consume the offer. `consumerMessage` is the consuming side's
 * reason when it differs.
 */
export function setRelationSuspended(
  model: ModelRecord,
  id: number,
  suspended: boolean,
  message: string,
  consumerMessage = message,
): void {
  const r = model.state.relations.get(id);
  if (r === undefined) throw Errors.notFound(`relation ${id}`);
  if (isSuspended(model, r) === suspended) return;
  let conn: { proxy: ProxyRecord; sourceRelation: number } | undefined;
  for (const p of cmrOf(model).proxies.values()) {
    for (const [src, mirrorId] of p.links) {
      if (mirrorId === r.id) conn = { proxy: p, sourceRelation: src };
    }
  }
  if (conn === undefined) {
    throw new ServerError(
      `cannot set suspend status for ${JSON.stringify(r.key)} which is not associated with an offer`,
    );
  }
  if (conn.proxy.external !== undefined) {
    // The consumer's controller learns of it through its watcher, which the simulator does not feed yet.
    throw new ServerError(
      "suspending a relation with a consumer on another controller is not supported by the simulator",
      "not supported",
    );
  }
  const offer = [...offersOf(model).values()].find((o) => o.uuid === conn.proxy.offerUuid);
  // Resuming needs the connection's user to be able to consume still (`CheckCanConsume`).
  if (!suspended && offer !== undefined) {
    const access = offer.users.get(conn.proxy.user);
    const can =
      access === "consume" ||
      access === "admin" ||
      isOfferModelAdmin(model.controller, model, conn.proxy.user);
    if (!can) throw Errors.permissionDenied();
  }
  const reason = suspended ? message : "";
  suspendSide(model, r, conn.proxy.name, suspended, reason);
  const consumer = model.controller.models.get(conn.proxy.sourceModelUuid);
  const source = consumer?.state.relations.get(conn.sourceRelation);
  if (consumer !== undefined && source !== undefined) {
    const saas = source.endpoints.find((e) => cmrOf(consumer).saas.has(e.application));
    const theirs = suspended ? consumerMessage : "";
    if (saas !== undefined) suspendSide(consumer, source, saas.application, suspended, theirs);
  }
  if (offer !== undefined) publishOffer(model, offer);
}

/**
 * After a revoke left a user below `consume` on an offer (3.6's
 * `suspendRevokedRelationsOps`): that user's relations to the offer are
 * suspended (without a reason there; the consuming side's reason is
 * "offer permission revoked"), unless the user is a superuser or an admin
 * of the offer's model.
 */
export function suspendRevokedRelations(
  model: ModelRecord,
  offer: OfferRecord,
  user: string,
): void {
  const access = offer.users.get(user);
  if (access === "consume" || access === "admin") return;
  if (isOfferModelAdmin(model.controller, model, user)) return;
  for (const c of connectionsOf(model, offer)) {
    if (c.proxy.user !== user || c.mirror.life !== "alive" || c.proxy.external !== undefined)
      continue;
    // The consuming worker's next call needs a discharge, which is refused: it
    // suspends its side with "offer permission revoked" (remoteapplicationworker.go).
    if (!isSuspended(model, c.mirror)) {
      setRelationSuspended(model, c.mirror.id, true, "", "offer permission revoked");
    }
  }
}

/**
 * Suspends or resumes one side of a cross-model relation: `far` is the
 * remote application (SAAS or consumer proxy) whose units are elsewhere.
 */
function suspendSide(
  model: ModelRecord,
  r: RelationRecord,
  far: string,
  suspended: boolean,
  message: string,
): void {
  const ents = model.state;
  const key = `${model.uuid}:${r.id}`;
  if (!suspended) {
    ents.setRelationStatus(r, "joining", "");
    // The next unit sync records who is there; the join hooks below count them.
    SEEN.delete(key);
    model.agents.relationAdded(r);
    return;
  }
  ents.setRelationStatus(r, "suspending", message);
  for (const ep of r.endpoints) {
    if (ep.application === far) continue;
    const others = [...ents.unitsOf(far), ...remoteUnitsOf(ents, far)].filter(
      (o) => o.life === "alive",
    );
    for (const u of ents.unitsOf(ep.application)) {
      if (!u.started || u.life !== "alive") continue;
      if (others.length > 0) model.agents.runHookThenSettle(u, `${ep.name}-relation-departed`);
      model.agents.runHookThenSettle(u, `${ep.name}-relation-broken`);
    }
  }
  SEEN.set(key, new Set());
  ents.setRelationStatus(r, "suspended", message);
}

/** Publishes an offer's `applicationOffer` delta with its connection counts. */
export function publishOffer(model: ModelRecord, offer: OfferRecord): void {
  const app = model.state.applications.get(offer.application);
  const counts = connectionCounts(model, offer);
  model.entities.set("applicationOffer", offer.name, {
    "model-uuid": model.uuid,
    "offer-name": offer.name,
    "offer-uuid": offer.uuid,
    "application-name": offer.application,
    "charm-name": app?.charm.name ?? "",
    "total-connected-count": counts.total,
    "active-connected-count": counts.active,
  });
}

/**
 * `RemoveOfferOperation`: refused while connected unless forced; forced,
 * the connections' relations go (and their consumer proxies with them).
 */
export function removeOffer(model: ModelRecord, offer: OfferRecord, force: boolean): void {
  const conns = connectionsOf(model, offer);
  if (conns.length > 0 && !force) {
    const n = conns.length;
    throw new ServerError(`offer has ${n} relation${n === 1 ? "" : "s"}`).annotate(
      `cannot delete application offer ${JSON.stringify(offer.name)}`,
    );
  }
  for (const c of conns) model.agents.destroyRelation(c.mirror);
  offersOf(model).delete(offer.name);
  model.entities.remove("applicationOffer", offer.name);
  reconcile(model.controller);
}

/** The consumer proxy of a consuming application for an offer, made on first use. */
function proxyFor(
  offerModel: ModelRecord,
  consumer: ModelRecord,
  consumerApp: string,
  offer: OfferRecord,
  user: string,
): ProxyRecord {
  const st = cmrOf(offerModel);
  for (const p of st.proxies.values()) {
    if (
      p.sourceModelUuid === consumer.uuid &&
      p.consumerApp === consumerApp &&
      p.offerUuid === offer.uuid
    )
      return p;
  }
  // 3.6 names the proxy after the consuming application's token.
  const name = `remote-${offerModel.controller.newUuid().replaceAll("-", "")}`;
  const p: ProxyRecord = {
    name,
    sourceModelUuid: consumer.uuid,
    consumerApp,
    offerUuid: offer.uuid,
    user,
    links: new Map(),
  };
  st.proxies.set(name, p);
  // Its remote relations worker follows the offering model's units too.
  watch(offerModel);
  const store = offerModel.controller;
  const consumerUuid = consumer.uuid;
  setRemoteUnits(
    offerModel.state,
    name,
    () => store.models.get(consumerUuid)?.state.unitsOf(consumerApp) ?? [],
  );
  return p;
}

/** Who consumed a SAAS application: the user the consume macaroon declares. */
function consumingUser(s: SaasRecord, fallback: string): string {
  const caveats = (s.macaroon?.caveats ?? s.macaroon?.c) as
    | Array<Record<string, string>>
    | undefined;
  for (const c of caveats ?? []) {
    const text = c.cid ?? c.i ?? "";
    if (text.startsWith("declared username ")) return text.slice("declared username ".length);
  }
  return fallback;
}

let reconciling = false;

/**
 * Brings both sides of every cross-model relation on the controller in
 * line (see the module comment). Idempotent; publishes only what changed.
 */
export function reconcile(store: ControllerStore): void {
  if (reconciling) return;
  reconciling = true;
  try {
    for (const model of [...store.models.values()]) reconcileConsumer(model);
    for (const model of [...store.models.values()]) reconcileOfferer(model);
    for (const model of [...store.models.values()]) syncFarUnits(model);
    for (const model of [...store.models.values()]) {
      for (const s of [...cmrOf(model).saas.values()]) {
        if (s.life === "dying" && model.state.relationsOf(s.name).length === 0) {
          removeSaas(model, s);
        } else if (cmrOf(model).saas.has(s.name)) {
          publishSaas(model, s);
        }
      }
    }
  } finally {
    reconciling = false;
  }
}

/**
 * Per cross-model relation (model UUID and relation id, so a restored
 * snapshot's relation keeps what its units had seen): the far units its
 * local units have seen join and not yet depart.
 */
const SEEN = new Map<string, Set<string>>();

/**
 * The remote relations worker's unit watch (`WatchRelationUnits` on the
 * other side, `relation-joined`/`-departed` for the units here): a far unit
 * that starts after the relation exists joins it for every started local
 * unit; a far unit that dies or goes departs. The first look at a relation
 * only records who is there: the local units' own relation hooks
 * (`Agents.relationAdded`, unit start) already counted those.
 */
function syncFarUnits(model: ModelRecord): void {
  const st = cmrOf(model);
  const remote = new Set([...st.saas.keys(), ...st.proxies.keys()]);
  if (remote.size === 0) return;
  const ents = model.state;
  // Relations gone (or undone by a restore) take what they had seen with them.
  for (const key of SEEN.keys()) {
    const [uuid, id] = key.split(":");
    if (uuid === model.uuid && !ents.relations.has(Number(id))) SEEN.delete(key);
  }
  for (const r of ents.relations.values()) {
    const far = r.endpoints.find((e) => remote.has(e.application));
    if (far === undefined) continue;
    const key = `${model.uuid}:${r.id}`;
    // Another controller's units are unknown until its watcher reported
    // them: a new relation has seen none (its hooks ran without them).
    if (st.saas.get(far.application)?.external !== undefined) {
      if (externalUnitsKnown(model, far.application) !== true) {
        if (!SEEN.has(key)) SEEN.set(key, new Set());
        continue;
      }
    }
    const units = remoteUnitsOf(ents, far.application);
    const seen = SEEN.get(key);
    if (seen === undefined) {
      SEEN.set(key, new Set(units.filter((u) => u.life === "alive").map((u) => u.name)));
      continue;
    }
    // A suspended relation has no units in scope: it sees nobody come or go.
    if (r.life !== "alive" || isSuspended(model, r)) continue;
    const alive = new Set(units.filter((u) => u.life === "alive").map((u) => u.name));
    const joined = units.filter((u) => u.life === "alive" && u.started && !seen.has(u.name));
    const departed = [...seen].filter((n) => !alive.has(n));
    if (joined.length === 0 && departed.length === 0) continue;
    SEEN.set(key, new Set([...seen, ...joined.map((u) => u.name)].filter((n) => alive.has(n))));
    for (const ep of r.endpoints) {
      if (ep.application === far.application) continue;
      for (const u of ents.unitsOf(ep.application)) {
        if (!u.started || u.life !== "alive") continue;
        for (const _ of departed) model.agents.runHookThenSettle(u, `${ep.name}-relation-departed`);
        for (const _ of joined) {
          model.agents.runHookThenSettle(u, `${ep.name}-relation-joined`);
          model.agents.runHookThenSettle(u, `${ep.name}-relation-changed`);
        }
      }
    }
  }
}

function reconcileConsumer(model: ModelRecord): void {
  const store = model.controller;
  for (const s of cmrOf(model).saas.values()) {
    if (s.externalControllerUuid !== "") {
      // The remote relations worker talks to the offering controller.
      if (s.external !== undefined) syncExternal(model, s, () => reconcile(store));
      continue;
    }
    const found = offerByUuid(store, s.offerUuid);
    if (found === undefined) {
      if (s.terminated === undefined) {
        s.terminated = {
          current: "terminated",
          message: "offer has been removed",
          since: model.state.now(),
        };
        for (const r of model.state.relationsOf(s.name)) model.agents.destroyRelation(r);
      }
      continue;
    }
    const { model: offerModel, offer } = found;
    const offered = offerModel.state.applications.get(offer.application);
    if (offered === undefined || offered.life !== "alive") continue;
    for (const r of model.state.relationsOf(s.name)) {
      if (r.life !== "alive") continue;
      const remote = r.endpoints.find((e) => e.application === s.name);
      const local = r.endpoints.find((e) => e.application !== s.name);
      if (remote === undefined || local === undefined) continue;
      const proxy = proxyFor(
        offerModel,
        model,
        local.application,
        offer,
        consumingUser(s, model.owner),
      );
      if (proxy.links.has(r.id)) continue;
      if (authorise(model, s, offerModel, offer, r) === undefined) continue;
      const epName = offer.endpoints[remote.name] ?? remote.name;
      const offeredEp = charmEndpoints(offered.name, offered.charm).find((e) => e.name === epName);
      if (offeredEp === undefined) continue;
      const mirror = offerModel.state.addRelation([
        offeredEp,
        { ...local, application: proxy.name, scope: "global" },
      ]);
      proxy.links.set(r.id, mirror.id);
      offerModel.agents.relationAdded(mirror);
      publishOffer(offerModel, offer);
    }
  }
}

/**
 * What `RegisterRemoteRelations` checks before the offering side takes a
 * relation (`CheckOfferMacaroons`), and what the consuming worker does with
 * the answer: a verified consume macaroon gives the consuming user; one that
 * needs a discharge (forged, expired, for another offer) is discharged again
 * by the offer access discharger for the user it declares, which succeeds
 * while that user keeps `consume` access and otherwise puts the SAAS in
 * `error` with the refusal; no declared user at all is `permission denied`,
 * which the worker only logs (and retries). Undefined when refused.
 */
function authorise(
  model: ModelRecord,
  s: SaasRecord,
  offerModel: ModelRecord,
  offer: OfferRecord,
  r: RelationRecord,
): string | undefined {
  const store = model.controller;
  const required = { sourceModelUuid: offerModel.uuid, offerUuid: offer.uuid };
  let user: string;
  try {
    user = checkOfferMacaroons(
      store,
      s.macaroon === undefined ? [] : [s.macaroon],
      required,
    ).username;
  } catch (e) {
    const err = e as ServerError;
    const prefix = `registering application ${s.name} and relation ${r.key}`;
    if (err.code !== DISCHARGE_REQUIRED) {
      const failed = s.failedRegistrations ?? [];
      if (!failed.includes(r.id)) {
        s.failedRegistrations = [...failed, r.id];
        workerError(model, s, `${prefix}: ${err.message}`);
      }
      return undefined;
    }
    const declared = consumingUser(s, "");
    try {
      s.macaroon = dischargeOfferAccess(store, offerModel, offer, declared, 3);
      user = declared;
    } catch (d) {
      const refused = (d as ServerError).message;
      if (s.error?.message !== refused) {
        s.error = { current: "error", message: refused, since: model.state.now() };
        workerError(model, s, `${prefix}: ${refused}`);
        publishSaas(model, s);
      }
      return undefined;
    }
  }
  s.error = undefined;
  s.failedRegistrations = undefined;
  return user;
}

/** The remote application worker's error line in the consuming model's log. */
function workerError(model: ModelRecord, s: SaasRecord, message: string): void {
  agentLog(
    model.state,
    `model-${model.uuid}`,
    "ERROR",
    "juju.worker.remoterelations",
    "remoteapplicationworker.go:126",
    `error in remote application worker for ${s.name}: ${message}`,
  );
}

function reconcileOfferer(offerModel: ModelRecord): void {
  const store = offerModel.controller;
  const st = cmrOf(offerModel);
  // Offers of an application that is gone go with it (`removeApplicationOffersOps`).
  for (const offer of [...offersOf(offerModel).values()]) {
    if (!offerModel.state.applications.has(offer.application)) {
      offersOf(offerModel).delete(offer.name);
      offerModel.entities.remove("applicationOffer", offer.name);
    }
  }
  for (const p of [...st.proxies.values()]) {
    const consumer = store.models.get(p.sourceModelUuid);
    const ext = p.external;
    if (ext !== undefined) {
      // Another controller's consumer: its registrations go when their mirror does.
      for (const [token, n] of [...ext.relationTokens]) {
        const mirrorId = p.links.get(n);
        if (mirrorId === undefined || !offerModel.state.relations.has(mirrorId)) {
          ext.relationTokens.delete(token);
          p.links.delete(n);
        }
      }
      if (p.links.size === 0) {
        st.proxies.delete(p.name);
        clearRemoteUnits(offerModel.state, p.name);
      }
      continue;
    }
    for (const [srcId, mirrorId] of [...p.links]) {
      const source = consumer?.state.relations.get(srcId);
      const mirror = offerModel.state.relations.get(mirrorId);
      if (mirror === undefined) {
        // The offering side went first: the consuming relation follows.
        p.links.delete(srcId);
        if (source !== undefined && consumer !== undefined) consumer.agents.destroyRelation(source);
        continue;
      }
      if ((source === undefined || source.life !== "alive") && mirror.life === "alive") {
        offerModel.agents.destroyRelation(mirror);
      }
    }
    if (p.links.size === 0) {
      st.proxies.delete(p.name);
      clearRemoteUnits(offerModel.state, p.name);
    }
  }
  for (const offer of offersOf(offerModel).values()) publishOffer(offerModel, offer);
}

const WATCHED = new WeakSet<ModelRecord>();

/**
 * Starts the model's remote relations worker: a watcher on its entity log
 * that reconciles after every change (relations dying, units starting,
 * applications going) until the model is removed.
 */
export function watch(model: ModelRecord): void {
  if (WATCHED.has(model)) return;
  WATCHED.add(model);
  const cursor = model.entities.watch();
  const store = model.controller;
  void (async () => {
    for (;;) {
      try {
        await cursor.next();
      } catch {
        // The model's log stopped (the simulator stops): so do its workers' connections.
        stopAllExternal(model);
        return;
      }
      if (!store.models.has(model.uuid)) {
        cursor.stop();
        stopAllExternal(model);
        reconcile(store);
        return;
      }
      reconcile(store);
    }
  })();
}

/** FullStatus `remote-applications` (`params.RemoteApplicationStatus`), by SAAS name. */
export function remoteApplicationsStatus(
  model: ModelRecord,
  detailed: (s: StatusValue) => Client.DetailedStatus,
): Record<string, Client.RemoteApplicationStatus> {
  const out: Record<string, Client.RemoteApplicationStatus> = {};
  for (const s of [...cmrOf(model).saas.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const relations: Record<string, string[]> = {};
    for (const r of model.state.relationsOf(s.name)) {
      const mine = r.endpoints.find((e) => e.application === s.name);
      if (mine === undefined) continue;
      const list = relations[mine.name] ?? [];
      for (const e of r.endpoints) if (e.application !== s.name) list.push(e.application);
      relations[mine.name] = list.sort();
    }
    out[s.name] = {
      "offer-url": s.offerUrl,
      "offer-name": s.offerName,
      endpoints: s.endpoints.map((e) => ({ ...e })),
      life: s.life === "alive" ? "" : s.life,
      relations,
      status: detailed(saasStatus(model, s)),
    };
  }
  return out;
}

/** FullStatus `offers` (`params.ApplicationOfferStatus`), by offer name. */
export function offersStatus(model: ModelRecord): Record<string, Client.ApplicationOfferStatus> {
  const out: Record<string, Client.ApplicationOfferStatus> = {};
  const offers = [...offersOf(model).values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const offer of offers) {
    const app = model.state.applications.get(offer.application);
    if (app === undefined) continue;
    const eps = charmEndpoints(app.name, app.charm);
    const endpoints: Record<string, Client.RemoteEndpoint> = {};
    for (const [alias, name] of Object.entries(offer.endpoints)) {
      const e = eps.find((x) => x.name === name);
      if (e !== undefined) {
        endpoints[alias] = { name: alias, role: e.role, interface: e.interface, limit: e.limit };
      }
    }
    const counts = connectionCounts(model, offer);
    out[offer.name] = {
      "offer-name": offer.name,
      "application-name": offer.application,
      charm: app.charmUrl,
      endpoints,
      "active-connected-count": counts.active,
      "total-connected-count": counts.total,
    };
  }
  return out;
}

/** What `CrossModelRelations.RegisterRemoteRelations` asks of an offering model (`params.RegisterRemoteRelationArg`). */
export interface ExternalRegistration {
  applicationToken: string;
  relationToken: string;
  sourceModelUuid: string;
  remoteEndpoint: RemoteEndpointValue;
  localEndpointName: string;
  /** The consuming user the consume macaroon declared. */
  user: string;
}

/**
 * `registerRemoteRelation` of 3.6's CrossModelRelations facade: the
 * consumer proxy `remote-<application token>` (made once), the relation
 * between it and the offered application (made once per relation token),
 * and the offer connection. Returns the mirror relation. Errors are 3.6's.
 */
export function registerExternalRelation(
  offerModel: ModelRecord,
  offer: OfferRecord,
  reg: ExternalRegistration,
): RelationRecord {
  const ents = offerModel.state;
  const app = ents.applications.get(offer.application);
  if (app === undefined || app.life !== "alive") {
    throw Errors.notFound(`local application for offer ${offer.uuid}`);
  }
  const localEp = charmEndpoints(app.name, app.charm).find((e) => e.name === reg.localEndpointName);
  if (localEp === undefined) throw Errors.notFound(`relation endpoint ${reg.localEndpointName}`);
  const st = cmrOf(offerModel);
  const name = `remote-${reg.applicationToken.replaceAll("-", "")}`;
  let p = st.proxies.get(name);
  if (p === undefined) {
    const ext = { relationTokens: new Map<string, number>(), units: [] as RemoteUnit[] };
    p = {
      name,
      sourceModelUuid: reg.sourceModelUuid,
      consumerApp: name,
      offerUuid: offer.uuid,
      user: reg.user,
      links: new Map(),
      external: ext,
    };
    st.proxies.set(name, p);
    setRemoteUnits(ents, name, () => ext.units);
    watch(offerModel);
  }
  const ext = p.external as NonNullable<ProxyRecord["external"]>;
  const known = ext.relationTokens.get(reg.relationToken);
  const knownMirror =
    known === undefined ? undefined : ents.relations.get(p.links.get(known) ?? -1);
  if (knownMirror !== undefined) return knownMirror;
  const mirror = ents.addRelation([
    localEp,
    {
      application: name,
      name: reg.remoteEndpoint.name,
      role: reg.remoteEndpoint.role,
      interface: reg.remoteEndpoint.interface,
      optional: false,
      limit: reg.remoteEndpoint.limit,
      scope: "global",
    },
  ]);
  const n = p.links.size === 0 ? 0 : Math.max(...p.links.keys()) + 1;
  p.links.set(n, mirror.id);
  ext.relationTokens.set(reg.relationToken, n);
  offerModel.agents.relationAdded(mirror);
  publishOffer(offerModel, offer);
  return mirror;
}

/** The mirror relation a consuming controller's relation token names, with its proxy. */
export function externalRelation(
  offerModel: ModelRecord,
  relationToken: string,
): { proxy: ProxyRecord; mirror: RelationRecord; offerUuid: string } | undefined {
  for (const p of cmrOf(offerModel).proxies.values()) {
    const n = p.external?.relationTokens.get(relationToken);
    if (n === undefined) continue;
    const mirror = offerModel.state.relations.get(p.links.get(n) ?? -1);
    if (mirror !== undefined) return { proxy: p, mirror, offerUuid: p.offerUuid };
  }
  return undefined;
}

/**
 * A consuming controller published its relation `suspended` (or resumed):
 * as 3.6's `PublishRelationChange`, the relation here changes when the flag
 * differs, with the reason given (hooks and status as
 * {@link setRelationSuspended}, this side only).
 */
export function publishExternalSuspended(
  offerModel: ModelRecord,
  found: { proxy: ProxyRecord; mirror: RelationRecord; offerUuid: string },
  suspended: boolean,
  reason: string,
): void {
  if (found.mirror.life !== "alive" || isSuspended(offerModel, found.mirror) === suspended) return;
  suspendSide(offerModel, found.mirror, found.proxy.name, suspended, suspended ? reason : "");
  const offer = [...offersOf(offerModel).values()].find((o) => o.uuid === found.offerUuid);
  if (offer !== undefined) publishOffer(offerModel, offer);
}

/**
 * `PublishRelationChanges` from a consuming controller: its units that
 * entered the relation (changed, with `unit-id`s) or left it (departed),
 * and the relation's life. Units and hooks follow on the next reconcile.
 */
export function publishExternalChange(
  offerModel: ModelRecord,
  found: { proxy: ProxyRecord; mirror: RelationRecord },
  change: { life: string; changed: number[]; departed: number[] },
): void {
  const ext = found.proxy.external;
  if (ext === undefined) return;
  const unit = (id: number) => `${found.proxy.name}/${id}`;
  const departed = new Set(change.departed.map(unit));
  const units = ext.units.filter((u) => !departed.has(u.name));
  for (const id of change.changed) {
    if (!units.some((u) => u.name === unit(id))) {
      units.push({ name: unit(id), life: "alive", started: true });
    }
  }
  ext.units.splice(0, ext.units.length, ...units);
  if (change.life !== "alive" && change.life !== "") {
    offerModel.agents.destroyRelation(found.mirror);
  }
  reconcile(offerModel.controller);
}
