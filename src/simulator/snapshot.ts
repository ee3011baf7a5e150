/**
 * Snapshots of the simulated controller's whole state as JSON data, and
 * their restore into a running simulator: a suite builds a deployed model
 * once and restores it per test in milliseconds, and `libjuju sim --state`
 * keeps a controller across restarts.
 *
 * What a snapshot holds: the controller UUID, users (with passwords and
 * their bookkeeping), clouds, credentials and cloud access, the controller
 * machines, the PRNG streams and the clock's time; per model its identity,
 * life, status, config, access, machines, applications, units, relations,
 * charms (uploaded archives included, as bytes), annotations, constraints,
 * the AllWatcher entities, status history, debug-log records, actions and
 * operations, secrets, storage, spaces and subnets, resources (uploaded
 * bytes included), blocks, application offers with their access, SAAS
 * applications and consumer proxies of cross-model relations (with the key
 * consume macaroons are signed with), and every id sequence.
 *
 * What it does not hold: the TLS identity (CA and server certificate), the
 * admin password of the running simulator (kept on restore, so that
 * clients keep logging in), backup archives, files copied to machines over
 * the simulated sshd (`ssh-server-fs.ts`), the test's scripts and
 * faults (`control.ts`, `faults.ts`, delays, redirects, advertised
 * addresses: they belong to the test, not to the controller), and agent
 * work in flight — {@link snapshotStore} refuses a model whose agents are
 * busy (`ERR_SNAPSHOT_BUSY`; a killed agent with queued work counts as
 * busy): settle it first. What agents remember between hooks (a failed
 * hook awaiting `resolved`, a lost agent) is saved.
 *
 * Restore and open connections: a model that exists before and after keeps
 * its AllWatcher log, so every open watcher gets the `remove` deltas of the
 * entities the snapshot lacks and a `change` delta for every entity of the
 * snapshot (as a Juju controller would send after the same changes); a
 * model the snapshot lacks is removed as when destroyed (its watchers get
 * its `remove` delta, its sessions close). Open debug-log streams of a
 * restored model see no further lines; new ones see the snapshot's.
 *
 * The encoding of values: JSON, with tagged objects (`{"$": tag, …}`) for
 * what JSON lacks: `Map`, `Set`, `Date`, `Buffer`, `undefined` in arrays and
 * maps, non-finite numbers, plain objects with a `$` key, and references to
 * an object seen earlier in the same slot (shared or cyclic data stays
 * shared). Functions and class instances inside the data are refused
 * (`ERR_SNAPSHOT_UNSUPPORTED`) rather than silently dropped.
 *
 * Knowing that the state changed: `ControllerStore.changes` (`changes.ts`)
 * moves on every change of what a snapshot keeps, so that `libjuju sim
 * --state` takes and writes a snapshot only when it moved. It is bumped by
 * every change of a model's entity log (entities, statuses, status
 * history), every debug-log record, model creation and removal, every API
 * call but the read-only polls listed in `changes.ts` (this covers what
 * facades change directly: users, access, clouds, offers, secrets,
 * storage, spaces, blocks, resources, config), and every HTTP request but
 * reads (uploads). State changed any other way — by a timer or a worker, not
 * through the entity log — must bump it itself: a new store whose state goes
 * into the snapshot calls `store.changes.bump()` (from a model:
 * `model.controller.changes.bump()`) wherever it changes outside an API
 * call. A missed bump means the change is not saved until something else
 * moves the counter.
 * @module
 */
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { modelActions } from "./actions.js";
import { VirtualClock } from "./clock.js";
import type { CharmRecord, ModelEntities } from "./entities.js";
import { blockStates } from "./facades/block.js";
import { cloudStates } from "./facades/cloud.js";
import { controllerMachineIds } from "./facades/controller-admin.js";
import { networkOf } from "./facades/spaces.js";
import { localCharmSequences } from "./local-charms.js";
import { logStoreOf } from "./logs.js";
import { type OfferRecord, offerRootKeys, offerStates } from "./offers.js";
import { type CmrState, cmrStateOf, restoreCmrState } from "./remote-applications.js";
import { resourcesOf } from "./resources.js";
import { secretsOf } from "./secrets.js";
import { storageOf } from "./storage.js";
import {
  type ConfigSource,
  type ControllerStore,
  type Life,
  ModelRecord,
  type UserRecord,
} from "./store.js";
import {
  cloudAccessGrants,
  controllerStarted,
  type ModelAccess,
  modelUsers,
  setUserMeta,
  type UserMeta,
  userMeta,
} from "./users.js";

