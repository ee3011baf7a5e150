/**
 * The controller state of the simulator: the cloud, users and models, each
 * model with its config and an {@link EntityLog} of wire-shaped entities.
 * Facades read and change state only through this module, and every change
 * that clients can observe is published to the model's entity log, so that
 * AllWatchers see it.
 * @module
 */
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ModelData } from "../protocol/entity-data.js";
import { Agents } from "./agents.js";
import { ChangeCounter } from "./changes.js";
import { DEFAULT_ZIP_LIMITS, type ZipLimits } from "./charm-archive-reader.js";
import type { CharmSource } from "./charm-source.js";
import { type Clock, Prng, RealClock, TIMING_PROFILES, Timing } from "./clock.js";
import { ModelEntities, wireStatus } from "./entities.js";
import { Errors, ServerError } from "./errors.js";
import { logStoreOf } from "./logs.js";
import { JUJU_3_6, type JujuProfile, ownsNamespace } from "./profile.js";
import { EntityLog } from "./watcher-hub.js";

/** Where a model config value comes from, as `ModelConfig.ModelGet` reports it. */
export type ConfigSource = "default" | "controller" | "region" | "model";

/** One model config value and its source. */
export interface ConfigEntry {
  value: unknown;
  source: ConfigSource;
}

/** Life of a Juju entity. */
export type Life = "alive" | "dying" | "dead";

/** A status value with its message and the time it was set. */
export interface StatusValue {
  current: string;
  message: string;
  since: Date;
}

/** The cloud the simulated controller runs on. */
export interface CloudInfo {
  name: string;
  type: string;
  region: string;
  /** The credential of the admin user on this cloud, e.g. `localhost_admin_localhost` (a cloudcred id). */
  credentialId: string;
}

/** A controller user. */
export interface UserRecord {
  name: string;
  displayName: string;
  password: string;
  /** `""` once `login` was revoked (`ModifyControllerAccess`): the user can no longer log in. */
  controllerAccess: "" | "login" | "superuser";
}

/** Formats a time the way Go's `time.Time` marshals to JSON (RFC 3339, UTC). */
export function goTime(d: Date): string {
  return d.toISOString().replace(/\.000Z$/, "Z");
}

/**
 * Model config defaults of a 3.6 IAAS model on LXD (`environs/config`
 * defaults plus the LXD provider's `project`). Values not listed here only
 * exist once set.
 */
const DEFAULT_CONFIG: Readonly<Record<string, unknown>> = {
  "agent-metadata-url": "",
  "agent-stream": "released",
  "apt-ftp-proxy": "",
  "apt-http-proxy": "",
  "apt-https-proxy": "",
  "apt-mirror": "",
  "apt-no-proxy": "",
  "automatically-retry-hooks": true,
  "backup-dir": "",
  "charmhub-url": "https://api.charmhub.io",
  "cloudinit-userdata": "",
  "container-image-metadata-defaults-disabled": false,
  "container-image-metadata-url": "",
  "container-image-stream": "released",
  "container-inherit-properties": "",
  "container-networking-method": "",
  "default-base": "",
  "default-space": "",
  development: false,
  "disable-network-management": false,
  "disable-telemetry": false,
  "egress-subnets": "",
  "enable-os-refresh-update": true,
  "enable-os-upgrade": true,
  "extra-info": "",
  "fan-config": "",
  "firewall-mode": "instance",
  "ftp-proxy": "",
  "http-proxy": "",
  "https-proxy": "",
  "ignore-machine-addresses": false,
  "image-metadata-defaults-disabled": false,
  "image-metadata-url": "",
  "image-stream": "released",
  "juju-ftp-proxy": "",
  "juju-http-proxy": "",
  "juju-https-proxy": "",
  "juju-no-proxy": "127.0.0.1,localhost,::1",
  "logforward-enabled": false,
  "logging-config": "",
  "logging-output": "",
  "lxd-snap-channel": "5.0/stable",
  "max-action-results-age": "336h",
  "max-action-results-size": "5G",
  "max-status-history-age": "336h",
  "max-status-history-size": "5G",
  mode: "requires-prompts",
  "net-bond-reconfigure-delay": 17,
  "no-proxy": "127.0.0.1,localhost,::1",
  "num-container-provision-workers": 4,
  "num-provision-workers": 16,
  project: "default",
  "provisioner-harvest-mode": "destroyed",
  "proxy-ssh": false,
  "resource-tags": "",
  "saas-ingress-allow": "0.0.0.0/0,::/0",
  "secret-backend": "auto",
  "snap-http-proxy": "",
  "snap-https-proxy": "",
  "snap-store-assertions": "",
  "snap-store-proxy": "",
  "snap-store-proxy-url": "",
  "ssh-allow": "0.0.0.0/0,::/0",
  "ssl-hostname-verification": true,
  "test-mode": false,
  "transmit-vendor-metrics": true,
  "update-status-hook-interval": "5m",
};

