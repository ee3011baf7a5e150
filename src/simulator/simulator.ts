/**
 * The `Simulator`: an in-process Juju 3.6 controller that speaks the real
 * wire protocol over TLS websockets.
 * @module
 */
import { isIP } from "node:net";
import type { HostPort } from "../protocol/frames.js";
import { CharmCatalog } from "./catalog/index.js";
import { catalogSource } from "./catalog-source.js";
import { type ControllerCerts, generateControllerCerts } from "./certs.js";
import type { ZipLimits } from "./charm-archive-reader.js";
import type { CharmSource } from "./charm-source.js";
import { CharmhubServer } from "./charmhub/index.js";
import { writeClientFiles } from "./client-files.js";
import type { Clock, TimingProfileName } from "./clock.js";
import { SimulatorControl } from "./control.js";
import type { DischargeMode, LocalDischarger } from "./discharger.js";
import { actionMethods } from "./facades/action.js";
import type { RedirectTarget } from "./facades/admin.js";
import { allWatcherMethods } from "./facades/all-watcher.js";
import { annotationsMethods } from "./facades/annotations.js";
import { applicationMethods } from "./facades/application.js";
import { applicationOffersMethods } from "./facades/application-offers.js";
import { blockCheckedMethods, blockMethods } from "./facades/block.js";
import { bundleMethods } from "./facades/bundle.js";
import { charmsMethods } from "./facades/charms.js";
import { clientMethods } from "./facades/client.js";
import { cloudMethods } from "./facades/cloud.js";
import { cloudAccessMethods } from "./facades/cloud-access.js";
import { controllerMethods, setControllerInfo } from "./facades/controller.js";
import { controllerAdminMethods } from "./facades/controller-admin.js";
import { controllerUserMethods } from "./facades/controller-users.js";
import { crossModelRelationsMethods } from "./facades/cross-model-relations.js";
import { keyManagerMethods } from "./facades/key-manager.js";
import { machineManagerMethods } from "./facades/machine-manager.js";
import { modelConfigMethods } from "./facades/model-config.js";
import { modelManagerMethods } from "./facades/model-manager.js";
import { pingerMethods } from "./facades/pinger.js";
import { FacadeRegistry } from "./facades/registry.js";
import { resourcesMethods } from "./facades/resources.js";
import { secretBackendsMethods } from "./facades/secret-backends.js";
import { secretsMethods } from "./facades/secrets.js";
import { spacesMethods } from "./facades/spaces.js";
import { statusHistoryMethods } from "./facades/status-history.js";
import { storageMethods } from "./facades/storage.js";
import { subnetsMethods } from "./facades/subnets.js";
import { userManagerMethods } from "./facades/user-manager.js";
import { FaultInjector } from "./faults.js";
import { type LatencySpec, latencySource } from "./latency.js";
import { LoginGuard, type LoginGuardOptions } from "./login-guard.js";
import type { MacaroonAuthority } from "./macaroon.js";
import { type JujuProfileName, jujuProfile, modelNamespace } from "./profile.js";
import type { FrameTap } from "./rpc-session.js";
import { ApiServer } from "./server.js";
import { restoreStore, type SimulatorSnapshot, snapshotStore } from "./snapshot.js";
import type { SimSshServer } from "./ssh-server.js";
import { ControllerStore } from "./store.js";

