/**
 * The consuming side of a relation to an offer on ANOTHER controller, as
 * Juju 3.6's remote relations worker (`worker/remoterelations`) plays it:
 * it logs in to the offering model anonymously over the API websocket (the
 * addresses and CA the consume details carried), then speaks
 * `CrossModelRelations(2)`:
 *
 * - `RegisterRemoteRelations` for each relation to the SAAS, with the
 *   consume macaroon; the answer's relation macaroon guards the rest;
 * - `PublishRelationChanges` for the consuming units entering and leaving
 *   the relation, and for the relation's end;
 * - `WatchRelationChanges` / `RemoteRelationWatcher.Next` for the offered
 *   units, which become the SAAS's remote units here (their hooks follow);
 * - `WatchOfferStatus` / `OfferStatusWatcher.Next` for the SAAS status.
 *
 * An offering controller that cannot be reached, or goes away, puts the
 * SAAS in `error` (`cannot connect to external controller: …`) and is tried
 * again; nothing here throws into the caller or leaves a rejection
 * unhandled. The connection is a small JSON-RPC client of its own: the
 * simulator never uses the library's client.
 * @module
 */
import WebSocket from "ws";
import { agentLog } from "./logs.js";
import type { RemoteUnit } from "./remote-units.js";
import { setRemoteUnits } from "./remote-units.js";
import type { ModelRecord, StatusValue } from "./store.js";

/** Where the offer lives: the consume details' `external-controller` and the offer. */
export interface ExternalOffer {
  controllerUuid: string;
  addrs: string[];
  caCert: string;
  offerUuid: string;
  offerModelUuid: string;
}

/** What the worker needs of a SAAS application (a `SaasRecord`). */
export interface ExternalSaas {
  name: string;
  external?: ExternalOffer;
  macaroon: Record<string, unknown> | undefined;
  endpoints: Array<{ name: string; role: string; interface: string; limit: number }>;
  /**
   * The tokens the worker registered with (kept with the SAAS, so a
   * restored snapshot registers the same relations again, not new ones).
   */
  tokens?: { application: string; relations: Record<string, string> };
}

/** A failed call on the offering controller, with Juju's code. */
class RemoteCallError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = "RemoteCallError";
  }
}

/** A minimal API connection to another controller's model (anonymous login). */
class CmrConnection {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  closed = false;
  onClose: () => void = () => undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => {
      let f: Record<string, unknown>;
      try {
        f = JSON.parse(String(data)) as Record<string, unknown>;
      } catch {
        return;
      }
      const p = this.pending.get(f["request-id"] as number);
      if (p === undefined) return;
      this.pending.delete(f["request-id"] as number);
      if (typeof f.error === "string" && f.error !== "") {
        p.reject(new RemoteCallError(f.error, String(f["error-code"] ?? "")));
      } else p.resolve(f.response ?? {});
    });
    const closed = () => {
      if (this.closed) return;
      this.closed = true;
      for (const p of this.pending.values()) p.reject(new Error("connection is shut down"));
      this.pending.clear();
      this.onClose();
    };
    ws.on("close", closed);
    ws.on("error", closed);
  }

  /** Dials the first address that answers and logs in as `jujuanonymous`. */
  static async open(offer: ExternalOffer, clientVersion: string): Promise<CmrConnection> {
    let last: unknown = new Error("no API addresses");
    for (const addr of offer.addrs) {
      try {
        const ws = await dial(`wss://${addr}/model/${offer.offerModelUuid}/api`, offer.caCert);
        const conn = new CmrConnection(ws);
        try {
          await conn.call("Admin", 3, "Login", {
            "auth-tag": "user-jujuanonymous",
            credentials: "",
            "client-version": clientVersion,
          });
        } catch (e) {
          conn.close();
          throw e;
        }
        return conn;
      } catch (e) {
        last = e;
      }
    }
    throw last;
  }

  call(type: string, version: number, request: string, params?: unknown, id?: string) {
    if (this.closed) return Promise.reject(new Error("connection is shut down"));
    const rid = this.nextId++;
    const frame: Record<string, unknown> = { "request-id": rid, type, version, request };
    if (id !== undefined) frame.id = id;
    if (params !== undefined) frame.params = params;
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(rid, { resolve, reject });
      this.ws.send(JSON.stringify(frame));
    });
  }

  close(): void {
    this.ws.close();
  }
}

function dial(url: string, ca: string): Promise<WebSocket> {
  // ws hands TLS options to tls.connect; the controller certificate names `juju-apiserver`.
  const opts: WebSocket.ClientOptions & { servername: string } = {
    ca,
    servername: "juju-apiserver",
    handshakeTimeout: 5000,
  };
  const ws = new WebSocket(url, opts);
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => {
      ws.terminate();
      reject(new Error(`HTTP ${res.statusCode}`));
    });
  });
}