/** Keys whose value is fixed at model creation (`config.Validate` refuses changes). */
const IMMUTABLE_KEYS = ["name", "uuid", "type"] as const;

/** An OpenSSH public key line for the simulated client key (`authorized-keys`). */
function makeAuthorizedKey(): string {
  const { publicKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const str = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const blob = Buffer.concat([str(Buffer.from("ssh-ed25519")), str(raw)]);
  return `ssh-ed25519 ${blob.toString("base64")} juju-client-key`;
}

/** One model: identity, config, status and its entity log. */
export class ModelRecord {
  /** The model's entities (`model`, later `machine`, `application`, …) for AllWatchers and status. */
  readonly entities: EntityLog;
  readonly config = new Map<string, ConfigEntry>();
  life: Life = "alive";
  status: StatusValue;
  /** Last successful login per user name, for `last-connection`. */
  readonly lastConnection = new Map<string, Date>();
  /** Machines, applications, units, relations, charms and annotations. */
  readonly state: ModelEntities;
  /** The simulated agents acting on {@link ModelRecord.state}. */
  readonly agents: Agents;

  constructor(
    readonly controller: ControllerStore,
    readonly uuid: string,
    readonly name: string,
    readonly owner: string,
    readonly cloud: CloudInfo,
    readonly region: string,
    readonly isController: boolean,
    readonly type: "iaas" | "caas" = "iaas",
    // A restored snapshot keeps the log of the model it replaces, so open watchers see deltas.
    entities: EntityLog = new EntityLog(),
  ) {
    this.entities = entities;
    // Entity, status and debug-log changes count as changes of the saved state.
    entities.changes = controller.changes;
    this.status = { current: "available", message: "", since: controller.clock.now() };
    this.state = new ModelEntities(
      uuid,
      this.entities,
      controller.clock,
      controller.rng,
      controller.timing,
      () => this.agentVersion,
    );
    this.state.addressSource = () => controller.machineAddressSource?.();
    this.agents = new Agents(this.state);
    logStoreOf(this.state).subscribe(() => controller.changes.bump());
  }

  /** The `model` delta entity (`params.ModelUpdate`). */
  modelInfo(): ModelData {
    return {
      "model-uuid": this.uuid,
      name: this.name,
      life: this.life,
      owner: this.owner,
      "controller-uuid": this.controller.controllerUuid,
      "is-controller": this.isController,
      config: this.configValues(),
      status: wireStatus(this.status),
      constraints: { ...this.state.modelConstraints },
      sla: { level: "unsupported", owner: "" },
      type: this.type,
      cloud: this.cloud.name,
      "cloud-region": this.region,
      version: this.agentVersion,
    };
  }

  /** The agent version of the model, from its config. */
  get agentVersion(): string {
    const v = this.config.get("agent-version")?.value;
    return typeof v === "string" ? v : this.controller.agentVersion;
  }

  /** Config as plain key → value. */
  configValues(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, e] of [...this.config.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      out[k] = e.value;
    }
    return out;
  }

  /** Publishes the current model entity to watchers. */
  publish(): void {
    this.entities.set("model", this.uuid, this.modelInfo());
  }

  /** `ModelConfig.ModelSet`: validates like 3.6, then stores the values with source `model`. */
  setConfig(values: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(values)) {
      const old = this.config.get(k)?.value;
      if (k === "agent-version" && v !== old) {
        throw new ServerError("agent-version cannot be changed");
      }
      // config.Validate's immutableAttributes: name, type, uuid, firewall-mode, charmhub-url.
      if (
        [...IMMUTABLE_KEYS, "firewall-mode", "charmhub-url"].includes(k) &&
        old !== undefined &&
        v !== old
      ) {
        throw new ServerError(
          `cannot change ${k} from ${JSON.stringify(old)} to ${JSON.stringify(v)}`,
        );
      }
    }
    for (const [k, v] of Object.entries(values)) {
      this.config.set(k, { value: v, source: "model" });
    }
    this.publish();
  }

  /** `ModelConfig.ModelUnset`: keys with a default go back to it; others disappear. */
  unsetConfig(keys: string[]): void {
    for (const k of keys) {
      if ((IMMUTABLE_KEYS as readonly string[]).includes(k) || k === "agent-version") {
        throw new ServerError(`cannot unset ${JSON.stringify(k)}`);
      }
    }
    for (const k of keys) {
      if (Object.hasOwn(this.controller.modelDefaults, k)) {
        this.config.set(k, { value: this.controller.modelDefaults[k], source: "controller" });
      } else if (Object.hasOwn(DEFAULT_CONFIG, k)) {
        this.config.set(k, { value: DEFAULT_CONFIG[k], source: "default" });
      } else {
        this.config.delete(k);
      }
    }
    this.publish();
  }
}