/** The `format` of every snapshot. */
export const SNAPSHOT_FORMAT = "libjuju-sim-snapshot";
/** The version of the snapshot format this module writes and reads. */
export const SNAPSHOT_VERSION = 1;

/** A value in the snapshot's tagged JSON encoding (see the module comment). */
export type EncodedValue = unknown;

/** One model of a {@link SimulatorSnapshot}. */
export interface ModelSnapshot {
  /** The model UUID. */
  uuid: string;
  /** The model name. */
  name: string;
  /** The owner's user name. */
  owner: string;
  /** Machine (`iaas`) or Kubernetes (`caas`) model. */
  type: "iaas" | "caas";
  /** The cloud region. */
  region: string;
  /** Whether it is the controller model. */
  isController: boolean;
  /** Alive, dying or dead. */
  life: Life;
  /** The model's status. */
  status: EncodedValue;
  /** Config entries: key, encoded value, source. */
  config: Array<[key: string, value: EncodedValue, source: ConfigSource]>;
  /** Last connection per user. */
  lastConnection: EncodedValue;
  /** Machines, applications, units, relations, charms, annotations, constraints, id sequences. */
  entities: EncodedValue;
  /** The AllWatcher entities (`[kind, id, wire entity]`) in order of creation. */
  watcherEntities: Array<[kind: string, id: string, entity: Record<string, unknown>]>;
  /** What the agents remember between hooks (failed hooks, lost agents). */
  agents: EncodedValue;
  /** Status history records. */
  statusHistory: EncodedValue;
  /** Debug-log records, oldest first. */
  logs: EncodedValue;
  /** Bytes (base64) of uploaded charm archives, by charm URL. */
  charmArchives: Record<string, string>;
  /** User access levels on the model. */
  access: EncodedValue;
  /** Actions and operations. */
  actions: EncodedValue;
  /** Secrets and their revisions. */
  secrets: EncodedValue;
  /** Storage instances, filesystems and volumes. */
  storage: EncodedValue;
  /** Spaces, subnets and the address pool. */
  network: EncodedValue;
  /** Application resources and their uploads. */
  resources: EncodedValue;
  /** Blocked operations. */
  blocks: EncodedValue;
  /** The next revision of each local charm name. */
  localCharmSequences: EncodedValue;
  /** Application offers by name (absent in snapshots taken before offers existed). */
  offers?: EncodedValue;
  /** SAAS applications and consumer proxies (cross-model relations). */
  cmr?: EncodedValue;
}

/** A user of a {@link SimulatorSnapshot}. */
export interface UserSnapshot {
  /** The user's account. */
  record: EncodedValue;
  /** What the controller tracks about the user (logins, access). */
  meta: EncodedValue;
}

/**
 * The whole state of a simulated controller as JSON-serialisable data
 * (`JSON.stringify` keeps everything). Produced by `Simulator.snapshot()`,
 * read by `Simulator.restore()`.
 */
export interface SimulatorSnapshot {
  /** Always {@link SNAPSHOT_FORMAT}. */
  format: typeof SNAPSHOT_FORMAT;
  /** The format version ({@link SNAPSHOT_VERSION}). */
  version: typeof SNAPSHOT_VERSION;
  /** Wall-clock time the snapshot was taken (informational). */
  createdAt: string;
  /** The Juju version the controller played (`3.6` or `4.0`): restore needs the same. */
  juju: string;
  /** The agent version the controller reported. */
  agentVersion: string;
  /** Controller-wide state. */
  controller: {
    /** The controller UUID. */
    uuid: string;
    /** The simulator clock's time. */
    clock: string;
    /** States of the PRNG streams (jitter and addresses; seeded ids, or null). */
    rng: number;
    /** PRNG state of seeded ids, or null when ids are random. */
    ids: number | null;
    /** When the controller started (simulated clock), if it has. */
    started: string | null;
    /** The controller's users. */
    users: UserSnapshot[];
    /** The clouds and their credentials. */
    clouds: EncodedValue;
    /** User access levels on clouds. */
    cloudAccess: EncodedValue;
    /** The controller machines (HA). */
    controllerMachines: EncodedValue;
    /** The key consume macaroons are signed with (absent in older snapshots). */
    offerRootKey?: EncodedValue;
  };
  /** Every model. */
  models: ModelSnapshot[];
}