/** One registered relation: tokens, its relation macaroon, the units published. */
interface Registration {
  relationToken: string;
  macaroon: unknown;
  published: Set<number>;
  ended: boolean;
}

/** The worker of one external SAAS application in a consuming model. */
class ExternalWorker {
  conn: CmrConnection | undefined;
  connecting = false;
  retry: NodeJS.Timeout | undefined;
  stopped = false;
  /** The offered units (named `<saas>/<n>` here), from the relation watchers. */
  readonly units: RemoteUnit[] = [];
  /** Offered unit ids per relation, merged into {@link units}. */
  readonly unitsByRelation = new Map<number, Set<number>>();
  readonly regs = new Map<number, Registration>();
  readonly registering = new Set<number>();
  status: StatusValue | undefined;
  chain: Promise<void> = Promise.resolve();

  constructor(
    readonly model: ModelRecord,
    readonly saas: ExternalSaas,
    readonly onChange: () => void,
  ) {
    saas.tokens ??= { application: model.controller.newUuid(), relations: {} };
    setRemoteUnits(model.state, saas.name, () => this.units);
  }

  private appToken(): string {
    return this.saas.tokens?.application ?? "";
  }

  /** Whether the offered units are known yet (a relation watcher reported). */
  get unitsKnown(): boolean {
    return this.unitsByRelation.size > 0;
  }

  private log(message: string): void {
    agentLog(
      this.model.state,
      `model-${this.model.uuid}`,
      "ERROR",
      "juju.worker.remoterelations",
      "remoteapplicationworker.go:126",
      `error in remote application worker for ${this.saas.name}: ${message}`,
    );
  }

  private setStatus(s: StatusValue): void {
    this.status = s;
    this.onChange();
  }

  /** Serialises calls that change the other side, in order; failures are logged, never thrown. */
  private enqueue(what: string, fn: () => Promise<void>): void {
    this.chain = this.chain.then(fn).catch((e: unknown) => {
      if (this.stopped) return;
      const err = e as Error & { code?: string };
      this.log(`${what}: ${err.message}`);
      if (err.code === "macaroon discharge required") {
        this.setStatus({ current: "error", message: err.message, since: this.model.state.now() });
      }
    });
  }

  private connect(): void {
    const ext = this.saas.external;
    if (this.connecting || this.conn !== undefined || this.stopped || ext === undefined) return;
    if (this.retry !== undefined) return;
    this.connecting = true;
    CmrConnection.open(ext, this.model.controller.agentVersion).then(
      (conn) => {
        this.connecting = false;
        if (this.stopped) {
          conn.close();
          return;
        }
        this.conn = conn;
        conn.onClose = () => {
          if (this.conn !== conn) return;
          this.conn = undefined;
          this.regs.clear();
          this.lost("connection to the offering controller closed");
        };
        this.watchOffer(conn);
        this.onChange();
      },
      (e: unknown) => {
        this.connecting = false;
        this.lost((e as Error).message);
      },
    );
  }