/** Arguments of {@link ControllerStore.createModel}. */
export interface CreateModelArgs {
  name: string;
  owner: string;
  region?: string;
  config?: Record<string, unknown>;
  isController?: boolean;
  uuid?: string;
}

/** Options of {@link ControllerStore}. */
export interface StoreOptions {
  agentVersion: string;
  /** The Juju version the controller plays (facade lists, 4.x shapes). Default 3.6. */
  profile?: JujuProfile;
  adminPassword: string;
  /** Delay before a dead model is removed (Juju's undertaker). Default 0: on the next turn. */
  removalDelayMs?: number;
  /** The clock agents run on. Default: real time. */
  clock?: Clock;
  /** How long simulated steps take. Default `fast`. */
  timing?: keyof typeof TIMING_PROFILES;
  /** Seed of the PRNG for jitter and addresses. Default 1. */
  seed?: number;
  /** Where charms are resolved from. Default: none (every resolve fails as on an empty Charmhub). */
  charms?: CharmSource;
  /**
   * Controller-wide model defaults (`juju model-defaults`, or bootstrap
   * `--config` of model keys): every model gets them with source `controller`.
   */
  modelDefaults?: Readonly<Record<string, unknown>>;
  /** Largest accepted charm or resource upload body in bytes. Default 1 GiB. */
  maxUploadBytes?: number;
  /** Limits on uploaded charm archives (entries, inflated size, compression ratio). */
  zipLimits?: Partial<ZipLimits>;
}

/** Default of {@link StoreOptions.maxUploadBytes}: 1 GiB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 1024 ** 3;

/** The whole controller: cloud, users and models. */
export class ControllerStore {
  readonly controllerUuid: string;
  readonly agentVersion: string;
  /** The Juju version the controller plays: consulted where 3.6 and 4.x differ. */
  readonly profile: JujuProfile;
  readonly cloud: CloudInfo = {
    name: "localhost",
    type: "lxd",
    region: "localhost",
    credentialId: "localhost_admin_localhost",
  };
  readonly users = new Map<string, UserRecord>();
  readonly models = new Map<string, ModelRecord>();
  /**
   * Moves on every change of the state a snapshot keeps (`snapshot.ts`
   * says who bumps it): what `libjuju sim --state` checks before saving.
   */
  readonly changes = new ChangeCounter();