/** Options of {@link Simulator.start}. */
export interface SimulatorOptions {
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Write `controllers.yaml`, `accounts.yaml` and `models.yaml` into this directory (JUJU_DATA). */
  jujuData?: string;
  /** Controller name in the client files. Default `libjuju-sim`. */
  controllerName?: string;
  /** Password of the `admin` user. Default: random. */
  password?: string;
  /**
   * The Juju version the controller plays: `"3.6"` (the default) or `"4.0"`
   * (Login as 4.0.15 with 4.0's facades, no AllWatcher, Bundle 8, model
   * qualifiers instead of owners, bases only). See `profile.ts`.
   */
  juju?: JujuProfileName;
  /** The Juju version the controller reports. Default: the profile's (3.6.28 or 4.0.15). */
  agentVersion?: string;
  /** Largest accepted websocket frame in bytes. Default 64 MiB. */
  maxFrameSize?: number;
  /** Called with every frame received and sent (tests use it to check frames against the schema). */
  onFrame?: FrameTap;
  /**
   * How long simulated agents take: `instant` (next tick), `fast` (tens of
   * ms, the default) or `realistic` (seconds; a 3-application deploy
   * settles in about 15-25 s).
   */
  timing?: TimingProfileName;
  /** Seed of the PRNG behind jitter and simulated addresses. Default 1. */
  seed?: number;
  /** The clock agents run on; pass a `VirtualClock` to drive time by hand. Default: real time. */
  clock?: Clock;
  /** Where `ResolveCharms`, `AddCharm` and `DeployFromRepository` find charms. Default: the built-in catalog of real charms. */
  charms?: CharmSource;
  /**
   * The catalog behind the Charmhub API (`charmhub-url`) and, unless
   * `charms` is given, behind the facades. Default: `CharmCatalog.default()`.
   */
  catalog?: CharmCatalog;
  /** Port of the plain-HTTP Charmhub API (on `host`); 0 (the default) picks a free one. */
  charmhubPort?: number;
  /** Largest accepted charm or resource upload in bytes; larger bodies get a 413. Default 1 GiB. */
  maxUploadBytes?: number;
  /** Limits on uploaded charm archives (entry count, inflated size, compression ratio). */
  zipLimits?: Partial<ZipLimits>;
  /**
   * Network latency to inject: every RPC reply (Login, errors and watcher
   * results included) waits this many ms of `clock` time before it is sent,
   * or a time drawn (seeded by `seed`) from `{min, max}` for each reply.
   * Lets tests and benchmarks see what round trips cost against a remote
   * controller. Default: none.
   */
  latency?: LatencySpec;
  /**
   * Login limits: `timeoutMs` closes sockets that have not logged in
   * (default 30 s; 0: never), and a source with `maxFailures` failed logins
   * (default 10) within `windowMs` (default 60 s) is answered `try again`.
   */
  login?: LoginGuardOptions;
  /**
   * Machines answer ssh: each gets a loopback address (`127.X.Y.Z`) with an
   * embedded sshd on it (`ssh-server.ts`; needs the optional `ssh2`). `port`
   * is the port of every machine (default: a free one, see
   * {@link Simulator.sshPort}; 22 makes plain `ssh ubuntu@<address>` work
   * where the process may bind it). Default: off (10.x.y.z addresses).
   */
  ssh?:
    | boolean
    | {
        /** The sshd port of every machine. */
        port?: number;
      };
  /**
   * The TLS identity to serve (CA and server certificate and key), e.g. one
   * saved from {@link Simulator.tlsIdentity} by `libjuju sim --state`, so
   * that client files written earlier stay valid. Default: a new one.
   */
  tls?: ControllerCerts;
  /**
   * Requires macaroon login for external users, as a Juju controller with an
   * `identity-url` does: a Login without password gets
   * `bakery-discharge-required`, discharged by a local identity provider on
   * loopback (plain HTTP, in this process; see {@link Simulator.discharger}).
   * `true` declares user `bob` (`bob@external`, given `login` access) and
   * discharges at once. Password login of local users keeps working.
   */
  macaroonAuth?: boolean | MacaroonAuthOptions;
}

/** Options of {@link SimulatorOptions.macaroonAuth}. */
export interface MacaroonAuthOptions {
  /** The user the identity provider vouches for. Default `bob` (logs in as `bob@external`). */
  user?: string;
  /** `auto` (default), `interactive` (asks for a browser login first) or `deny`. */
  mode?: DischargeMode;
}

/** Where a redirected model's clients are sent; see {@link Simulator.redirectModel}. */
export interface RedirectOptions {
  /** The target controller's addresses, as `error-info.servers` carries them. */
  servers: HostPort[][];
  /** The target controller's CA certificate (PEM). */
  caCert: string;
  /** The target controller's tag, `controller-<uuid>`. */
  controllerTag?: string;
  /** The target controller's alias (its name for clients). */
  controllerAlias?: string;
}

function hostPortString(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

function advertisedHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "::1";
  return host;
}

function scopeOf(host: string): string {
  if (host === "localhost" || host === "::1" || host.startsWith("127.")) return "local-machine";
  if (host.startsWith("169.254.") || host.toLowerCase().startsWith("fe80:")) return "link-local";
  if (/^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(host)) return "local-cloud";
  return "public";
}

/**
 * Loads the embedded sshd (ssh2 is optional), routes new machine addresses
 * to it, and starts the controller's jump host on `apiHost` (`--proxy`).
 */