/** Stable codes of {@link SimulatorSnapshotError}. */
export type SnapshotErrorCode =
  | "ERR_SNAPSHOT_INVALID"
  | "ERR_SNAPSHOT_BUSY"
  | "ERR_SNAPSHOT_UNSUPPORTED";

/**
 * A snapshot that cannot be taken or restored: `ERR_SNAPSHOT_INVALID` (not
 * a snapshot, another version or profile, malformed data — `path` says
 * where), `ERR_SNAPSHOT_BUSY` (agents still working), or
 * `ERR_SNAPSHOT_UNSUPPORTED` (state this format cannot hold).
 */
export class SimulatorSnapshotError extends Error {
  /** Stable code for callers that branch. */
  readonly code: SnapshotErrorCode;
  /** Where in the snapshot the problem is (`models[1].uuid`), when it is about one place. */
  readonly path: string | undefined;
  constructor(code: SnapshotErrorCode, message: string, path?: string) {
    super(path === undefined ? message : `${path}: ${message}`);
    this.name = "SimulatorSnapshotError";
    this.code = code;
    this.path = path;
  }
}

// ----- the value codec -----

/** Fields of the classes whose data is saved (the rest are live collaborators, rebuilt on restore). */
const LIVE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  ModelEntities: ["modelUuid", "log", "clock", "rng", "timing", "agentVersion", "addressSource"],
  ModelActions: ["model"],
  ModelResources: ["model"],
  // What agents remember between hooks (failed hooks awaiting `resolved`, lost agents); the rest is work in flight.
  Agents: ["ents", "queues", "busy", "timers", "stopped", "startedListeners"],
  StatusHistory: [],
};

function isPlain(v: object): boolean {
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

class Encoder {
  private readonly seen = new Map<object, number>();
  private next = 0;

  /** Encodes a value; `path` names it in errors. */
  value(v: unknown, path: string): unknown {
    switch (typeof v) {
      case "string":
      case "boolean":
        return v;
      case "number":
        return Number.isFinite(v) ? v : { $: "num", v: String(v) };
      case "undefined":
        return { $: "u" };
      case "bigint":
        return { $: "big", v: v.toString() };
      case "object":
        break;
      default:
        throw new SimulatorSnapshotError(
          "ERR_SNAPSHOT_UNSUPPORTED",
          `cannot save a ${typeof v}`,
          path,
        );
    }
    if (v === null) return null;
    const ref = this.seen.get(v);
    if (ref !== undefined) return { $: "ref", i: ref };
    this.seen.set(v, this.next++);
    if (Array.isArray(v)) return v.map((x, i) => this.value(x, `${path}[${i}]`));
    if (v instanceof Date) return { $: "date", v: v.getTime() };
    if (Buffer.isBuffer(v)) return { $: "buf", v: v.toString("base64") };
    if (v instanceof Map) {
      return {
        $: "map",
        e: [...v].map(([k, x], i) => [
          this.value(k, `${path}.<key ${i}>`),
          this.value(x, `${path}.${String(k)}`),
        ]),
      };
    }
    if (v instanceof Set)
      return { $: "set", v: [...v].map((x, i) => this.value(x, `${path}{${i}}`)) };
    if (!isPlain(v)) {
      throw new SimulatorSnapshotError(
        "ERR_SNAPSHOT_UNSUPPORTED",
        `cannot save an instance of ${v.constructor?.name ?? "an unknown class"}`,
        path,
      );
    }
    const out: Record<string, unknown> = {};
    let tagged = false;
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      if (k === "$") tagged = true;
      out[k] = this.value(x, `${path}.${k}`);
    }
    return tagged ? { $: "obj", v: out } : out;
  }

  /** Encodes the data fields of a class instance (everything but its live collaborators). */
  instance(v: object, className: string, path: string): unknown {
    const skip = LIVE_FIELDS[className] ?? [];
    const fields: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (skip.includes(k) || x === undefined) continue;
      fields[k] = x;
    }
    return this.value(fields, path);
  }
}

class Decoder {
  private readonly objects: unknown[] = [];