  /**
   * What `util.inspect` shows: a summary, because the user records hold
   * passwords and a whole dump (as in an error log) must not leak them.
   */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `ControllerStore { controllerUuid: ${JSON.stringify(this.controllerUuid)}, users: ${JSON.stringify([...this.users.keys()])}, models: ${this.models.size} }`;
  }
  /** The `authorized-keys` of new models: one simulated client key. */
  readonly authorizedKeys = makeAuthorizedKey();
  /** Hands out machine addresses when set (the embedded ssh server's loopback ones). */
  machineAddressSource: (() => string) | undefined;
  /** The clock agents run on. */
  readonly clock: Clock;
  /** Seeded randomness (jitter, addresses). */
  readonly rng: Prng;
  /** Step durations of the timing profile. */
  readonly timing: Timing;
  /** Where charms are resolved from. */
  readonly charms: CharmSource;
  /** Controller-wide model defaults (source `controller` in ModelGet). */
  readonly modelDefaults: Readonly<Record<string, unknown>>;
  /** Largest accepted upload body (charms, resources). */
  readonly maxUploadBytes: number;
  /** Limits on uploaded charm archives. */
  readonly zipLimits: ZipLimits;
  private readonly removalDelayMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private blobDir: string | undefined;
  private readonly modelListeners = new Set<(uuid: string) => void>();

  constructor(opts: StoreOptions) {
    this.agentVersion = opts.agentVersion;
    this.profile = opts.profile ?? JUJU_3_6;
    this.removalDelayMs = opts.removalDelayMs ?? 0;
    this.modelDefaults = { ...opts.modelDefaults };
    this.maxUploadBytes = opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
    this.zipLimits = { ...DEFAULT_ZIP_LIMITS, ...opts.zipLimits };
    this.clock = opts.clock ?? new RealClock();
    this.rng = new Prng(opts.seed ?? 1);
    // A stream of its own, so that ids do not depend on how much jitter was drawn.
    this.ids = opts.seed === undefined ? undefined : new Prng(opts.seed ^ 0x1d5eed);
    this.controllerUuid = this.newUuid();
    this.timing = new Timing(TIMING_PROFILES[opts.timing ?? "fast"], this.rng);
    this.charms = opts.charms ?? {
      resolve: (req) => {
        throw new ServerError(
          `resolving with preferred channel: refresh: charm or bundle not found for channel "stable", platform ${JSON.stringify(req.architecture || "amd64")}`,
          "not found",
        );
      },
    };
    this.users.set("admin", {
      name: "admin",
      displayName: "admin",
      password: opts.adminPassword,
      controllerAccess: "superuser",
    });
  }

  /** Seeded source of UUIDs when the store has an explicit seed (deterministic runs). */
  private readonly ids: Prng | undefined;

  /** A new version-4 UUID: derived from the seed when one was given, random otherwise. */
  newUuid(): string {
    if (this.ids === undefined) return randomUUID();
    const h = this.ids.hex(32).split("");
    h[12] = "4";
    h[16] = ((Number.parseInt(h[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
    const s = h.join("");
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }

  /** Generates a password like Juju's bootstrap does (random, URL-safe). */
  static randomPassword(): string {
    return randomBytes(18).toString("base64url");
  }

  /** The controller model (created first). */
  get controllerModel(): ModelRecord {
    for (const m of this.models.values()) if (m.isController) return m;
    throw new Error("controller model missing");
  }

  /** A model by owner (on Juju 4, by qualifier) and name. */
  modelByName(owner: string, name: string): ModelRecord | undefined {
    for (const m of this.models.values()) {
      if (m.name === name && ownsNamespace(this.profile, m.owner, owner)) return m;
    }
    return undefined;
  }

  /** Called with a model uuid when a model is removed (sessions on it react). */
  onModelRemoved(listener: (uuid: string) => void): () => void {
    this.modelListeners.add(listener);
    return () => this.modelListeners.delete(listener);
  }

  /** Creates a model with default config; fails like `state.NewModel` on a duplicate name. */
  createModel(args: CreateModelArgs): ModelRecord {
    if (this.modelByName(args.owner, args.name) !== undefined) {
      throw Errors.alreadyExists(`model ${JSON.stringify(args.name)} for ${args.owner}`).annotate(
        "failed to create new model",
      );
    }
    const uuid = args.uuid ?? this.newUuid();
    const model = new ModelRecord(
      this,
      uuid,
      args.name,
      args.owner,
      this.cloud,
      args.region ?? this.cloud.region,
      args.isController ?? false,
    );
    for (const [k, v] of Object.entries(DEFAULT_CONFIG)) {
      model.config.set(k, { value: v, source: "default" });
    }
    for (const [k, v] of Object.entries(this.modelDefaults)) {
      model.config.set(k, { value: v, source: "controller" });
    }
    const own: Record<string, unknown> = {
      name: args.name,
      uuid,
      type: this.cloud.type,
      "agent-version": this.agentVersion,
      "authorized-keys": this.authorizedKeys,
      "logging-config": "<root>=INFO",
      ...args.config,
    };
    for (const [k, v] of Object.entries(own)) model.config.set(k, { value: v, source: "model" });
    this.models.set(uuid, model);
    this.changes.bump();
    model.publish();
    return model;
  }

  /**
   * Starts destroying a model (`state.Model.Destroy`): an empty hosted model
   * goes straight to dead and is removed soon after; the controller model
   * cannot go while it hosts other models.
   */
  destroyModel(model: ModelRecord): void {
    if (model.life !== "alive") return;
    if (model.isController) {
      const hosted = [...this.models.values()].filter((m) => !m.isController && m.life !== "dead");
      if (hosted.length > 0) {
        const n = hosted.length;
        throw new ServerError(
          `failed to destroy model: hosting ${n} other model${n === 1 ? "" : "s"}`,
          "controller has hosted models",
        );
      }
      model.life = "dying";
    } else {
      model.life = "dead";
    }
    model.status = {
      current: "destroying",
      message: "the model is being destroyed",
      since: new Date(),
    };
    model.publish();
    if (model.life === "dead") this.later(() => this.removeModel(model.uuid));
  }

  /** Removes a model for good: watchers get its `remove` delta, then nothing more. */
  removeModel(uuid: string): void {
    const model = this.models.get(uuid);
    if (model === undefined) return;
    this.models.delete(uuid);
    this.changes.bump();
    model.agents.stop();
    // Uploaded charm archives go with their model.
    for (const c of model.state.charms.values()) {
      if (c.archive !== undefined) rmSync(c.archive.path, { force: true });
    }
    model.entities.remove("model", uuid);
    for (const l of this.modelListeners) l(uuid);
  }

  /**
   * The directory holding uploads in progress and stored local charm
   * archives (created on first use, removed by {@link ControllerStore.close}).
   */
  charmBlobDir(): string {
    this.blobDir ??= mkdtempSync(join(tmpdir(), "libjuju-sim-charms-"));
    return this.blobDir;
  }

  /** Cancels pending timers and removes stored uploads (server stop). */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const m of this.models.values()) m.agents.stop();
    if (this.blobDir !== undefined) rmSync(this.blobDir, { recursive: true, force: true });
    this.blobDir = undefined;
  }

  private later(fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, this.removalDelayMs);
    this.timers.add(t);
  }
}