async function startSsh(
  store: ControllerStore,
  opts: { port?: number },
  apiHost: string,
): Promise<SimSshServer> {
  let mod: typeof import("./ssh-server.js");
  try {
    mod = await import("./ssh-server.js");
  } catch (e) {
    if (
      (e as NodeJS.ErrnoException)?.code === "ERR_MODULE_NOT_FOUND" &&
      String(e).includes("ssh2")
    ) {
      throw new Error(
        "the simulator's ssh option needs the optional dependency ssh2 (npm install ssh2)",
      );
    }
    throw e;
  }
  const server = await mod.SimSshServer.start({
    ...(opts.port === undefined ? {} : { port: opts.port }),
    resolve: mod.storeMachineResolver(store),
  });
  store.machineAddressSource = () => server.allocate();
  await server.listenJumpHost(apiHost, mod.storeControllerKeys(store));
  return server;
}

/** A running simulated controller. */
export class Simulator implements AsyncDisposable {
  /** Name of the controller in the client files. */
  readonly controllerName: string;
  /** The admin user's name. */
  readonly username = "admin";
  // A `#` field so util.inspect, JSON.stringify and spreads never see it.
  readonly #password: string;
  /** PEM of the controller CA (what `controllers.yaml` holds as `ca-cert`). */
  readonly caCert: string;
  private readonly delays = new Map<string, number>();
  private readonly redirects = new Map<string, RedirectTarget>();
  private stopping: Promise<void> | undefined;
  private charmhub: CharmhubServer | undefined;
  private sshServer: SimSshServer | undefined;

  /** Fault injection: drop connections, fail or delay methods, stall watchers, restart (faults.ts). */
  readonly faults: FaultInjector;
  /** The test control API: scripted agents, virtual time, faults (control.ts). */
  readonly control: SimulatorControl;
  #discharger: LocalDischarger | undefined;

  private constructor(
    private readonly store: ControllerStore,
    private server: ApiServer,
    private readonly host: string,
    caCert: string,
    controllerName: string,
    password: string,
    catalog: CharmCatalog | undefined,
  ) {
    this.caCert = caCert;
    this.controllerName = controllerName;
    this.#password = password;
    this.faults = server.faultInjector;
    this.faults.attach({
      connections: () => this.server.connections(),
      restart: async (downtimeMs) => {
        await this.server.close();
        if (downtimeMs > 0) await new Promise((r) => setTimeout(r, downtimeMs));
        this.server = await this.server.reopen();
      },
    });
    this.control = new SimulatorControl(store, this.faults, catalog);
  }

  /** The admin user's password (kept out of `inspect`, `JSON.stringify` and `String()`). */
  get password(): string {
    return this.#password;
  }

  /** What `util.inspect` and `console.log` show: where the controller is, never its credentials. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Simulator { controllerName: ${JSON.stringify(this.controllerName)}, controllerUuid: ${JSON.stringify(this.controllerUuid)}, username: "admin" }`;
  }

  /** The JSON form: the same public facts as `inspect`, without the password. */
  toJSON(): {
    /** The controller's name. */
    controllerName: string;
    /** The API endpoint, `host:port`. */
    endpoint: string;
    /** The controller UUID. */
    controllerUuid: string;
    /** The admin user's name. */
    username: string;
  } {
    return {
      controllerName: this.controllerName,
      endpoint: this.endpoint,
      controllerUuid: this.controllerUuid,
      username: this.username,
    };
  }

  /** `String(sim)`: the endpoint, never the credentials. */
  toString(): string {
    return `Simulator(${this.controllerName} at ${this.endpoint})`;
  }