  value(v: unknown, path: string): unknown {
    if (v === null || typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number") return v;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      this.objects.push(out);
      v.forEach((x, i) => {
        out.push(this.value(x, `${path}[${i}]`));
      });
      return out;
    }
    if (typeof v !== "object") throw invalid(`unexpected ${typeof v}`, path);
    const o = v as Record<string, unknown>;
    if (!Object.hasOwn(o, "$")) return this.plain(o, path);
    switch (o.$) {
      case "u":
        return undefined;
      case "num":
        if (o.v !== "NaN" && o.v !== "Infinity" && o.v !== "-Infinity") {
          throw invalid(`bad number ${JSON.stringify(o.v)}`, path);
        }
        return Number(o.v);
      case "big":
        if (typeof o.v !== "string" || !/^-?\d+$/.test(o.v)) throw invalid("bad bigint", path);
        return BigInt(o.v);
      case "ref": {
        if (
          typeof o.i !== "number" ||
          !Number.isInteger(o.i) ||
          o.i < 0 ||
          o.i >= this.objects.length
        ) {
          throw invalid(`reference ${JSON.stringify(o.i)} to no earlier value`, path);
        }
        return this.objects[o.i];
      }
      case "date": {
        if (typeof o.v !== "number" || !Number.isFinite(o.v)) throw invalid("bad date", path);
        const d = new Date(o.v);
        this.objects.push(d);
        return d;
      }
      case "buf": {
        if (typeof o.v !== "string") throw invalid("bad buffer", path);
        const b = Buffer.from(o.v, "base64");
        this.objects.push(b);
        return b;
      }
      case "map": {
        if (!Array.isArray(o.e)) throw invalid("bad map", path);
        const m = new Map<unknown, unknown>();
        this.objects.push(m);
        o.e.forEach((pair: unknown, i) => {
          if (!Array.isArray(pair) || pair.length !== 2)
            throw invalid("bad map entry", `${path}<${i}>`);
          const k = this.value(pair[0], `${path}.<key ${i}>`);
          m.set(k, this.value(pair[1], `${path}.${String(k)}`));
        });
        return m;
      }
      case "set": {
        if (!Array.isArray(o.v)) throw invalid("bad set", path);
        const s = new Set<unknown>();
        this.objects.push(s);
        o.v.forEach((x: unknown, i) => {
          s.add(this.value(x, `${path}{${i}}`));
        });
        return s;
      }
      case "obj": {
        if (typeof o.v !== "object" || o.v === null || Array.isArray(o.v)) {
          throw invalid("bad object", path);
        }
        return this.plain(o.v as Record<string, unknown>, path);
      }
      default:
        throw invalid(`unknown tag ${JSON.stringify(o.$)}`, path);
    }
  }

  private plain(o: Record<string, unknown>, path: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.objects.push(out);
    for (const [k, x] of Object.entries(o)) out[k] = this.value(x, `${path}.${k}`);
    return out;
  }
}

function invalid(message: string, path?: string): SimulatorSnapshotError {
  return new SimulatorSnapshotError("ERR_SNAPSHOT_INVALID", message, path);
}

/** Encodes one slot of state (references are shared within a slot only). */
function enc(v: unknown, path: string): unknown {
  return new Encoder().value(v, path);
}

function encInstance(v: object, className: string, path: string): unknown {
  return new Encoder().instance(v, className, path);
}

function dec(v: unknown, path: string): unknown {
  return new Decoder().value(v, path);
}

/** Decodes a slot that must be a plain object (the fields of a class instance, a record). */
function decRecord(v: unknown, path: string): Record<string, unknown> {
  const out = dec(v, path);
  if (typeof out !== "object" || out === null || Array.isArray(out) || out instanceof Map) {
    throw invalid("expected an object", path);
  }
  return out as Record<string, unknown>;
}

function decMap(v: unknown, path: string): Map<unknown, unknown> {
  const out = dec(v, path);
  if (!(out instanceof Map)) throw invalid("expected a map", path);
  return out;
}

/** A class's private state, read and written by name: the snapshot is this state's one serializer. */
type Fields = Record<string, unknown>;
const fieldsOf = (o: object): Fields => o as unknown as Fields;

// ----- taking a snapshot -----

/** The archive bytes of uploaded charms, by URL. */
function charmArchives(ents: ModelEntities, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of ents.charms.values()) {
    if (c.archive === undefined) continue;
    try {
      out[c.url] = readFileSync(c.archive.path).toString("base64");
    } catch (e) {
      throw new SimulatorSnapshotError(
        "ERR_SNAPSHOT_UNSUPPORTED",
        `the archive of ${c.url} cannot be read: ${(e as Error).message}`,
        path,
      );
    }
  }
  return out;
}