  /** The offering controller is unreachable: the SAAS shows it; a later attempt may succeed. */
  private lost(reason: string): void {
    if (this.stopped) return;
    const message = `cannot connect to external controller: ${reason}`;
    if (this.status?.message !== message) this.log(message);
    this.setStatus({ current: "error", message, since: this.model.state.now() });
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.onChange();
    }, 500);
    this.retry.unref();
  }

  private watchOffer(conn: CmrConnection): void {
    const offer = this.saas.external;
    if (offer === undefined) return;
    const loop = async () => {
      const res = (await conn.call("CrossModelRelations", 2, "WatchOfferStatus", {
        args: [
          { "offer-uuid": offer.offerUuid, macaroons: [this.saas.macaroon], "bakery-version": 3 },
        ],
      })) as { results: Array<Record<string, unknown>> };
      let r = res.results[0] ?? {};
      for (;;) {
        const err = r.error as { message: string; code: string } | undefined;
        if (err !== undefined) throw new RemoteCallError(err.message, err.code);
        const ch = (r.changes as Array<{ status: { status: string; info: string } }>)[0];
        if (ch !== undefined) {
          this.setStatus({
            current: ch.status.status,
            message: ch.status.info,
            since: this.model.state.now(),
          });
        }
        r = (await conn.call(
          "OfferStatusWatcher",
          1,
          "Next",
          undefined,
          String(r["watcher-id"]),
        )) as Record<string, unknown>;
      }
    };
    loop().catch((e: unknown) => {
      if (this.stopped || conn.closed) return;
      this.log(`watching status for offer: ${(e as Error).message}`);
      // As Juju restarts the worker: watch again a little later.
      this.later(() => {
        if (this.conn === conn && !conn.closed) this.watchOffer(conn);
      });
    });
  }

  private watchRelation(conn: CmrConnection, relId: number, reg: Registration): void {
    const loop = async () => {
      const res = (await conn.call("CrossModelRelations", 2, "WatchRelationChanges", {
        args: [
          { "relation-token": reg.relationToken, macaroons: [reg.macaroon], "bakery-version": 3 },
        ],
      })) as { results: Array<Record<string, unknown>> };
      let r = res.results[0] ?? {};
      for (;;) {
        const err = r.error as { message: string; code: string } | undefined;
        if (err !== undefined) throw new RemoteCallError(err.message, err.code);
        const ev = r.changes as {
          life: string;
          "changed-units"?: Array<{ "unit-id": number }>;
          "departed-units"?: number[];
        };
        const ids = this.unitsByRelation.get(relId) ?? new Set<number>();
        for (const u of ev["changed-units"] ?? []) ids.add(u["unit-id"]);
        for (const d of ev["departed-units"] ?? []) ids.delete(d);
        this.unitsByRelation.set(relId, ids);
        this.refreshUnits();
        if (ev.life !== "alive") {
          // The offering side ended the relation: it ends here too.
          const rel = this.model.state.relations.get(relId);
          if (rel !== undefined) this.model.agents.destroyRelation(rel);
          this.unitsByRelation.delete(relId);
          this.refreshUnits();
          return;
        }
        r = (await conn.call(
          "RemoteRelationWatcher",
          1,
          "Next",
          undefined,
          String(r["watcher-id"]),
        )) as Record<string, unknown>;
      }
    };
    loop().catch((e: unknown) => {
      if (this.stopped || conn.closed) return;
      this.log(`watching relation ${relId}: ${(e as Error).message}`);
      // As Juju restarts the worker: register again (idempotent there) and watch anew.
      this.later(() => {
        if (this.regs.get(relId) === reg) this.regs.delete(relId);
        this.onChange();
      });
    });
  }

  /** Runs `fn` after a short pause, unless the worker stopped meanwhile (never keeps the process alive). */
  private later(fn: () => void): void {
    const t = setTimeout(() => {
      if (!this.stopped) fn();
    }, 200);
    t.unref();
  }

  private refreshUnits(): void {
    const all = new Set<number>();
    for (const ids of this.unitsByRelation.values()) for (const id of ids) all.add(id);
    const names = [...all].sort((a, b) => a - b).map((id) => `${this.saas.name}/${id}`);
    this.units.splice(
      0,
      this.units.length,
      ...names.map((name) => ({ name, life: "alive" as const, started: true })),
    );
    this.onChange();
  }

  /** One reconcile step: connect, register new relations, publish unit and life changes. */
  sync(): void {
    if (this.stopped) return;
    const conn = this.conn;
    if (conn === undefined) {
      this.connect();
      return;
    }
    const ents = this.model.state;
    const live = new Set<number>();
    for (const r of ents.relationsOf(this.saas.name)) {
      live.add(r.id);
      const remote = r.endpoints.find((e) => e.application === this.saas.name);
      const local = r.endpoints.find((e) => e.application !== this.saas.name);
      if (remote === undefined || local === undefined) continue;
      const reg = this.regs.get(r.id);
      if (reg === undefined) {
        if (r.life !== "alive" || this.registering.has(r.id)) continue;
        this.registering.add(r.id);
        this.register(conn, r.id, remote.name, local);
        continue;
      }
      const ids = ents
        .unitsOf(local.application)
        .filter((u) => u.life === "alive" && u.started)
        .map((u) => Number(u.name.split("/")[1]));
      const changed = ids.filter((id) => !reg.published.has(id));
      const departed = [...reg.published].filter((id) => !ids.includes(id));
      const ending = r.life !== "alive" && !reg.ended;
      if (changed.length > 0 || departed.length > 0 || ending) {
        for (const id of changed) reg.published.add(id);
        for (const id of departed) reg.published.delete(id);
        if (ending) reg.ended = true;
        this.publish(conn, reg, ending ? "dying" : "alive", changed, departed, ids.length);
      }
    }
    // Relations gone here: the other side hears of their end once.
    for (const [id, reg] of [...this.regs]) {
      if (live.has(id)) continue;
      this.regs.delete(id);
      this.unitsByRelation.delete(id);
      if (!reg.ended) this.publish(conn, reg, "dead", [], [...reg.published], 0);
    }
  }

  private register(
    conn: CmrConnection,
    relId: number,
    remoteEndpoint: string,
    local: { name: string; role: string; interface: string; limit: number },
  ): void {
    const ext = this.saas.external;
    if (ext === undefined) return;
    const tokens = this.saas.tokens ?? {
      application: this.model.controller.newUuid(),
      relations: {},
    };
    this.saas.tokens = tokens;
    let token = tokens.relations[String(relId)];
    if (token === undefined) {
      token = this.model.controller.newUuid();
      tokens.relations[String(relId)] = token;
    }
    const relationToken = token;
    this.enqueue(`registering application ${this.saas.name} and relation ${relId}`, async () => {
      try {
        const res = (await conn.call("CrossModelRelations", 2, "RegisterRemoteRelations", {
          relations: [
            {
              "application-token": this.appToken(),
              "source-model-tag": `model-${this.model.uuid}`,
              "relation-token": relationToken,
              "remote-endpoint": {
                name: local.name,
                role: local.role,
                interface: local.interface,
                limit: local.limit,
              },
              "remote-space": {
                "cloud-type": "",
                name: "",
                "provider-id": "",
                "provider-attributes": {},
                subnets: [],
              },
              "offer-uuid": ext.offerUuid,
              "local-endpoint-name": remoteEndpoint,
              "consume-version": 1,
              macaroons: this.saas.macaroon === undefined ? [] : [this.saas.macaroon],
              "bakery-version": 3,
            },
          ],
        })) as {
          results: Array<{
            result?: { macaroon?: unknown };
            error?: { message: string; code: string };
          }>;
        };
        const r = res.results[0];
        if (r?.error !== undefined) throw new RemoteCallError(r.error.message, r.error.code);
        const reg: Registration = {
          relationToken,
          macaroon: r?.result?.macaroon,
          published: new Set(),
          ended: false,
        };
        this.regs.set(relId, reg);
        this.watchRelation(conn, relId, reg);
        if (this.status?.current === "error") this.status = undefined;
        this.onChange();
      } finally {
        this.registering.delete(relId);
      }
    });
  }

  private publish(
    conn: CmrConnection,
    reg: Registration,
    life: string,
    changed: number[],
    departed: number[],
    count: number,
  ): void {
    this.enqueue(`publishing relation change`, async () => {
      const res = (await conn.call("CrossModelRelations", 2, "PublishRelationChanges", {
        changes: [
          {
            "relation-token": reg.relationToken,
            "application-token": this.appToken(),
            life,
            "changed-units": changed.map((id) => ({ "unit-id": id, settings: {} })),
            "departed-units": departed,
            "unit-count": count,
            macaroons: [reg.macaroon],
            "bakery-version": 3,
          },
        ],
      })) as { results: Array<{ error?: { message: string; code: string } }> };
      const err = res.results[0]?.error;
      if (err !== undefined) throw new RemoteCallError(err.message, err.code);
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.conn?.close();
    this.conn = undefined;
  }
}

const WORKERS = new WeakMap<ModelRecord, Map<string, ExternalWorker>>();

/** Runs one step of the worker of an external SAAS (made on first use). */
export function syncExternal(model: ModelRecord, saas: ExternalSaas, onChange: () => void): void {
  let m = WORKERS.get(model);
  if (m === undefined) {
    m = new Map();
    WORKERS.set(model, m);
  }
  let w = m.get(saas.name);
  if (w === undefined) {
    w = new ExternalWorker(model, saas, onChange);
    m.set(saas.name, w);
  }
  w.sync();
}

/** Whether the worker of an external SAAS knows the offered units yet (undefined: no worker). */
export function externalUnitsKnown(model: ModelRecord, name: string): boolean | undefined {
  return WORKERS.get(model)?.get(name)?.unitsKnown;
}

/** The status the offering controller reported for an external SAAS (or the connection error). */
export function externalStatus(model: ModelRecord, name: string): StatusValue | undefined {
  return WORKERS.get(model)?.get(name)?.status;
}

/** Stops the worker of a SAAS that is gone (its relations have been ended on the other side). */
export function stopExternal(model: ModelRecord, name: string): void {
  const w = WORKERS.get(model)?.get(name);
  if (w === undefined) return;
  // Let queued changes (the relations' end) reach the other side first.
  void w.chain.then(() => w.stop());
  WORKERS.get(model)?.delete(name);
}

/** Stops every external worker of a model (the model or the simulator stops). */
export function stopAllExternal(model: ModelRecord): void {
  for (const w of WORKERS.get(model)?.values() ?? []) w.stop();
  WORKERS.delete(model);
}