  /** Starts a controller with a `controller` and a `default` model, and writes client files if asked. */
  static async start(opts: SimulatorOptions = {}): Promise<Simulator> {
    const host = opts.host ?? "127.0.0.1";
    // Checked first: a bad option fails before anything listens.
    const replyLatency = latencySource(opts.latency, opts.seed ?? 1);
    const loginGuard = new LoginGuard(opts.login);
    const profile = jujuProfile(opts.juju);
    const password = opts.password ?? ControllerStore.randomPassword();
    // The Charmhub API listens first: every model's config points at it.
    const catalog = opts.catalog ?? CharmCatalog.default();
    const charmhub = await CharmhubServer.listen({ catalog, host, port: opts.charmhubPort ?? 0 });
    const store = new ControllerStore({
      agentVersion: opts.agentVersion ?? profile.jujuVersion,
      profile,
      adminPassword: password,
      ...(opts.timing === undefined ? {} : { timing: opts.timing }),
      ...(opts.seed === undefined ? {} : { seed: opts.seed }),
      ...(opts.clock === undefined ? {} : { clock: opts.clock }),
      charms: opts.charms ?? catalogSource(catalog),
      modelDefaults: { "charmhub-url": charmhub.url },
      ...(opts.maxUploadBytes === undefined ? {} : { maxUploadBytes: opts.maxUploadBytes }),
      ...(opts.zipLimits === undefined ? {} : { zipLimits: opts.zipLimits }),
    });
    store.createModel({ name: "controller", owner: "admin", isController: true });
    store.createModel({ name: "default", owner: "admin" });
    const certs =
      opts.tls ?? generateControllerCerts(store.controllerUuid, [host, advertisedHost(host)]);

    const registry = new FacadeRegistry(profile);
    registry.register([
      ...pingerMethods,
      ...clientMethods,
      ...allWatcherMethods,
      ...modelManagerMethods,
      ...modelConfigMethods,
      ...machineManagerMethods,
      ...charmsMethods,
      ...applicationMethods,
      ...annotationsMethods,
      ...resourcesMethods,
      ...controllerMethods,
      ...actionMethods,
      ...keyManagerMethods,
      ...spacesMethods,
      ...storageMethods,
      ...subnetsMethods,
      ...userManagerMethods,
      ...secretsMethods,
      ...secretBackendsMethods,
      ...bundleMethods,
      ...cloudAccessMethods,
      ...blockMethods,
      ...controllerAdminMethods,
      ...statusHistoryMethods,
      ...cloudMethods,
      ...controllerUserMethods,
      ...applicationOffersMethods,
      ...crossModelRelationsMethods,
    ]);
    // Juju 3.6 checks model blocks before methods that change or remove things (facades/block.ts).
    registry.register(
      blockCheckedMethods([
        ...applicationMethods,
        ...machineManagerMethods,
        ...modelConfigMethods,
        ...keyManagerMethods,
        ...actionMethods,
        ...controllerAdminMethods,
      ]),
    );

    const macaroon = opts.macaroonAuth
      ? await startMacaroonAuth(store, opts.macaroonAuth)
      : undefined;
    let sim: Simulator | undefined;
    const server = await ApiServer.listen({
      host,
      port: opts.port ?? 0,
      cert: certs.serverCert,
      key: certs.serverKey,
      maxFrameSize: opts.maxFrameSize ?? 64 * 1024 * 1024,
      env: {
        store,
        registry,
        servers: () => sim?.servers() ?? [],
        redirectFor: (uuid) => sim?.redirects.get(uuid),
        delayFor: (facade, method) =>
          sim?.delays.size ? (sim.delays.get(`${facade}.${method}`) ?? 0) : 0,
        ...(opts.onFrame === undefined ? {} : { onFrame: opts.onFrame }),
        ...(replyLatency === undefined ? {} : { replyLatency }),
        loginGuard,
        faults: new FaultInjector(),
        ...(macaroon === undefined ? {} : { macaroonAuth: macaroon.authority }),
      },
    }).catch(async (e: unknown) => {
      await charmhub.close();
      await macaroon?.discharger.close();
      throw e;
    });
    sim = new Simulator(
      store,
      server,
      host,
      certs.caCert,
      opts.controllerName ?? "libjuju-sim",
      password,
      opts.charms === undefined ? catalog : undefined,
    );
    sim.charmhub = charmhub;
    sim.#tls = certs;
    sim.#discharger = macaroon?.discharger;
    if (opts.ssh !== undefined && opts.ssh !== false) {
      try {
        sim.sshServer = await startSsh(
          store,
          opts.ssh === true ? {} : opts.ssh,
          advertisedHost(host),
        );
      } catch (e) {
        await sim.stop();
        throw e;
      }
    }
    const started = sim;
    setControllerInfo(store, {
      caCert: certs.caCert,
      controllerName: started.controllerName,
      addresses: () => [started.endpoint],
    });
    if (opts.jujuData !== undefined) {
      try {
        await sim.writeClientFiles(opts.jujuData);
      } catch (e) {
        await sim.stop();
        throw e;
      }
    }
    return sim;
  }