function snapshotModel(m: ModelRecord, i: number): ModelSnapshot {
  const p = `models[${i}]`;
  const paused = fieldsOf(m.agents) as { failedHooks?: Map<string, string>; lost?: Set<string> };
  const busy = m.agents.busyEntities.map((e) => {
    const hook = paused.failedHooks?.get(e);
    if (hook !== undefined) return `${e} (stopped on a failed hook "${hook}": resolve it first)`;
    return paused.lost?.has(e) === true
      ? `${e} (agent killed with work queued: revive it first)`
      : e;
  });
  if (busy.length > 0) {
    throw new SimulatorSnapshotError(
      "ERR_SNAPSHOT_BUSY",
      `model ${JSON.stringify(m.name)} has agent work in flight (${busy.slice(0, 5).join(", ")}${busy.length > 5 ? ", …" : ""}): let it settle first`,
      p,
    );
  }
  return {
    uuid: m.uuid,
    name: m.name,
    owner: m.owner,
    type: m.type,
    region: m.region,
    isController: m.isController,
    life: m.life,
    status: enc(m.status, `${p}.status`),
    config: [...m.config].map(([k, e]) => [k, enc(e.value, `${p}.config.${k}`), e.source]),
    lastConnection: enc(m.lastConnection, `${p}.lastConnection`),
    entities: encInstance(m.state, "ModelEntities", `${p}.entities`),
    watcherEntities: m.entities.exportEntries(),
    agents: encInstance(m.agents, "Agents", `${p}.agents`),
    statusHistory: encInstance(m.entities.statusHistory, "StatusHistory", `${p}.statusHistory`),
    logs: enc(
      logStoreOf(m.state)
        .records()
        .map(({ seq: _seq, ...r }) => r),
      `${p}.logs`,
    ),
    charmArchives: charmArchives(m.state, `${p}.charmArchives`),
    access: enc(modelUsers(m), `${p}.access`),
    actions: encInstance(modelActions(m), "ModelActions", `${p}.actions`),
    secrets: enc(secretsOf(m), `${p}.secrets`),
    storage: enc(storageOf(m), `${p}.storage`),
    network: enc(networkOf(m), `${p}.network`),
    resources: encInstance(resourcesOf(m), "ModelResources", `${p}.resources`),
    blocks: enc(blockStates.get(m) ?? null, `${p}.blocks`),
    localCharmSequences: enc(localCharmSequences.get(m) ?? null, `${p}.localCharmSequences`),
    offers: enc(offerStates.get(m) ?? null, `${p}.offers`),
    cmr: enc(cmrStateOf(m) ?? null, `${p}.cmr`),
  };
}

function prngState(rng: object, path: string): number {
  const s = fieldsOf(rng).state;
  if (typeof s !== "number") {
    throw new SimulatorSnapshotError("ERR_SNAPSHOT_UNSUPPORTED", "PRNG state not readable", path);
  }
  return s;
}

/**
 * The whole controller state as JSON data (see the module comment for what
 * it holds). Synchronous, so the state cannot change while it is read.
 * @throws SimulatorSnapshotError `ERR_SNAPSHOT_BUSY` when agents are still working.
 */
export function snapshotStore(store: ControllerStore): SimulatorSnapshot {
  const ids = fieldsOf(store).ids;
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    createdAt: new Date().toISOString(),
    juju: store.profile.name,
    agentVersion: store.agentVersion,
    controller: {
      uuid: store.controllerUuid,
      clock: store.clock.now().toISOString(),
      rng: prngState(store.rng, "controller.rng"),
      ids: ids === undefined ? null : prngState(ids as object, "controller.ids"),
      started: controllerStarted(store).toISOString(),
      users: [...store.users.values()].map((u, i) => ({
        record: enc(u, `controller.users[${i}]`),
        meta: enc(userMeta(store, u), `controller.users[${i}].meta`),
      })),
      clouds: enc(cloudStates.get(store) ?? null, "controller.clouds"),
      cloudAccess: enc(cloudAccessGrants.get(store) ?? null, "controller.cloudAccess"),
      controllerMachines: enc(
        controllerMachineIds.get(store) ?? null,
        "controller.controllerMachines",
      ),
      offerRootKey: enc(offerRootKeys.get(store) ?? null, "controller.offerRootKey"),
    },
    models: [...store.models.values()].map((m, i) => snapshotModel(m, i)),
  };
}

// ----- restoring -----