  #tls: ControllerCerts | undefined;

  /** The TLS identity served (with its private key: for persisting, never for logs). */
  tlsIdentity(): ControllerCerts {
    if (this.#tls === undefined) throw new Error("the simulator is not started");
    return { ...this.#tls };
  }

  /**
   * The whole controller state as JSON data (`snapshot.ts` says what it
   * holds): give it to {@link Simulator.restore} here or in another
   * simulator. Take it once the agents settled.
   * @throws SimulatorSnapshotError `ERR_SNAPSHOT_BUSY` while agents are working.
   */
  async snapshot(): Promise<SimulatorSnapshot> {
    return snapshotStore(this.store);
  }

  /**
   * A counter that moves whenever state a snapshot keeps changes (never
   * back): a snapshot taken when it has not moved since the last one holds
   * the same controller (clock and PRNG positions aside).
   */
  get stateChanges(): number {
    return this.store.changes.value;
  }

  /**
   * Replaces the controller state with a snapshot's. Open AllWatchers of
   * models that exist before and after get deltas; sessions of models the
   * snapshot lacks close. The admin password and TLS identity stay this
   * simulator's.
   * @throws SimulatorSnapshotError `ERR_SNAPSHOT_INVALID` naming what was wrong (nothing changed then).
   */
  async restore(snapshot: SimulatorSnapshot): Promise<void> {
    await restoreStore(this.store, snapshot);
  }

  /**
   * The local identity provider of `macaroonAuth` (undefined without it):
   * its `url`, `mode` and `user` can be changed, `visit(url)` completes an
   * interactive login, `dischargeCount` counts discharges issued.
   */
  get discharger(): LocalDischarger | undefined {
    return this.#discharger;
  }

  /** The clock the simulated agents run on. */
  get clock(): Clock {
    return this.store.clock;
  }

  /** URL of the simulated Charmhub API (every model's `charmhub-url`). */
  get charmhubUrl(): string {
    if (this.charmhub === undefined) throw new Error("the Charmhub API is not running");
    return this.charmhub.url;
  }

  /** The port every machine's sshd listens on (with the `ssh` option), else undefined. */
  get sshPort(): number | undefined {
    return this.sshServer?.port;
  }

  /** The machines' ssh host key (`ssh-ed25519 AAAA…`, for `known_hosts`), with the `ssh` option. */
  get sshHostKey(): string | undefined {
    return this.sshServer?.hostPublicKey;
  }

  /** The bound port. */
  get port(): number {
    return this.server.port;
  }

  /** `host:port` of the API, as written into `api-endpoints`. */
  get endpoint(): string {
    return hostPortString(advertisedHost(this.host), this.port);
  }

  /** UUID of the controller. */
  get controllerUuid(): string {
    return this.store.controllerUuid;
  }

  /** The Juju version the controller plays (`"3.6"` or `"4.0"`). */
  get juju(): JujuProfileName {
    return this.store.profile.name;
  }

  /** The Juju version the controller reports (`server-version`), e.g. `4.0.15`. */
  get jujuVersion(): string {
    return this.store.agentVersion;
  }

  /** UUID of the `controller` model. */
  get controllerModelUuid(): string {
    return this.store.controllerModel.uuid;
  }

  /** UUID of the `default` model (undefined after it was destroyed). */
  get defaultModelUuid(): string {
    const m = this.store.modelByName("admin", "default");
    if (m === undefined) throw new Error("the default model no longer exists");
    return m.uuid;
  }

  /** UUID of the admin-owned model with this name, or undefined. */
  modelUuid(name: string): string | undefined {
    return this.store.modelByName("admin", name)?.uuid;
  }

  /**
   * Fault injection: the `host:port` addresses Login's `servers` reports
   * instead of the listening address, as a controller behind a proxy or
   * NAT advertises its outside address (tests route clients through a
   * fault proxy with it). `undefined` restores the default.
   */
  advertise(endpoints: readonly string[] | undefined): void {
    this.advertised = endpoints === undefined ? undefined : [...endpoints];
  }
  private advertised: string[] | undefined;

  /** The API addresses, as sent in Login's `servers`. */
  servers(): HostPort[][] {
    if (this.advertised !== undefined) {
      return this.advertised.map((ep) => {
        const i = ep.lastIndexOf(":");
        const host = ep.slice(0, i).replace(/^\[|\]$/g, "");
        const v = isIP(host);
        const type = v === 4 ? "ipv4" : v === 6 ? "ipv6" : "hostname";
        return [{ value: host, type, scope: scopeOf(host), port: Number(ep.slice(i + 1)) }];
      });
    }
    const h = advertisedHost(this.host);
    const v = isIP(h);
    return [
      [
        {
          value: h,
          type: v === 4 ? "ipv4" : v === 6 ? "ipv6" : "hostname",
          scope: scopeOf(h),
          port: this.port,
        },
      ],
    ];
  }

  /**
   * Makes every Login on `/model/<uuid>/api` fail with `redirection required`
   * and this target as `error-info`, as for a model migrated to another
   * controller. The model need not exist here.
   */
  redirectModel(uuid: string, target: RedirectOptions): void {
    this.redirects.set(uuid, {
      servers: target.servers.map((s) => s.map((hp) => ({ ...hp }))),
      caCert: target.caCert,
      ...(target.controllerTag === undefined ? {} : { controllerTag: target.controllerTag }),
      ...(target.controllerAlias === undefined ? {} : { controllerAlias: target.controllerAlias }),
    });
  }

  /** Fault injection: delays every `facade.method` call by `ms` (0 removes the delay). */
  delay(facade: string, method: string, ms: number): void {
    if (ms > 0) this.delays.set(`${facade}.${method}`, ms);
    else this.delays.delete(`${facade}.${method}`);
  }

  /** Fault injection: closes every API connection now; the server keeps accepting new ones. */
  async dropConnections(): Promise<void> {
    await this.server.closeSessions();
  }

  /** Number of open API connections. */
  get connectionCount(): number {
    return this.server.sessionCount;
  }

  /** Writes (or merges) the client files for this controller into `jujuData`. */
  async writeClientFiles(jujuData: string): Promise<void> {
    await writeClientFiles(jujuData, {
      controllerName: this.controllerName,
      controllerUuid: this.controllerUuid,
      apiEndpoints: [this.endpoint],
      caCert: this.caCert,
      cloud: this.store.cloud.name,
      region: this.store.cloud.region,
      cloudType: this.store.cloud.type,
      agentVersion: this.store.agentVersion,
      machineCount: [...this.store.models.values()].reduce(
        (n, m) => n + m.entities.list("machine").length,
        0,
      ),
      user: this.username,
      password: this.password,
      models: [...this.store.models.values()].map((m) => ({
        qualifiedName: `${modelNamespace(this.store.profile, m.owner)}/${m.name}`,
        uuid: m.uuid,
        type: m.type,
      })),
      currentModel: "admin/default",
      // Juju 4's models.yaml has no branch (api/jujuclient ModelDetails).
      modelBranches: this.store.profile.major === 3,
    });
    // The client key written there opens every machine, as bootstrap installs it.
    await this.sshServer?.trustClientKeyFrom(jujuData);
  }

  /** Closes every connection and the server. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.server.close();
      await this.charmhub?.close();
      await this.sshServer?.close();
      await this.#discharger?.close();
      this.store.close();
      for (const m of this.store.models.values()) m.entities.stopAll();
    })();
    return this.stopping;
  }

  /** Same as {@link Simulator.stop}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/** Starts the identity provider and the controller's bakery (loads tweetnacl only now). */
async function startMacaroonAuth(
  store: ControllerStore,
  option: true | MacaroonAuthOptions,
): Promise<{ discharger: LocalDischarger; authority: MacaroonAuthority }> {
  const o = option === true ? {} : option;
  const [{ loadNacl, MacaroonAuthority }, { LocalDischarger }] = await Promise.all([
    import("./macaroon.js"),
    import("./discharger.js"),
  ]);
  const nacl = await loadNacl();
  const now = () => store.clock.now();
  const discharger = await LocalDischarger.listen(nacl, {
    host: "127.0.0.1",
    now,
    ...(o.user === undefined ? {} : { user: o.user }),
    ...(o.mode === undefined ? {} : { mode: o.mode }),
  });
  const authority = new MacaroonAuthority(nacl, {
    identityLocation: discharger.url,
    identityPublicKey: discharger.publicKey,
    now,
  });
  const user = `${discharger.user}@external`;
  if (!store.users.has(user)) {
    store.users.set(user, { name: user, displayName: "", password: "", controllerAccess: "login" });
  }
  return { discharger, authority };
}