function need(cond: boolean, message: string, path: string): asserts cond {
  if (!cond) throw invalid(message, path);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Checks the envelope of a snapshot; the slots are checked as they are decoded. */
export function validateSnapshot(snap: unknown, store?: ControllerStore): SimulatorSnapshot {
  need(isRecord(snap), "a snapshot must be an object", "snapshot");
  need(
    snap.format === SNAPSHOT_FORMAT,
    `format must be ${JSON.stringify(SNAPSHOT_FORMAT)}, got ${JSON.stringify(snap.format)}`,
    "format",
  );
  need(
    snap.version === SNAPSHOT_VERSION,
    `version ${JSON.stringify(snap.version)} is not supported (this simulator reads version ${SNAPSHOT_VERSION})`,
    "version",
  );
  need(typeof snap.juju === "string", "must be a string", "juju");
  if (store !== undefined) {
    need(
      snap.juju === store.profile.name,
      `the snapshot is of a Juju ${snap.juju} controller; this simulator plays ${store.profile.name}`,
      "juju",
    );
  }
  const c = snap.controller;
  need(isRecord(c), "must be an object", "controller");
  need(typeof c.uuid === "string" && UUID_RE.test(c.uuid), "must be a UUID", "controller.uuid");
  need(
    typeof c.clock === "string" && !Number.isNaN(Date.parse(c.clock)),
    "must be a time",
    "controller.clock",
  );
  need(typeof c.rng === "number", "must be a number", "controller.rng");
  need(c.ids === null || typeof c.ids === "number", "must be a number or null", "controller.ids");
  need(Array.isArray(c.users), "must be an array", "controller.users");
  need(Array.isArray(snap.models), "must be an array", "models");
  const uuids = new Set<string>();
  let controllers = 0;
  snap.models.forEach((m: unknown, i) => {
    const p = `models[${i}]`;
    need(isRecord(m), "must be an object", p);
    need(typeof m.uuid === "string" && UUID_RE.test(m.uuid), "must be a UUID", `${p}.uuid`);
    need(!uuids.has(m.uuid), "duplicate model UUID", `${p}.uuid`);
    uuids.add(m.uuid);
    for (const k of ["name", "owner", "region"]) {
      need(typeof m[k] === "string" && m[k] !== "", "must be a non-empty string", `${p}.${k}`);
    }
    need(m.type === "iaas" || m.type === "caas", "must be iaas or caas", `${p}.type`);
    need(typeof m.isController === "boolean", "must be a boolean", `${p}.isController`);
    if (m.isController) controllers++;
    need(
      m.life === "alive" || m.life === "dying" || m.life === "dead",
      "must be alive, dying or dead",
      `${p}.life`,
    );
    need(Array.isArray(m.config), "must be an array", `${p}.config`);
    need(Array.isArray(m.watcherEntities), "must be an array", `${p}.watcherEntities`);
    m.watcherEntities.forEach((e: unknown, j) => {
      need(
        Array.isArray(e) &&
          e.length === 3 &&
          typeof e[0] === "string" &&
          typeof e[1] === "string" &&
          isRecord(e[2]),
        "must be [kind, id, entity]",
        `${p}.watcherEntities[${j}]`,
      );
    });
    need(isRecord(m.charmArchives), "must be an object", `${p}.charmArchives`);
    for (const k of [
      "entities",
      "agents",
      "statusHistory",
      "actions",
      "resources",
      "access",
      "logs",
    ]) {
      need(m[k] !== undefined, "is missing", `${p}.${k}`);
    }
  });
  need(controllers === 1, `there must be one controller model, found ${controllers}`, "models");
  return snap as unknown as SimulatorSnapshot;
}

/** A model rebuilt from its snapshot, not yet installed in the store. */
interface Rebuilt {
  model: ModelRecord;
  snap: ModelSnapshot;
  /** The decoded status history, installed after the AllWatcher entities. */
  statusHistory: Record<string, unknown>;
  /** Archive files written for it (removed again if the restore fails). */
  files: string[];
  /** Its cross-model relation state, installed once every model is in the store. */
  cmr: CmrState | undefined;
}

const CONFIG_SOURCES = new Set(["default", "controller", "region", "model"]);

function rebuildModel(store: ControllerStore, s: ModelSnapshot, i: number): Rebuilt {
  const p = `models[${i}]`;
  const old = store.models.get(s.uuid);
  const model = new ModelRecord(
    store,
    s.uuid,
    s.name,
    s.owner,
    store.cloud,
    s.region,
    s.isController,
    s.type,
    old?.entities,
  );
  const files: string[] = [];
  try {
    model.life = s.life;
    model.status = decRecord(s.status, `${p}.status`) as unknown as ModelRecord["status"];
    s.config.forEach((entry, j) => {
      need(
        Array.isArray(entry) &&
          typeof entry[0] === "string" &&
          CONFIG_SOURCES.has(entry[2] as string),
        "must be [key, value, source]",
        `${p}.config[${j}]`,
      );
      const [k, v, source] = entry;
      // The controller-wide defaults are the running simulator's (its Charmhub URL).
      const value =
        source === "controller" && Object.hasOwn(store.modelDefaults, k)
          ? store.modelDefaults[k]
          : dec(v, `${p}.config.${k}`);
      model.config.set(k, { value, source });
    });
    for (const [k, v] of decMap(s.lastConnection, `${p}.lastConnection`)) {
      need(
        typeof k === "string" && v instanceof Date,
        "must map names to times",
        `${p}.lastConnection`,
      );
      model.lastConnection.set(k, v);
    }

    const ents = decRecord(s.entities, `${p}.entities`);
    for (const k of ["machines", "applications", "units", "relations", "charms", "annotations"]) {
      need(ents[k] instanceof Map, "must be a map", `${p}.entities.${k}`);
    }
    Object.assign(model.state, ents);
    for (const c of (ents.charms as Map<string, CharmRecord>).values()) {
      if (c.archive === undefined) continue;
      const bytes = s.charmArchives[c.url];
      need(typeof bytes === "string", `no archive for ${c.url}`, `${p}.charmArchives`);
      const file = join(store.charmBlobDir(), `restored-${randomBytes(8).toString("hex")}.charm`);
      writeFileSync(file, Buffer.from(bytes, "base64"));
      files.push(file);
      c.archive = { ...c.archive, path: file };
    }

    Object.assign(model.agents, decRecord(s.agents, `${p}.agents`));

    const access = decMap(s.access, `${p}.access`);
    const users = modelUsers(model);
    users.clear();
    for (const [k, v] of access) users.set(k as string, v as ModelAccess);

    Object.assign(modelActions(model), decRecord(s.actions, `${p}.actions`));
    Object.assign(secretsOf(model), decRecord(s.secrets, `${p}.secrets`));
    Object.assign(storageOf(model), decRecord(s.storage, `${p}.storage`));
    Object.assign(networkOf(model), decRecord(s.network, `${p}.network`));
    Object.assign(resourcesOf(model), decRecord(s.resources, `${p}.resources`));
    const blocks = dec(s.blocks, `${p}.blocks`);
    if (blocks !== null) blockStates.set(model, blocks as never);
    const seqs = dec(s.localCharmSequences, `${p}.localCharmSequences`);
    if (seqs !== null) {
      need(seqs instanceof Map, "must be a map", `${p}.localCharmSequences`);
      localCharmSequences.set(model, seqs as Map<string, number>);
    }
    const offers = s.offers === undefined ? null : dec(s.offers, `${p}.offers`);
    if (offers !== null) {
      need(offers instanceof Map, "must be a map", `${p}.offers`);
      for (const [name, o] of offers) {
        need(
          typeof name === "string" && isRecord(o) && o.users instanceof Map,
          "must map offer names to offers",
          `${p}.offers`,
        );
      }
      offerStates.set(model, offers as Map<string, OfferRecord>);
    }
    const cmr = s.cmr === undefined ? null : dec(s.cmr, `${p}.cmr`);
    need(
      cmr === null || (isRecord(cmr) && cmr.saas instanceof Map && cmr.proxies instanceof Map),
      "must hold saas and proxies maps",
      `${p}.cmr`,
    );
    const logs = dec(s.logs, `${p}.logs`);
    need(Array.isArray(logs), "must be an array", `${p}.logs`);
    const logStore = logStoreOf(model.state);
    for (const r of logs) logStore.append(r as never);
    const statusHistory = decRecord(s.statusHistory, `${p}.statusHistory`);
    return {
      model,
      snap: s,
      statusHistory,
      files,
      cmr: cmr === null ? undefined : (cmr as unknown as CmrState),
    };
  } catch (e) {
    for (const f of files) rmSync(f, { force: true });
    throw e;
  }
}

/**
 * Replaces the state of a running controller with a snapshot's (see the
 * module comment for what open watchers and sessions see). The snapshot is
 * decoded completely before anything changes: an invalid one leaves the
 * controller as it was.
 * @throws SimulatorSnapshotError `ERR_SNAPSHOT_INVALID` naming what was wrong.
 */
export async function restoreStore(store: ControllerStore, input: unknown): Promise<void> {
  const snap = validateSnapshot(input, store);
  const c = snap.controller;

  // Decode everything first.
  const users = c.users.map((u, i) => {
    const p = `controller.users[${i}]`;
    need(isRecord(u), "must be an object", p);
    const record = decRecord(u.record, `${p}.record`) as unknown as UserRecord;
    need(
      typeof record.name === "string" && record.name !== "",
      "must have a name",
      `${p}.record.name`,
    );
    const meta = decRecord(u.meta, `${p}.meta`) as unknown as UserMeta;
    return { record, meta };
  });
  need(
    users.some((u) => u.record.name === "admin"),
    "there is no admin user",
    "controller.users",
  );
  const clouds = dec(c.clouds, "controller.clouds");
  const cloudAccess = dec(c.cloudAccess, "controller.cloudAccess");
  const machines = dec(c.controllerMachines, "controller.controllerMachines");
  const offerRootKey =
    c.offerRootKey === undefined ? null : dec(c.offerRootKey, "controller.offerRootKey");
  need(
    offerRootKey === null || Buffer.isBuffer(offerRootKey),
    "must be bytes",
    "controller.offerRootKey",
  );
  need(clouds === null || isRecord(clouds), "must be an object", "controller.clouds");
  need(
    cloudAccess === null || cloudAccess instanceof Map,
    "must be a map",
    "controller.cloudAccess",
  );
  need(
    machines === null || Array.isArray(machines),
    "must be an array",
    "controller.controllerMachines",
  );

  const rebuilt: Rebuilt[] = [];
  // Building models draws from the PRNG (their subnets): a failed restore must not move it.
  const rngBefore = prngState(store.rng, "controller.rng");
  try {
    snap.models.forEach((m, i) => {
      rebuilt.push(rebuildModel(store, m, i));
    });
  } catch (e) {
    for (const r of rebuilt) for (const f of r.files) rmSync(f, { force: true });
    fieldsOf(store.rng).state = rngBefore;
    throw e;
  }

  // Install: nothing below can fail on the snapshot's data.
  const wanted = new Set(snap.models.map((m) => m.uuid));
  for (const m of store.models.values()) m.agents.stop();
  for (const uuid of [...store.models.keys()]) {
    if (!wanted.has(uuid)) store.removeModel(uuid);
  }
  for (const r of rebuilt) {
    const old = store.models.get(r.model.uuid);
    if (old === undefined) continue;
    // The replaced model's uploaded archives (the restored ones are new files).
    for (const ch of old.state.charms.values()) {
      if (ch.archive !== undefined) rmSync(ch.archive.path, { force: true });
    }
  }
  fieldsOf(store).controllerUuid = c.uuid;
  const adminPassword = store.users.get("admin")?.password;
  store.users.clear();
  for (const { record, meta } of users) {
    if (record.name === "admin" && adminPassword !== undefined) record.password = adminPassword;
    store.users.set(record.name, record);
    setUserMeta(record, meta);
  }
  if (c.started !== null && typeof c.started === "string") {
    controllerStarted(store).setTime(Date.parse(c.started));
  }
  if (clouds === null) cloudStates.delete(store);
  else cloudStates.set(store, clouds as never);
  if (cloudAccess === null) cloudAccessGrants.delete(store);
  else cloudAccessGrants.set(store, cloudAccess as never);
  if (machines === null) controllerMachineIds.delete(store);
  else controllerMachineIds.set(store, machines as string[]);

  if (offerRootKey === null) offerRootKeys.delete(store);
  else offerRootKeys.set(store, offerRootKey);

  store.models.clear();
  for (const { model, snap: s, statusHistory } of rebuilt) {
    store.models.set(model.uuid, model);
    model.entities.resync(s.watcherEntities);
    // After resync: setting the entities recorded their statuses again.
    Object.assign(model.entities.statusHistory, statusHistory);
    // The model entity carries the running controller's values (controller uuid, charmhub-url).
    model.publish();
  }
  // Remote relation workers need every model in place (they look each other up).
  for (const { model, cmr } of rebuilt) if (cmr !== undefined) restoreCmrState(model, cmr);
  fieldsOf(store.rng).state = c.rng;
  const ids = fieldsOf(store).ids;
  if (ids !== undefined && c.ids !== null) fieldsOf(ids as object).state = c.ids;

  // Time moves forward to the snapshot's, never back.
  const clock = store.clock;
  const behind = Date.parse(c.clock) - clock.now().getTime();
  if (clock instanceof VirtualClock && behind > 0) await clock.advance(behind);
}
